"""Sessions, cookies, CSRF tokens and headers (staff/security.py). The same through the
running app (refused forms, cookie flags on a real login, the lock) is in test_app.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sanic import response

from staff.security import (
    CookieSigner,
    SessionStore,
    clear_cookie,
    security_headers,
    set_cookie,
    tokens_match,
)
from tests.support.staff_app import Clock


@pytest.fixture
def sessions(tmp_path: Path, clock: Clock) -> SessionStore:
    return SessionStore(tmp_path / "staff.db", idle_seconds=8 * 3600, clock=clock)


def test_a_session_is_found_by_its_id_with_its_own_csrf_token(sessions: SessionStore) -> None:
    first, second = sessions.create("Ana"), sessions.create("ben")
    found = sessions.get(first.id)
    assert found is not None
    assert (found.user, found.csrf) == ("ana", first.csrf)
    assert first.csrf != second.csrf and first.id != second.id
    assert sessions.get("made-up") is None


def test_the_database_keeps_no_session_id_that_could_be_replayed(
    sessions: SessionStore,
) -> None:
    session = sessions.create("ana")
    with sqlite3.connect(sessions.db) as connection:
        dump = "\n".join(connection.iterdump())
    assert session.id not in dump


def test_a_session_unused_for_the_idle_time_ends(sessions: SessionStore, clock: Clock) -> None:
    session = sessions.create("ana")
    clock.now += 7 * 3600
    assert sessions.get(session.id) is not None  # used: the idle time starts again
    clock.now += 7 * 3600
    assert sessions.get(session.id) is not None
    clock.now += 8 * 3600 + 1
    assert sessions.get(session.id) is None
    clock.now -= 100  # gone for good, not just out of time
    assert sessions.get(session.id) is None


def test_a_session_can_be_checked_without_keeping_it_alive(
    sessions: SessionStore, clock: Clock
) -> None:
    """The live chat's open page checks it: an unattended page must not keep it going."""
    session = sessions.create("ana")
    clock.now += 7 * 3600
    assert sessions.alive(session.id)
    clock.now += 3600 + 1
    assert not sessions.alive(session.id)
    assert sessions.get(session.id) is None
    assert not sessions.alive("no such session")


def test_logging_out_ends_that_session_only(sessions: SessionStore) -> None:
    here, elsewhere = sessions.create("ana"), sessions.create("ana")
    sessions.end(here.id)
    assert sessions.get(here.id) is None
    assert sessions.get(elsewhere.id) is not None


def test_a_new_password_ends_every_session_of_that_person(sessions: SessionStore) -> None:
    mine, other = sessions.create("ana"), sessions.create("ben")
    sessions.create("ana")
    assert sessions.end_all("ANA") == 2
    assert sessions.get(mine.id) is None
    assert sessions.get(other.id) is not None


def test_a_cookie_not_signed_with_the_apps_key_is_worthless() -> None:
    signer = CookieSigner("the app's key")
    cookie = signer.session_cookie("session-id")
    assert signer.session_id(cookie) == "session-id"
    assert signer.session_id(cookie[:-1] + ("A" if cookie[-1] != "A" else "B")) is None
    assert signer.session_id("session-id") is None
    assert signer.session_id(None) is None
    assert CookieSigner("another key").session_id(cookie) is None
    # The login form's cookie is signed for that purpose only.
    assert signer.login_token(cookie) is None
    assert signer.login_token(signer.login_cookie("token")) == "token"


@pytest.mark.parametrize("secure", [False, True])
def test_cookies_are_httponly_samesite_strict_and_secure_over_https(secure: bool) -> None:
    reply = response.html("")
    set_cookie(reply, "staff_session", "value", secure=secure)
    header = str(reply.cookies["staff_session"])
    assert header.startswith("staff_session=value")
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    assert "Path=/" in header
    assert ("Secure" in header) is secure
    assert "Max-Age" not in header and "expires" not in header  # ends with the browser


def test_clearing_a_cookie_expires_it() -> None:
    reply = response.html("")
    clear_cookie(reply, "staff_session", secure=False)
    assert "Max-Age=0" in str(reply.cookies["staff_session"])


def test_csrf_tokens_must_match_exactly() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abd", "abc")
    assert not tokens_match("", "abc")
    assert not tokens_match(None, "abc")
    assert not tokens_match("", "")


def test_pages_load_nothing_from_elsewhere_are_never_framed_and_never_stored() -> None:
    headers = security_headers()
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    # The app's own CSS and script may be cached.
    assert "Cache-Control" not in security_headers(cache=True)


def test_over_https_browsers_are_told_to_use_https_only() -> None:
    # HSTS: after one visit over https, a browser never sends the session cookie or the
    # password over plain http to this host, even when a link or a typed address says http.
    assert security_headers(https=True)["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" in security_headers(cache=True, https=True)
    # Over plain http the header means nothing (browsers ignore it) and is not sent.
    assert "Strict-Transport-Security" not in security_headers()
