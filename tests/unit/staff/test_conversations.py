"""Conversations for review (staff/conversations/), from a tracker store that Rasa's own
SQLTrackerStore wrote with real events: SQLite, and PostgreSQL in a fresh schema."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
import sqlalchemy as sa

from staff.conversations import ConversationStore
from staff.conversations.flags import (
    EMERGENCY,
    FALLBACK,
    HANDOFF,
    LOW_CONFIDENCE,
    NOT_COVERED,
    OFF_TOPIC,
    OTHER_LANGUAGE,
    REFUSAL,
)
from staff.conversations.records import period_bounds
from stores.settings import StoreSettings
from stores.tracker import create_schema, postgres_arguments
from tests.support.shared_stores import fresh_schema
from tests.support.stored_conversations import (
    append_events,
    asks_for_a_person,
    bot,
    conversation,
    handed_back,
    handoff_store,
    kinds_of_conversations,
    save_conversations,
    sqlite_store,
    staff_joined,
    staff_wrote,
    started,
    user,
)

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
#: A fixed "now": the conversations are from earlier today unless a test says otherwise.
NOW = datetime(2026, 11, 26, 15, 0).astimezone()


@pytest.fixture
async def sqlite_conversations(tmp_path: Path) -> ConversationStore:
    path = tmp_path / "tracker.db"
    store = sqlite_store(path)
    await save_conversations(store, kinds_of_conversations(NOW.timestamp()))
    store.engine.dispose()
    return ConversationStore(StoreSettings(tracker_db=str(path)), low_confidence=0.6)


@pytest.fixture
def schema() -> Iterator[str]:
    """A PostgreSQL schema name of this test, dropped afterwards."""
    with fresh_schema("staff") as name:
        yield name


@pytest.fixture
async def postgres_conversations(schema: str) -> AsyncIterator[ConversationStore]:
    settings = StoreSettings(database_url=POSTGRES, database_schema=schema)
    create_schema(settings)
    from rasa.core.tracker_store import SQLTrackerStore

    store = SQLTrackerStore(**postgres_arguments(settings))
    await save_conversations(store, kinds_of_conversations(NOW.timestamp()))
    store.engine.dispose()
    conversations = ConversationStore(settings, low_confidence=0.6)
    yield conversations
    conversations.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def conversations(
    request: pytest.FixtureRequest,
) -> ConversationStore:
    name = "sqlite_conversations" if request.param == "sqlite" else "postgres_conversations"
    store: ConversationStore = request.getfixturevalue(name)
    return store


def test_each_conversation_is_flagged_by_what_happened_emergencies_first(
    conversations: ConversationStore,
) -> None:
    page = conversations.summaries(now=NOW)
    assert page.total == 9
    flags = {item.sender: item.flags for item in page.conversations}
    assert flags == {
        "emergency": [EMERGENCY],
        "refused": [REFUSAL],
        "handoff": [HANDOFF],
        "fallback": [FALLBACK, LOW_CONFIDENCE],
        "unsure": [LOW_CONFIDENCE],
        "off_topic": [OFF_TOPIC],
        "other_language": [OTHER_LANGUAGE],
        "not_covered": [NOT_COVERED],
        "plain": [],
    }
    # The emergency is the oldest, yet first; then the latest first.
    assert [item.sender for item in page.conversations] == [
        "emergency", "unsure", "fallback", "handoff", "refused", "off_topic",
        "other_language", "not_covered", "plain",
    ]  # fmt: skip


def test_the_page_counts_each_flag_of_the_period_whatever_is_chosen(
    conversations: ConversationStore,
) -> None:
    expected = {
        EMERGENCY: 1, REFUSAL: 1, HANDOFF: 1, FALLBACK: 1, NOT_COVERED: 1, OTHER_LANGUAGE: 1,
        OFF_TOPIC: 1, LOW_CONFIDENCE: 2,
    }  # fmt: skip
    assert conversations.summaries(now=NOW).counts == expected
    assert conversations.summaries(flag=REFUSAL, now=NOW).counts == expected
    yesterday = conversations.summaries(period="yesterday", now=NOW)
    assert yesterday.counts == dict.fromkeys(expected, 0)


def test_a_summary_has_the_channel_times_turns_and_last_message(
    conversations: ConversationStore,
) -> None:
    [refused] = [
        c for c in conversations.summaries(now=NOW).conversations if c.sender == "refused"
    ]
    assert refused.channel == "rest"
    assert refused.turns == 1
    assert refused.last_message == "Is botox safe for me? I take isotretinoin."
    assert refused.started == datetime.fromtimestamp(NOW.timestamp() - 2500).astimezone()
    assert refused.last > refused.started


@pytest.mark.parametrize(
    ("flag", "senders"),
    [
        (EMERGENCY, ["emergency"]),
        (REFUSAL, ["refused"]),
        (HANDOFF, ["handoff"]),
        (FALLBACK, ["fallback"]),
        (LOW_CONFIDENCE, ["unsure", "fallback"]),
    ],
)
def test_the_list_filters_by_flag(
    conversations: ConversationStore, flag: str, senders: list
) -> None:
    page = conversations.summaries(flag=flag, now=NOW)
    assert [item.sender for item in page.conversations] == senders
    assert page.total == len(senders)


async def test_a_lower_threshold_flags_fewer_messages(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = sqlite_store(path)
    await save_conversations(store, kinds_of_conversations(NOW.timestamp()))
    strict = ConversationStore(StoreSettings(tracker_db=str(path)), low_confidence=0.4)
    page = strict.summaries(flag=LOW_CONFIDENCE, now=NOW)
    assert [item.sender for item in page.conversations] == ["fallback"]


async def test_the_list_filters_by_date(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = sqlite_store(path)
    today = NOW.replace(hour=10)
    yesterday = today - timedelta(days=1)
    last_week = today - timedelta(days=5)
    long_ago = today - timedelta(days=30)

    def turn() -> tuple:
        return user("does it hurt", "faq", topic="pain"), bot("A small pinch.", "utter_faq/pain")

    await save_conversations(
        store,
        {
            "today": conversation(today.timestamp(), turn()),
            "yesterday": conversation(yesterday.timestamp(), turn()),
            "last-week": conversation(last_week.timestamp(), turn()),
            "long-ago": conversation(long_ago.timestamp(), turn()),
        },
    )
    conversations = ConversationStore(StoreSettings(tracker_db=str(path)), 0.6)

    def senders(period: str) -> list:
        return [c.sender for c in conversations.summaries(period=period, now=NOW).conversations]

    assert senders("today") == ["today"]
    assert senders("yesterday") == ["yesterday"]
    assert senders("week") == ["today", "yesterday", "last-week"]
    assert senders("all") == ["today", "yesterday", "last-week", "long-ago"]


def test_periods_are_local_calendar_days() -> None:
    start, end = period_bounds("yesterday", NOW)
    assert datetime.fromtimestamp(start or 0).astimezone() == NOW.replace(
        hour=0, minute=0
    ) - timedelta(days=1)
    assert datetime.fromtimestamp(end or 0).astimezone() == NOW.replace(hour=0, minute=0)
    assert period_bounds("all", NOW) == (None, None)
    with pytest.raises(ValueError, match="unknown period"):
        period_bounds("fortnight", NOW)


def test_the_list_comes_a_page_at_a_time(conversations: ConversationStore) -> None:
    pages = [conversations.summaries(page=n, per_page=4, now=NOW) for n in (1, 2, 3, 4)]
    assert [len(p.conversations) for p in pages] == [4, 4, 1, 0]
    assert all(p.total == 9 and p.pages == 3 for p in pages)
    seen = [c.sender for p in pages for c in p.conversations]
    assert len(seen) == len(set(seen)) == 9


def test_an_opened_conversation_shows_what_the_assistant_understood(
    conversations: ConversationStore,
) -> None:
    found = conversations.conversation("emergency")
    assert found is not None
    assert found.flags == [EMERGENCY] and found.channel == "rest"
    said, answered = found.messages
    assert (said.sender_kind, said.text) == (
        "user",
        "I have trouble breathing since my injections",
    )
    assert (said.intent, said.confidence) == ("report_emergency_symptom", 1.0)
    assert said.guard is not None
    assert said.guard["matched"] == "trouble breathing"
    assert said.guard["classifier_intent"]["name"] == "faq"
    assert said.flags == [EMERGENCY]
    assert found.user_message(said.id) == said
    assert found.user_message(answered.id) is None
    assert (answered.sender_kind, answered.text) == ("bot", "Call 911 now.")
    assert (answered.response, answered.flags) == ("utter_emergency_guidance", [EMERGENCY])


def test_an_faq_message_shows_the_topic_picked_and_its_confidence(
    conversations: ConversationStore,
) -> None:
    found = conversations.conversation("unsure")
    assert found is not None
    said = found.messages[0]
    assert (said.intent, said.topic, said.topic_confidence) == ("faq", "downtime", 0.9)
    assert said.flags == [LOW_CONFIDENCE]
    refused = conversations.conversation("refused")
    assert refused is not None
    assert refused.messages[1].flags == [REFUSAL]
    assert refused.messages[0].topic is None


def test_an_unknown_sender_has_no_conversation(conversations: ConversationStore) -> None:
    assert conversations.conversation("nobody") is None


def test_no_tracker_store_yet_means_no_conversations(tmp_path: Path) -> None:
    empty = ConversationStore(StoreSettings(tracker_db=str(tmp_path / "none.db")), 0.6)
    assert empty.summaries().total == 0
    assert empty.conversation("x") is None
    assert not (tmp_path / "none.db").exists()


def test_the_sqlite_store_is_opened_read_only(sqlite_conversations: ConversationStore) -> None:
    engine = sqlite_conversations.engine()
    assert engine is not None
    with pytest.raises(sa.exc.OperationalError, match="readonly"), engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events"))
    assert sqlite_conversations.summaries(now=NOW).total == 9


def test_the_postgres_store_is_opened_read_only(
    postgres_conversations: ConversationStore,
) -> None:
    engine = postgres_conversations.engine()
    assert engine is not None
    with pytest.raises(sa.exc.InternalError, match="read-only"), engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events"))
    assert postgres_conversations.summaries(now=NOW).total == 9
    assert "schema staff_" in postgres_conversations.where


async def test_a_staff_members_live_chat_message_is_theirs_not_the_assistants(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tracker.db"
    store = handoff_store(path)
    now = NOW.timestamp()
    await append_events(
        store,
        "visitor-1",
        [
            *started(now - 100),
            *asks_for_a_person(now - 90),
            *staff_joined("ana", now - 60),
            *staff_wrote("ana", "Hello, I'm Ana.", now - 50),
            *handed_back(now - 10),
        ],
    )
    store.engine.dispose()
    found = ConversationStore(StoreSettings(tracker_db=str(path)), 0.6).conversation("visitor-1")
    assert found is not None
    assert [(m.sender_kind, m.staff, m.handoff, m.by_staff) for m in found.messages] == [
        ("user", None, None, False),
        ("bot", None, None, False),  # utter_handoff_waiting
        ("bot", "ana", "joined", False),  # sent for her, worded by the assistant
        ("bot", "ana", None, True),
        ("bot", None, None, False),  # utter_handoff_returned
    ]
    assert found.flags == [HANDOFF]
