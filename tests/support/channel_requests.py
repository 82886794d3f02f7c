"""Helpers of the channel unit tests: requests, a recorder of replies, an agent's stores, a
platform's channel with the test secrets, a server's stop."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Type

from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic
from sanic.compat import Header
from sanic.models.server_types import ConnInfo
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.facebook import MessengerInput
from channels.platform_api import PlatformAPI
from channels.slack import SlackInput
from channels.telegram import TelegramInput
from channels.twilio import TwilioInput
from channels.webhook import OnNewMessage, WebhookInput
from channels.whatsapp import WhatsAppInput
from tests.support.channel_clients import Platform
from tests.support.servers import CHANNEL_SECRETS

APP = Sanic("channel_unit_tests")


class _Transport:
    """What a request asks of its connection: no TLS, and the client's address if given."""

    def __init__(self, peer: Optional[str] = None) -> None:
        self.peer = peer

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "peername" and self.peer is not None:
            return (self.peer, 40000)
        return default

    def get_protocol(self) -> Any:
        return None


def make_request(
    method: str,
    path: str,
    body: bytes = b"",
    headers: Optional[Mapping[str, str]] = None,
    agent: Any = None,
    peer: Optional[str] = None,
) -> Request:
    """A Sanic request as the server would hand it to the webhook (from the client address
    ``peer``, if given)."""
    APP.ctx.agent = agent
    all_headers = {"host": "127.0.0.1:5005", **{k.lower(): v for k, v in (headers or {}).items()}}
    transport = _Transport(peer)
    request = Request(path.encode(), Header(all_headers), "1.1", method, transport, APP)
    request.body = body
    if peer is not None:
        request.conn_info = ConnInfo(transport)
    return request


class RecordingAPI(PlatformAPI):
    """A platform API that records what would be posted, and answers like the platform."""

    def __init__(self, channel: str = "test") -> None:
        super().__init__(channel, "https://platform.invalid")
        self.posted: List[Dict[str, Any]] = []

    async def post(
        self,
        path: str,
        *,
        json: Optional[Any] = None,
        data: Optional[Mapping[str, str]] = None,
        params: Optional[Mapping[str, str]] = None,
    ) -> Optional[Any]:
        self.posted.append({"path": path, "json": json, "data": data, "params": params})
        return {"ok": True}


class Rasa:
    """Stands in for Rasa's ``on_new_message``: records the messages it is given."""

    def __init__(self, fail: bool = False) -> None:
        self.messages: List[UserMessage] = []
        self.fail = fail

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.fail:
            raise RuntimeError("the assistant broke")

    @property
    def texts(self) -> List[str]:
        return [m.text or "" for m in self.messages]


async def post(
    channel: WebhookInput,
    body: bytes,
    headers: Mapping[str, str],
    rasa: OnNewMessage,
    agent: Any = None,
    path: str = "/webhooks/test/webhook",
) -> HTTPResponse:
    """POST to the channel's webhook and wait until its messages were handled."""
    answer = await channel.handle(make_request("POST", path, body, headers, agent), rasa)
    await asyncio.gather(*channel.pending)
    return answer


def with_recording_api(channel: WebhookInput) -> RecordingAPI:
    """Make ``channel`` post its replies to a recorder; the recorder."""
    api = RecordingAPI(channel.name())
    channel._api = api
    return api


async def agent_with(sender_id: str, events: Sequence[Event]) -> SimpleNamespace:
    """An agent whose tracker store holds ``events`` for ``sender_id``."""
    store = InMemoryTrackerStore(Domain.empty())
    await store.save(DialogueStateTracker.from_events(sender_id, list(events)))
    return SimpleNamespace(tracker_store=store, lock_store=InMemoryLockStore())


CHANNEL_CLASSES: Dict[str, Type[WebhookInput]] = {
    "facebook": MessengerInput,
    "slack": SlackInput,
    "telegram": TelegramInput,
    "twilio": TwilioInput,
    "whatsapp": WhatsAppInput,
}


def webhook_of(platform: Platform) -> WebhookInput:
    """The platform's channel with the test server's secrets, replying to a recorder."""
    prefix = f"{platform.name.upper()}_"
    given: Dict[str, str] = {
        key[len(prefix) :].lower(): value
        for key, value in CHANNEL_SECRETS.items()
        if key.startswith(prefix)
    }
    channel = CHANNEL_CLASSES[platform.name](given)
    assert channel.enabled
    with_recording_api(channel)
    return channel


def path_of(platform: Platform) -> str:
    """The platform's webhook path (Twilio signs the URL)."""
    return f"/webhooks/{platform.name}/webhook"


def server_with(channel: WebhookInput, on_new_message: OnNewMessage) -> Sanic:
    """A Sanic app with the channel's webhook registered, as Rasa registers it."""
    app = Sanic(f"channel_stop_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    app.signalize()
    return app


async def stop(app: Sanic) -> None:
    """What Sanic runs when the server stops (SIGTERM, Ctrl-C): its ``before_server_stop``
    listeners, then, once the connections are closed, its ``after_server_stop`` ones."""
    loop = asyncio.get_running_loop()
    await app._server_event("shutdown", "before", loop)
    await app._server_event("shutdown", "after", loop)
