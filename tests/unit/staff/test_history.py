"""The history (staff/history.py): who changed what, newest first, in plain words."""

from __future__ import annotations

from pathlib import Path

from staff import history
from staff.history import History


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_entries_come_back_newest_first_with_what_changed(tmp_path: Path) -> None:
    log = History(tmp_path / "staff.db", clock=Clock())
    log.record("ana", history.ANSWER_EDITED, subject="downtime", before="Old text.", after="New.")
    log.record("ben", history.EXAMPLE_TAUGHT, subject="pain", after="does it sting")
    log.record("ana", history.TOPIC_ADDED, subject="aftercare", after="An answer.")
    entries = log.entries()
    assert [(e.who, e.action, e.subject) for e in entries] == [
        ("ana", history.TOPIC_ADDED, "aftercare"),
        ("ben", history.EXAMPLE_TAUGHT, "pain"),
        ("ana", history.ANSWER_EDITED, "downtime"),
    ]
    edited = entries[-1]
    assert (edited.before, edited.after) == ("Old text.", "New.")
    assert edited.when.year == 2023


def test_each_entry_reads_as_a_sentence(tmp_path: Path) -> None:
    log = History(tmp_path / "staff.db")
    log.record("ana", history.ANSWER_EDITED, subject="downtime")
    log.record("ana", history.PUBLISH_FAILED, subject="job-1")
    log.record("someone", history.LOGIN_FAILED, subject="mallory")
    log.record("ana", history.ROLLED_BACK, subject="2026-11-26 10:00")
    summaries = [entry.summary for entry in log.entries()]
    assert summaries == [
        "ana went back to the version published on 2026-11-26 10:00",
        "someone could not log in: wrong name or password for 'mallory'",
        "ana's new version failed its tests and was not published (job-1)",
        "ana changed the answer of the topic 'downtime'",
    ]


def test_an_entry_with_a_key_is_recorded_once(tmp_path: Path) -> None:
    log = History(tmp_path / "staff.db")
    assert log.record("ana", history.PUBLISHED, subject="job-1", once_key="live:job-1") is True
    assert log.record("ana", history.PUBLISHED, subject="job-1", once_key="live:job-1") is False
    assert log.record("ana", history.PUBLISHED, subject="job-2", once_key="live:job-2") is True
    assert log.count() == 2


def test_entries_page_and_filter_by_action(tmp_path: Path) -> None:
    log = History(tmp_path / "staff.db", clock=Clock())
    for number in range(7):
        log.record("ana", history.EXAMPLE_TAUGHT, subject=f"topic{number}")
    log.record("ana", history.LOGIN)
    assert log.count() == 8
    assert log.count(history.EXAMPLE_TAUGHT) == 7
    first, second = log.entries(limit=5), log.entries(limit=5, offset=5)
    assert len(first) == 5 and len(second) == 3
    assert {e.id for e in first}.isdisjoint(e.id for e in second)
    taught = log.entries(action=history.EXAMPLE_TAUGHT, limit=100)
    assert [e.subject for e in taught] == [f"topic{n}" for n in reversed(range(7))]


def test_the_history_survives_a_restart(tmp_path: Path) -> None:
    History(tmp_path / "staff.db").record("ana", history.LOGIN)
    assert [e.action for e in History(tmp_path / "staff.db").entries()] == [history.LOGIN]


def test_forgetting_a_visitor_keeps_who_and_when_but_not_their_words(tmp_path: Path) -> None:
    log = History(tmp_path / "staff.db", clock=Clock())
    theirs = {"does it sting", "why do my scars itch"}
    log.record("ben", history.EXAMPLE_TAUGHT, subject="pain", after="Does it sting?")
    taught_from = history.taught_from("v9")
    log.record(
        "ben", history.EXAMPLE_TAUGHT, subject="pain", after="it stings", detail=taught_from
    )
    log.record("ana", history.EXAMPLE_TAUGHT, subject="pain", after="how much does it hurt")
    log.record(
        "ana",
        history.TOPIC_ADDED,
        subject="itching",
        after="An answer.",
        detail="why do my scars itch\nis itching normal",
    )
    assert log.taught_from("v9") == ["it stings"]

    changed = log.forget("v9", lambda text: text.strip("?").lower() in theirs)

    assert changed == 3
    assert [(e.who, e.after, e.detail) for e in reversed(log.entries())] == [
        ("ben", history.FORGOTTEN, ""),
        ("ben", history.FORGOTTEN, ""),
        ("ana", "how much does it hurt", ""),
        (
            "ana",
            "An answer.",
            "is itching normal\n(1 example(s) removed: the visitor asked to be forgotten)",
        ),
    ]


def test_the_live_chat_is_recorded_who_took_wrote_how_much_and_handed_back(
    tmp_path: Path,
) -> None:
    log = History(tmp_path / "staff.db", clock=Clock())
    log.record("ana", history.LIVE_TAKEN, subject="telegram:42")
    key = "live-replies:ana:telegram:42:1700000000.000"
    assert [log.tally("ana", history.LIVE_REPLIED, "telegram:42", key) for _ in range(3)] == [
        1,
        2,
        3,
    ]
    log.record("ana", history.LIVE_HANDED_BACK, subject="telegram:42")
    log.record("ben", history.CALLBACK_DONE, subject="visitor-7")
    assert [(e.summary, e.detail) for e in log.entries()] == [
        ("ben marked the callback request of visitor visitor-7 done", ""),
        ("ana handed the conversation with visitor telegram:42 back to the assistant", ""),
        ("ana wrote to visitor telegram:42 in the live chat", "3 messages"),
        ("ana took the live chat with visitor telegram:42", ""),
    ]
    # A new handoff with the same visitor is counted apart.
    assert log.tally("ana", history.LIVE_REPLIED, "telegram:42", key + "1") == 1
    assert history.messages_count(1) == "1 message"


def test_forgetting_a_visitor_takes_their_id_out_of_the_live_chats_entries(
    tmp_path: Path,
) -> None:
    log = History(tmp_path / "staff.db", clock=Clock())
    log.record("ana", history.LIVE_TAKEN, subject="telegram:42")
    log.tally("ana", history.LIVE_REPLIED, "telegram:42", "live-replies:ana:telegram:42:1")
    log.record("ana", history.CALLBACK_DONE, subject="telegram:42")
    log.record("ana", history.LIVE_TAKEN, subject="telegram:43")
    assert log.forget("telegram:42", lambda text: False) == 3
    assert [(e.who, e.action, e.subject) for e in reversed(log.entries())] == [
        ("ana", history.LIVE_TAKEN, history.FORGOTTEN_VISITOR),
        ("ana", history.LIVE_REPLIED, history.FORGOTTEN_VISITOR),
        ("ana", history.CALLBACK_DONE, history.FORGOTTEN_VISITOR),
        ("ana", history.LIVE_TAKEN, "telegram:43"),
    ]
    # Its count goes on apart from any new one: the key named the visitor.
    assert log.tally("ana", history.LIVE_REPLIED, "x", "live-replies:ana:telegram:42:1") == 1
