"""The stores' tests read ``endpoints.yml`` as the Rasa server does, with the environment the
launcher gives it (tests/support/rasa_environment.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from stores.tracker import ClinicTrackerStore
from tests.support.rasa_environment import use_rasa_server_environment
from tests.support.shared_stores import fresh_schema

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True)
def rasa_server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    use_rasa_server_environment(monkeypatch)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def clinic_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ClinicTrackerStore]:
    """The project's tracker store (stores/tracker.py), as the Rasa server creates it: the
    SQLite file, or PostgreSQL in a schema of its own."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    if request.param == "sqlite":
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
        yield ClinicTrackerStore()
        return
    with fresh_schema("stores") as schema:
        monkeypatch.setenv("DATABASE_URL", POSTGRES)
        monkeypatch.setenv("DATABASE_SCHEMA", schema)
        store = ClinicTrackerStore()
        yield store
        store.engine.dispose()
