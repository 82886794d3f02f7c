"""What every channel shares: off when unconfigured, signatures, errors, replies, settings."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import socket
import time
import uuid
from types import SimpleNamespace
from typing import Any, List, Sequence

import pytest
import yaml
from rasa.core.channels.channel import UserMessage, register
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.run import create_http_input_channels
from rasa.shared.core.events import BotUttered, UserUttered
from redis import Redis
from sanic import Sanic

from channels import settings
from channels.buttons import Button
from channels.facebook import MessengerInput
from channels.limits import FAILURE_RESPONSE, guarded, response_text
from channels.payload import (
    BadPayloadError,
    MissingSignatureError,
    WrongSignatureError,
    check_signature,
    json_body,
)
from channels.platform_api import PlatformAPI
from channels.slack import SlackInput
from channels.telegram import TelegramInput
from channels.twilio import TwilioInput
from channels.webhook import WebhookInput, WebhookOutput, split_text
from channels.whatsapp import WhatsAppInput
from stores.sender_tag import sender_tag
from stores.tracker import StoreUnavailable
from tests.support.channel_clients import FACEBOOK, PLATFORMS, SLACK, TELEGRAM, Platform
from tests.support.channel_requests import (
    Rasa,
    RecordingAPI,
    agent_with,
    make_request,
    path_of,
    post,
    server_with,
    stop,
    webhook_of,
    with_recording_api,
)
from tests.support.platform_payloads import (
    body_of,
    messenger_batch,
    messenger_text,
    meta_signature,
    telegram_message,
)
from tests.support.project import ROOT
from tests.support.shared_stores import REDIS

CHANNEL_CLASSES = [MessengerInput, SlackInput, TelegramInput, TwilioInput, WhatsAppInput]
ALL_VARIABLES = [v for cls in CHANNEL_CLASSES for v in {**cls.required, **cls.optional}.values()]


# Off when unconfigured.


@pytest.mark.parametrize("channel_class", CHANNEL_CLASSES)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unconfigured_channel_answers_404_and_passes_nothing_on(
    channel_class: Any, method: str
) -> None:
    channel = channel_class.from_credentials({key: "" for key in channel_class.required})
    rasa = Rasa()
    request = make_request(method, "/webhooks/x/webhook", body_of(telegram_message(1, "hi")))

    answer = await channel.handle(request, rasa)

    assert answer.status == 404
    assert "not configured" in json.loads(answer.body or b"{}")["error"]
    assert channel.pending == set() and rasa.messages == []


def test_one_missing_setting_keeps_a_channel_off() -> None:
    channel = MessengerInput({"verify_token": "v", "app_secret": "s", "page_access_token": " "})

    assert not channel.enabled
    assert channel.missing == ["FACEBOOK_PAGE_ACCESS_TOKEN"]


def test_every_channel_logs_whether_it_is_on(caplog: pytest.LogCaptureFixture) -> None:
    on = TelegramInput({"bot_token": "1:abc", "secret_token": "s"})
    off = SlackInput({})

    with caplog.at_level(logging.INFO, logger="channels.webhook"):
        on.blueprint(Rasa())
        off.blueprint(Rasa())

    assert "Channel telegram: on (/webhooks/telegram/webhook)" in caplog.messages
    assert (
        "Channel slack: off (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET empty; its webhook answers 404)"
        in caplog.messages
    )
    assert "1:abc" not in caplog.text


def load_credentials(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> List[Any]:
    for variable in [*ALL_VARIABLES, "SOCKETIO_CORS_ORIGINS", "RASA_API_TOKEN"]:
        monkeypatch.setenv(variable, values.get(variable, ""))
    return list(create_http_input_channels(None, str(ROOT / "credentials.yml")))


def test_with_every_variable_empty_the_server_still_starts_with_every_channel_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channels = load_credentials(monkeypatch, {"SOCKETIO_CORS_ORIGINS": "http://localhost:8080"})
    app = Sanic("credentials_all_off")

    register(channels, app, route="/webhooks/")

    ours = [c for c in channels if isinstance(c, WebhookInput)]
    assert sorted(c.name() for c in ours) == [
        "facebook",
        "slack",
        "telegram",
        "twilio",
        "whatsapp",
    ]
    assert not any(c.enabled for c in ours)
    paths = {route.path for route in app.router.routes}
    assert {f"webhooks/{c.name()}/webhook" for c in ours} <= paths


def test_credentials_yml_passes_each_variable_to_its_channel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = {variable: f"value-of-{variable}" for variable in ALL_VARIABLES}
    values["TWILIO_WEBHOOK_URL"] = "https://clinic.example/webhooks/twilio/webhook"
    values["SOCKETIO_CORS_ORIGINS"] = "http://localhost:8080"

    channels = load_credentials(monkeypatch, values)

    ours = [c for c in channels if isinstance(c, WebhookInput)]
    assert all(c.enabled for c in ours)
    for channel in ours:
        for key, variable in {**channel.required, **channel.optional}.items():
            assert channel.settings[key] == values[variable]


def test_credentials_yml_takes_every_setting_from_its_environment_variable() -> None:
    raw = yaml.load((ROOT / "credentials.yml").read_text(encoding="utf-8"), yaml.BaseLoader)

    for channel_class in CHANNEL_CLASSES:
        entry = raw[f"{channel_class.__module__}.{channel_class.__name__}"]
        expected = {**channel_class.required, **channel_class.optional}
        assert entry == {key: "${" + variable + "}" for key, variable in expected.items()}


# Signatures.


def test_a_signature_is_compared_with_every_expected_value() -> None:
    check_signature("b", ["a", "b"], "X-Signature")


def test_a_missing_or_blank_signature_is_401() -> None:
    for given in (None, "", "  "):
        with pytest.raises(MissingSignatureError) as refused:
            check_signature(given, "a", "X-Signature")
        assert refused.value.status == 401


def test_a_wrong_signature_is_403() -> None:
    with pytest.raises(WrongSignatureError) as refused:
        check_signature("a", "b", "X-Signature")
    assert refused.value.status == 403


# Payloads and errors.


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_bad_payload(body: bytes) -> None:
    with pytest.raises(BadPayloadError):
        json_body(body)


def whatsapp_channel() -> WhatsAppInput:
    return WhatsAppInput(
        {"verify_token": "v", "app_secret": "s", "access_token": "t", "phone_number_id": "1"}
    )


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"object": "whatsapp_business_account", "entry": 3}', b'{"entry": [1]}'],
)
async def test_a_bad_payload_gets_400_not_a_stack_trace(body: bytes) -> None:
    channel, rasa = whatsapp_channel(), Rasa()
    body = body.replace(
        b'{"entry": [1]}', b'{"object": "whatsapp_business_account", "entry": [1]}'
    )

    answer = await post(channel, body, {"X-Hub-Signature-256": meta_signature("s", body)}, rasa)

    assert answer.status == 400
    assert "error" in json.loads(answer.body or b"{}")
    assert rasa.messages == []


async def test_the_signature_is_checked_before_the_payload_is_read() -> None:
    answer = await post(
        whatsapp_channel(), b"{not json", {"X-Hub-Signature-256": "sha256=0"}, Rasa()
    )

    assert answer.status == 403


async def test_an_error_in_the_assistant_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = TelegramInput({"bot_token": "1:abc", "secret_token": "s"})
    with_recording_api(channel)
    rasa = Rasa(fail=True)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s"}

    answer = await post(channel, body_of(telegram_message(7, "my secret question")), headers, rasa)

    assert answer.status == 200
    assert rasa.texts == ["my secret question"]
    assert "could not be handled: RuntimeError" in caplog.text
    assert "my secret question" not in caplog.text


async def test_a_message_that_fails_is_logged_by_its_senders_tag_not_the_errors_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = TelegramInput({"bot_token": "1:abc", "secret_token": "s"})
    with_recording_api(channel)

    class Broken(Rasa):
        async def __call__(self, message: UserMessage) -> None:
            raise KeyError(f"{message.sender_id} said {message.text}")

    headers = {"X-Telegram-Bot-Api-Secret-Token": "s"}
    body = body_of(telegram_message(5550177, "my secret question"))
    with caplog.at_level(logging.INFO, logger="channels.webhook"):
        await post(channel, body, headers, Broken())

    assert "5550177" not in caplog.text and "my secret question" not in caplog.text

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "ERROR",
            f"telegram: a message from sender {sender_tag('telegram:5550177')} could not be "
            "handled: KeyError",
        )
    ]


async def test_a_reply_that_picks_an_offered_button_reaches_rasa_as_its_payload() -> None:
    channel = TelegramInput({"bot_token": "1:abc", "secret_token": "s"})
    offer = [{"title": "Scar types", "payload": "What types of acne scars are there?"}]
    agent = await agent_with(
        "telegram:7", [UserUttered("hi"), BotUttered("Hello", data={"buttons": offer})]
    )
    rasa = Rasa()
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s"}

    await post(channel, body_of(telegram_message(7, "1")), headers, rasa, agent)
    await post(channel, body_of(telegram_message(8, "1")), headers, rasa, agent)

    assert rasa.texts == ["What types of acne scars are there?", "1"]
    assert [m.sender_id for m in rasa.messages] == ["telegram:7", "telegram:8"]
    assert {m.input_channel for m in rasa.messages} == {"telegram"}


# Replies.


class ListOnly(WebhookOutput):
    """A platform without buttons that takes 40 characters a message."""

    max_text_length = 40

    def __init__(self) -> None:
        super().__init__(PlatformAPI("test", "https://platform.invalid"))
        self.sent: List[tuple[str, Sequence[Button]]] = []

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button]) -> None:
        self.sent.append((text, buttons))


async def test_buttons_a_platform_cannot_show_become_a_numbered_list() -> None:
    output = ListOnly()

    await output.send_text_with_buttons(
        "r",
        "Pick one.",
        [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
    )

    assert output.sent == [
        ("Pick one.", ()),
        ("1. Yes\n2. No\nReply with a number.", ()),
    ]


def test_a_long_text_is_cut_at_paragraphs_lines_then_words() -> None:
    assert split_text("aaaa\n\nbbbb", 6) == ["aaaa", "bbbb"]
    assert split_text("aaa bbb\nccc", 8) == ["aaa bbb", "ccc"]
    assert split_text("aaa bbb ccc", 8) == ["aaa bbb", "ccc"]
    assert split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert split_text("  short  ", 100) == ["short"]


async def test_a_platform_api_that_cannot_be_reached_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = PlatformAPI("test", f"http://127.0.0.1:{port}", secrets=["tok-123"], timeout=5)

    try:
        answer = await api.post("/bottok-123/sendMessage", json={"text": "x"})
    finally:
        await api.close()

    assert answer is None
    assert "test API: /bot***/sendMessage failed" in caplog.text
    assert "tok-123" not in caplog.text


def test_the_api_base_urls_come_from_the_environment_with_the_real_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable, _ in settings.API_URLS.values():
        monkeypatch.delenv(variable, raising=False)
    assert settings.api_url("facebook") == "https://graph.facebook.com/v19.0"
    assert settings.api_url("slack") == "https://slack.com/api"
    assert settings.api_url("telegram") == "https://api.telegram.org"
    assert settings.api_url("twilio") == "https://api.twilio.com"
    assert settings.api_url("whatsapp") == "https://graph.facebook.com/v19.0"

    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/")
    assert settings.api_url("slack") == "http://127.0.0.1:9999"


# A database outage (issue 16, finding 2).


class UnreachableTrackerStore:
    """A tracker store whose database stays away: after its wait, StoreUnavailable."""

    def __init__(self) -> None:
        self.asked: List[str] = []

    async def retrieve(self, sender_id: str) -> Any:
        self.asked.append(sender_id)
        raise StoreUnavailable("the conversation database cannot be reached")


async def test_in_a_database_outage_every_message_of_a_batch_gets_the_try_again_reply() -> None:
    channel = webhook_of(FACEBOOK)
    api = channel.api
    assert isinstance(api, RecordingAPI)
    store = UnreachableTrackerStore()
    agent = SimpleNamespace(tracker_store=store, lock_store=InMemoryLockStore())
    rasa = Rasa()
    batch = messenger_batch(
        messenger_text("fb-outage-a", "does it hurt?"),
        messenger_text("fb-outage-b", "how long do results last?"),
        messenger_text("fb-outage-a", "is it safe?"),
    )
    body, headers = FACEBOOK.signed(batch)

    answer = await post(channel, body, headers, rasa, agent, path=path_of(FACEBOOK))

    assert answer.status == 200
    assert rasa.messages == []  # Rasa would only wait for the database again
    assert store.asked == ["facebook:fb-outage-a", "facebook:fb-outage-b", "facebook:fb-outage-a"]
    replies = [(p["json"]["recipient"]["id"], p["json"]["message"]["text"]) for p in api.posted]
    assert replies == [
        ("fb-outage-a", response_text(FAILURE_RESPONSE)),
        ("fb-outage-b", response_text(FAILURE_RESPONSE)),
        ("fb-outage-a", response_text(FAILURE_RESPONSE)),
    ]
    assert "try again in a moment" in replies[0][1]


async def test_in_a_database_outage_a_telegram_update_gets_the_try_again_reply(
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = webhook_of(TELEGRAM)
    api = channel.api
    assert isinstance(api, RecordingAPI)
    agent = SimpleNamespace(tracker_store=UnreachableTrackerStore(), lock_store=None)
    body, headers = TELEGRAM.text("4242", "my secret question")

    answer = await post(channel, body, headers, Rasa(), agent, path=path_of(TELEGRAM))

    assert answer.status == 200
    assert [(p["json"]["chat_id"], p["json"]["text"]) for p in api.posted] == [
        (4242, response_text(FAILURE_RESPONSE))
    ]
    # The conversation by its tag, never its id or the words (stores/sender_tag.py).
    assert sender_tag("telegram:4242") in caplog.text and "StoreUnavailable" in caplog.text
    assert "4242" not in caplog.text.replace(sender_tag("telegram:4242"), "")
    assert "my secret question" not in caplog.text


# Deliveries received twice (issue 16, finding 7).


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
async def test_a_second_delivery_of_a_message_is_acknowledged_and_not_handled_again(
    platform: Platform,
) -> None:
    channel, rasa = webhook_of(platform), Rasa()
    body, headers = platform.text(platform.new_id(), "how long do results last?")

    first = await post(channel, body, headers, rasa, path=path_of(platform))
    again = await post(channel, body, headers, rasa, path=path_of(platform))

    assert (first.status, again.status) == (200, 200)
    assert again.body == first.body  # the platform's usual acknowledgement
    assert rasa.texts == ["how long do results last?"]


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
async def test_a_redelivery_of_a_message_whose_handling_failed_is_handled(
    platform: Platform,
) -> None:
    channel, broken, rasa = webhook_of(platform), Rasa(fail=True), Rasa()
    body, headers = platform.text(platform.new_id(), "how long do results last?")

    await post(channel, body, headers, broken, path=path_of(platform))
    await post(channel, body, headers, rasa, path=path_of(platform))
    await post(channel, body, headers, rasa, path=path_of(platform))

    assert broken.texts == ["how long do results last?"]
    assert rasa.texts == ["how long do results last?"]


async def test_a_message_the_assistant_failed_on_is_handled_when_it_comes_again() -> None:
    """The visitor was told to try again (channels/limits.py): the platform's redelivery
    is handled, not taken for a duplicate."""
    channel, broken, rasa = webhook_of(TELEGRAM), Rasa(fail=True), Rasa()
    api = channel.api
    assert isinstance(api, RecordingAPI)
    body, headers = TELEGRAM.text("4343", "does it hurt?")

    await post(channel, body, headers, guarded(broken), path=path_of(TELEGRAM))
    await post(channel, body, headers, guarded(rasa), path=path_of(TELEGRAM))

    assert [p["json"]["text"] for p in api.posted] == [response_text(FAILURE_RESPONSE)]
    assert rasa.texts == ["does it hurt?"]


class Slow(Rasa):
    """Rasa taking its time: each message is handled once ``go`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.go = asyncio.Event()
        self.finished: List[str] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        await self.go.wait()
        self.finished.append(message.text or "")


async def test_a_duplicate_of_a_message_still_being_handled_is_not_handled_again() -> None:
    channel, rasa = webhook_of(TELEGRAM), Slow()
    body, headers = TELEGRAM.text("4444", "does it hurt?")
    request = functools.partial(make_request, "POST", path_of(TELEGRAM), body, headers)

    first = await channel.handle(request(), rasa)
    await asyncio.sleep(0.05)
    again = await channel.handle(request(), rasa)
    rasa.go.set()
    await asyncio.gather(*channel.pending)

    assert (first.status, again.status) == (200, 200)
    assert rasa.finished == ["does it hurt?"]


async def test_each_event_of_a_batch_is_recognised_on_its_own() -> None:
    """Meta may deliver an event again in another batch: only the new ones are handled."""
    channel, rasa = webhook_of(FACEBOOK), Rasa()
    old = messenger_text("fb-batch", "does it hurt?")
    new = messenger_text("fb-batch", "is it safe?")

    await post(channel, *FACEBOOK.signed(old), rasa, path=path_of(FACEBOOK))
    await post(channel, *FACEBOOK.signed(messenger_batch(old, new)), rasa, path=path_of(FACEBOOK))

    assert rasa.texts == ["does it hurt?", "is it safe?"]


@pytest.mark.redis
async def test_with_redis_two_servers_share_the_deliveries_they_received(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = f"test{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("REDIS_URL", REDIS)
    monkeypatch.setenv("LOCK_STORE_PREFIX", prefix)
    one, other = webhook_of(SLACK), webhook_of(SLACK)
    rasa_one, rasa_other = Rasa(), Rasa()
    servers = [server_with(one, rasa_one), server_with(other, rasa_other)]
    body, headers = SLACK.text(SLACK.new_id(), "does it hurt?")
    retry = {**headers, "X-Slack-Retry-Num": "1"}

    try:
        await post(one, body, headers, rasa_one, path=path_of(SLACK))
        await post(other, body, retry, rasa_other, path=path_of(SLACK))
        keys = Redis.from_url(REDIS).keys(f"{prefix}:*")
    finally:
        for app in servers:
            await stop(app)
        client = Redis.from_url(REDIS)
        for key in client.keys(f"{prefix}:*"):
            client.delete(key)

    assert rasa_one.texts == ["does it hurt?"]
    assert rasa_other.messages == []
    assert [key.decode() for key in keys] == [
        f"{prefix}:delivery:slack:{json.loads(body)['event_id']}"
    ]


# The server's stop (issue 16, finding 7).


async def test_messages_still_being_handled_are_finished_before_the_server_stops() -> None:
    channel, rasa = webhook_of(TELEGRAM), Slow()
    app = server_with(channel, rasa)
    body, headers = TELEGRAM.text("4545", "does it hurt?")

    await channel.handle(make_request("POST", path_of(TELEGRAM), body, headers), rasa)
    asyncio.get_running_loop().call_later(0.3, rasa.go.set)
    await stop(app)

    assert rasa.finished == ["does it hurt?"]
    assert channel.pending == set()


async def test_a_message_not_finished_in_time_is_stopped_and_its_delivery_forgotten(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CHANNEL_STOP_SECONDS", "0.2")
    channel, stuck = webhook_of(TELEGRAM), Slow()
    app = server_with(channel, stuck)
    update = telegram_message(4646, "does it hurt?")
    body, headers = TELEGRAM.signed(update)

    await channel.handle(make_request("POST", path_of(TELEGRAM), body, headers), stuck)
    started = time.monotonic()
    await stop(app)

    assert time.monotonic() - started < 2
    assert channel.pending == set() and stuck.finished == []
    # Not handled: its id is released, so the platform's redelivery (to this server once
    # it is back, or to another) is handled.
    assert await channel.deliveries.claim(str(update["update_id"]))
    assert "1 webhook request(s) still being handled after 0.2 s; stopped" in caplog.text
