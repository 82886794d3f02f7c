"""A publish job's steps: from a snapshot of the data, checked, trained, tested, kept and
ready for ``make run``; unchanged data is not trained again. The slow commands are
replaced by :class:`tests.support.publish_fakes.FakeRasa`."""

from __future__ import annotations

import json
import tarfile
import threading
import time
from pathlib import Path

import pytest

from staff.publish import PublishBusy
from staff.publish.files import data_hash
from tests.support.publish_fakes import (
    DOWNTIME,
    NEW_DOWNTIME,
    FakeAssistant,
    FakeRasa,
    edit_downtime,
    publisher_for,
    run,
)

pytestmark = pytest.mark.integration


def test_a_job_that_passes_with_no_assistant_running_is_kept_and_ready_for_make_run(
    data_root: Path, rasa: FakeRasa
) -> None:
    edit_downtime(data_root)
    rasa.gate = threading.Event()
    publisher = publisher_for(data_root, rasa)
    job_id = publisher.start("nurse jo")

    # Readable from another thread while it trains; a second start is refused.
    deadline = time.monotonic() + 30
    while "which answer" not in publisher.status(job_id)["stage"] and time.monotonic() < deadline:
        time.sleep(0.02)
    running = publisher.status(job_id)
    assert running["state"] == "running"
    assert running["stage"] == "Training: learning which answer each question wants"
    assert running["percent"] == 30
    with pytest.raises(PublishBusy, match="already running"):
        publisher.start("someone else")
    # Another publisher (another process's) sees the lock too.
    with pytest.raises(PublishBusy):
        publisher_for(data_root, FakeRasa()).start("someone else")
    rasa.gate.set()
    status = publisher.wait(job_id, timeout=60)

    assert status["state"] == "passed"
    assert status["percent"] == 100
    assert "is not running" in status["stage"] and "`make run`" in status["stage"]
    assert status["figures"]["intent accuracy"] == 0.95
    assert status["figures"]["emergency recall"] == 1.0
    assert set(status["seconds"]) == {"checking", "training", "testing", "loading"}
    # Trained from the snapshot of the edited data.
    assert NEW_DOWNTIME in rasa.trained_from[0]
    [entry] = publisher.published()
    assert entry.id == status["published_id"]
    assert entry.id.endswith(data_hash(data_root)) and entry.who == "nurse jo"
    assert not entry.live
    folder = entry.model.parent
    assert sorted(p.name for p in folder.iterdir()) == ["data.tar.gz", "meta.json", "model.tar.gz"]
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["data_hash"] == data_hash(data_root)
    assert meta["git_commit"] is None  # the copy is not a git checkout
    assert meta["figures"]["advice recall"] == 0.98
    assert set(meta["seconds"]) == {"checking", "training", "testing", "loading"}
    with tarfile.open(folder / "data.tar.gz") as packed:
        names = packed.getnames()
        assert NEW_DOWNTIME in packed.extractfile(DOWNTIME).read().decode()  # type: ignore[union-attr]
    assert {"config.yml", "domain.yml", "content/claims.yml"} <= set(names)
    # `make run` (scripts/train.sh) finds the model under the name it computes.
    installed = data_root / "models" / f"clinic-{data_hash(data_root)}.tar.gz"
    assert installed.read_bytes() == entry.model.read_bytes()
    # The status outlives the publisher (another process reads it from the disk).
    assert publisher_for(data_root, rasa).status()["state"] == "passed"


def test_data_with_a_blocking_problem_is_not_even_trained(data_root: Path, rasa: FakeRasa) -> None:
    (data_root / "data/nlu/faq/aftercare.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/aftercare\n  examples: |\n'
        + "".join(f"    - aftercare question {n}\n" for n in range(12))
    )
    publisher = publisher_for(data_root, rasa)
    status = run(publisher)
    assert status["state"] == "failed"
    assert status["problems"] == ["Topic 'aftercare' has examples but no answer."]
    assert rasa.commands == [] and publisher.published() == []


def test_a_failed_training_says_what_rasa_said(data_root: Path, rasa: FakeRasa) -> None:
    edit_downtime(data_root)
    rasa.train_exit = 1
    status = run(publisher_for(data_root, rasa))
    assert status["state"] == "failed"
    assert status["problems"] == [
        "Training failed, so nothing was changed. What it said: "
        "rasa.shared.exceptions.InvalidConfigException: the config is broken"
    ]


def test_publishing_unchanged_data_again_loads_the_same_version_without_training(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    edit_downtime(data_root)
    publisher = publisher_for(data_root, rasa, assistant)
    first = run(publisher)
    second = run(publisher)
    assert rasa.trainings() == 1
    assert second["state"] == "published"
    assert second["published_id"] == first["published_id"]
    assert second["stage"].startswith(f"Nothing has changed since version {first['published_id']}")
    assert len(assistant.loaded) == 2
