"""``python -m staff.publish`` (``make publish``): prints the live version's model for a
Rasa server that starts (a job, the list and a rollback:
tests/integration/staff/publish/test_cli.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from staff.publish.cli import main
from tests.support.publish_fakes import fake_model


def test_live_model_prints_the_live_versions_model_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "published"
    monkeypatch.setenv("STAFF_MODELS", str(registry))
    out = io.StringIO()
    assert main(["--live-model"], out) == 0
    assert out.getvalue() == ""
    assert not registry.exists()  # it only reads
    model = registry / "20261126-105036-123-53369d8c331c" / "model.tar.gz"
    fake_model(model)
    (registry / "live.json").write_text(json.dumps({"id": model.parent.name}))
    out = io.StringIO()
    assert main(["--live-model"], out) == 0
    assert out.getvalue() == f"{model}\n"
