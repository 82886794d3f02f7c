"""The benchmark's driver: disturbed load levels measured again, reuse of an earlier run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Iterator, List

import pytest

from bench import load, machine, run
from bench.plan import QUICK


class FakeMeter:
    """Others' CPU use during successive measurements, as given."""

    readings: ClassVar[List[float]] = []

    def __init__(self) -> None:
        self.value = FakeMeter.readings.pop(0)

    def cores(self) -> float:
        return self.value


@pytest.fixture
def levels(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[str]]:
    """Record the load levels run, each answering one turn; no pause between attempts."""
    ran: List[str] = []

    def run_level(url: str, visitors: int, seconds: float, *args: Any) -> load.LevelResult:
        ran.append(args[2])  # the sender prefix
        return load.LevelResult(visitors=visitors, seconds=seconds)

    monkeypatch.setattr(load, "run_level", run_level)
    monkeypatch.setattr(machine, "OthersMeter", FakeMeter)
    monkeypatch.setattr(run, "RETRY_PAUSE_S", 0.0)
    yield ran


def test_an_undisturbed_level_is_measured_once(levels: List[str]) -> None:
    FakeMeter.readings = [0.02]
    figures = run.measured_level("http://x", 1, QUICK, lambda t, r: "ok", "p-1")
    assert levels == ["p-1-w", "p-1"]
    assert (figures["attempts"], figures["others_cpu_cores"]) == (1, 0.02)


def test_a_disturbed_level_is_measured_again_and_the_quiet_attempt_kept(
    levels: List[str],
) -> None:
    FakeMeter.readings = [0.9, 0.05]
    figures = run.measured_level("http://x", 8, QUICK, lambda t, r: "ok", "p-8")
    assert levels == ["p-8-w", "p-8", "p-8-w", "p-8"]
    assert (figures["attempts"], figures["others_cpu_cores"]) == (2, 0.05)


def test_a_level_always_disturbed_keeps_the_least_disturbed_attempt(levels: List[str]) -> None:
    FakeMeter.readings = [0.9, 0.4, 0.7, 0.8]
    figures = run.measured_level("http://x", 1, QUICK, lambda t, r: "ok", "p-1")
    assert len(levels) == 2 * (run.RETRIES_IF_BUSY + 1)
    assert (figures["attempts"], figures["others_cpu_cores"]) == (run.RETRIES_IF_BUSY + 1, 0.4)


def test_reuse_is_refused_when_the_models_inputs_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results"
    results.mkdir()
    earlier = {"date": "2026-01-01T00:00:00+00:00", "machine": {"git_commit": "abc123"}}
    (results / "latest.json").write_text(json.dumps(earlier), encoding="utf-8")
    monkeypatch.setattr(run, "RESULTS", results)
    monkeypatch.setattr(machine, "inputs_changed_since", lambda commit: ["config.yml"])
    with pytest.raises(SystemExit, match=r"config\.yml"):
        run.main(["--reuse-models", "--reuse-accuracy"])


def test_reuse_needs_an_earlier_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    with pytest.raises(SystemExit, match="no earlier run"):
        run.main(["--reuse-models"])
