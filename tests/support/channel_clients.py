"""Each messaging platform as a test talks to it: how a message (or a pressed button) is
posted, signed as the platform signs it, where the reply goes and what it says; and a
website visitor (socket.io) that can send anything.

Used by the tests that go through every messaging channel alike
(tests/integration/channels/test_messaging_channels.py), and by the REST and socket.io
channels' tests where they meet a messaging channel's conversation; each channel's own
tests (``test_<channel>.py``) show the platform's particulars.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple
from urllib.parse import parse_qsl, urlencode

import requests
import socketio

from tests.support.messaging import ANSWER_SECONDS, deliver
from tests.support.platform_payloads import (
    body_of,
    messenger_quick_reply,
    messenger_text,
    meta_signature,
    slack_block_actions,
    slack_dm,
    slack_headers,
    telegram_callback_query,
    telegram_message,
    twilio_form,
    twilio_signature,
    whatsapp_button_reply,
    whatsapp_text,
)
from tests.support.platform_stub import Recorded
from tests.support.servers import CHANNEL_SECRETS, Servers

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TWILIO_URL = CHANNEL_SECRETS["TWILIO_WEBHOOK_URL"]
CLINIC_NUMBER = "+15557654321"
WA_NUMBER_ID = CHANNEL_SECRETS["WHATSAPP_PHONE_NUMBER_ID"]
TELEGRAM_SEND = f"/bot{CHANNEL_SECRETS['TELEGRAM_BOT_TOKEN']}/sendMessage"

_numbers = itertools.count(random.randrange(10**6, 9 * 10**6))

Body = Tuple[bytes, Dict[str, str]]


@dataclass(frozen=True)
class Platform:
    """A messaging platform, seen from outside the assistant."""

    name: str
    #: The secret the test server's channel checks signatures with.
    secret: str
    #: A new platform id of a visitor (a chat id, a phone number, ...).
    new_id: Callable[[], str]
    #: The signed request of a text message from that visitor.
    text: Callable[[str, str], Body]
    #: The signed request of a pressed button with this payload (None: no buttons).
    press: Optional[Callable[[str, str], Body]]
    #: The headers that sign an arbitrary body (with the right secret, or another).
    sign: Callable[[bytes, str], Dict[str, str]]
    #: Whether a request to the platform's API is a reply to that visitor.
    is_reply_to: Callable[[str], Callable[[Recorded], bool]]
    #: The text of a reply.
    reply_text: Callable[[Recorded], str]
    #: The sender id that the visitor's conversation is stored under.
    stored_as: Callable[[str], str]
    #: Signed payloads of the right shape with a field of the wrong type, for this visitor.
    wrong_types: Callable[[str], Dict[str, Body]]

    def deliver(self, servers: Servers, request: Body) -> requests.Response:
        """Post a request to the channel's webhook."""
        body, headers = request
        return deliver(servers, self.name, body, headers)

    def signed(self, payload: Dict[str, Any]) -> Body:
        """The signed request of a JSON payload (Twilio's forms: ``text``)."""
        body = body_of(payload)
        return body, {**JSON, **self.sign(body, self.secret)}


def _signed_json(sign: Callable[[bytes, str], Dict[str, str]], secret: str) -> Callable:
    def signed(payload: Any) -> Body:
        body = body_of(payload) if not isinstance(payload, bytes) else payload
        return body, {**JSON, **sign(body, secret)}

    return signed


def _id() -> str:
    return str(next(_numbers))


# Messenger.

_FB_SECRET = CHANNEL_SECRETS["FACEBOOK_APP_SECRET"]


def _fb_sign(body: bytes, secret: str) -> Dict[str, str]:
    return {"X-Hub-Signature-256": meta_signature(secret, body)}


def _fb_wrong_types(psid: str) -> Dict[str, Body]:
    signed = _signed_json(_fb_sign, _FB_SECRET)

    def changed(change: Callable[[Dict[str, Any]], None]) -> Body:
        payload = messenger_text(psid, "how long do results last?")
        change(payload["entry"][0]["messaging"][0])
        return signed(payload)

    return {
        "entry is a string": signed({"object": "page", "entry": "x"}),
        "entry holds a string": signed({"object": "page", "entry": ["x"]}),
        "messaging is an object": signed(
            {"object": "page", "entry": [{"id": "1", "messaging": {"a": 1}}]}
        ),
        "text is a number": changed(lambda e: e["message"].update(text=12)),
        "text is an object": changed(lambda e: e["message"].update(text={"a": "b"})),
        "sender id is an object": changed(lambda e: e.update(sender={"id": {"x": 1}})),
        "no sender": changed(lambda e: e.pop("sender")),
        "quick reply is a string": changed(lambda e: e["message"].update(quick_reply="x")),
    }


FACEBOOK = Platform(
    name="facebook",
    secret=_FB_SECRET,
    new_id=lambda: f"fb{_id()}",
    text=lambda psid, text: _signed_json(_fb_sign, _FB_SECRET)(messenger_text(psid, text)),
    press=lambda psid, payload: _signed_json(_fb_sign, _FB_SECRET)(
        messenger_quick_reply(psid, "Scar types", payload)
    ),
    sign=_fb_sign,
    is_reply_to=lambda psid: (
        lambda r: r.path.endswith("/me/messages") and r.json()["recipient"]["id"] == psid
    ),
    reply_text=lambda r: str(r.json()["message"]["text"]),
    stored_as=lambda psid: f"facebook:{psid}",
    wrong_types=_fb_wrong_types,
)


# Slack: the visitor "U<id>" writes in the direct message channel "D<id>".

_SLACK_SECRET = CHANNEL_SECRETS["SLACK_SIGNING_SECRET"]


def _slack_sign(body: bytes, secret: str) -> Dict[str, str]:
    try:
        return slack_headers(secret, body)
    except UnicodeDecodeError:  # slack_sdk signs text only; Slack's scheme, on the bytes
        stamp = str(int(time.time()))
        signed = b"v0:" + stamp.encode() + b":" + body
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def _slack_wrong_types(number: str) -> Dict[str, Body]:
    signed = _signed_json(_slack_sign, _SLACK_SECRET)

    def changed(change: Callable[[Dict[str, Any]], None]) -> Body:
        payload = slack_dm(f"U{number}", "how long do results last?", f"D{number}")
        change(payload["event"])
        return signed(payload)

    click = json.loads(_form(slack_block_actions(f"U{number}", f"D{number}", "A", "x"))["payload"])
    bad_click = urlencode({"payload": json.dumps({**click, "actions": "not a list"})}).encode()
    not_json = urlencode({"payload": "{not json"}).encode()
    return {
        "event is a string": signed({"type": "event_callback", "event": "x"}),
        "text is a number": changed(lambda e: e.update(text=12)),
        "user is an object": changed(lambda e: e.update(user={"id": f"U{number}"})),
        "no channel": changed(lambda e: e.pop("channel")),
        "thread_ts is a number": changed(lambda e: e.update(thread_ts=12)),
        "a click whose actions are a string": (
            bad_click,
            {**FORM, **_slack_sign(bad_click, _SLACK_SECRET)},
        ),
        "a click whose payload is not JSON": (
            not_json,
            {**FORM, **_slack_sign(not_json, _SLACK_SECRET)},
        ),
    }


def _form(body: bytes) -> Dict[str, str]:
    """A form body's parameters, blank ones included (as the channel reads them)."""
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def _slack_press(number: str, payload: str) -> Body:
    body = slack_block_actions(f"U{number}", f"D{number}", "Scar types", payload)
    return body, {**FORM, **_slack_sign(body, _SLACK_SECRET)}


SLACK = Platform(
    name="slack",
    secret=_SLACK_SECRET,
    new_id=_id,
    text=lambda number, text: _signed_json(_slack_sign, _SLACK_SECRET)(
        slack_dm(f"U{number}", text, f"D{number}")
    ),
    press=_slack_press,
    sign=_slack_sign,
    is_reply_to=lambda number: (
        lambda r: r.path.endswith("/chat.postMessage") and r.json()["channel"] == f"D{number}"
    ),
    reply_text=lambda r: str(r.json()["text"]),
    stored_as=lambda number: f"slack:U{number}",
    wrong_types=_slack_wrong_types,
)


# Telegram.

_TELEGRAM_SECRET = CHANNEL_SECRETS["TELEGRAM_SECRET_TOKEN"]


def _telegram_sign(body: bytes, secret: str) -> Dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": secret}


def _telegram_wrong_types(chat: str) -> Dict[str, Body]:
    signed = _signed_json(_telegram_sign, _TELEGRAM_SECRET)

    def changed(change: Callable[[Dict[str, Any]], None]) -> Body:
        update = telegram_message(int(chat), "how long do results last?")
        change(update["message"])
        return signed(update)

    return {
        "message is a string": signed({"update_id": 1, "message": "hi"}),
        "text is a number": changed(lambda m: m.update(text=12)),
        "text is a list": changed(lambda m: m.update(text=["hi"])),
        "chat is a list": changed(lambda m: m.update(chat=[int(chat)])),
        "chat without id": changed(lambda m: m.update(chat={"type": "private"})),
        "chat id is an object": changed(lambda m: m.update(chat={"id": {"x": 1}})),
        "from is a string": changed(lambda m: m.update({"from": "ana"})),
    }


TELEGRAM = Platform(
    name="telegram",
    secret=_TELEGRAM_SECRET,
    new_id=_id,
    text=lambda chat, text: _signed_json(_telegram_sign, _TELEGRAM_SECRET)(
        telegram_message(int(chat), text)
    ),
    press=lambda chat, payload: _signed_json(_telegram_sign, _TELEGRAM_SECRET)(
        telegram_callback_query(int(chat), payload)
    ),
    sign=_telegram_sign,
    is_reply_to=lambda chat: (
        lambda r: r.path == TELEGRAM_SEND and r.json()["chat_id"] == int(chat)
    ),
    reply_text=lambda r: str(r.json()["text"]),
    stored_as=lambda chat: f"telegram:{chat}",
    wrong_types=_telegram_wrong_types,
)


# Twilio (SMS): a form, signed over the public URL and the parameters.

_TWILIO_TOKEN = CHANNEL_SECRETS["TWILIO_AUTH_TOKEN"]


def _twilio_sign(body: bytes, secret: str) -> Dict[str, str]:
    try:
        params = _form(body)
    except UnicodeDecodeError:
        params = {}  # not a form: signed as one without parameters
    return {"X-Twilio-Signature": twilio_signature(secret, TWILIO_URL, params)}


def _twilio_request(params: Dict[str, str]) -> Body:
    body = urlencode(params).encode()
    return body, {**FORM, **_twilio_sign(body, _TWILIO_TOKEN)}


def _twilio_wrong_types(number: str) -> Dict[str, Body]:
    form = twilio_form(number, CLINIC_NUMBER, "how long do results last?")
    without_from = {k: v for k, v in form.items() if k != "From"}
    json_body = body_of(form)
    return {
        "no From": _twilio_request(without_from),
        "no To": _twilio_request({k: v for k, v in form.items() if k != "To"}),
        "From with spaces": _twilio_request({**form, "From": "+1 555 0100"}),
        "a JSON body": (json_body, {**FORM, **_twilio_sign(json_body, _TWILIO_TOKEN)}),
    }


TWILIO = Platform(
    name="twilio",
    secret=_TWILIO_TOKEN,
    new_id=lambda: f"+1555{_id()}",
    text=lambda number, text: _twilio_request(twilio_form(number, CLINIC_NUMBER, text)),
    press=None,  # SMS has no buttons
    sign=_twilio_sign,
    is_reply_to=lambda number: (
        lambda r: r.path.endswith("/Messages.json") and r.form().get("To") == number
    ),
    reply_text=lambda r: r.form()["Body"],
    stored_as=lambda number: f"twilio:{number}",
    wrong_types=_twilio_wrong_types,
)


# WhatsApp Cloud API.

_WA_SECRET = CHANNEL_SECRETS["WHATSAPP_APP_SECRET"]


def _wa_reply_text(r: Recorded) -> str:
    message = r.json()
    if message["type"] == "text":
        return str(message["text"]["body"])
    return str(message["interactive"]["body"]["text"])


def _wa_wrong_types(wa_id: str) -> Dict[str, Body]:
    signed = _signed_json(_fb_sign, _WA_SECRET)

    def changed(change: Callable[[Dict[str, Any]], None]) -> Body:
        payload = whatsapp_text(WA_NUMBER_ID, wa_id, "how long do results last?")
        change(payload["entry"][0]["changes"][0]["value"]["messages"][0])
        return signed(payload)

    return {
        "entry is a string": signed({"object": "whatsapp_business_account", "entry": "x"}),
        "changes is an object": signed(
            {"object": "whatsapp_business_account", "entry": [{"changes": {"a": 1}}]}
        ),
        "text is a string": changed(lambda m: m.update(text="hi")),
        "body is a number": changed(lambda m: m.update(text={"body": 12})),
        "no from": changed(lambda m: m.pop("from")),
        "from is a list": changed(lambda m: m.update({"from": [wa_id]})),
        "interactive is a list": changed(lambda m: m.update(type="interactive", interactive=[1])),
    }


WHATSAPP = Platform(
    name="whatsapp",
    secret=_WA_SECRET,
    new_id=lambda: f"1650{_id()}",
    text=lambda wa_id, text: _signed_json(_fb_sign, _WA_SECRET)(
        whatsapp_text(WA_NUMBER_ID, wa_id, text)
    ),
    press=lambda wa_id, payload: _signed_json(_fb_sign, _WA_SECRET)(
        whatsapp_button_reply(WA_NUMBER_ID, wa_id, payload, "Scar types")
    ),
    sign=_fb_sign,
    is_reply_to=lambda wa_id: (
        lambda r: r.path == f"/{WA_NUMBER_ID}/messages" and r.json()["to"] == wa_id
    ),
    reply_text=_wa_reply_text,
    stored_as=lambda wa_id: f"whatsapp:{wa_id}",
    wrong_types=_wa_wrong_types,
)

PLATFORMS = [FACEBOOK, SLACK, TELEGRAM, TWILIO, WHATSAPP]


# The website.


def web_conversation(session_key: str) -> str:
    """The sender id of the conversation of a widget's session key (``<id>.<signature>``):
    ``socketio:<id>`` (channels/web_sessions.py)."""
    session, dot, _ = session_key.partition(".")
    assert dot, f"not a session key the server issued: {session_key!r}"
    return f"socketio:{session}"


class Visitor:
    """A socket.io client of the website's channel that can send anything."""

    def __init__(self, servers: Servers, forwarded_for: Optional[str] = None) -> None:
        """``forwarded_for``: the address a proxy in front of the server would say the
        visitor comes from (``X-Forwarded-For``, heeded by a server behind a proxy)."""
        self.servers = servers
        self.headers = {"Origin": f"http://localhost:{servers.web_port}"}
        if forwarded_for is not None:
            self.headers["X-Forwarded-For"] = forwarded_for
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self.received.put_nowait)
        self.client.on("session_confirm", self.confirmed.put_nowait)

    async def __aenter__(self) -> Visitor:
        await self.client.connect(
            self.servers.rasa_url, headers=self.headers, transports=["polling"]
        )
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.client.disconnect()

    async def session(self, session_id: Any) -> str:
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), ANSWER_SECONDS)

    async def answer(self, data: Any, timeout: float = ANSWER_SECONDS) -> Optional[Dict[str, Any]]:
        """Emit ``user_uttered`` with ``data``; the first bot message, or None."""
        await self.client.emit("user_uttered", data)
        try:
            return await asyncio.wait_for(self.received.get(), timeout)
        except asyncio.TimeoutError:
            return None
