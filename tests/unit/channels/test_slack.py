"""Slack: the v0 signature with its 5-minute window, events, button clicks, replies."""

from __future__ import annotations

import json
import time
from typing import Any, Dict
from urllib.parse import parse_qs

import pytest
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.buttons import Button
from channels.payload import MissingSignatureError, WrongSignatureError
from channels.slack import (
    SlackInput,
    SlackOutput,
    check_slack_signature,
    parse_event,
    parse_interaction,
)
from tests.support.channel_requests import Rasa, RecordingAPI, post, with_recording_api
from tests.support.platform_payloads import (
    body_of,
    slack_block_actions,
    slack_dm,
    slack_event,
    slack_headers,
    slack_mention,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def channel() -> SlackInput:
    return SlackInput({"bot_token": "xoxb-1", "signing_secret": SECRET})


def check(body: bytes, headers: Dict[str, str], now: float | None = None) -> None:
    check_slack_signature(
        SECRET,
        body,
        headers.get("X-Slack-Request-Timestamp"),
        headers.get("X-Slack-Signature"),
        now,
    )


def test_slacks_own_signature_is_accepted() -> None:
    body = body_of(slack_dm("U1", "hi", "D1"))

    check(body, slack_headers(SECRET, body))


def test_a_signature_with_another_secret_is_refused() -> None:
    body = body_of(slack_dm("U1", "hi", "D1"))

    with pytest.raises(WrongSignatureError):
        check(body, slack_headers("guessed-secret", body))


@pytest.mark.parametrize("missing", ["X-Slack-Signature", "X-Slack-Request-Timestamp"])
def test_a_missing_signature_or_timestamp_is_refused(missing: str) -> None:
    body = body_of(slack_dm("U1", "hi", "D1"))
    headers = slack_headers(SECRET, body)
    del headers[missing]

    with pytest.raises(MissingSignatureError):
        check(body, headers)


@pytest.mark.parametrize("seconds", [-301, 301, -3600])
def test_a_timestamp_more_than_5_minutes_away_is_a_replay(seconds: int) -> None:
    body = body_of(slack_dm("U1", "hi", "D1"))
    sent = int(time.time()) + seconds

    with pytest.raises(WrongSignatureError, match="5 minutes"):
        check(body, slack_headers(SECRET, body, timestamp=sent))


def test_a_timestamp_within_5_minutes_is_accepted() -> None:
    body = body_of(slack_dm("U1", "hi", "D1"))
    sent = int(time.time()) - 290

    check(body, slack_headers(SECRET, body, timestamp=sent))


def test_a_direct_message_is_read_with_its_channel_and_thread() -> None:
    [message] = parse_event(slack_dm("U061F7AUR", "How long?", "D024BE91L", "1.5"), RecordingAPI())

    assert (message.sender_id, message.text, message.is_payload) == (
        "U061F7AUR",
        "How long?",
        False,
    )
    assert isinstance(message.output, SlackOutput)
    assert (message.output.channel, message.output.thread_ts) == ("D024BE91L", "1.5")


def test_a_mention_is_read_without_the_mention() -> None:
    [message] = parse_event(slack_mention("U1", "does it hurt?", "C1"), RecordingAPI())

    assert message.text == "does it hurt?"
    assert isinstance(message.output, SlackOutput)
    assert (message.output.channel, message.output.thread_ts) == ("C1", None)


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "channel": "D1", "bot_id": "B1", "text": "Hi", "channel_type": "im"},
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "D1",
            "user": "U1",
            "text": "edited",
            "channel_type": "im",
        },
        {
            "type": "message",
            "channel": "C1",
            "user": "U1",
            "text": "hi",
            "channel_type": "channel",
        },
        {"type": "reaction_added", "user": "U1", "reaction": "thumbsup"},
    ],
    ids=["bot", "subtype", "channel message", "other event"],
)
def test_bots_edits_and_other_events_are_ignored(event: Dict[str, Any]) -> None:
    assert parse_event(slack_event(event), RecordingAPI()) == []


def test_a_mention_alone_is_passed_on_blank_to_get_the_empty_message_answer() -> None:
    event = {"type": "app_mention", "user": "U1", "text": "<@U0BOTUSER>", "channel": "C1"}

    [message] = parse_event(slack_event(event), RecordingAPI())

    assert (message.sender_id, message.text) == ("U1", "")


def test_a_button_click_sends_the_buttons_value() -> None:
    form = parse_qs(
        slack_block_actions("U1", "D1", "Scar types", "What types?", thread_ts="2.5").decode()
    )

    [message] = parse_interaction(form, RecordingAPI())

    assert (message.sender_id, message.text, message.is_payload) == ("U1", "What types?", True)
    assert isinstance(message.output, SlackOutput)
    assert (message.output.channel, message.output.thread_ts) == ("D1", "2.5")


async def test_the_url_check_is_answered_after_the_signature() -> None:
    body = body_of(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    rasa = Rasa()

    answer = await post(channel(), body, {**slack_headers(SECRET, body), **JSON}, rasa)
    forged = await post(channel(), body, {**slack_headers("guess", body), **JSON}, rasa)

    assert answer.status == 200
    assert json.loads(answer.body or b"{}") == {
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    }
    assert forged.status == 403


def retry(body: bytes, number: int) -> Dict[str, str]:
    """The headers of Slack's ``number``-th retry of ``body`` (signed anew, as Slack does)."""
    return {**slack_headers(SECRET, body), "X-Slack-Retry-Num": str(number), **JSON}


async def test_a_retry_of_a_handled_event_is_acknowledged_and_not_handled_again() -> None:
    hook, rasa = channel(), Rasa()
    with_recording_api(hook)
    body = body_of(slack_dm("U1", "hi", "D1"))

    first = await post(hook, body, {**slack_headers(SECRET, body), **JSON}, rasa)
    retried = await post(hook, body, retry(body, 1), rasa)

    assert (first.status, retried.status) == (200, 200)
    assert rasa.texts == ["hi"]


async def test_a_retry_of_an_event_that_never_arrived_is_handled_once() -> None:
    """The first delivery got a 502 from a proxy in front of the server: Slack retries."""
    hook, rasa = channel(), Rasa()
    with_recording_api(hook)
    body = body_of(slack_dm("U1", "does it hurt?", "D1"))

    answers = [await post(hook, body, retry(body, number), rasa) for number in (1, 2)]

    assert [answer.status for answer in answers] == [200, 200]
    assert rasa.texts == ["does it hurt?"]


async def test_a_retry_after_the_first_handling_failed_is_handled_once() -> None:
    hook, broken, rasa = channel(), Rasa(fail=True), Rasa()
    with_recording_api(hook)
    body = body_of(slack_dm("U1", "does it hurt?", "D1"))

    await post(hook, body, {**slack_headers(SECRET, body), **JSON}, broken)
    await post(hook, body, retry(body, 1), rasa)
    await post(hook, body, retry(body, 2), rasa)

    assert broken.texts == ["does it hurt?"]
    assert rasa.texts == ["does it hurt?"]


async def test_a_signed_click_reaches_rasa_as_the_payload() -> None:
    hook, rasa = channel(), Rasa()
    with_recording_api(hook)
    body = slack_block_actions("U1", "D1", "Book a consultation", "/book_consultation")

    answer = await post(hook, body, {**slack_headers(SECRET, body), **FORM}, rasa)

    assert answer.status == 200
    assert [(m.sender_id, m.text, m.input_channel) for m in rasa.messages] == [
        ("slack:U1", "/book_consultation", "slack")
    ]


async def test_a_form_without_a_payload_is_a_bad_request() -> None:
    body = b"text=hello"

    answer = await post(channel(), body, {**slack_headers(SECRET, body), **FORM}, Rasa())

    assert answer.status == 400


async def test_a_reply_posts_the_text_and_the_buttons_in_the_thread() -> None:
    api = RecordingAPI()
    buttons = [Button("Scar types", "What types?"), Button("Book", "/book_consultation")]

    await SlackOutput(api, "D1", "1.5").send("U1", "Results <vary> & fade.", buttons)

    [posted] = api.posted
    assert posted["path"] == "/chat.postMessage"
    body = posted["json"]
    assert (body["channel"], body["thread_ts"]) == ("D1", "1.5")
    assert body["text"] == "Results &lt;vary&gt; &amp; fade."
    section, actions = body["blocks"]
    assert section["text"]["text"] == body["text"]
    assert [(e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("Scar types", "What types?"),
        ("Book", "/book_consultation"),
    ]


async def test_a_reply_without_a_channel_goes_to_the_users_dm_without_a_thread() -> None:
    api = RecordingAPI()

    await SlackOutput(api).send("U1", "Hello")

    assert api.posted[0]["json"] == {"channel": "U1", "text": "Hello"}


def test_the_bot_token_is_sent_as_a_bearer_token() -> None:
    assert channel().create_api().headers == {"Authorization": "Bearer xoxb-1"}


# Messages sent unasked (the live handoff's staff messages): where the visitor last wrote.


def test_where_a_message_was_written_is_kept_with_it() -> None:
    [dm] = parse_event(slack_dm("U1", "hi", "D1", "1.5"), RecordingAPI())
    [mention] = parse_event(slack_mention("U1", "hi", "C1"), RecordingAPI())
    [click] = parse_interaction(
        parse_qs(slack_block_actions("U1", "D1", "Scar types", "/ask").decode()), RecordingAPI()
    )

    assert dm.metadata == {"slack_channel": "D1", "slack_thread": "1.5"}
    assert mention.metadata == {"slack_channel": "C1"}
    assert click.metadata == {"slack_channel": "D1"}


async def test_a_message_sent_unasked_goes_where_the_visitor_last_wrote() -> None:
    hook = channel()
    api = with_recording_api(hook)
    tracker = DialogueStateTracker.from_events(
        "slack:U1",
        [
            UserUttered("hi", input_channel="slack", metadata={"slack_channel": "D1"}),
            UserUttered(
                "hi",
                input_channel="slack",
                metadata={"slack_channel": "C9", "slack_thread": "7.1"},
            ),
        ],
    )

    output = hook.output_for(tracker)
    assert output is not None
    await output.send_text_message("slack:U1", "Hello, this is Ana.")
    older = hook.output_for(DialogueStateTracker.from_events("slack:U1", [UserUttered("hi")]))
    assert older is not None
    await older.send_text_message("slack:U1", "Hello again.")

    assert [p["json"] for p in api.posted] == [
        {"channel": "C9", "text": "Hello, this is Ana.", "thread_ts": "7.1"},
        {"channel": "U1", "text": "Hello again."},  # kept before: the app's messages with them
    ]
    assert SlackInput({}).output_for(tracker) is None
