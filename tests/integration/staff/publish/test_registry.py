"""The registry of published versions: the model ``make run`` serves is kept as the first
version, and only the newest versions are kept but never the live one (the live version's
model: tests/unit/staff/publish/test_registry.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from staff.publish import live_model
from staff.publish.files import data_hash
from staff.publish.registry import BASELINE_WHO
from tests.support.publish_fakes import (
    FakeAssistant,
    FakeRasa,
    edit_downtime,
    fake_model,
    publisher_for,
    run,
)
from tests.support.staff_edits import add_example


@pytest.mark.integration
def test_the_model_make_run_serves_is_kept_as_the_first_version(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    original = data_hash(data_root)
    started_with = fake_model(data_root / "models" / f"clinic-{original}.tar.gz")
    assistant.model_id = started_with
    publisher = publisher_for(data_root, rasa, assistant)  # the staff app starts
    [kept] = publisher.published()
    assert kept.live  # the running assistant serves it
    edit_downtime(data_root)
    run(publisher)
    new, baseline = publisher.published()
    assert baseline.who == BASELINE_WHO and baseline.data_hash == original
    assert baseline.figures == {} and not baseline.live and new.live


@pytest.mark.integration
def test_only_the_newest_versions_are_kept_and_never_the_live_one(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("staff.publish.registry.KEEP", 2)
    live = run(publisher_for(data_root, rasa, assistant))["published_id"]
    assistant.stop()  # from now on nothing is loaded: the live one stays the first
    stopped = publisher_for(data_root, rasa, token=assistant.token)
    ids = []
    for number in range(3):
        add_example("pain", f"pain question number {number}", "nurse", data_root)
        ids.append(run(stopped)["published_id"])
    kept = [p.id for p in stopped.published()]
    assert kept == [ids[2], ids[1], live]
    assert [p.id for p in stopped.published() if p.live] == [live]
    # A Rasa server that starts serves the live one.
    assert live_model(stopped.registry.folder) == stopped.registry.folder / live / "model.tar.gz"
