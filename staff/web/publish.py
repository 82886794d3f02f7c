"""Publish and roll back: retrain, test and make live a new version, or put back an older
one.

``/publish`` (the page), ``/publish/status.json`` (the progress, for the page's script),
``/publish/start`` and ``/publish/rollback`` (POST). A job's result is recorded in the
history once, whoever sees it first: the page, its script, or the task that follows each
job this app started.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

from sanic import Blueprint, HTTPResponse, Request, response

from staff import history
from staff.publish import PublishBusy, PublishError
from staff.web.display import local_date
from staff.web.pages import DONE_MESSAGES, flash, render, services_of, user_of
from staff.web.services import Services, blocking

logger = logging.getLogger(__name__)

#: How often the task that follows a job asks for its state, in seconds.
WATCH_INTERVAL = 2

bp = Blueprint("publish")


def note_publish(services: Services, status: Dict[str, Any]) -> None:
    """Record a job's result in the history once, whoever sees it first."""
    job = str(status.get("id") or "")
    state = status.get("state")
    if not job:
        return
    who = str(status.get("who") or services.starters.get(job) or "someone")
    version = str(status.get("published_id") or job)
    log = services.history
    if state in ("passed", "published"):
        log.record(
            who,
            history.PUBLISH_PASSED,
            subject=version,
            # Why it is not in use, when it is not.
            detail=str(status.get("stage") or "") if state == "passed" else "",
            once_key=f"passed:{job}",
        )
    if state == "published":
        log.record(who, history.PUBLISHED, subject=version, once_key=f"live:{job}")
    if state == "failed":
        log.record(
            who,
            history.PUBLISH_FAILED,
            subject=job,
            detail="\n".join(str(p) for p in status.get("problems") or []),
            once_key=f"failed:{job}",
        )


async def publish_status(services: Services, job: Optional[str] = None) -> Dict[str, Any]:
    """A job's state (the latest job's by default), its result recorded."""
    status = dict(await blocking(services.publisher.status, job) or {})
    await blocking(note_publish, services, status)
    status["running"] = status.get("state") == "running"
    return status


async def watch(services: Services, job: str) -> None:
    """Follow a job until it ends, so that its result is in the history even when
    nobody has the Publish page open."""
    while True:
        await asyncio.sleep(WATCH_INTERVAL)
        try:
            status = await publish_status(services, job)
        except Exception:  # keep watching through a passing error
            logger.exception("staff: reading the publish status failed")
            continue
        if not status["running"]:
            return


@bp.get("/publish")
async def publish(request: Request) -> HTTPResponse:
    services = services_of(request)
    status = await publish_status(services)
    models = await blocking(services.publisher.published)
    live = [model.id for model in models if model.live]
    published_id = status.get("published_id")
    return render(
        request,
        "publish.html",
        job=status,
        running=status["running"],
        models=models,
        # The latest publish went live, but another version has been put back since.
        replaced=bool(status.get("state") == "published" and published_id and live)
        and published_id not in live,
    )


@bp.get("/publish/status.json")
async def publish_status_json(request: Request) -> HTTPResponse:
    try:
        status = await publish_status(services_of(request), request.args.get("job") or None)
    except KeyError:
        return response.json({"error": "There is no such publish."}, status=404)
    return response.json(status)


@bp.post("/publish/start")
async def publish_start(request: Request) -> HTTPResponse:
    services = services_of(request)
    who = user_of(request)
    try:
        job = await blocking(services.publisher.start, who)
    except PublishBusy as error:
        flash(request, str(error) or "A publish is already running: wait for it to end.")
        return response.redirect("/publish", status=303)
    services.starters[job] = who
    await blocking(
        services.history.record,
        who,
        history.PUBLISH_STARTED,
        subject=job,
        once_key=f"start:{job}",
    )
    task = asyncio.get_running_loop().create_task(watch(services, job))
    services.watchers.add(task)
    task.add_done_callback(services.watchers.discard)
    return response.redirect("/publish?done=started", status=303)


@bp.post("/publish/rollback")
async def publish_rollback(request: Request) -> HTTPResponse:
    services = services_of(request)
    who = user_of(request)
    target = request.form.get("id") or ""
    try:
        restored = await blocking(services.publisher.rollback, target, who)
    except KeyError:
        flash(request, "That version is not in the list any more: nothing was changed.")
        return response.redirect("/publish", status=303)
    except PublishError as error:  # busy, or a damaged version: in plain words
        flash(request, str(error))
        return response.redirect("/publish", status=303)
    await blocking(
        services.history.record,
        who,
        history.ROLLED_BACK,
        subject=local_date(restored.date),
        detail=restored.note or f"Version {restored.id}.",
    )
    note = restored.note or DONE_MESSAGES["rolled_back"]
    flash(request, note, kind="error" if "not loaded" in note else "done")
    return response.redirect("/publish", status=303)
