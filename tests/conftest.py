"""Fixtures shared by the tests: the real domain, and a clinic config of test values."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.importers.importer import TrainingDataImporter
from rasa_sdk import Tracker

from clinic.config import Clinic, get_clinic

ROOT = Path(__file__).resolve().parent.parent

#: Distinctive values, so a test sees that an answer took them from the config it was given.
TEST_CLINIC_YAML = """\
name: "Test Dermatology"
phone: "+1 555 0100"
booking_url: "https://test-dermatology.example/book"
email: "desk@test-dermatology.example"
opening_hours: "weekdays 8 to 4"
emergency_number: "911"
branding:
  primary_color: "#6a1b4d"
  accent_color: "#f6e8f0"
  logo: "web/static/logo.svg"
"""


@pytest.fixture(scope="session")
def domain() -> Domain:
    """The assistant's full domain: domain.yml with the FAQ answers from data/."""
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return importer.get_domain()


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clinic]:
    """Point CLINIC_CONFIG at a clinic config with test values, for this test only."""
    path = tmp_path / "clinic.yml"
    path.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    monkeypatch.setenv("CLINIC_CONFIG", str(path))
    get_clinic.cache_clear()
    yield get_clinic()
    get_clinic.cache_clear()


def user_event(intent: str, text: str = "") -> Dict[str, Any]:
    """A user event as the action server receives it."""
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
    }


def make_tracker(
    intent: str,
    text: str = "",
    previous_intents: List[str] | None = None,
) -> Tracker:
    """A tracker whose latest message has ``intent``, after ``previous_intents``."""
    events: List[Dict[str, Any]] = []
    for previous in previous_intents or []:
        events.append(user_event(previous))
        events.append({"event": "action", "name": "action_listen"})
    latest = user_event(intent, text)
    events.append(latest)
    return Tracker(
        sender_id="test-visitor",
        slots={"emergency_reported": False},
        latest_message={
            "text": text,
            "intent": latest["parse_data"]["intent"],
            "entities": [],
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


# The running servers (tests/servers.py), shared by every test that talks to them; imported
# here so that pytest finds them from any test folder. Imported last: they use ROOT above.
from tests.servers import platform_stub, servers, web_server  # noqa: E402, F401
