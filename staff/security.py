"""Sessions, CSRF tokens and the security headers of the staff app.

- A session lives in the staff database; the browser holds only its id, signed with the
  app's key (itsdangerous) in a cookie that is ``HttpOnly``, ``SameSite=Strict``, ``Secure``
  when the app is served over https, and ends with the browser. A session unused for
  ``STAFF_SESSION_HOURS`` ends; logging out ends it at once, and a new password ends all of
  that person's sessions.
- Every form carries a CSRF token in a hidden field: the session's own token, or, on the
  login page (before there is a session), a random one whose signed copy is in a cookie.
  Every POST without the right token is refused.
- Every page says: load nothing from another site, never show me in a frame, keep no copy;
  over https, every answer also says: reach this host over https only (HSTS).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional

from itsdangerous import BadSignature, Signer
from sanic import HTTPResponse

from staff.accounts import normalise_name
from staff.database import connect

SESSION_COOKIE = "staff_session"
LOGIN_COOKIE = "staff_login"
#: The name of the hidden field of every form.
CSRF_FIELD = "csrf_token"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);
"""

#: The Content-Security-Policy of every page: the app's own files only, no inline script
#: or style, no frames, forms post only to the app.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: HSTS over https: for a year, the browser reaches this host over https only (a typed or
#: linked http address included), so the password and the session cookie never go in clear.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def security_headers(cache: bool = False, https: bool = False) -> Dict[str, str]:
    """The headers of every answer; pages (``cache=False``) must also not be stored, and
    answers over https (``https``: the app is served over https, see
    :func:`staff.web.pages.secure`) carry HSTS (browsers ignore it over plain http)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if not cache:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if https:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return headers


def _hash(session_id: str) -> str:
    """What the database keeps of a session id: its SHA-256, so a copy of the database
    alone opens no session."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def tokens_match(given: Optional[str], expected: str) -> bool:
    """Whether a CSRF token sent with a form is the expected one (in constant time)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class Session:
    """A logged-in person's session.

    Attributes:
        id: the secret id the cookie carries (signed).
        user: the account's name.
        csrf: the token every form of this session must send back.
    """

    id: str
    user: str
    csrf: str
    created: float
    seen: float


class SessionStore:
    """The sessions of one staff database.

    Args:
        db: the SQLite file (the accounts' database).
        idle_seconds: a session not used for this long has ended.
        clock: the time in seconds, replaceable in tests.
    """

    def __init__(
        self, db: Path, idle_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.idle_seconds = idle_seconds
        self.clock = clock
        with connect(self.db) as connection:
            connection.executescript(_SCHEMA)

    def create(self, user: str) -> Session:
        """A new session for ``user`` (after a successful login)."""
        now = self.clock()
        session = Session(
            id=secrets.token_urlsafe(32),
            user=normalise_name(user),
            csrf=secrets.token_urlsafe(32),
            created=now,
            seen=now,
        )
        with connect(self.db) as connection:
            connection.execute("DELETE FROM sessions WHERE seen < ?", (now - self.idle_seconds,))
            connection.execute(
                "INSERT INTO sessions (id_hash, user, csrf, created, seen) VALUES (?, ?, ?, ?, ?)",
                (_hash(session.id), session.user, session.csrf, now, now),
            )
        return session

    def get(self, session_id: str) -> Optional[Session]:
        """The session with this id if it has not ended; using it keeps it alive."""
        now = self.clock()
        with connect(self.db) as connection:
            row = connection.execute(
                "SELECT user, csrf, created, seen FROM sessions WHERE id_hash = ?",
                (_hash(session_id),),
            ).fetchone()
            if row is None:
                return None
            if row[3] < now - self.idle_seconds:
                connection.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))
                return None
            connection.execute(
                "UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, _hash(session_id))
            )
        return Session(session_id, str(row[0]), str(row[1]), float(row[2]), now)

    def alive(self, session_id: str) -> bool:
        """Whether the session has not ended, without using it (a page that stays open
        and listens, the live chat's, must not keep an unattended session alive)."""
        with connect(self.db) as connection:
            row = connection.execute(
                "SELECT seen FROM sessions WHERE id_hash = ?", (_hash(session_id),)
            ).fetchone()
        return row is not None and float(row[0]) >= self.clock() - self.idle_seconds

    def end(self, session_id: str) -> None:
        """Log out: the session is gone."""
        with connect(self.db) as connection:
            connection.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))

    def end_all(self, user: str) -> int:
        """End every session of ``user`` (after a new password); how many there were."""
        with connect(self.db) as connection:
            cursor = connection.execute(
                "DELETE FROM sessions WHERE user = ?", (normalise_name(user),)
            )
        return cursor.rowcount


class CookieSigner:
    """Signs and checks the values of the app's cookies with its secret key."""

    def __init__(self, key: str) -> None:
        self._session = Signer(key, salt="staff-session")
        self._login = Signer(key, salt="staff-login-form")

    def session_cookie(self, session_id: str) -> str:
        return self._session.sign(session_id).decode("ascii")

    def session_id(self, cookie: Optional[str]) -> Optional[str]:
        """The session id of a cookie, or None when it is missing or not signed by us."""
        return _unsign(self._session, cookie)

    def login_cookie(self, token: str) -> str:
        return self._login.sign(token).decode("ascii")

    def login_token(self, cookie: Optional[str]) -> Optional[str]:
        return _unsign(self._login, cookie)


def _unsign(signer: Signer, value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    try:
        return signer.unsign(value).decode("utf-8")
    except (BadSignature, UnicodeDecodeError):
        return None


def set_cookie(response: HTTPResponse, name: str, value: str, secure: bool) -> None:
    """Set a cookie the page's scripts cannot read, sent to this app only, never from
    another site's page, over https only when ``secure``; it ends with the browser."""
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["path"] = "/"
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    if secure:
        cookie["secure"] = True


def clear_cookie(response: HTTPResponse, name: str, secure: bool) -> None:
    """Tell the browser to forget a cookie."""
    set_cookie(response, name, "", secure)
    response.cookies[name]["max-age"] = 0
