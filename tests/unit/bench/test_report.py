"""The benchmark's ratio table and its targets (bench/report.py)."""

from __future__ import annotations

import json
import math

from bench.report import Row, markdown, readme, rows, write_json


def level(throughput, p50, p95, errors=0, wrong=0):
    latency = {"p50_ms": p50, "p95_ms": p95, "p99_ms": p95 * 1.2}
    return {
        "throughput_turns_per_s": throughput,
        "errors": errors,
        "wrong_answers": wrong,
        "latency": {"faq": latency, "greet": latency},
    }


def config(train_s, rss, p50, throughput8, intent_f1, rs_f1, errors32=0):
    return {
        "training": {"seconds": train_s},
        "cold_start_s": 12.0,
        "memory_mib": {"rasa": rss, "actions": 90.0},
        "load": {
            "1": level(throughput8 / 6, p50, p50 * 1.5),
            "8": level(throughput8, p50 * 6, p50 * 9),
            "32": level(throughput8 * 1.05, p50 * 25, p50 * 40, errors=errors32),
        },
        "accuracy": {"intent": {"f1": intent_f1}, "response_selection": {"f1": rs_f1}},
    }


def results(project, baseline):
    floor = {
        "load": {
            "1": level(900, 1.0, 2.0),
            "8": level(3000, 2.5, 5.0),
            "32": level(3100, 9.0, 15.0),
        }
    }
    return {"configs": {"project": project, "baseline": baseline}, "floor": floor}


def by_figure(table):
    return {(row.figure, row.against): row for row in table}


def test_every_target_met():
    table = rows(
        results(config(100, 400, 30, 60, 0.95, 0.90), config(300, 600, 60, 30, 0.94, 0.90))
    )
    assert [row.figure for row in table if row.met is False] == []
    found = by_figure(table)
    assert found[("training time", "baseline")].ratio == 1 / 3
    assert found[("FAQ turn latency p50, 1 visitor", "baseline")].ratio == 0.5
    assert found[("FAQ turn latency p50, 1 visitor", "floor")].ratio == 30.0
    assert found[("throughput, 8 visitors", "baseline")].met is True
    assert found[("errors, 32 visitors", "baseline")].met is True
    assert "All targets met." in markdown(table, "# heading")


def test_missed_targets_are_named():
    table = rows(
        results(
            config(200, 590, 50, 40, 0.93, 0.91, errors32=2), config(300, 600, 60, 30, 0.94, 0.90)
        )
    )
    missed = {row.figure for row in table if row.met is False}
    assert missed == {
        "training time",
        "Rasa server memory after warm-up",
        "FAQ turn latency p50, 1 visitor",
        "FAQ turn latency p95, 1 visitor",
        "throughput, 8 visitors",
        "intent F1 (5-fold CV, weighted)",
        "errors, 32 visitors",
    }
    text = markdown(table, "# heading")
    assert "Targets missed: training time" in text
    assert "| training time (s) | 200 | 300 | 0.667 | <= 0.6" not in text
    assert "| training time (s) | 200 | 300 | 0.667 | <= 0.5 | **NO** |" in text


def test_equal_f1_is_not_below():
    row = Row("intent F1", "", 0.9, 0.9, "baseline", ">= 1.0")
    assert row.met is True


def test_missing_figure_fails_its_target_and_shows_na():
    project = config(100, 400, 30, 60, 0.95, 0.90)
    del project["accuracy"]
    table = rows(results(project, config(300, 600, 60, 30, 0.94, 0.90)))
    found = by_figure(table)
    assert found[("intent F1 (5-fold CV, weighted)", "baseline")].met is False
    assert "| n/a |" in markdown(table, "# heading")


def test_json_writes_nan_as_null(tmp_path):
    path = tmp_path / "latest.json"
    write_json({"a": math.nan, "b": [1.5, math.nan], "c": {"d": math.nan}}, path)
    assert json.loads(path.read_text()) == {"a": None, "b": [1.5, None], "c": {"d": None}}


def test_the_readme_is_the_run_s_table_under_a_header_that_says_it_is_written_by_make_bench():
    table = rows(
        results(config(100, 400, 30, 60, 0.95, 0.90), config(300, 600, 60, 30, 0.94, 0.9))
    )
    text = markdown(table, "Benchmark of 2026-12-06 05:00 UTC")
    written = readme(text)
    assert written.startswith("# Benchmark: the latest figures\n")
    assert "do not edit by hand" in written
    assert text.rstrip() in written
    assert written.endswith("(results/latency.png)\n")
