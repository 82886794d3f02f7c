"""``python -m staff.publish`` (``make publish``): runs a job, lists the versions and rolls
back (the live version's model a Rasa server starts with: tests/unit/staff/publish/test_cli.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from staff.checks import project as checks_project
from staff.publish.cli import main
from tests.support.publish_fakes import FakeRasa, settings_for


@pytest.mark.integration
def test_make_publish_runs_a_job_and_lists_and_rolls_back(
    data_root: Path, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(data_root)
    monkeypatch.setenv("STAFF_DATA_ROOT", str(settings.data_root))
    monkeypatch.setenv("STAFF_MODELS", str(settings.models))
    monkeypatch.setenv("RASA_URL", settings.rasa_url)
    monkeypatch.setattr("staff.publish.publisher.run_command", rasa)
    monkeypatch.setattr(checks_project, "validate", lambda root: [])
    out = io.StringIO()
    assert main(["--who", "jo"], out) == 0
    printed = out.getvalue()
    assert printed.startswith(f"Publishing the data of {data_root}")
    assert "test questions understood" in printed and "95.0%" in printed
    assert "passed its tests but was not loaded" in printed
    listing = io.StringIO()
    assert main(["--list"], listing) == 0
    [line] = listing.getvalue().splitlines()
    assert "by jo" in line and "intent accuracy 0.950" in line
    assert main(["--rollback", "nope"], io.StringIO()) == 1
