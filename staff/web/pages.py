"""What every page handler does besides its own work: who is logged in, rendering a
template, a message for the next page, a refusal in plain words."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, cast

from jinja2 import Environment
from sanic import HTTPResponse, Request, response

from staff.problems import ContentError, Problem
from staff.security import Session
from staff.web.services import Services

#: What ``?done=...`` after a change says at the top of the next page.
DONE_MESSAGES = {
    "taught": "Saved. The assistant learns this example at the next publish.",
    "answer": "Saved. The assistant uses the new answer after the next publish.",
    "topic": "Topic added. The assistant learns it at the next publish.",
    "message": "Saved. The assistant uses the new text after the next publish.",
    "started": "Publishing has started. You can leave this page; it goes on without you.",
    "logged_out": "You are logged out.",
    "rolled_back": "Done: the assistant now uses the version you chose.",
}


def services_of(request: Request) -> Services:
    """The app's collaborators (``app.ctx.services``)."""
    return cast(Services, request.app.ctx.services)


def session_of(request: Request) -> Optional[Session]:
    """The session of the request (None on the public pages, when nobody is logged in)."""
    return cast(Optional[Session], getattr(request.ctx, "session", None))


def user_of(request: Request) -> str:
    """The name of who is logged in (every page but the public ones has one)."""
    session = session_of(request)
    assert session is not None
    return session.user


def secure(request: Request) -> bool:
    """Whether the app is reached over https (its cookies are then Secure)."""
    return services_of(request).settings.https or request.scheme == "https"


def flash(request: Request, message: str, kind: str = "error") -> None:
    """Show ``message`` at the top of the next page this session sees."""
    session = session_of(request)
    if session:
        services_of(request).flashes[session.id] = (message, kind)


def flash_warnings(request: Request, problems: Sequence[Problem]) -> None:
    """After a save: the checks' warnings (not blocking), for the next page."""
    warnings = [problem.message for problem in problems if not problem.blocking]
    if warnings:
        flash(request, "Please check: " + " ".join(warnings), kind="note")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """``template`` rendered with ``context`` and what every page shows (who is logged in,
    the CSRF token, the message left for this page)."""
    session = session_of(request)
    flashed = services_of(request).flashes.pop(session.id, None) if session else None
    templates = cast(Environment, request.app.ctx.templates)
    html = templates.get_template(template).render(
        flashed=flashed,
        user=session.user if session else None,
        csrf_token=session.csrf if session else "",
        path=request.path,
        done=DONE_MESSAGES.get(str(request.args.get("done", ""))),
        live_waiting=getattr(request.ctx, "live_waiting", None),
        **context,
    )
    return response.html(html, status=status)


def refused(request: Request, status: int, title: str, message: str) -> HTTPResponse:
    """The error page: ``title`` and what happened, in plain words."""
    return render(request, "error.html", status=status, title=title, message=message)


def problems_by_field(problems: Sequence[Problem]) -> Dict[str, List[Problem]]:
    """Problems grouped by the field of the form they are shown beside."""
    grouped: Dict[str, List[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.field, []).append(problem)
    return grouped


def problems_of(error: ContentError, where: str) -> List[Problem]:
    """The problems that stopped an edit: those the checks found, else the error's own
    message, shown at ``where``."""
    return list(error.problems) or [Problem(where, str(error), True)]


def page_number(request: Request) -> int:
    """The ``?page=`` of a list, 1 when missing or not a number."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1
