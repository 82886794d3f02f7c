"""Staff accounts: names and argon2id password hashes in the staff database.

Accounts are made by a command (``make staff-user NAME=...``, ``python -m staff.accounts``), never
through the web. A login is refused with one message whether the name exists or not, takes
the same work either way (an unknown name is checked against a dummy hash), and logging in
pauses for a while after too many wrong passwords, for a name known or not:

- for the name from the address the wrong passwords came from (``max_failures``), so that
  someone else's guesses cannot lock a colleague out at the clinic;
- for an address, whatever names it tries (``max_address_failures``), so that a flood of
  names costs no password checks;
- for a name, from every address (``max_name_failures``, higher), so that guesses spread
  over many addresses stop too.

Each attempt is counted before its password is checked, in one ``BEGIN IMMEDIATE``
transaction, so parallel attempts cannot all read the same count; an attempt that finishes
late only ever adds a lock, never removes one.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from staff.database import connect

#: A name: lower-case letters, digits, dot, dash or underscore, 1 to 64 of them.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
#: The longest name visitors may be shown (:func:`check_shown_as`).
MAX_SHOWN_AS = 40
#: What a name visitors see may hold besides letters (of any alphabet).
SHOWN_AS_MARKS = " .'-"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created REAL NOT NULL,
    changed REAL NOT NULL,
    shown_as TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS login_limits (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    failures INTEGER NOT NULL,
    locked_until REAL NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (kind, key)
);
DROP TABLE IF EXISTS login_failures;
"""
#: The counts of wrong passwords (see the module's docstring).
NAME_AT_ADDRESS, ADDRESS, NAME = "name at address", "address", "name"
#: Wrong passwords older than this (in seconds) no longer count.
FAILURE_WINDOW_SECONDS = 3600.0


class AccountError(ValueError):
    """A name or password that cannot be used; the message says why in plain words."""


def normalise_name(name: str) -> str:
    """The name as stored: trimmed and lower-case (names are not case-sensitive)."""
    return name.strip().lower()


def check_name(name: str) -> str:
    """The normalised ``name``.

    Raises:
        AccountError: when it is not 1 to 64 lower-case letters, digits, '.', '-' or '_'.
    """
    normal = normalise_name(name)
    if not NAME_PATTERN.match(normal):
        raise AccountError(
            "A name is 1 to 64 letters, digits, dots, dashes or underscores, starting with "
            "a letter or digit, for example 'ana' or 'j.smith'."
        )
    return normal


def check_password(password: str) -> None:
    """Raises:
    AccountError: when the password is too short or too long to use.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters "
            "(a few words in a row are easy to remember)."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"The password is too long (at most {MAX_PASSWORD_LENGTH}).")


def check_shown_as(text: str) -> str:
    """The name visitors are told when this person joins their chat ("Ana from the team
    has joined"), with its spaces tidied.

    Raises:
        AccountError: when it is not 1 to :data:`MAX_SHOWN_AS` letters, spaces, dots,
            apostrophes or dashes, starting with a letter.
    """
    shown = " ".join(text.split())
    if (
        not shown
        or len(shown) > MAX_SHOWN_AS
        or not shown[0].isalpha()
        or not all(c.isalpha() or c in SHOWN_AS_MARKS for c in shown)
    ):
        raise AccountError(
            f"The name visitors see is 1 to {MAX_SHOWN_AS} letters, spaces, dots, apostrophes "
            "or dashes, starting with a letter, for example 'Ana' or 'Dr. Smith'."
        )
    return shown


@dataclass(frozen=True)
class LoginResult:
    """The answer to a login attempt.

    Attributes:
        ok: the name and password are right.
        name: the normalised name that was tried.
        locked_seconds: when refused because the name is locked, how long it stays locked.
    """

    ok: bool
    name: str
    locked_seconds: float = 0.0

    @property
    def locked(self) -> bool:
        return self.locked_seconds > 0


@dataclass(frozen=True)
class Count:
    """One count of wrong passwords that a login attempt adds to."""

    kind: str
    key: str
    #: The account name the count belongs to ("" for an address).
    name: str
    #: Wrong passwords before logging in pauses.
    limit: int


class Accounts:
    """The staff accounts of one staff database.

    Args:
        db: the SQLite file.
        max_failures: wrong passwords in a row for a name from one address before logging
            in with it from there pauses.
        lockout_seconds: how long a pause lasts.
        max_address_failures: wrong passwords from one address, any names, before logging
            in from there pauses.
        max_name_failures: wrong passwords for a name, from any addresses, before logging in
            with it pauses everywhere.
        hasher: argon2's password hasher (argon2id with its default, RFC 9106 parameters
            unless given; tests pass cheaper ones).
        clock: the time in seconds (``time.time``), replaceable in tests.
    """

    def __init__(
        self,
        db: Path,
        max_failures: int = 5,
        lockout_seconds: float = 300.0,
        max_address_failures: int = 20,
        max_name_failures: int = 50,
        hasher: Optional[PasswordHasher] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.max_address_failures = max_address_failures
        self.max_name_failures = max_name_failures
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self._dummy_hash: Optional[str] = None
        with connect(self.db) as connection:
            connection.executescript(_SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(users)")}
            if "shown_as" not in columns:  # a staff database made before the live chat
                connection.execute(
                    "ALTER TABLE users ADD COLUMN shown_as TEXT NOT NULL DEFAULT ''"
                )

    def set_password(self, name: str, password: str) -> bool:
        """Create the account ``name`` with ``password``, or give it a new password; either
        way the name is unlocked.

        Returns:
            True when the account was created, False when it existed.

        Raises:
            AccountError: when the name or the password cannot be used.
        """
        normal = check_name(name)
        check_password(password)
        password_hash = self.hasher.hash(password)
        now = self.clock()
        with connect(self.db) as connection:
            existed = connection.execute(
                "SELECT 1 FROM users WHERE name = ?", (normal,)
            ).fetchone()
            connection.execute(
                "INSERT INTO users (name, password_hash, created, changed) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, "
                "changed = excluded.changed",
                (normal, password_hash, now, now),
            )
            connection.execute("DELETE FROM login_limits WHERE name = ?", (normal,))
        return existed is None

    def exists(self, name: str) -> bool:
        with connect(self.db) as connection:
            row = connection.execute(
                "SELECT 1 FROM users WHERE name = ?", (normalise_name(name),)
            ).fetchone()
        return row is not None

    def shown_as(self, name: str) -> str:
        """The name visitors are told when ``name`` joins their chat; "" when it was never
        set (they are told the account's name) or there is no such account."""
        with connect(self.db) as connection:
            row = connection.execute(
                "SELECT shown_as FROM users WHERE name = ?", (normalise_name(name),)
            ).fetchone()
        return str(row[0]) if row else ""

    def set_shown_as(self, name: str, text: str) -> str:
        """Set the name visitors are told when ``name`` joins their chat; the name as kept.

        Raises:
            AccountError: when ``text`` cannot be used (:func:`check_shown_as`) or there
                is no account ``name``.
        """
        shown = check_shown_as(text)
        with connect(self.db) as connection:
            cursor = connection.execute(
                "UPDATE users SET shown_as = ? WHERE name = ?", (shown, normalise_name(name))
            )
        if cursor.rowcount == 0:
            raise AccountError(f"There is no account '{normalise_name(name)}'.")
        return shown

    def names(self) -> List[str]:
        """Every account's name, in alphabetical order."""
        with connect(self.db) as connection:
            rows = connection.execute("SELECT name FROM users ORDER BY name").fetchall()
        return [str(row[0]) for row in rows]

    def delete(self, name: str) -> bool:
        """Remove the account ``name``; True when there was one."""
        with connect(self.db) as connection:
            cursor = connection.execute(
                "DELETE FROM users WHERE name = ?", (normalise_name(name),)
            )
        return cursor.rowcount > 0

    def verify(self, name: str, password: str, address: str = "") -> LoginResult:
        """Check a login from the client ``address``. While logging in is paused for the
        name or the address, the attempt is refused without looking at the password;
        otherwise it is counted first, then the password checked, then the count forgiven
        if it was right."""
        normal = normalise_name(name)[:64]
        counts = self._counts(normal, address)
        now = self.clock()
        with connect(self.db) as connection:
            connection.execute("BEGIN IMMEDIATE")
            paused = self._count_attempt(connection, counts, now)
            if paused > 0:
                return LoginResult(False, normal, locked_seconds=paused)
            row = connection.execute(
                "SELECT password_hash FROM users WHERE name = ?", (normal,)
            ).fetchone()
        stored = str(row[0]) if row else self._dummy()
        # Verified in both cases: an unknown name takes as long as a wrong password.
        matches = self._matches(stored, password[:MAX_PASSWORD_LENGTH])
        ok = row is not None and matches
        with connect(self.db) as connection:
            connection.execute("BEGIN IMMEDIATE")
            if not ok:
                self._pause_full_counts(connection, counts, self.clock())
                return LoginResult(False, normal)
            self._forgive(connection, counts)
            if self.hasher.check_needs_rehash(stored):
                connection.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ?",
                    (self.hasher.hash(password), normal),
                )
        return LoginResult(True, normal)

    def _counts(self, name: str, address: str) -> List[Count]:
        counts = [
            Count(NAME_AT_ADDRESS, f"{name}\n{address}", name, self.max_failures),
            Count(NAME, name, name, self.max_name_failures),
        ]
        if address:
            counts.append(Count(ADDRESS, address, "", self.max_address_failures))
        return counts

    def _count_attempt(
        self, connection: sqlite3.Connection, counts: List[Count], now: float
    ) -> float:
        """Add the attempt to each count, unless logging in is paused by one of them.

        Returns:
            How long logging in stays paused, in seconds; 0 when the attempt was counted.
        """
        paused = 0.0
        updated: List[Tuple[int, Count]] = []
        for count in counts:
            row = connection.execute(
                "SELECT failures, locked_until, updated FROM login_limits "
                "WHERE kind = ? AND key = ?",
                (count.kind, count.key),
            ).fetchone()
            failures, locked_until, last = row if row else (0, 0.0, now)
            if now - last > FAILURE_WINDOW_SECONDS:
                failures = 0
            if locked_until > now:
                paused = max(paused, locked_until - now)
            elif failures >= count.limit and now - last < self.lockout_seconds:
                # Attempts still being checked have used up the count: they decide.
                paused = max(paused, last + self.lockout_seconds - now)
            elif failures >= count.limit:
                # Counted long ago by attempts that never finished (the app stopped).
                failures = 0
            updated.append((failures + 1, count))
        if paused > 0:
            return paused
        for failures, count in updated:
            connection.execute(
                "INSERT INTO login_limits (kind, key, name, failures, locked_until, updated) "
                "VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT(kind, key) DO UPDATE SET "
                "failures = excluded.failures, updated = excluded.updated",
                (count.kind, count.key, count.name, failures, now),
            )
        return 0.0

    def _pause_full_counts(
        self, connection: sqlite3.Connection, counts: List[Count], now: float
    ) -> None:
        """After a wrong password: pause what has reached its limit (a pause is only ever
        made longer here, never lifted)."""
        for count in counts:
            connection.execute(
                "UPDATE login_limits SET failures = 0, updated = ?, "
                "locked_until = MAX(locked_until, ?) "
                "WHERE kind = ? AND key = ? AND failures >= ?",
                (now, now + self.lockout_seconds, count.kind, count.key, count.limit),
            )

    def _forgive(self, connection: sqlite3.Connection, counts: List[Count]) -> None:
        """After a right password: the name's wrong passwords in a row start over; the
        address's count loses this attempt only (a login does not excuse other names'
        failures). A pause is left as it is."""
        for count in counts:
            failures = "MAX(failures - 1, 0)" if count.kind == ADDRESS else "0"
            connection.execute(
                f"UPDATE login_limits SET failures = {failures} WHERE kind = ? AND key = ?",
                (count.kind, count.key),
            )

    def _matches(self, stored: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(stored, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        """A hash no password matches in practice, so that an unknown name costs the same
        work as a known one."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("no account has this name " + str(id(self)))
        return self._dummy_hash
