"""What the assistant says: the FAQ topics and their answers, new topics, the
assistant's own messages, and the checks of the whole project.

``/answers`` (the topics), ``/answers/<topic>`` (GET, POST: edit an answer),
``/topics/new`` (GET, POST: add a topic), ``/messages`` (the assistant's own messages),
``/messages/<name>/<n>`` (GET, POST: edit one of their texts), ``/check`` (GET: the quick
checks; POST: with Rasa's own data check). Every save goes through
:class:`staff.edits.Edits`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence

from sanic import Blueprint, HTTPResponse, Request, response

from staff import data, messages, source
from staff.checks import check_project
from staff.problems import ContentError, Problem
from staff.web.pages import (
    flash_warnings,
    problems_by_field,
    problems_of,
    refused,
    render,
    services_of,
    user_of,
)
from staff.web.services import blocking

#: How many supporting sentences the answer forms suggest.
SUGGESTIONS = 6

bp = Blueprint("answers")


def data_root(request: Request) -> Path:
    return services_of(request).settings.data_root


def source_choices(root: Path, text: str, chosen: Sequence[str]) -> Dict[str, List[str]]:
    """The source sentences to offer: those chosen, the best for ``text``, the rest."""
    everything = source.sentences(root)
    suggested = [s for s in source.supporting(text, SUGGESTIONS, root) if s not in chosen]
    shown = [*chosen, *suggested]
    return {"shown": shown, "others": [s for s in everything if s not in shown]}


# Answers.


@bp.get("/answers")
async def answers(request: Request) -> HTTPResponse:
    topics = await blocking(data.topics, data_root(request))
    return render(request, "answers.html", topics=sorted(topics, key=lambda t: t.name))


async def answer_page(
    request: Request,
    name: str,
    text: Optional[str] = None,
    chosen: Optional[List[str]] = None,
    problems: Sequence[Problem] = (),
    status: int = 200,
) -> HTTPResponse:
    root = data_root(request)
    try:
        topic = await blocking(data.topic, name, root)
    except KeyError:
        return refused(request, 404, "No such topic", f"There is no topic '{name}'.")
    text = topic.answer if text is None else text
    chosen = list(topic.sources) if chosen is None else chosen
    return render(
        request,
        "answer.html",
        status=status,
        topic=topic,
        text=text,
        chosen=chosen,
        choices=await blocking(source_choices, root, text, chosen),
        problems=problems_by_field(problems),
        blocking=any(p.blocking for p in problems),
    )


@bp.get("/answers/<name:[a-z0-9_]+>")
async def answer(request: Request, name: str) -> HTTPResponse:
    return await answer_page(request, name)


@bp.post("/answers/<name:[a-z0-9_]+>")
async def save_answer(request: Request, name: str) -> HTTPResponse:
    text = (request.form.get("answer") or "").strip()
    chosen = [s for s in request.form.getlist("sources") or [] if s]
    if request.form.get("action") == "suggest":
        return await answer_page(request, name, text, chosen)
    edits = services_of(request).edits
    try:
        saved = await blocking(edits.save_answer, name, text, chosen, user_of(request))
    except KeyError:
        return refused(request, 404, "No such topic", f"There is no topic '{name}'.")
    except ContentError as error:
        problems = problems_of(error, "answer")
        return await answer_page(request, name, text, chosen, problems, status=422)
    flash_warnings(request, saved.warnings)
    return response.redirect(f"/answers/{name}?done=answer", status=303)


# New topics.


def new_topic_page(
    request: Request,
    values: Dict[str, str],
    problems: Sequence[Problem] = (),
    status: int = 200,
) -> HTTPResponse:
    chosen = [values["source"]] if values.get("source") else []
    ranking_text = values.get("answer") or values.get("examples") or ""
    return render(
        request,
        "topic_new.html",
        status=status,
        values=values,
        chosen=chosen,
        choices=source_choices(data_root(request), ranking_text, chosen),
        problems=problems_by_field(problems),
        blocking=any(p.blocking for p in problems),
    )


@bp.get("/topics/new")
async def new_topic_form(request: Request) -> HTTPResponse:
    # The unanswered-questions page fills in the visitors' wordings as examples.
    examples = "\n".join(line.strip() for line in request.args.getlist("example") or [])
    return await blocking(new_topic_page, request, {"examples": examples} if examples else {})


@bp.post("/topics/new")
async def add_topic(request: Request) -> HTTPResponse:
    values = {
        key: (request.form.get(key) or "").strip()
        for key in ("name", "examples", "answer", "source")
    }
    if request.form.get("action") == "suggest":
        return await blocking(new_topic_page, request, values)
    examples = [line.strip(" -\t") for line in values["examples"].splitlines()]
    examples = [line for line in examples if line]
    edits = services_of(request).edits
    try:
        saved = await blocking(
            edits.add_topic,
            values["name"],
            examples,
            values["answer"],
            values["source"],
            user_of(request),
        )
    except ContentError as error:
        problems = problems_of(error, "data")
        return await blocking(new_topic_page, request, values, problems, 422)
    flash_warnings(request, saved.warnings)
    return response.redirect(f"/answers/{values['name']}?done=topic", status=303)


# The assistant's own messages.


@bp.get("/messages")
async def messages_list(request: Request) -> HTTPResponse:
    found = await blocking(messages.messages, data_root(request))
    return render(request, "messages.html", messages=found)


async def message_page(
    request: Request,
    name: str,
    index: int,
    text: Optional[str] = None,
    confirmed: bool = False,
    problems: Sequence[Problem] = (),
    status: int = 200,
) -> HTTPResponse:
    try:
        found = await blocking(messages.message, name, data_root(request))
        variation = found.variation(index)
    except KeyError:
        return refused(request, 404, "No such message", f"There is no message '{name}'.")
    return render(
        request,
        "message.html",
        status=status,
        message=found,
        variation=variation,
        text=variation.text if text is None else text,
        confirmed=confirmed,
        problems=problems_by_field(problems),
        blocking=any(p.blocking for p in problems),
    )


@bp.get("/messages/<name:str>/<index:int>")
async def message(request: Request, name: str, index: int) -> HTTPResponse:
    return await message_page(request, name, index)


@bp.post("/messages/<name:str>/<index:int>")
async def save_message(request: Request, name: str, index: int) -> HTTPResponse:
    text = (request.form.get("text") or "").strip()
    confirmed = request.form.get("no_medical_fact") == "yes"
    edits = services_of(request).edits
    try:
        saved = await blocking(edits.save_message, name, index, text, confirmed, user_of(request))
    except KeyError:
        return refused(request, 404, "No such message", f"There is no message '{name}'.")
    except ContentError as error:
        problems = problems_of(error, "answer")
        return await message_page(request, name, index, text, confirmed, problems, 422)
    flash_warnings(request, saved.warnings)
    return response.redirect(f"/messages/{name}/{index}?done=message", status=303)


# Checks.


async def check_page(request: Request, full: bool) -> HTTPResponse:
    problems = await blocking(check_project, data_root(request), rasa_validate=full)
    return render(
        request,
        "check.html",
        full=full,
        blocking=[p for p in problems if p.blocking],
        warnings=[p for p in problems if not p.blocking],
    )


@bp.get("/check")
async def check(request: Request) -> HTTPResponse:
    return await check_page(request, full=False)


@bp.post("/check")
async def check_full(request: Request) -> HTTPResponse:
    running = services_of(request).full_check
    if running.locked():
        return refused(
            request,
            429,
            "A full check is already running",
            "Someone started a full check a moment ago; it takes a minute or two. "
            "Wait until it has finished, then run it again if you still need to.",
        )
    async with running:
        return await check_page(request, full=True)
