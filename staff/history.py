"""The history: who changed what, and when, kept in the staff database.

Every change staff make through the app is recorded (an answer or one of the assistant's
own messages edited, with the old and the new text; an example taught, with the visitor
whose message it was; a topic added; a publish started, passed, failed or made live; a
rollback; in the live chat, who took, wrote to (how many messages, never their text) and
handed back which conversation, and who marked a callback request done), and so are
failed logins. The History page shows it in plain words, newest
first. ``make forget`` takes a visitor's words out of it (:meth:`History.forget`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, List, Optional

from staff.database import connect

ANSWER_EDITED = "answer_edited"
MESSAGE_EDITED = "message_edited"
EXAMPLE_TAUGHT = "example_taught"
TOPIC_ADDED = "topic_added"
PUBLISH_STARTED = "publish_started"
PUBLISH_PASSED = "publish_passed"
PUBLISH_FAILED = "publish_failed"
PUBLISHED = "published"
ROLLED_BACK = "rolled_back"
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
LIVE_TAKEN = "live_taken"
LIVE_REPLIED = "live_replied"
LIVE_HANDED_BACK = "live_handed_back"
CALLBACK_DONE = "callback_done"
SHOWN_AS_CHANGED = "shown_as_changed"
#: The entries about one visitor's conversation: their subject is the visitor's id.
VISITOR_ACTIONS = (LIVE_TAKEN, LIVE_REPLIED, LIVE_HANDED_BACK, CALLBACK_DONE)

#: What each kind of entry says, after the person's name; {subject} is filled in.
DESCRIPTIONS = {
    ANSWER_EDITED: "changed the answer of the topic '{subject}'",
    MESSAGE_EDITED: "changed the assistant's message '{subject}'",
    EXAMPLE_TAUGHT: "taught the assistant a new example of '{subject}'",
    TOPIC_ADDED: "added the topic '{subject}'",
    PUBLISH_STARTED: "started to publish a new version ({subject})",
    PUBLISH_PASSED: "'s new version passed its tests ({subject})",
    PUBLISH_FAILED: "'s new version failed its tests and was not published ({subject})",
    PUBLISHED: "'s new version is now what the assistant uses ({subject})",
    ROLLED_BACK: "went back to the version published on {subject}",
    LOGIN: "logged in",
    LOGIN_FAILED: "could not log in: wrong name or password for '{subject}'",
    LOGOUT: "logged out",
    LIVE_TAKEN: "took the live chat with visitor {subject}",
    LIVE_REPLIED: "wrote to visitor {subject} in the live chat",
    LIVE_HANDED_BACK: "handed the conversation with visitor {subject} back to the assistant",
    CALLBACK_DONE: "marked the callback request of visitor {subject} done",
    SHOWN_AS_CHANGED: "will be shown to visitors in the live chat as '{subject}'",
}

#: What stands in the history for a visitor's words once they asked to be forgotten.
FORGOTTEN = "(removed: the visitor asked to be forgotten)"
#: What stands in the history for a visitor's id once they asked to be forgotten.
FORGOTTEN_VISITOR = "(forgotten)"


def messages_count(count: int) -> str:
    """The detail of a :data:`LIVE_REPLIED` entry: how many messages (never their text)."""
    return f"{count} message{'s' if count != 1 else ''}"


def taught_from(sender: str) -> str:
    """The detail of an example taught from a conversation: whose it was (``make forget``
    finds the examples taught from a visitor's messages by it, even when staff edited
    them before saving)."""
    return f"From the conversation with visitor {sender}."


_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    before TEXT,
    after TEXT,
    detail TEXT NOT NULL DEFAULT '',
    once_key TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
"""


@dataclass(frozen=True)
class Entry:
    """One line of the history.

    Attributes:
        who: the staff member's name ("someone" for a failed login).
        action: what happened, one of the constants of this module.
        subject: what it happened to (a topic, a publish job, a date).
        before: the text before a change (an edited answer's old text).
        after: the text after it (the new answer, the example taught).
        detail: more, in plain words (the problems of a failed publish).
    """

    id: int
    at: float
    who: str
    action: str
    subject: str
    before: Optional[str]
    after: Optional[str]
    detail: str

    @property
    def when(self) -> datetime:
        """The local date and time of the entry."""
        return datetime.fromtimestamp(self.at).astimezone()

    @property
    def summary(self) -> str:
        """The entry as a sentence: "ana changed the answer of the topic 'downtime'"."""
        description = DESCRIPTIONS.get(self.action, self.action.replace("_", " "))
        text = description.format(subject=self.subject)
        separator = "" if text.startswith("'s") else " "
        return f"{self.who}{separator}{text}"


class History:
    """The history of one staff database.

    Args:
        db: the SQLite file.
        clock: the time in seconds, replaceable in tests.
    """

    def __init__(self, db: Path, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        with connect(self.db) as connection:
            connection.executescript(_SCHEMA)

    def record(
        self,
        who: str,
        action: str,
        subject: str = "",
        before: Optional[str] = None,
        after: Optional[str] = None,
        detail: str = "",
        once_key: Optional[str] = None,
    ) -> bool:
        """Add an entry. With ``once_key``, an entry with the same key is added only once
        (a publish's result, seen by several requests).

        Returns:
            True when the entry was added.
        """
        with connect(self.db) as connection:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO audit "
                "(at, who, action, subject, before, after, detail, once_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (self.clock(), who, action, subject, before, after, detail, once_key),
            )
        return cursor.rowcount > 0

    def tally(self, who: str, action: str, subject: str, once_key: str) -> int:
        """Count one more of ``action`` in the entry of ``once_key`` (added at the first):
        its detail says how many (:func:`messages_count`); the new count.

        One entry per staff member and conversation taken, however many messages they
        write: the history says who wrote to whom, and how much, never what.
        """
        with connect(self.db) as connection:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute(
                "SELECT id, detail FROM audit WHERE once_key = ?", (once_key,)
            ).fetchone()
            if row is None:
                connection.execute(
                    "INSERT INTO audit (at, who, action, subject, detail, once_key) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (self.clock(), who, action, subject, messages_count(1), once_key),
                )
                return 1
            count = int(str(row[1] or "0").split(" ", 1)[0] or 0) + 1
            connection.execute(
                "UPDATE audit SET detail = ? WHERE id = ?", (messages_count(count), row[0])
            )
        return count

    def taught_from(self, sender: str) -> List[str]:
        """The examples taught from the conversation of ``sender``, as they were saved."""
        with connect(self.db) as connection:
            rows = connection.execute(
                "SELECT after FROM audit WHERE action = ? AND detail = ? ORDER BY id",
                (EXAMPLE_TAUGHT, taught_from(sender)),
            ).fetchall()
        return [str(row[0]) for row in rows if row[0]]

    def forget(self, sender: str, theirs: Callable[[str], bool]) -> int:
        """Take a visitor's words out of the history, in one transaction: an example taught
        from their conversation or ``theirs`` (one of their messages) becomes
        :data:`FORGOTTEN`, and a new topic's examples that are ``theirs`` are left out of
        its entry; the live chat's entries about their conversation name
        :data:`FORGOTTEN_VISITOR` instead of them. Who did what, and when, stays.

        Returns:
            How many entries changed.
        """
        changed = 0
        with connect(self.db) as connection:
            marks = ",".join("?" * len(VISITOR_ACTIONS))
            cursor = connection.execute(
                "UPDATE audit SET subject = ?, once_key = NULL "
                f"WHERE action IN ({marks}) AND subject = ?",
                (FORGOTTEN_VISITOR, *VISITOR_ACTIONS, sender),
            )
            changed += cursor.rowcount
            rows = connection.execute(
                "SELECT id, action, after, detail FROM audit WHERE action IN (?, ?)",
                (EXAMPLE_TAUGHT, TOPIC_ADDED),
            ).fetchall()
            for entry_id, action, after, detail in rows:
                if action == EXAMPLE_TAUGHT:
                    if detail == taught_from(sender) or (after and theirs(after)):
                        connection.execute(
                            "UPDATE audit SET after = ?, detail = '' WHERE id = ?",
                            (FORGOTTEN, entry_id),
                        )
                        changed += 1
                    continue
                lines = str(detail or "").split("\n")
                kept = [line for line in lines if not theirs(line)]
                if len(kept) < len(lines):
                    removed = len(lines) - len(kept)
                    note = f"({removed} example(s) {FORGOTTEN[1:]}"
                    connection.execute(
                        "UPDATE audit SET detail = ? WHERE id = ?",
                        ("\n".join([*kept, note]), entry_id),
                    )
                    changed += 1
        return changed

    def forget_quotes(self, quotes: Callable[[str], bool]) -> int:
        """Replace each line of an entry's detail that ``quotes`` a visitor's words (a
        check's warning quoting an example, kept with a publish that failed) by
        :data:`FORGOTTEN`, in one transaction.

        Returns:
            How many entries changed.
        """
        changed = 0
        with connect(self.db) as connection:
            rows = connection.execute(
                "SELECT id, detail FROM audit WHERE detail IS NOT NULL AND detail != ''"
            ).fetchall()
            for entry_id, detail in rows:
                lines = str(detail).split("\n")
                kept = [FORGOTTEN if quotes(line) else line for line in lines]
                if kept != lines:
                    connection.execute(
                        "UPDATE audit SET detail = ? WHERE id = ?", ("\n".join(kept), entry_id)
                    )
                    changed += 1
        return changed

    def entries(
        self, limit: int = 50, offset: int = 0, action: Optional[str] = None
    ) -> List[Entry]:
        """Entries, newest first; only those of ``action`` when given."""
        where, parameters = ("WHERE action = ?", [action]) if action else ("", [])
        with connect(self.db) as connection:
            rows = connection.execute(
                "SELECT id, at, who, action, subject, before, after, detail FROM audit "
                f"{where} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
                (*parameters, limit, offset),
            ).fetchall()
        return [Entry(*row) for row in rows]

    def count(self, action: Optional[str] = None) -> int:
        where, parameters = ("WHERE action = ?", [action]) if action else ("", [])
        with connect(self.db) as connection:
            row = connection.execute(f"SELECT COUNT(*) FROM audit {where}", parameters).fetchone()
        return int(row[0])
