"""The live handoff's routes inside the Rasa server, which the staff app calls to take a
conversation, write in it and hand it back (issue 17), and its periodic task.

Registered in ``credentials.yml`` like the other channels, under ``/webhooks/handoff/``:

- ``POST take`` ``{"sender_id", "staff", "shown_as"?}``: 200 ``{"state": "taken", "staff",
  "delivered"}``; 404 when the conversation is not waiting for a person; 409 ``{"error",
  "staff"}`` when another staff member has it. Taking it again, as the one who has it,
  changes nothing. The visitor is told ``shown_as`` joined (the name the staff member
  chose), or ``staff`` with a capital without it.
- ``POST message`` ``{"sender_id", "staff", "text"}``: 200 ``{"state": "taken", "staff",
  "delivered"}``; 409 ``{"error", "staff"}`` unless ``staff`` has the conversation.
- ``POST resume`` ``{"sender_id", "staff"}``: 200 ``{"state": "resumed", "delivered"}``;
  409 ``{"error", "staff"}`` unless ``staff`` has the conversation.
- ``GET health``: 200 ``{"status": "ok"}``.

``take`` and ``resume`` answer 503 ``{"error"}``, and change nothing, while the model was
trained before the live chat's responses existed (publish a new one).

Every route needs ``Authorization: Bearer <RASA_API_TOKEN>``, the token of Rasa's HTTP API
that the staff app has (``token`` in ``credentials.yml``), compared in constant time: 401
without it or with another; every route answers 404 while no token is set. A body that is
not a JSON object, a missing or wrongly typed field, a staff name (or ``shown_as``) that
is blank, longer than 100 characters or holds control characters, a text that is blank,
longer than 2,000 characters or holds control characters (other than line breaks and
tabs) get 400 with the reason; a conversation that does not exist, 404. ``delivered``
says whether the message of the step reached the visitor's channel (a REST visitor has
none to push to; the step is stored either way). The staff member's name and text are
stored and sent as given.

The steps themselves are in ``channels/handoff_steps.py``; the periodic task, started when
the server has started and stopped before it stops, in ``channels/handoff_watch.py``.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.lock_store import LockError
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.handoff_state import MAX_STAFF_NAME_CHARS, MAX_TEXT_CHARS
from channels.handoff_steps import NO_RESPONSES, NOT_FOUND, NOT_WAITING, LiveHandoff, Outcome
from channels.handoff_watch import HandoffWatch
from channels.payload import same_secret
from stores.tracker import StoreUnavailable

logger = logging.getLogger(__name__)

#: The longest sender id (Rasa's tracker store column).
MAX_SENDER_ID_CHARS = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadRequestError(ValueError):
    """A request the routes cannot take (400), with the reason."""


def error(status: int, reason: str, **more: Any) -> HTTPResponse:
    """``{"error": reason, ...}`` with ``status``."""
    return response.json({"error": reason, **more}, status=status)


def body_of(request: Request) -> Dict[str, Any]:
    """The request's JSON object.

    Raises:
        BadRequestError: the body is not a JSON object.
    """
    try:
        body = request.json
    except Exception:
        raise BadRequestError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    return body


def sender_id_of(body: Dict[str, Any]) -> str:
    """``sender_id``: a string of 1 to 255 characters without control characters."""
    value = body.get("sender_id")
    if not isinstance(value, str) or not value:
        raise BadRequestError("'sender_id' must be a non-empty string")
    if len(value) > MAX_SENDER_ID_CHARS or _CONTROL.search(value):
        raise BadRequestError(
            f"'sender_id' must be at most {MAX_SENDER_ID_CHARS} characters, without "
            "control characters"
        )
    return value


def staff_of(body: Dict[str, Any], field: str = "staff") -> str:
    """``staff`` (or ``field``): the staff member's name, as given (not blank, at most 100
    characters, without control characters)."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadRequestError(f"'{field}' must be the staff member's name (a non-empty string)")
    if len(value) > MAX_STAFF_NAME_CHARS or _CONTROL.search(value):
        raise BadRequestError(
            f"'{field}' must be at most {MAX_STAFF_NAME_CHARS} characters, without control "
            "characters"
        )
    return value


def shown_as_of(body: Dict[str, Any]) -> Optional[str]:
    """``shown_as``, if given: the name the visitor is told (checked as ``staff`` is)."""
    return staff_of(body, "shown_as") if body.get("shown_as") is not None else None


def text_of(body: Dict[str, Any]) -> str:
    """``text``: the staff member's message, as written (1 to 2,000 characters, not blank,
    no control characters but line breaks and tabs)."""
    value = body.get("text")
    if not isinstance(value, str):
        raise BadRequestError("'text' must be a string")
    if not value.strip():
        raise BadRequestError("'text' is empty")
    if len(value) > MAX_TEXT_CHARS:
        raise BadRequestError(f"'text' is longer than {MAX_TEXT_CHARS:,} characters")
    if _CONTROL_IN_TEXT.search(value):
        raise BadRequestError("'text' holds control characters")
    return value


def bearer_token(request: Request) -> Optional[str]:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, token = (request.headers.get("Authorization") or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class HandoffInput(InputChannel):
    """The staff app's routes into the running server (see the module's description).

    Args:
        token: the token the routes need (``RASA_API_TOKEN``); empty: the routes are off.
        watch: the periodic task (tests pass their own).
    """

    def __init__(self, token: Optional[str] = None, watch: Optional[HandoffWatch] = None) -> None:
        self.token = (token or "").strip()
        self.watch = watch or HandoffWatch()

    @classmethod
    def name(cls) -> Text:
        """``/webhooks/handoff/...``."""
        return "handoff"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """The channel with ``token`` of its entry in ``credentials.yml``."""
        return cls(str((credentials or {}).get("token") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The routes, and the periodic task started and stopped with the server."""
        logger.info(
            "Handoff routes: %s",
            "on (/webhooks/handoff/)" if self.token else "off (RASA_API_TOKEN empty; 404)",
        )
        routes = Blueprint("clinic_handoff", __name__)

        @routes.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return self.refused(request) or response.json({"status": "ok"})

        @routes.route("/take", methods=["POST"])
        async def take(request: Request) -> HTTPResponse:
            return await self.take(request)

        @routes.route("/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            return await self.message(request)

        @routes.route("/resume", methods=["POST"])
        async def resume(request: Request) -> HTTPResponse:
            return await self.resume(request)

        @routes.listener("after_server_start")
        async def start_watch(app: Sanic, _: Any) -> None:
            self.watch.start(app)

        @routes.listener("before_server_stop")
        async def stop_watch(app: Sanic, _: Any) -> None:
            await self.watch.stop()

        return routes

    def refused(self, request: Request) -> Optional[HTTPResponse]:
        """404 while no token is set, 401 without the token; None for a request with it."""
        if not self.token:
            return error(404, "the handoff routes are off on this server (no RASA_API_TOKEN)")
        if not same_secret(bearer_token(request), self.token):
            logger.warning("Handoff routes: a request without the right token (401)")
            return response.json(
                {"error": "the token is missing or wrong"},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return None

    async def take(self, request: Request) -> HTTPResponse:
        """``POST take``."""

        async def step(steps: LiveHandoff, body: Dict[str, Any]) -> HTTPResponse:
            staff = staff_of(body)
            outcome = await steps.take(sender_id_of(body), staff, shown_as_of(body))
            if outcome.done:
                return response.json(
                    {"state": "taken", "staff": staff, "delivered": outcome.delivered}
                )
            return self.problem(outcome)

        return await self.handle(request, step)

    async def message(self, request: Request) -> HTTPResponse:
        """``POST message``."""

        async def step(steps: LiveHandoff, body: Dict[str, Any]) -> HTTPResponse:
            sender_id, staff, text = sender_id_of(body), staff_of(body), text_of(body)
            outcome = await steps.write(sender_id, staff, text)
            if outcome.done:
                return response.json(
                    {"state": "taken", "staff": staff, "delivered": outcome.delivered}
                )
            return self.problem(outcome)

        return await self.handle(request, step)

    async def resume(self, request: Request) -> HTTPResponse:
        """``POST resume``."""

        async def step(steps: LiveHandoff, body: Dict[str, Any]) -> HTTPResponse:
            staff = staff_of(body)
            outcome = await steps.hand_back(sender_id_of(body), staff)
            if outcome.done:
                return response.json({"state": "resumed", "delivered": outcome.delivered})
            return self.problem(outcome)

        return await self.handle(request, step)

    @staticmethod
    def problem(outcome: Outcome) -> HTTPResponse:
        """404 for a conversation that is not there or not waiting, 503 for a model
        without the live chat's responses, else 409 with who has it."""
        assert outcome.problem is not None
        if outcome.problem in (NOT_FOUND, NOT_WAITING):
            return error(404, outcome.problem)
        if outcome.problem == NO_RESPONSES:
            return error(503, outcome.problem)
        return error(409, outcome.problem, staff=outcome.staff)

    async def handle(
        self,
        request: Request,
        step: Callable[[LiveHandoff, Dict[str, Any]], Awaitable[HTTPResponse]],
    ) -> HTTPResponse:
        """Check the token and the body, then take the step on the running agent; the
        answer for bad input (400) or an unavailable store (503) too."""
        refused = self.refused(request)
        if refused is not None:
            return refused
        agent = getattr(request.app.ctx, "agent", None)
        if not isinstance(agent, Agent) or not agent.is_ready():
            return error(503, "the assistant is not ready (no model loaded yet)")
        channels = getattr(request.app.ctx, "input_channels", None) or []
        try:
            return await step(LiveHandoff(agent, channels), body_of(request))
        except BadRequestError as bad:
            logger.info("Handoff routes: a request refused (400): %s", bad)
            return error(400, str(bad))
        except (LockError, StoreUnavailable) as unavailable:
            logger.error("Handoff routes: %s", type(unavailable).__name__)
            return error(503, "the conversation cannot be reached now; try again")
