"""The pure parts of the live handoff's benchmark (bench/handoff.py): the staff app's CSRF
token, its event stream read line by line, the figures and their table."""

from __future__ import annotations

import math

import pytest

from bench.handoff import EventParser, HandoffBenchError, csrf_token, summary, table


def test_the_csrf_token_is_read_from_a_form() -> None:
    page = '<form><input type="hidden" name="csrf_token" value="abc-123_x"></form>'
    assert csrf_token(page) == "abc-123_x"


def test_a_page_without_a_form_says_so() -> None:
    with pytest.raises(HandoffBenchError, match="no CSRF token"):
        csrf_token("<h1>Log in</h1>")


def test_events_are_read_as_an_event_source_reads_them() -> None:
    parser = EventParser()
    lines = [
        "retry: 2000",
        "",
        ": still here",
        "",
        "event: queue",
        'data: {"waiting": 1, "waiting_ids": ["socketio:a"]}',
        "",
        "id: 7",
        "event:message",
        'data: {"text": "hi"}',
        "",
    ]
    events = [event for event in map(parser.feed, lines) if event is not None]
    assert events == [
        ("queue", {"waiting": 1, "waiting_ids": ["socketio:a"]}),
        ("message", {"text": "hi"}),
    ]


def test_an_event_of_several_data_lines_is_joined() -> None:
    parser = EventParser()
    assert parser.feed("data: [1,") is None
    assert parser.feed("data: 2]") is None
    assert parser.feed("") == ("message", [1, 2])


def test_the_figures_are_median_p90_and_max_in_milliseconds() -> None:
    figures = summary([0.1 * n for n in range(1, 11)])
    assert figures["count"] == 10
    assert figures["median_ms"] == pytest.approx(550.0)
    assert figures["p90_ms"] == pytest.approx(910.0)
    assert figures["max_ms"] == pytest.approx(1000.0)
    assert math.isnan(summary([])["max_ms"])


def test_the_table_names_what_each_figure_runs_from_and_to() -> None:
    figures = {"queue": summary([0.2, 0.3]), "reply": summary([0.01, 0.02])}
    rows = [line.split(" | ") for line in table(figures).splitlines()[2:]]
    assert [row[0] for row in rows] == [
        "| the visitor's yes",
        "| a staff reply sent to the staff app",
    ]
    assert [row[1] for row in rows] == [
        "the staff app's queue (its event stream)",
        "the widget's socket.io client",
    ]
    assert [row[2:] for row in rows] == [["2", "250", "290", "300 |"], ["2", "15", "19", "20 |"]]
