"""``/history``: who changed what, newest first, a page at a time."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse, Request

from staff.web.pages import page_number, render, services_of
from staff.web.services import blocking

HISTORY_PER_PAGE = 50

bp = Blueprint("history")


@bp.get("/history")
async def history_page(request: Request) -> HTTPResponse:
    log = services_of(request).history
    page = page_number(request)
    entries = await blocking(
        log.entries, limit=HISTORY_PER_PAGE, offset=(page - 1) * HISTORY_PER_PAGE
    )
    total = await blocking(log.count)
    return render(
        request,
        "history.html",
        entries=entries,
        page=page,
        pages=max(1, -(-total // HISTORY_PER_PAGE)),
    )
