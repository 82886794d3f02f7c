"""The staff app's live chat over HTTP: the app served on a free port with a tracker store
that Rasa's SQLTrackerStore filled with the steps of issue 17's contract, and the stand-in
of the Rasa server's live-chat routes (tests/support/handoff_stub.py), which stores what
they do in the same tracker store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore

from staff.settings import StaffSettings
from staff.web.services import Services
from stores.settings import StoreSettings
from tests.support.handoff_stub import HandoffStub
from tests.support.live_chat import TOKEN, fill
from tests.support.staff_app import IdlePublisher, Served, Staff, staff_services
from tests.support.stored_conversations import handoff_store


@pytest.fixture
async def tracker(tmp_path: Path) -> SQLTrackerStore:
    """The tracker store, filled: one visitor waiting, one taken by ben, one who asked for
    a callback (and one 40 days ago)."""
    store = handoff_store(tmp_path / "tracker.db")
    await fill(store, time.time())
    return store


@pytest.fixture
def stub(tmp_path: Path, tracker: SQLTrackerStore) -> Iterator[HandoffStub]:
    running = HandoffStub(tmp_path / "tracker.db", TOKEN).start()
    yield running
    running.stop()


@pytest.fixture
def settings(tmp_path: Path, data_root: Path, stub: HandoffStub) -> StaffSettings:
    return StaffSettings(
        db=tmp_path / "staff.db",
        secret_key="a test key",
        data_root=data_root,
        models=tmp_path / "published",
        store=StoreSettings(tracker_db=str(tmp_path / "tracker.db")),
        rasa_url=stub.url,
        rasa_api_token=TOKEN,
        live_poll_seconds=0.05,
    )


@pytest.fixture
def services(settings: StaffSettings) -> Services:
    return staff_services(settings, IdlePublisher())


@pytest.fixture
def ana(app: Served) -> Staff:
    client = Staff(app.url)
    assert client.login("ana").status_code == 303
    return client


@pytest.fixture
def ben(app: Served) -> Staff:
    client = Staff(app.url)
    assert client.login("ben").status_code == 303
    return client
