"""Logging in and out, and the login and CSRF check in front of every other page.

``/login`` (GET, POST), ``/logout`` (POST), and the public ``/health`` and
``/favicon.ico``. :func:`load_session` runs before every request (all but the login page,
``/health`` and ``/static`` need a logged-in person; every POST needs the form's CSRF
token); :func:`add_security_headers` after every response.
"""

from __future__ import annotations

import secrets
from typing import Optional
from urllib.parse import urlencode

from sanic import Blueprint, HTTPResponse, Request, response
from sanic.response import BaseHTTPResponse

from channels.rate_limits import client_address
from staff import history
from staff.security import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    security_headers,
    set_cookie,
    tokens_match,
)
from staff.web.pages import refused, render, secure, services_of, session_of
from staff.web.services import blocking, blocking_on

#: Paths that need no login: these, and everything under /static/.
PUBLIC_PATHS = ("/login", "/health", "/favicon.ico")
#: The one message for a wrong name or password: it does not say which was wrong.
LOGIN_REFUSED = "That name and password do not match. Check them and try again."

bp = Blueprint("auth")


def local_path(target: Optional[str]) -> str:
    """``target`` if it is a path of this app, else ``/`` (no redirect to another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def accepted(request: Request) -> str:
    """What the request says it accepts (its ``Accept`` header)."""
    return request.headers.get("accept") or ""


async def load_session(request: Request) -> Optional[HTTPResponse]:
    """Find the request's session; send who has none to the login page, and refuse a form
    without this session's CSRF token."""
    services = services_of(request)
    session_id = services.signer.session_id(request.cookies.get(SESSION_COOKIE))
    request.ctx.session = await blocking(services.sessions.get, session_id) if session_id else None
    public = request.path in PUBLIC_PATHS or request.path.startswith("/static/")
    if request.ctx.session is None and not public:
        if request.path.endswith(".json") or "text/event-stream" in accepted(request):
            # A script's request (a page's update, its live stream): no login page for it.
            return response.json({"error": "Log in first."}, status=401)
        if request.method == "POST":
            return refused(
                request,
                403,
                "Please log in again",
                "Your session has ended, so this was not saved. Log in, then do it again.",
            )
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        return response.redirect("/login?" + urlencode({"next": target}))
    if request.method == "POST" and request.path != "/login":
        session = request.ctx.session
        expected = session.csrf if session else ""
        if not tokens_match(request.form.get(CSRF_FIELD), expected):
            return refused(
                request,
                403,
                "This form was not accepted",
                "The form did not carry this page's security code, so nothing was "
                "changed. This happens when a page was open for a long time or came "
                "from somewhere else. Go back, reload the page and try again.",
            )
    return None


async def add_security_headers(request: Request, reply: BaseHTTPResponse) -> None:
    """The security headers of every response (static files may be cached; HSTS when the
    app is served over https)."""
    cache = request.path.startswith("/static/")
    for header, value in security_headers(cache=cache, https=secure(request)).items():
        reply.headers.setdefault(header, value)


def login_page(
    request: Request, status: int = 200, error: str = "", name: str = ""
) -> HTTPResponse:
    """The login form, with its own CSRF token in a login cookie."""
    signer = services_of(request).signer
    # The token of the login cookie the browser has, if any: a second login page (another
    # tab, a request for a missing page) must not spoil the form of the first.
    token = signer.login_token(request.cookies.get(LOGIN_COOKIE)) or secrets.token_urlsafe(32)
    reply = render(
        request,
        "login.html",
        status=status,
        login_token=token,
        error=error,
        name=name,
        next=local_path(request.args.get("next") or request.form.get("next")),
    )
    set_cookie(reply, LOGIN_COOKIE, signer.login_cookie(token), secure(request))
    return reply


@bp.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    if session_of(request):
        return response.redirect("/")
    return login_page(request)


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    services = services_of(request)
    expected = services.signer.login_token(request.cookies.get(LOGIN_COOKIE)) or ""
    if not tokens_match(request.form.get(CSRF_FIELD), expected):
        return refused(
            request,
            403,
            "This form was not accepted",
            "The login form had expired or did not come from this app. "
            "Open the login page again and log in.",
        )
    name = (request.form.get("name") or "").strip()
    password = request.form.get("password") or ""
    result = await blocking_on(
        services.login_threads, services.accounts.verify, name, password, client_address(request)
    )
    if not result.ok:
        # A wrong password is recorded; an attempt refused while logging in is paused is
        # not (the pause began with a recorded failure): a flood writes nothing.
        if not result.locked:
            await blocking(
                services.history.record, "someone", history.LOGIN_FAILED, subject=result.name
            )
        if result.locked:
            minutes = max(1, round(result.locked_seconds / 60))
            message = (
                "Too many wrong passwords. For safety, logging in is paused here: "
                f"try again in {minutes} minute{'s' if minutes != 1 else ''}."
            )
            return login_page(request, status=429, error=message, name=name)
        return login_page(request, status=401, error=LOGIN_REFUSED, name=name)
    session = await blocking(services.sessions.create, result.name)
    await blocking(services.history.record, result.name, history.LOGIN)
    reply = response.redirect(local_path(request.form.get("next")), status=303)
    set_cookie(reply, SESSION_COOKIE, services.signer.session_cookie(session.id), secure(request))
    clear_cookie(reply, LOGIN_COOKIE, secure(request))
    return reply


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    services = services_of(request)
    session = session_of(request)
    if session:
        await blocking(services.sessions.end, session.id)
        await blocking(services.history.record, session.user, history.LOGOUT)
    reply = response.redirect("/login?done=logged_out", status=303)
    clear_cookie(reply, SESSION_COOKIE, secure(request))
    return reply


@bp.get("/favicon.ico")
async def favicon(request: Request) -> HTTPResponse:
    return response.empty(status=204)


@bp.get("/health")
async def health(request: Request) -> HTTPResponse:
    return response.json({"status": "ok"})
