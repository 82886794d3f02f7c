"""The live chat's updates, pushed to the pages: ``/live/events`` (server-sent events, a
``text/event-stream`` the page's script reads with ``EventSource``), and the count of
waiting conversations that the navigation of every page shows.

A stream only reads: it needs the session (the login check in front of every page) and no
CSRF token; it ends when the session ends (logged out, or unused for
``STAFF_SESSION_HOURS``: an open page does not keep it alive) and when the app stops.
What it sends (``event:`` name, JSON ``data:``):

- ``queue``: how many conversations wait and how many are taken, the ids of those waiting
  and of those with an emergency since the visitor asked for a person, and, for the Live
  chat page (``?view=queue``), each conversation with its messages;
- ``message`` (``?view=chat&sender=...``): a new message of that conversation, with its
  row id as the event's ``id:`` (a reconnecting page says the last it got, and gets what
  it missed);
- ``state``: that conversation was taken, by whom, or handed back;
- ``typing``: that conversation's visitor is typing (``{"at"}``: when; the website's chat
  says so, ``stores/typing.py``);
- ``session``: the session has ended (the page asks to log in again).

Every text is sent as data: the page's script shows it as text, never as HTML.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Dict, Optional, Set

from sanic import Blueprint, HTTPResponse, Request

from staff.conversations import Message
from staff.live import (
    WAITING,
    LiveConversation,
    MessageUpdate,
    QueueUpdate,
    StateUpdate,
    TypingUpdate,
)
from staff.live.feed import Closed, Update
from staff.web.display import (
    channel_label,
    message_who,
    person,
    understood,
    waited_words,
)
from staff.web.live import chat_href
from staff.web.pages import services_of, session_of
from staff.web.services import blocking

logger = logging.getLogger(__name__)

bp = Blueprint("live_events")

#: The stream's path.
EVENTS_PATH = "/live/events"
#: A comment line this often keeps the connection open through proxies, and the session is
#: checked as often.
KEEP_ALIVE_SECONDS = 15.0
#: How long a page waits before it reconnects after the stream broke (milliseconds).
RETRY_MS = 2000
VIEWS = ("count", "queue", "chat")


def message_data(message: Message) -> Dict[str, Any]:
    """A message as the pages' script shows it."""
    payload = message.sender_kind == "user" and message.text.startswith("/")
    kind = (
        "visitor"
        if message.sender_kind == "user"
        else "staff"
        if message.by_staff
        else "assistant"
    )
    note = ""
    if message.handoff == "joined":
        note = f"Sent when {person(message.staff)} took the conversation."
    return {
        "id": message.id,
        "kind": kind,
        "who": message_who(message),
        "time": message.time.strftime("%H:%M"),
        "text": f"Pressed a button or opened the chat ({message.text})"
        if payload
        else message.text,
        "payload": payload,
        "understood": understood(message),
        "emergency": "emergency" in message.flags,
        "note": note,
    }


def conversation_data(
    conversation: LiveConversation, user: str, now: float, with_messages: bool
) -> Dict[str, Any]:
    """A conversation of the queue as the pages' script shows it."""
    data: Dict[str, Any] = {
        "sender": conversation.sender,
        "href": chat_href(conversation.sender),
        "channel": channel_label(conversation.channel),
        "state": conversation.state,
        "staff": person(conversation.staff) if conversation.staff else "",
        "mine": conversation.staff == user,
        "waited": round(conversation.waited(now)),
        "waited_words": waited_words(conversation.waited(now)),
        "emergency": conversation.emergency,
        "emergency_earlier": conversation.emergency_earlier,
    }
    if with_messages:
        data["messages"] = [message_data(m) for m in conversation.messages]
    return data


def state_data(live: Optional[LiveConversation], user: str) -> Dict[str, Any]:
    """Where one conversation stands, for its chat view."""
    if live is None:
        return {"state": "assistant", "staff": "", "mine": False, "emergency": False}
    return {
        "state": live.state,
        "staff": person(live.staff) if live.staff else "",
        "mine": live.staff == user,
        "emergency": live.emergency,
    }


def frame(event: str, data: Dict[str, Any], event_id: Optional[int] = None) -> str:
    """One server-sent event (JSON has no line breaks: one ``data:`` line)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def update_frame(
    update: Update, view: str, sender: Optional[str], user: str, sent: Set[int]
) -> str:
    """What a page of ``view`` is sent for ``update`` ("" for nothing)."""
    now = time.time()
    if isinstance(update, QueueUpdate):
        waiting = [c for c in update.conversations if c.state == WAITING]
        data: Dict[str, Any] = {
            "waiting": len(waiting),
            "taken": len(update.conversations) - len(waiting),
            "waiting_ids": [c.sender for c in waiting],
            "emergency_ids": [c.sender for c in update.conversations if c.emergency],
        }
        if view == "queue":
            data["conversations"] = [
                conversation_data(c, user, now, with_messages=True) for c in update.conversations
            ]
        return frame("queue", data)
    if isinstance(update, MessageUpdate) and update.sender == sender:
        if update.message.id in sent:
            return ""
        sent.add(update.message.id)
        return frame("message", message_data(update.message), update.message.id)
    if isinstance(update, StateUpdate) and update.sender == sender:
        return frame("state", state_data(update.live, user))
    if isinstance(update, TypingUpdate) and update.sender == sender:
        return frame("typing", {"at": update.at})
    return ""


def last_event_id(request: Request) -> Optional[int]:
    """The row id of the last message the page has: the ``Last-Event-ID`` a reconnecting
    ``EventSource`` sends, else ``?after=``."""
    raw = request.headers.get("last-event-id") or request.args.get("after") or ""
    try:
        return int(raw)
    except ValueError:
        return None


@bp.get(EVENTS_PATH)
async def events(request: Request) -> Optional[HTTPResponse]:
    services = services_of(request)
    session = session_of(request)
    assert session is not None  # the login check let it through
    view = request.args.get("view") or "count"
    view = view if view in VIEWS else "count"
    sender = (request.args.get("sender") or None) if view == "chat" else None
    after = last_event_id(request)
    stream = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"X-Accel-Buffering": "no"},  # nginx: pass each event on at once
    )
    subscription = await services.live.subscribe(sender)
    sent: Set[int] = set()
    checked = time.monotonic()
    try:
        await stream.send(f"retry: {RETRY_MS}\n\n")
        if sender is not None and after is not None:
            for message in await blocking(services.live_store.messages_after, sender, after):
                sent.add(message.id)
                await stream.send(frame("message", message_data(message), message.id))
        if sender is not None:
            live = await blocking(services.live_store.live_one, sender)
            await stream.send(frame("state", state_data(live, session.user)))
        while True:
            update = await subscription.next(KEEP_ALIVE_SECONDS)
            if time.monotonic() - checked >= KEEP_ALIVE_SECONDS:
                checked = time.monotonic()
                if not await blocking(services.sessions.alive, session.id):
                    await stream.send(frame("session", {"ended": True}))
                    break
            if update is None:
                await stream.send(": still here\n\n")
                continue
            if isinstance(update, Closed):
                break
            text = update_frame(update, view, sender, session.user, sent)
            if text:
                await stream.send(text)
    except Exception as error:  # e.g. the tracker store away: the page reconnects
        logger.warning("live chat: a stream ended (%s)", error)
    finally:
        services.live.unsubscribe(subscription)
    return None


def counted_path(request: Request) -> bool:
    """Whether a request is for a page, whose navigation shows the count."""
    path = request.path
    return (
        request.method == "GET"
        and not path.startswith("/static/")
        and not path.endswith(".json")
        and path not in (EVENTS_PATH, "/health", "/favicon.ico")
    )


async def count_waiting(request: Request) -> None:
    """Before each page: how many conversations wait for a person (``request.ctx``'s
    ``live_waiting``, shown in the navigation; None when it cannot be read)."""
    request.ctx.live_waiting = None
    if session_of(request) is None or not counted_path(request):
        return
    try:
        queue = await services_of(request).live.queue()
    except Exception as error:  # the tracker store away: the page is shown without it
        logger.warning("live chat: the waiting count could not be read (%s)", error)
        return
    request.ctx.live_waiting = sum(1 for c in queue if c.state == WAITING)
