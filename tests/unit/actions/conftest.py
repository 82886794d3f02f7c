"""Fixtures of the action tests: the test clinic at a moment its chat is open or closed
(``CLINIC_NOW``), or without the live handoff."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from clinic.config import Clinic, get_clinic
from tests.support.project import CLOSED_NOW, OPEN_NOW, TEST_CLINIC_YAML_WITHOUT_HANDOFF


@pytest.fixture
def open_clinic(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> Clinic:
    """The test clinic on a Wednesday at 10:30, while its team answers in the chat."""
    monkeypatch.setenv("CLINIC_NOW", OPEN_NOW)
    return clinic


@pytest.fixture
def closed_clinic(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> Clinic:
    """The test clinic on a Wednesday at 17:15, after its chat's hours."""
    monkeypatch.setenv("CLINIC_NOW", CLOSED_NOW)
    return clinic


@pytest.fixture
def clinic_without_handoff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clinic]:
    """The test clinic with no handoff section in its clinic.yml."""
    path = tmp_path / "clinic-without-handoff.yml"
    path.write_text(TEST_CLINIC_YAML_WITHOUT_HANDOFF, encoding="utf-8")
    monkeypatch.setenv("CLINIC_CONFIG", str(path))
    monkeypatch.setenv("CLINIC_NOW", OPEN_NOW)
    get_clinic.cache_clear()
    yield get_clinic()
    get_clinic.cache_clear()
