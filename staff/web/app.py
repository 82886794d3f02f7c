"""The staff app: Sanic, server-rendered with Jinja2, no build step.

:func:`create_app` puts the collaborators on ``app.ctx.services`` and the templates on
``app.ctx.templates``, runs the login and CSRF check before every request
(:func:`staff.web.auth.load_session`), then counts the conversations waiting for a person
for the navigation (:func:`staff.web.live_events.count_waiting`), adds the security
headers after it, registers each area's Blueprint, ends the live chat's streams when it
stops, and answers errors with a page in plain words.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from sanic import HTTPResponse, Request, Sanic
from sanic.exceptions import NotFound, SanicException

from staff.problems import ContentError
from staff.settings import StaffSettings
from staff.web import answers, auth, conversations, history, live, live_events, publish
from staff.web.display import environment
from staff.web.pages import refused
from staff.web.services import Services, default_services

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
APP_NAME = "clinic_staff"


def _without_session(request: Request) -> None:
    """An error before the login check ran: the error page shows nobody logged in."""
    if not hasattr(request.ctx, "session"):
        request.ctx.session = None


async def unreadable_data(request: Request, error: Exception) -> HTTPResponse:
    _without_session(request)
    return refused(request, 500, "The assistant's data could not be read", str(error))


async def not_found(request: Request, error: Exception) -> HTTPResponse:
    _without_session(request)
    return refused(request, 404, "Page not found", "There is no page at this address.")


async def sanic_error(request: Request, error: Exception) -> HTTPResponse:
    _without_session(request)
    status = int(getattr(error, "status_code", 500) or 500)
    return refused(request, status, "That did not work", "The request could not be handled.")


async def server_error(request: Request, error: Exception) -> HTTPResponse:
    logger.exception("staff: error on %s", request.path, exc_info=error)
    _without_session(request)
    return refused(
        request,
        500,
        "Something went wrong",
        "Something went wrong on our side. Go back and try again; if it happens "
        "again, tell whoever looks after the assistant (the app's log has the details).",
    )


async def stop_live_chat(app: Sanic, _loop: object) -> None:
    """End the live chat's streams, so that the app stops without waiting for them."""
    await app.ctx.services.live.close()


def create_app(
    settings: StaffSettings, services: Optional[Services] = None, name: str = APP_NAME
) -> Sanic:
    """The staff app for ``settings``, with ``services`` (default: from the settings)."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "html"
    app.ctx.services = services or default_services(settings)
    app.ctx.templates = environment()
    app.register_middleware(auth.load_session, "request")
    app.register_middleware(live_events.count_waiting, "request")
    app.register_middleware(auth.add_security_headers, "response")
    for area in (auth, conversations, live, live_events, answers, publish, history):
        app.blueprint(area.bp)
    app.register_listener(stop_live_chat, "before_server_stop")
    app.error_handler.add(ContentError, unreadable_data)
    app.error_handler.add(NotFound, not_found)
    app.error_handler.add(SanicException, sanic_error)
    app.error_handler.add(Exception, server_error)
    app.static("/static", str(STATIC_DIR), name="static")
    return app
