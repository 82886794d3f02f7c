"""The live chat: the conversations waiting for a person, taking one, replying, handing it
back to the assistant, and the callback requests.

``/live`` (the queue: waiting and taken conversations), ``/live/conversation?sender=...``
(the chat view), ``/live/take``, ``/live/reply`` and ``/live/resume`` (POST: each calls the
Rasa server's route of the same job, :class:`staff.live.HandoffApi`, which stores it in the
conversation and tells the visitor), ``/live/callbacks`` and ``/live/callbacks/done``
(POST). The pages update themselves through :mod:`staff.web.live_events`.

The staff member's account name goes to the Rasa server as who took the conversation, and
is the one the History records (with how many messages they wrote, never what). The
visitor is told the name the staff member chose to be shown as (``/live/name``, POST), or
the account name with a capital.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlencode

from sanic import Blueprint, HTTPResponse, Request, response

from staff import history
from staff.accounts import MAX_SHOWN_AS, AccountError
from staff.live import (
    MAX_MESSAGE,
    TAKEN,
    WAITING,
    CallbackRequest,
    HandoffAnswer,
    HandoffUnreachableError,
    callback_keep_days,
)
from staff.web.display import person
from staff.web.pages import flash, refused, render, services_of, user_of
from staff.web.services import blocking

bp = Blueprint("live")

#: What a 401 from the Rasa server means.
WRONG_TOKEN = (
    "The assistant refused the staff app: its RASA_API_TOKEN is not the one the assistant "
    "was started with. Whoever looks after the assistant must give both the same token."
)


def chat_href(sender: str, anchor: str = "") -> str:
    """The chat view of ``sender``'s conversation."""
    return "/live/conversation?" + urlencode({"sender": sender}) + (f"#{anchor}" if anchor else "")


def other_answer(answer: HandoffAnswer) -> str:
    """An answer of the Rasa server that none of the cases foresaw, in words."""
    if answer.status == 401:
        return WRONG_TOKEN
    if answer.status == 404 and not answer.body:
        return (
            "The assistant's live chat is off (its RASA_API_TOKEN is not set, or it is an "
            "older version without the live chat)."
        )
    said = f": {answer.error}" if answer.error else ""
    return f"The assistant did not do it (it answered {answer.status}{said})."


def unreachable(error: HandoffUnreachableError, what: str) -> str:
    """The message when the Rasa server could not be reached (``what``: what was not
    done)."""
    if error.maybe_done:
        return (
            f"{error} It may have been done anyway: look at the conversation below before "
            "you try again."
        )
    return f"{error} {what} Try again in a moment."


async def open_callbacks(request: Request) -> Tuple[List[CallbackRequest], List[CallbackRequest]]:
    """The callback requests still kept: (to do, done), the latest first. The marks of
    requests no longer kept (or no longer in the conversations) are deleted."""
    services = services_of(request)
    since = services.callbacks.since(callback_keep_days())
    requests = await blocking(services.live_store.callbacks, since)
    await blocking(services.callbacks.keep_only, since, [r.key for r in requests])
    marks = await blocking(services.callbacks.marks)
    marked = [
        replace(r, done_by=marks[r.key][0], done_at=marks[r.key][1]) if r.key in marks else r
        for r in requests
    ]
    return [r for r in marked if not r.done_by], [r for r in marked if r.done_by]


@bp.get("/live")
async def queue_page(request: Request) -> HTTPResponse:
    services = services_of(request)
    conversations = await services.live.queue()
    to_do, _ = await open_callbacks(request)
    return render(
        request,
        "live.html",
        waiting=[c for c in conversations if c.state == WAITING],
        taken=[c for c in conversations if c.state == TAKEN],
        now=services.history.clock(),
        callbacks_to_do=len(to_do),
        configured=services.handoff.configured,
        live_view="queue",
        shown_as=await blocking(services.accounts.shown_as, user_of(request)),
        max_shown_as=MAX_SHOWN_AS,
    )


@bp.post("/live/name")
async def shown_as_name(request: Request) -> HTTPResponse:
    """Set the name visitors are told when this staff member joins their chat."""
    services = services_of(request)
    who = user_of(request)
    before = await blocking(services.accounts.shown_as, who)
    try:
        shown = await blocking(
            services.accounts.set_shown_as, who, request.form.get("shown_as") or ""
        )
    except AccountError as error:
        flash(request, f"{error} Nothing was changed.")
        return response.redirect("/live#shown-as", status=303)
    if shown != before:
        await blocking(
            services.history.record,
            who,
            history.SHOWN_AS_CHANGED,
            subject=shown,
            before=before or person(who),
            after=shown,
        )
    flash(request, f"Visitors will be told that {shown} from the team has joined.", "done")
    return response.redirect("/live", status=303)


async def chat_page(
    request: Request, sender: str, status: int = 200, text: str = "", problem: str = ""
) -> HTTPResponse:
    """The chat view of ``sender``'s conversation (``text``: the reply form's text, kept
    after a problem)."""
    services = services_of(request)
    found = await blocking(services.conversations.conversation, sender)
    if found is None:
        return refused(
            request, 404, "No such conversation", "There is no conversation with this id."
        )
    live = await blocking(services.live_store.live_one, sender)
    return render(
        request,
        "live_conversation.html",
        status=status,
        conversation=found,
        live=live,
        mine=live is not None and live.state == TAKEN and live.staff == user_of(request),
        now=services.history.clock(),
        last_id=max((m.id for m in found.messages), default=0),
        reply_text=text,
        problem=problem,
        max_message=MAX_MESSAGE,
        configured=services.handoff.configured,
        live_view="chat",
        live_sender=sender,
    )


@bp.get("/live/conversation")
async def chat(request: Request) -> HTTPResponse:
    return await chat_page(request, request.args.get("sender") or "")


def sender_of(request: Request) -> str:
    return (request.form.get("sender") or "").strip()


@bp.post("/live/take")
async def take(request: Request) -> HTTPResponse:
    services = services_of(request)
    sender, who = sender_of(request), user_of(request)
    if not sender:
        return refused(request, 400, "Nothing taken", "The form named no conversation.")
    shown_as = await blocking(services.accounts.shown_as, who)
    try:
        answer = await services.handoff.take(sender, who, shown_as)
    except HandoffUnreachableError as error:
        flash(request, unreachable(error, "Nothing changed."))
        return response.redirect(chat_href(sender), status=303)
    if answer.ok:
        await blocking(services.history.record, who, history.LIVE_TAKEN, subject=sender)
        flash(request, "You have this conversation: the visitor was told you joined.", "done")
        return response.redirect(chat_href(sender, "reply"), status=303)
    if answer.status == 409:
        if answer.staff == who:
            flash(request, "You have this conversation already.", "note")
        else:
            flash(request, f"{person(answer.staff)} has this conversation.", "note")
    elif answer.status == 404 and answer.body:
        flash(
            request,
            "This conversation is not waiting for a person any more: it was taken and "
            "handed back, or the assistant offered the visitor a callback.",
            "note",
        )
    else:
        flash(request, other_answer(answer))
    return response.redirect(chat_href(sender), status=303)


def reply_problem(answer: HandoffAnswer) -> str:
    """Why a message was not sent, in words."""
    if answer.status == 409:
        if answer.staff:
            return f"{person(answer.staff)} has this conversation now, so nothing was sent."
        return (
            "This conversation is not yours any more (it was handed back, or closed after a "
            "quiet spell), so nothing was sent."
        )
    if answer.status == 400:
        said = f" ({answer.error})" if answer.error else ""
        return f"The assistant did not accept this message{said}; nothing was sent."
    return other_answer(answer) + " Nothing was sent."


@bp.post("/live/reply")
async def reply(request: Request) -> HTTPResponse:
    services = services_of(request)
    sender, who = sender_of(request), user_of(request)
    text = (request.form.get("text") or "").replace("\r\n", "\n").strip()
    wants_json = "application/json" in (request.headers.get("accept") or "")
    status, problem = 200, ""
    if not sender:
        status, problem = 400, "The form named no conversation; nothing was sent."
    elif not text:
        status, problem = 422, "Type a message first."
    elif len(text) > MAX_MESSAGE:
        status, problem = (
            422,
            (
                f"The message is {len(text)} characters long; at most {MAX_MESSAGE} can be sent "
                "at once. Shorten it or send it in two parts."
            ),
        )
    else:
        try:
            answer = await services.handoff.message(sender, who, text)
        except HandoffUnreachableError as error:
            status = 502
            problem = unreachable(error, "Nothing was sent: your message is still in the box.")
        else:
            if answer.ok:
                key = f"live-replies:{who}:{sender}:{await _taken_since(request, sender)}"
                await blocking(services.history.tally, who, history.LIVE_REPLIED, sender, key)
            else:
                # Refused for this conversation (409, 400), or the assistant's problem.
                status = answer.status if answer.status in (400, 409) else 502
                problem = reply_problem(answer)
    if wants_json:
        return response.json({"ok": not problem, "error": problem}, status=status)
    if problem:
        return await chat_page(request, sender, status=status, text=text, problem=problem)
    return response.redirect(chat_href(sender, "reply"), status=303)


async def _taken_since(request: Request, sender: str) -> str:
    """What tells this handoff apart from the next with the same visitor: when they asked
    for a person."""
    live = await blocking(services_of(request).live_store.live_one, sender)
    return f"{live.requested_at:.3f}" if live else ""


@bp.post("/live/resume")
async def resume(request: Request) -> HTTPResponse:
    services = services_of(request)
    sender, who = sender_of(request), user_of(request)
    if not sender:
        return refused(request, 400, "Nothing handed back", "The form named no conversation.")
    try:
        answer = await services.handoff.resume(sender, who)
    except HandoffUnreachableError as error:
        flash(request, unreachable(error, "The conversation is still yours."))
        return response.redirect(chat_href(sender), status=303)
    if answer.ok:
        await blocking(services.history.record, who, history.LIVE_HANDED_BACK, subject=sender)
        flash(request, "Handed back: the assistant answers this visitor again.", "done")
        return response.redirect("/live", status=303)
    if answer.status == 409:
        who_has = f"{person(answer.staff)} has it" if answer.staff else "it is not yours"
        flash(request, f"This conversation was not handed back: {who_has}.", "note")
    else:
        flash(request, other_answer(answer))
    return response.redirect(chat_href(sender), status=303)


@bp.get("/live/callbacks")
async def callbacks_page(request: Request) -> HTTPResponse:
    to_do, done = await open_callbacks(request)
    return render(
        request,
        "callbacks.html",
        to_do=to_do,
        done_requests=done,
        keep_days=callback_keep_days(),
    )


def requested_at_of(request: Request) -> Optional[float]:
    try:
        return float(request.form.get("requested_at") or "")
    except ValueError:
        return None


@bp.post("/live/callbacks/done")
async def callback_done(request: Request) -> HTTPResponse:
    services = services_of(request)
    sender, who, requested_at = sender_of(request), user_of(request), requested_at_of(request)
    if not sender or requested_at is None:
        return refused(request, 400, "Nothing marked", "The form named no callback request.")
    to_do, done = await open_callbacks(request)
    known: Dict[Tuple[str, float], CallbackRequest] = {r.key: r for r in to_do + done}
    if (sender, requested_at) not in known:
        return refused(
            request,
            404,
            "Nothing marked",
            "That callback request is not in the list any more (it is older than the "
            "clinic keeps them, or the conversation was deleted).",
        )
    first = await blocking(services.callbacks.mark_done, (sender, requested_at), who)
    if first is None:
        await blocking(services.history.record, who, history.CALLBACK_DONE, subject=sender)
        flash(request, "Marked done.", "done")
    else:
        flash(request, f"{person(first[0])} had marked it done already.", "note")
    return response.redirect("/live/callbacks", status=303)
