"""The staff app's pages (Sanic, server-rendered with Jinja2, no build step).

Routes (all but the login page, ``/health`` and ``/static`` need a logged-in person;
every POST needs the form's CSRF token):

    ``/login`` (GET, POST), ``/logout`` (POST): log in and out.
    ``/conversations``: recent conversations, filtered by flag and date, emergencies first.
    ``/conversation?sender=...``: one conversation; ``/conversation/teach`` (POST) saves a
        message as a training example of the topic staff pick.
    ``/answers``: the FAQ topics; ``/answers/<topic>`` (GET, POST) edits an answer;
        ``/topics/new`` (GET, POST) adds a topic.
    ``/messages``: the assistant's own messages (greeting, off-topic, not covered, other
        languages...); ``/messages/<name>/<n>`` (GET, POST) edits one of their texts.
    ``/check`` (GET, POST): the checks of the whole project, in plain words.
    ``/publish``: retrain, test and publish; ``/publish/start``, ``/publish/rollback``
        (POST); ``/publish/status.json``: the progress, for the page's script.
    ``/history``: who changed what.
    ``/health``: 200 and ``{"status": "ok"}``.

The app takes its collaborators (accounts, sessions, history, conversations, publisher)
as arguments, so tests can pass their own; by default it makes them from the settings.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    List,
    Optional,
    Protocol,
    Sequence,
    Set,
    Tuple,
    TypeVar,
)
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import HTTPResponse, Request, Sanic, response
from sanic.exceptions import NotFound, SanicException

from nlp.wordllama import WordLlama
from staff import audit as history
from staff import checks, content, source
from staff import messages as own_messages
from staff import unanswered as unanswered_questions
from staff.accounts import Accounts
from staff.audit import AuditLog
from staff.checks import Problem
from staff.publish import PLAIN_FIGURES, PublishBusy, Published, Publisher, PublishError
from staff.review import FLAG_LABELS, PERIODS, ConversationStore, Message
from staff.security import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    CookieSigner,
    Session,
    SessionStore,
    clear_cookie,
    security_headers,
    set_cookie,
    tokens_match,
)
from staff.settings import StaffSettings

logger = logging.getLogger(__name__)

STAFF_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = STAFF_DIR / "templates"
STATIC_DIR = STAFF_DIR / "static"
APP_NAME = "clinic_staff"
#: Paths that need no login: these, and everything under /static/.
PUBLIC_PATHS = ("/login", "/health", "/favicon.ico")
#: How many supporting sentences the answer forms suggest.
SUGGESTIONS = 6
HISTORY_PER_PAGE = 50
#: The one message for a wrong name or password: it does not say which was wrong.
LOGIN_REFUSED = "That name and password do not match. Check them and try again."
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
#: What each intent means, in plain words.
INTENT_LABELS = {
    "faq": "a question on an FAQ topic",
    "request_medical_advice": "a request for personal advice (refused)",
    "report_emergency_symptom": "an emergency",
    "nlu_fallback": "not understood",
    "out_of_scope": "off topic",
    "greet": "a greeting",
    "goodbye": "goodbye",
    "affirm": "yes",
    "deny": "no",
    "thank": "thanks",
    "bot_challenge": "asking whether it is a bot",
    "book_consultation": "booking a consultation",
    "human_handoff": "asking for a person",
}

T = TypeVar("T")


class PublisherLike(Protocol):
    """What the app needs of :class:`staff.publish.Publisher`."""

    def start(self, who: str) -> str: ...

    def status(self, job_id: Optional[str] = None) -> Dict[str, Any]: ...

    def published(self) -> List[Published]: ...

    def rollback(self, published_id: str, who: str) -> Published: ...


@dataclass
class Services:
    """The app's collaborators."""

    settings: StaffSettings
    accounts: Accounts
    sessions: SessionStore
    audit: AuditLog
    conversations: ConversationStore
    publisher: PublisherLike
    signer: CookieSigner
    #: Who started each publish job this app saw start (job id -> name).
    starters: Dict[str, str] = field(default_factory=dict)
    #: Edits of the data files are made one at a time.
    edit_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: The tasks that follow running publish jobs (kept so they are not collected).
    watchers: Set[asyncio.Task[None]] = field(default_factory=set)
    #: A message for the next page a session sees: session id -> (text, kind), the kind
    #: being "error", "done" or "note".
    flashes: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    #: The embedding that groups unanswered questions (WordLlama's, read on first use).
    embedder: Optional[unanswered_questions.Embed] = None

    def embed(self) -> unanswered_questions.Embed:
        """The embedding of texts, WordLlama's unless one was given (tests)."""
        if self.embedder is None:
            self.embedder = WordLlama().embed
        return self.embedder


def default_services(settings: StaffSettings) -> Services:
    """The collaborators the settings describe."""
    return Services(
        settings=settings,
        accounts=Accounts(
            settings.db,
            max_failures=settings.max_failures,
            lockout_seconds=settings.lockout_minutes * 60,
        ),
        sessions=SessionStore(settings.db, idle_seconds=settings.session_hours * 3600),
        audit=AuditLog(settings.db),
        conversations=ConversationStore(settings.store, settings.low_confidence),
        publisher=Publisher(settings),
        signer=CookieSigner(settings.signing_key()),
    )


async def blocking(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``call`` in a thread: password hashing, database queries, the checks and the
    data files would otherwise hold up every other request."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(call, *args, **kwargs))


def local_path(target: Optional[str]) -> str:
    """``target`` if it is a path of this app, else ``/`` (no redirect to another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def topic_label(name: str) -> str:
    """A topic's name as words: "results_duration" -> "results duration"."""
    return name.replace("_", " ")


def problems_by_field(problems: Sequence[Problem]) -> Dict[str, List[Problem]]:
    grouped: Dict[str, List[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.field, []).append(problem)
    return grouped


def problems_of(error: content.ContentError, where: str) -> List[Problem]:
    """The problems that stopped an edit: those the checks found, else the error's own
    message, shown at ``where``."""
    return list(error.problems) or [Problem(where, str(error), True)]


def figure_label(name: str) -> str:
    """A test figure's name in plain words (staff.publish.PLAIN_FIGURES)."""
    label = PLAIN_FIGURES.get(name, name.replace("_", " "))
    return label[:1].upper() + label[1:]


def local_date(iso_date: str) -> str:
    """A publish's date (ISO 8601, UTC) as this machine's local time, in words."""
    try:
        moment = datetime.fromisoformat(iso_date.replace("Z", "+00:00"))
    except ValueError:
        return iso_date
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%d %b %Y, %H:%M")


def figure_value(value: Any) -> str:
    if isinstance(value, float) and 0.0 <= value <= 1.0:
        return f"{value:.1%}" if value not in (0.0, 1.0) else f"{value:.0%}"
    return str(value)


def intent_label(intent: Optional[str]) -> str:
    if not intent:
        return "nothing (a button or an event)"
    return INTENT_LABELS.get(intent, intent.replace("_", " "))


def percent(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.0%}"


def guard_text(guard: Optional[Dict[str, Any]]) -> str:
    """What the safety guard found in a message, in words."""
    if not guard:
        return "nothing found"
    found = intent_label(str(guard.get("intent") or ""))
    text = f"found {found}"
    if guard.get("matched"):
        text += f" in the words “{guard['matched']}”"
    if guard.get("rule"):
        text += f" (rule {str(guard['rule']).replace('_', ' ')})"
    classifier = guard.get("classifier_intent") or {}
    if isinstance(classifier, dict) and classifier.get("name") == guard.get("intent"):
        text += "; the assistant had understood it so too"
    elif isinstance(classifier, dict) and classifier.get("name"):
        alone = intent_label(str(classifier["name"]))
        text += f"; without it the assistant would have taken it as {alone}"
        if classifier.get("confidence") is not None:
            text += f" ({percent(float(classifier['confidence']))})"
    return text


def new_topic_href(question: unanswered_questions.Question) -> str:
    """The New topic form with the question's wordings as its first examples."""
    texts = list(dict.fromkeys(item.text for item in question.asked))[:10]
    return "/topics/new?" + urlencode([("example", text) for text in texts])


def default_target(message: Message) -> str:
    """What the Teach form of a message proposes: what the assistant understood."""
    if message.intent == "faq" and message.topic:
        return message.topic
    if message.intent and message.intent in content.TEACH_LABELS.values():
        return message.intent
    return ""


def create_app(
    settings: StaffSettings, services: Optional[Services] = None, name: str = APP_NAME
) -> Sanic:
    """The staff app for ``settings``, with ``services`` (default: from the settings)."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "html"
    services = services or default_services(settings)
    root = settings.data_root
    templates = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.globals.update(
        flag_labels=FLAG_LABELS,
        periods=PERIODS,
        topic_label=topic_label,
        figure_label=figure_label,
        figure_value=figure_value,
        local_date=local_date,
        intent_label=intent_label,
        percent=percent,
        guard_text=guard_text,
        default_target=default_target,
        new_topic_href=new_topic_href,
        csrf_field=CSRF_FIELD,
    )
    templates.filters["when"] = lambda moment: moment.strftime("%d %b %Y, %H:%M")
    templates.filters["urlquote"] = lambda text: quote(str(text), safe="")

    # Sessions, the login check and CSRF.

    def secure(request: Request) -> bool:
        return settings.https or request.scheme == "https"

    def session_of(request: Request) -> Optional[Session]:
        session: Optional[Session] = request.ctx.session
        return session

    def user_of(request: Request) -> str:
        session = session_of(request)
        assert session is not None  # every page but the public ones has one
        return session.user

    def flash(request: Request, message: str, kind: str = "error") -> None:
        """Show ``message`` at the top of the next page this session sees."""
        session = session_of(request)
        if session:
            services.flashes[session.id] = (message, kind)

    def flash_warnings(request: Request, problems: Sequence[Problem]) -> None:
        """After a save: the checks' warnings (not blocking), for the next page."""
        warnings = [problem.message for problem in problems if not problem.blocking]
        if warnings:
            flash(request, "Please check: " + " ".join(warnings), kind="note")

    def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
        session = session_of(request)
        flashed = services.flashes.pop(session.id, None) if session else None
        html = templates.get_template(template).render(
            flashed=flashed,
            user=session.user if session else None,
            csrf_token=session.csrf if session else "",
            path=request.path,
            done=DONE_MESSAGES.get(str(request.args.get("done", ""))),
            **context,
        )
        return response.html(html, status=status)

    def refused(request: Request, status: int, title: str, message: str) -> HTTPResponse:
        return render(request, "error.html", status=status, title=title, message=message)

    @app.middleware("request")
    async def load_session(request: Request) -> Optional[HTTPResponse]:
        session_id = services.signer.session_id(request.cookies.get(SESSION_COOKIE))
        request.ctx.session = (
            await blocking(services.sessions.get, session_id) if session_id else None
        )
        public = request.path in PUBLIC_PATHS or request.path.startswith("/static/")
        if request.ctx.session is None and not public:
            if request.path.endswith(".json"):
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

    @app.middleware("response")
    async def headers(request: Request, reply: HTTPResponse) -> None:
        cache = request.path.startswith("/static/")
        for header, value in security_headers(cache=cache).items():
            reply.headers.setdefault(header, value)

    # Logging in and out.

    def login_page(
        request: Request, status: int = 200, error: str = "", name: str = ""
    ) -> HTTPResponse:
        # The token of the login cookie the browser has, if any: a second login page (another
        # tab, a request for a missing page) must not spoil the form of the first.
        token = services.signer.login_token(request.cookies.get(LOGIN_COOKIE))
        token = token or secrets.token_urlsafe(32)
        reply = render(
            request,
            "login.html",
            status=status,
            login_token=token,
            error=error,
            name=name,
            next=local_path(request.args.get("next") or request.form.get("next")),
        )
        set_cookie(reply, LOGIN_COOKIE, services.signer.login_cookie(token), secure(request))
        return reply

    @app.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        if session_of(request):
            return response.redirect("/")
        return login_page(request)

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
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
        result = await blocking(services.accounts.verify, name, password)
        if not result.ok:
            await blocking(
                services.audit.record,
                "someone",
                history.LOGIN_FAILED,
                subject=result.name,
                detail="locked" if result.locked else "",
            )
            if result.locked:
                minutes = max(1, round(result.locked_seconds / 60))
                message = (
                    "Too many wrong passwords for this name. For safety, logging in with it "
                    f"is paused: try again in {minutes} minute{'s' if minutes != 1 else ''}."
                )
                return login_page(request, status=429, error=message, name=name)
            return login_page(request, status=401, error=LOGIN_REFUSED, name=name)
        session = await blocking(services.sessions.create, result.name)
        await blocking(services.audit.record, result.name, history.LOGIN)
        reply = response.redirect(local_path(request.form.get("next")), status=303)
        set_cookie(
            reply,
            SESSION_COOKIE,
            services.signer.session_cookie(session.id),
            secure(request),
        )
        clear_cookie(reply, LOGIN_COOKIE, secure(request))
        return reply

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        session = session_of(request)
        if session:
            await blocking(services.sessions.end, session.id)
            await blocking(services.audit.record, session.user, history.LOGOUT)
        reply = response.redirect("/login?done=logged_out", status=303)
        clear_cookie(reply, SESSION_COOKIE, secure(request))
        return reply

    @app.get("/favicon.ico")
    async def favicon(request: Request) -> HTTPResponse:
        return response.empty(status=204)

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        return response.redirect("/conversations")

    # Review and teach.

    @app.get("/conversations")
    async def conversations(request: Request) -> HTTPResponse:
        flag = request.args.get("flag") or None
        period = request.args.get("period") or "week"
        if flag not in FLAG_LABELS:
            flag = None
        if period not in PERIODS:
            period = "week"
        try:
            page_number = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page_number = 1
        listing = await blocking(
            services.conversations.summaries, flag=flag, period=period, page=page_number
        )
        return render(
            request,
            "conversations.html",
            listing=listing,
            flag=flag,
            period=period,
            threshold=settings.low_confidence,
            where=services.conversations.where,
        )

    @app.get("/unanswered")
    async def unanswered(request: Request) -> HTTPResponse:
        period = request.args.get("period") or "week"
        if period not in PERIODS:
            period = "week"
        asked = await blocking(services.conversations.unanswered, period=period)
        embed = await blocking(services.embed)
        questions = await blocking(unanswered_questions.group, asked, embed)
        return render(
            request,
            "unanswered.html",
            questions=questions,
            asked=len(asked),
            period=period,
            where=services.conversations.where,
        )

    def teach_targets() -> List[Dict[str, str]]:
        targets = [
            {"value": topic.name, "label": f"FAQ topic: {topic_label(topic.name)}"}
            for topic in sorted(content.topics(root), key=lambda t: t.name)
        ]
        targets += [
            {"value": intent, "label": label.capitalize()}
            for label, intent in content.TEACH_LABELS.items()
        ]
        return targets

    async def conversation_page(
        request: Request,
        sender: str,
        status: int = 200,
        teach_problems: Optional[Dict[int, List[Problem]]] = None,
        teach_values: Optional[Dict[int, Dict[str, str]]] = None,
    ) -> HTTPResponse:
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
            targets=await blocking(teach_targets),
            teach_labels={intent: label for label, intent in content.TEACH_LABELS.items()},
            teach_problems=teach_problems or {},
            teach_values=teach_values or {},
            taught=request.args.get("taught"),
            threshold=settings.low_confidence,
        )

    @app.get("/conversation")
    async def conversation(request: Request) -> HTTPResponse:
        return await conversation_page(request, request.args.get("sender") or "")

    @app.post("/conversation/teach")
    async def teach(request: Request) -> HTTPResponse:
        sender = request.form.get("sender") or ""
        text = " ".join((request.form.get("text") or "").split())
        target = request.form.get("target") or ""
        try:
            event_id = int(request.form.get("event_id") or "")
        except ValueError:
            return refused(request, 400, "Nothing saved", "The form named no message.")
        found = await blocking(services.conversations.conversation, sender)
        if found is None or found.user_message(event_id) is None:
            return refused(
                request, 404, "Nothing saved", "That message is not in this conversation."
            )
        valid_targets = {t["value"] for t in await blocking(teach_targets)}
        if target not in valid_targets:
            problems = [Problem("topic", "Choose what this message is about.", True)]
        elif not text:
            problems = [Problem("example", "The example is empty: type the message.", True)]
        else:
            problems = await blocking(checks.check_example, target, text, root)
        if any(problem.blocking for problem in problems):
            return await conversation_page(
                request,
                sender,
                status=422,
                teach_problems={event_id: problems},
                teach_values={event_id: {"text": text, "target": target}},
            )
        who = user_of(request)
        try:
            async with services.edit_lock:
                await blocking(content.add_example, target, text, who, root)
        except content.ContentError as error:
            return await conversation_page(
                request,
                sender,
                status=422,
                teach_problems={event_id: problems_of(error, "example")},
                teach_values={event_id: {"text": text, "target": target}},
            )
        flash_warnings(request, problems)
        labels = {intent: label for label, intent in content.TEACH_LABELS.items()}
        await blocking(
            services.audit.record,
            who,
            history.EXAMPLE_TAUGHT,
            subject=labels.get(target, target),
            after=text,
        )
        query = urlencode({"sender": sender, "done": "taught", "taught": event_id})
        return response.redirect(f"/conversation?{query}#message-{event_id}", status=303)

    # Answers and topics.

    @app.get("/answers")
    async def answers(request: Request) -> HTTPResponse:
        topics = await blocking(content.topics, root)
        return render(request, "answers.html", topics=sorted(topics, key=lambda t: t.name))

    def source_choices(text: str, chosen: Sequence[str]) -> Dict[str, List[str]]:
        """The source sentences to offer: those chosen, the best for ``text``, the rest."""
        everything = source.sentences(root)
        suggested = [s for s in source.supporting(text, SUGGESTIONS, root) if s not in chosen]
        shown = [*chosen, *suggested]
        return {
            "shown": shown,
            "others": [s for s in everything if s not in shown],
        }

    async def answer_page(
        request: Request,
        name: str,
        text: Optional[str] = None,
        chosen: Optional[List[str]] = None,
        problems: Sequence[Problem] = (),
        status: int = 200,
    ) -> HTTPResponse:
        try:
            topic = await blocking(content.topic, name, root)
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
            choices=await blocking(source_choices, text, chosen),
            problems=problems_by_field(problems),
            blocking=any(p.blocking for p in problems),
        )

    @app.get("/answers/<name:[a-z0-9_]+>")
    async def answer(request: Request, name: str) -> HTTPResponse:
        return await answer_page(request, name)

    @app.post("/answers/<name:[a-z0-9_]+>")
    async def save_answer(request: Request, name: str) -> HTTPResponse:
        text = (request.form.get("answer") or "").strip()
        chosen = [s for s in request.form.getlist("sources") or [] if s]
        if request.form.get("action") == "suggest":
            return await answer_page(request, name, text, chosen)
        try:
            before = (await blocking(content.topic, name, root)).answer
        except KeyError:
            return refused(request, 404, "No such topic", f"There is no topic '{name}'.")
        problems = await blocking(checks.check_answer, name, text, chosen, root)
        if any(problem.blocking for problem in problems):
            return await answer_page(request, name, text, chosen, problems, status=422)
        who = user_of(request)
        try:
            async with services.edit_lock:
                await blocking(content.save_answer, name, text, chosen, who, root)
        except content.ContentError as error:
            problems = problems_of(error, "answer")
            return await answer_page(request, name, text, chosen, problems, status=422)
        flash_warnings(request, problems)
        if before != text:
            await blocking(
                services.audit.record,
                who,
                history.ANSWER_EDITED,
                subject=name,
                before=before,
                after=text,
            )
        return response.redirect(f"/answers/{name}?done=answer", status=303)

    # The assistant's own messages.

    @app.get("/messages")
    async def messages_list(request: Request) -> HTTPResponse:
        found = await blocking(own_messages.messages, root)
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
            found = await blocking(own_messages.message, name, root)
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

    @app.get("/messages/<name:str>/<index:int>")
    async def message(request: Request, name: str, index: int) -> HTTPResponse:
        return await message_page(request, name, index)

    @app.post("/messages/<name:str>/<index:int>")
    async def save_message(request: Request, name: str, index: int) -> HTTPResponse:
        text = (request.form.get("text") or "").strip()
        confirmed = request.form.get("no_medical_fact") == "yes"
        who = user_of(request)
        try:
            before = (await blocking(own_messages.message, name, root)).variation(index).text
            async with services.edit_lock:
                changed, problems = await blocking(
                    own_messages.save_message, name, index, text, confirmed, who, root
                )
        except KeyError:
            return refused(request, 404, "No such message", f"There is no message '{name}'.")
        except content.ContentError as error:
            problems = problems_of(error, "answer")
            return await message_page(request, name, index, text, confirmed, problems, 422)
        flash_warnings(request, problems)
        if changed:
            await blocking(
                services.audit.record,
                who,
                history.MESSAGE_EDITED,
                subject=name,
                before=before,
                after=content.clean_answer(text),
            )
        return response.redirect(f"/messages/{name}/{index}?done=message", status=303)

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
            choices=source_choices(ranking_text, chosen),
            problems=problems_by_field(problems),
            blocking=any(p.blocking for p in problems),
        )

    @app.get("/topics/new")
    async def new_topic_form(request: Request) -> HTTPResponse:
        # The unanswered-questions page fills in the visitors' wordings as examples.
        examples = "\n".join(line.strip() for line in request.args.getlist("example") or [])
        return await blocking(new_topic_page, request, {"examples": examples} if examples else {})

    @app.post("/topics/new")
    async def add_topic(request: Request) -> HTTPResponse:
        values = {
            "name": (request.form.get("name") or "").strip(),
            "examples": (request.form.get("examples") or "").strip(),
            "answer": (request.form.get("answer") or "").strip(),
            "source": (request.form.get("source") or "").strip(),
        }
        if request.form.get("action") == "suggest":
            return await blocking(new_topic_page, request, values)
        examples = [line.strip(" -\t") for line in values["examples"].splitlines()]
        examples = [line for line in examples if line]
        problems = await blocking(
            checks.check_new_topic,
            values["name"],
            examples,
            values["answer"],
            values["source"],
            root,
        )
        if any(problem.blocking for problem in problems):
            return await blocking(new_topic_page, request, values, problems, 422)
        who = user_of(request)
        try:
            async with services.edit_lock:
                await blocking(
                    content.add_topic,
                    values["name"],
                    examples,
                    values["answer"],
                    values["source"],
                    who,
                    root,
                )
        except content.ContentError as error:
            problems = problems_of(error, "data")
            return await blocking(new_topic_page, request, values, problems, 422)
        flash_warnings(request, problems)
        await blocking(
            services.audit.record,
            who,
            history.TOPIC_ADDED,
            subject=values["name"],
            after=values["answer"],
            detail="\n".join(examples),
        )
        return response.redirect(f"/answers/{values['name']}?done=topic", status=303)

    # Checks.

    async def check_page(request: Request, full: bool) -> HTTPResponse:
        problems = await blocking(checks.check_project, root, rasa_validate=full)
        return render(
            request,
            "check.html",
            full=full,
            blocking=[p for p in problems if p.blocking],
            warnings=[p for p in problems if not p.blocking],
        )

    @app.get("/check")
    async def check(request: Request) -> HTTPResponse:
        return await check_page(request, full=False)

    @app.post("/check")
    async def check_full(request: Request) -> HTTPResponse:
        return await check_page(request, full=True)

    # Publish and roll back.

    def note_publish(status: Dict[str, Any]) -> None:
        """Record a job's result in the history once, whoever sees it first."""
        job = str(status.get("id") or "")
        state = status.get("state")
        if not job:
            return
        who = str(status.get("who") or services.starters.get(job) or "someone")
        version = str(status.get("published_id") or job)
        if state in ("passed", "published"):
            services.audit.record(
                who,
                history.PUBLISH_PASSED,
                subject=version,
                # Why it is not in use, when it is not.
                detail=str(status.get("stage") or "") if state == "passed" else "",
                once_key=f"passed:{job}",
            )
        if state == "published":
            services.audit.record(who, history.PUBLISHED, subject=version, once_key=f"live:{job}")
        if state == "failed":
            services.audit.record(
                who,
                history.PUBLISH_FAILED,
                subject=job,
                detail="\n".join(str(p) for p in status.get("problems") or []),
                once_key=f"failed:{job}",
            )

    async def publish_status(job: Optional[str] = None) -> Dict[str, Any]:
        status = dict(await blocking(services.publisher.status, job) or {})
        await blocking(note_publish, status)
        status["running"] = status.get("state") == "running"
        return status

    async def watch(job: str) -> None:
        """Follow a job until it ends, so that its result is in the history even when
        nobody has the Publish page open."""
        while True:
            await asyncio.sleep(2)
            try:
                status = await publish_status(job)
            except Exception:  # keep watching through a passing error
                logger.exception("staff: reading the publish status failed")
                continue
            if not status["running"]:
                return

    @app.get("/publish")
    async def publish(request: Request) -> HTTPResponse:
        status = await publish_status()
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

    @app.get("/publish/status.json")
    async def publish_status_json(request: Request) -> HTTPResponse:
        try:
            status = await publish_status(request.args.get("job") or None)
        except KeyError:
            return response.json({"error": "There is no such publish."}, status=404)
        return response.json(status)

    @app.post("/publish/start")
    async def publish_start(request: Request) -> HTTPResponse:
        who = user_of(request)
        try:
            job = await blocking(services.publisher.start, who)
        except PublishBusy as error:
            flash(request, str(error) or "A publish is already running: wait for it to end.")
            return response.redirect("/publish", status=303)
        services.starters[job] = who
        await blocking(
            services.audit.record,
            who,
            history.PUBLISH_STARTED,
            subject=job,
            once_key=f"start:{job}",
        )
        task = asyncio.get_running_loop().create_task(watch(job))
        services.watchers.add(task)
        task.add_done_callback(services.watchers.discard)
        return response.redirect("/publish?done=started", status=303)

    @app.post("/publish/rollback")
    async def publish_rollback(request: Request) -> HTTPResponse:
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
            services.audit.record,
            who,
            history.ROLLED_BACK,
            subject=local_date(restored.date),
            detail=restored.note or f"Version {restored.id}.",
        )
        note = restored.note or DONE_MESSAGES["rolled_back"]
        flash(request, note, kind="error" if "not loaded" in note else "done")
        return response.redirect("/publish", status=303)

    # History.

    @app.get("/history")
    async def history_page(request: Request) -> HTTPResponse:
        try:
            page_number = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page_number = 1
        entries = await blocking(
            services.audit.entries,
            limit=HISTORY_PER_PAGE,
            offset=(page_number - 1) * HISTORY_PER_PAGE,
        )
        total = await blocking(services.audit.count)
        return render(
            request,
            "history.html",
            entries=entries,
            page=page_number,
            pages=max(1, -(-total // HISTORY_PER_PAGE)),
        )

    # Errors, in plain words.

    @app.exception(content.ContentError)
    async def content_error(request: Request, error: content.ContentError) -> HTTPResponse:
        if not hasattr(request.ctx, "session"):
            request.ctx.session = None
        return refused(request, 500, "The assistant's data could not be read", str(error))

    @app.exception(NotFound)
    async def not_found(request: Request, error: Exception) -> HTTPResponse:
        if not hasattr(request.ctx, "session"):
            request.ctx.session = None
        return refused(request, 404, "Page not found", "There is no page at this address.")

    @app.exception(SanicException)
    async def sanic_error(request: Request, error: SanicException) -> HTTPResponse:
        if not hasattr(request.ctx, "session"):
            request.ctx.session = None
        status = int(getattr(error, "status_code", 500) or 500)
        return refused(request, status, "That did not work", "The request could not be handled.")

    @app.exception(Exception)
    async def server_error(request: Request, error: Exception) -> HTTPResponse:
        logger.exception("staff: error on %s", request.path, exc_info=error)
        if not hasattr(request.ctx, "session"):
            request.ctx.session = None
        return refused(
            request,
            500,
            "Something went wrong",
            "Something went wrong on our side. Go back and try again; if it happens "
            "again, tell whoever looks after the assistant (the app's log has the details).",
        )

    app.static("/static", str(STATIC_DIR), name="static")
    app.ctx.services = services
    return app
