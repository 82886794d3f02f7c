"""Summaries of py-spy's samples (bench/profile.py)."""

from __future__ import annotations

import pytest

from bench.profile import OTHER, area_of, compact, frame_parts, parse_raw, summarise

SITE = "/work/main/.venv/lib/python3.10/site-packages"
RAW = f"""\
run (asyncio/base_events.py:600);handle (rasa/core/processor.py:120);process (rasa/nlu/classifiers/diet_classifier.py:900);call ({SITE}/tensorflow/python/eager/def_function.py:800) 60
run (asyncio/base_events.py:600);handle (rasa/core/processor.py:120);save ({SITE}/rasa/core/tracker_store.py:1200);execute ({SITE}/sqlalchemy/engine/base.py:1000) 25
run (asyncio/base_events.py:600);select (selectors.py:469) 10
run (/work/main/components/safety_guard.py:200);__call__ ({SITE}/spacy/language.py:1000) 5
"""  # noqa: E501


def test_parse_raw():
    stacks = parse_raw(RAW + "garbage line without count\n")
    assert [count for _, count in stacks] == [60, 25, 10, 5]
    assert stacks[1][0][-1].startswith("execute (")


def test_frame_parts():
    assert frame_parts("save (rasa/core/tracker_store.py:12)") == (
        "save",
        "rasa/core/tracker_store.py",
    )
    assert frame_parts("<module> (x.py)") == ("<module>", "x.py")


def test_innermost_known_area_wins():
    stacks = parse_raw(RAW)
    assert [area_of(frames) for frames, _ in stacks] == [
        "DIETClassifier",
        "tracker store (SQL, SQLite)",
        "asyncio event loop",
        "safety guard (project)",
    ]
    assert area_of(["main (unknown.py:1)"]) == OTHER


def test_summarise_shares_and_time_per_turn():
    summary = summarise(parse_raw(RAW), rate_hz=100, turns=10)
    assert summary["samples"] == 100
    assert summary["cpu_ms_per_turn"] == pytest.approx(100.0)
    areas = {row["name"]: row for row in summary["areas"]}
    assert areas["DIETClassifier"]["share"] == pytest.approx(0.6)
    assert areas["DIETClassifier"]["cpu_ms_per_turn"] == pytest.approx(60.0)
    top = summary["top_functions"][0]
    assert top["name"] == "call (tensorflow/python/eager/def_function.py)"


def test_response_selector_owns_the_diet_code_it_runs():
    frames = [
        "process (rasa/nlu/selectors/response_selector.py:10)",
        "_predict (rasa/nlu/classifiers/diet_classifier.py:20)",
        "call (tensorflow/python/eager/def_function.py:30)",
    ]
    assert area_of(frames) == "ResponseSelector"


def test_compact_adds_up_identical_stacks_without_line_numbers():
    raw = (
        'process 1:"python -m rasa run";run (asyncio/base_events.py:600);'
        f"save ({SITE}/rasa/core/tracker_store.py:12) 3\n"
        'process 1:"python -m rasa run";run (asyncio/base_events.py:601);'
        f"save ({SITE}/rasa/core/tracker_store.py:99) 4\n"
    )
    assert compact(parse_raw(raw)) == (
        "run (asyncio/base_events.py);save (rasa/core/tracker_store.py) 7\n"
    )
