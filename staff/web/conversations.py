"""Review and teach: the conversations, the questions nobody answered, and teaching the
assistant a visitor's message as an example.

``/`` (to the conversations), ``/conversations`` (recent ones, filtered by flag and date,
emergencies first), ``/unanswered`` (grouped by meaning), ``/conversation?sender=...``
(one conversation), ``/conversation/teach`` (POST: a message saved as a training example
of the topic staff pick, its names, long numbers and e-mail addresses replaced by
placeholders unless staff untick the box; the history notes whose message it was, for
``make forget``).
"""

from __future__ import annotations

from typing import Dict, List, Optional
from urllib.parse import urlencode

from sanic import Blueprint, HTTPResponse, Request, response

from staff import data, unanswered
from staff.anonymise import anonymise
from staff.conversations import FLAG_LABELS, PERIODS
from staff.problems import ContentError, Problem
from staff.web.display import topic_words
from staff.web.pages import (
    flash_warnings,
    page_number,
    problems_of,
    refused,
    render,
    services_of,
    user_of,
)
from staff.web.services import blocking

bp = Blueprint("conversations")


def period_of(request: Request) -> str:
    """The ``?period=`` of a list, "week" when missing or unknown."""
    period = request.args.get("period") or "week"
    return period if period in PERIODS else "week"


@bp.get("/")
async def home(request: Request) -> HTTPResponse:
    return response.redirect("/conversations")


@bp.get("/conversations")
async def conversations(request: Request) -> HTTPResponse:
    services = services_of(request)
    flag = request.args.get("flag") or None
    if flag not in FLAG_LABELS:
        flag = None
    period = period_of(request)
    listing = await blocking(
        services.conversations.summaries, flag=flag, period=period, page=page_number(request)
    )
    return render(
        request,
        "conversations.html",
        listing=listing,
        flag=flag,
        period=period,
        threshold=services.settings.low_confidence,
        where=services.conversations.where,
    )


@bp.get("/unanswered")
async def unanswered_questions(request: Request) -> HTTPResponse:
    services = services_of(request)
    period = period_of(request)
    asked = await blocking(services.conversations.unanswered, period=period)
    embed = await blocking(services.embed)
    questions = await blocking(unanswered.group, asked, embed)
    return render(
        request,
        "unanswered.html",
        questions=questions,
        asked=len(asked),
        period=period,
        where=services.conversations.where,
    )


def teach_targets(request: Request) -> List[Dict[str, str]]:
    """What a message can be taught as: each FAQ topic, then the Teach labels."""
    root = services_of(request).settings.data_root
    targets = [
        {"value": topic.name, "label": f"FAQ topic: {topic_words(topic.name)}"}
        for topic in sorted(data.topics(root), key=lambda t: t.name)
    ]
    targets += [
        {"value": intent, "label": label.capitalize()}
        for label, intent in data.TEACH_LABELS.items()
    ]
    return targets


async def conversation_page(
    request: Request,
    sender: str,
    status: int = 200,
    teach_problems: Optional[Dict[int, List[Problem]]] = None,
    teach_values: Optional[Dict[int, Dict[str, str]]] = None,
) -> HTTPResponse:
    services = services_of(request)
    found = await blocking(services.conversations.conversation, sender)
    if found is None:
        return refused(
            request, 404, "No such conversation", "There is no conversation with this id."
        )
    return render(
        request,
        "conversation.html",
        status=status,
        conversation=found,
        targets=await blocking(teach_targets, request),
        teach_labels={intent: label for label, intent in data.TEACH_LABELS.items()},
        teach_problems=teach_problems or {},
        teach_values=teach_values or {},
        taught=request.args.get("taught"),
        threshold=services.settings.low_confidence,
    )


@bp.get("/conversation")
async def conversation(request: Request) -> HTTPResponse:
    return await conversation_page(request, request.args.get("sender") or "")


@bp.post("/conversation/teach")
async def teach(request: Request) -> HTTPResponse:
    services = services_of(request)
    sender = request.form.get("sender") or ""
    text = " ".join((request.form.get("text") or "").split())
    target = request.form.get("target") or ""
    anonymised = request.form.get("anonymise") == "on"
    try:
        event_id = int(request.form.get("event_id") or "")
    except ValueError:
        return refused(request, 400, "Nothing saved", "The form named no message.")
    found = await blocking(services.conversations.conversation, sender)
    if found is None or found.user_message(event_id) is None:
        return refused(request, 404, "Nothing saved", "That message is not in this conversation.")
    problems: List[Problem] = []
    if target not in {t["value"] for t in await blocking(teach_targets, request)}:
        problems = [Problem("topic", "Choose what this message is about.", True)]
    elif not text:
        problems = [Problem("example", "The example is empty: type the message.", True)]
    else:
        try:
            saved = await blocking(
                services.edits.add_example,
                target,
                anonymise(text) if anonymised else text,
                user_of(request),
                sender,
            )
        except ContentError as error:
            problems = problems_of(error, "example")
        else:
            flash_warnings(request, saved.warnings)
            query = urlencode({"sender": sender, "done": "taught", "taught": event_id})
            return response.redirect(f"/conversation?{query}#message-{event_id}", status=303)
    return await conversation_page(
        request,
        sender,
        status=422,
        teach_problems={event_id: problems},
        teach_values={
            event_id: {"text": text, "target": target, "anonymise": "on" if anonymised else ""}
        },
    )
