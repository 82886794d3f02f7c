"""Rolling back: the version is loaded and its data restored (what it replaced kept), also
with the assistant stopped (which files are restored:
tests/unit/staff/publish/test_rollback.py)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from staff import data
from tests.support.publish_fakes import (
    DOWNTIME,
    FakeAssistant,
    FakeRasa,
    edit_downtime,
    publisher_for,
    run,
)
from tests.support.staff_edits import add_example


@pytest.mark.integration
def test_a_rollback_loads_the_version_and_restores_its_data(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    original = {p: (data_root / p).read_bytes() for p in (DOWNTIME, str(data.CLAIMS))}
    publisher = publisher_for(data_root, rasa, assistant)
    edit_downtime(data_root, "Minimal downtime is required.")
    first = run(publisher)
    first_data = {p: (data_root / p).read_bytes() for p in original}
    edit_downtime(data_root)
    second = run(publisher)
    assert first["published_id"] != second["published_id"]
    # An edit after the last publish, and a new topic.
    add_example("downtime", "back at work the day after?", "nurse", data_root)

    entry = publisher.rollback(first["published_id"], "manager")

    assert entry.live and entry.id == first["published_id"]
    assert entry.note.startswith(f"Version {entry.id} is back, with its data.")
    assert assistant.loaded[-1] == str(entry.model.resolve())
    assert {p: (data_root / p).read_bytes() for p in original} == first_data
    assert not (data_root / "data/nlu/reviewed/downtime.yml").exists()
    assert [p.id for p in publisher.published() if p.live] == [first["published_id"]]
    # What it replaced is kept.
    [backup] = (publisher.registry.folder / "backups").iterdir()
    with tarfile.open(backup) as packed:
        assert "data/nlu/reviewed/downtime.yml" in packed.getnames()
    # The restored data is the version's: publishing it again needs no training.
    again = run(publisher)
    assert again["published_id"] == first["published_id"] and rasa.trainings() == 2
    with pytest.raises(KeyError):
        publisher.rollback("20990101-000000-nope", "manager")
    with pytest.raises(KeyError):
        publisher.rollback("../published", "manager")


@pytest.mark.integration
def test_a_rollback_with_the_assistant_stopped_restores_the_data_for_make_run(
    data_root: Path, rasa: FakeRasa
) -> None:
    original = (data_root / DOWNTIME).read_bytes()
    publisher = publisher_for(data_root, rasa)
    first = run(publisher)  # the copy's own data: a version to go back to
    edit_downtime(data_root)
    run(publisher)
    entry = publisher.rollback(first["published_id"], "manager")
    assert (data_root / DOWNTIME).read_bytes() == original
    assert "not loaded" in entry.note and "is not running" in entry.note
    assert (data_root / "models" / f"clinic-{entry.data_hash}.tar.gz").is_file()
