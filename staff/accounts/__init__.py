"""Staff accounts: names and argon2id password hashes in the staff database.

Accounts are made by a command (``make staff-user NAME=...``, ``python -m staff.accounts``), never
through the web. A login is refused with one message whether the name exists or not, takes
the same work either way (an unknown name is checked against a dummy hash), and a name
with too many wrong passwords in a row is locked for a while, known or not.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from staff.database import connect

#: A name: lower-case letters, digits, dot, dash or underscore, 1 to 64 of them.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created REAL NOT NULL,
    changed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    name TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until REAL NOT NULL
);
"""


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


class Accounts:
    """The staff accounts of one staff database.

    Args:
        db: the SQLite file.
        max_failures: wrong passwords in a row before a name is locked.
        lockout_seconds: how long a name stays locked.
        hasher: argon2's password hasher (argon2id with its default, RFC 9106 parameters
            unless given; tests pass cheaper ones).
        clock: the time in seconds (``time.time``), replaceable in tests.
    """

    def __init__(
        self,
        db: Path,
        max_failures: int = 5,
        lockout_seconds: float = 300.0,
        hasher: Optional[PasswordHasher] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self._dummy_hash: Optional[str] = None
        with connect(self.db) as connection:
            connection.executescript(_SCHEMA)

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
            connection.execute("DELETE FROM login_failures WHERE name = ?", (normal,))
        return existed is None

    def exists(self, name: str) -> bool:
        with connect(self.db) as connection:
            row = connection.execute(
                "SELECT 1 FROM users WHERE name = ?", (normalise_name(name),)
            ).fetchone()
        return row is not None

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

    def verify(self, name: str, password: str) -> LoginResult:
        """Check a login. A locked name is refused without looking at the password; a
        wrong password counts towards the lock, whether the name exists or not."""
        normal = normalise_name(name)[:64]
        now = self.clock()
        with connect(self.db) as connection:
            failure = connection.execute(
                "SELECT failures, locked_until FROM login_failures WHERE name = ?", (normal,)
            ).fetchone()
            if failure is not None and failure[1] > now:
                return LoginResult(False, normal, locked_seconds=failure[1] - now)
            row = connection.execute(
                "SELECT password_hash FROM users WHERE name = ?", (normal,)
            ).fetchone()
        stored = str(row[0]) if row else self._dummy()
        # Verified in both cases: an unknown name takes as long as a wrong password.
        matches = self._matches(stored, password[:MAX_PASSWORD_LENGTH])
        ok = row is not None and matches
        with connect(self.db) as connection:
            if ok:
                connection.execute("DELETE FROM login_failures WHERE name = ?", (normal,))
                if self.hasher.check_needs_rehash(stored):
                    connection.execute(
                        "UPDATE users SET password_hash = ? WHERE name = ?",
                        (self.hasher.hash(password), normal),
                    )
                return LoginResult(True, normal)
            failures = (failure[0] if failure else 0) + 1
            locked_until = 0.0
            if failures >= self.max_failures:
                failures, locked_until = 0, now + self.lockout_seconds
            connection.execute(
                "INSERT INTO login_failures (name, failures, locked_until) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET failures = excluded.failures, "
                "locked_until = excluded.locked_until",
                (normal, failures, locked_until),
            )
        return LoginResult(False, normal)

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
