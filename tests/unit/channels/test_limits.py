"""The checks every channel makes before the assistant reads a message (channels/limits.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels import limits
from stores.sender_tag import sender_tag

#: A sender id that is a phone number, and the words of its message.
SENDER = "twilio:+15550177001"
WORDS = "my neighbour Ana said"


def test_control_characters_go_line_breaks_and_tabs_stay() -> None:
    assert limits.clean("a\x00b\x07c\td\ne\x1bf\x7f") == "abc\td\nef"
    assert limits.clean(None) == ""


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_message_is_answered_by_the_channel(text: str) -> None:
    assert limits.refusal(text) == limits.EMPTY_RESPONSE


def test_the_length_limit_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "10")
    assert limits.refusal("x" * 10) is None
    assert limits.refusal("x" * 11) == limits.TOO_LONG_RESPONSE
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "lots")
    assert limits.max_message_chars() == limits.DEFAULT_MAX_MESSAGE_CHARS


def test_without_a_server_the_built_in_wording_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "1000")
    assert "too long" in limits.response_text(limits.TOO_LONG_RESPONSE)


async def test_guarded_passes_good_messages_cleaned_and_answers_the_others() -> None:
    passed: List[str] = []

    async def on_new_message(message: UserMessage) -> Any:
        passed.append(message.text or "")

    handle = limits.guarded(on_new_message)
    output = CollectingOutputChannel()
    await handle(UserMessage("does it\x00 hurt?", output, "v1"))
    await handle(UserMessage("   ", output, "v1"))
    await handle(UserMessage("x" * 5000, output, "v1"))

    assert passed == ["does it hurt?"]
    assert [m["recipient_id"] for m in output.messages] == ["v1", "v1"]
    assert "type your question" in output.messages[0]["text"]
    assert "too long" in output.messages[1]["text"]


async def test_a_failure_to_handle_a_message_gets_an_answer_not_silence() -> None:
    async def on_new_message(message: UserMessage) -> Any:
        raise ConnectionError("database unreachable")

    output = CollectingOutputChannel()
    await limits.guarded(on_new_message)(UserMessage("does it hurt?", output, "v2"))

    assert len(output.messages) == 1
    assert "try again" in output.messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [("   ", limits.EMPTY_RESPONSE), (f"{WORDS} " * 300, limits.TOO_LONG_RESPONSE)],
    ids=["empty", "too long"],
)
async def test_a_message_not_passed_on_is_logged_by_its_senders_tag(
    caplog: pytest.LogCaptureFixture, text: str, reason: str
) -> None:
    async def on_new_message(message: UserMessage) -> Any:
        raise AssertionError("not passed on")

    message = UserMessage(text, CollectingOutputChannel(), SENDER, input_channel="twilio")
    with caplog.at_level(logging.INFO, logger="channels.limits"):
        await limits.guarded(on_new_message)(message)

    assert "5550177001" not in caplog.text and WORDS not in caplog.text

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", f"Message from sender {sender_tag(SENDER)} on twilio not passed on: {reason}")
    ]


async def test_a_message_that_could_not_be_handled_is_logged_by_its_senders_tag(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def on_new_message(message: UserMessage) -> Any:
        raise ConnectionError(f"no database for {message.sender_id}: {message.text}")

    message = UserMessage(WORDS, CollectingOutputChannel(), SENDER, input_channel="twilio")
    with caplog.at_level(logging.INFO, logger="channels.limits"):
        await limits.guarded(on_new_message)(message)

    assert "5550177001" not in caplog.text and WORDS not in caplog.text

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "ERROR",
            f"Could not handle a message from sender {sender_tag(SENDER)} on twilio: "
            "ConnectionError",
        )
    ]


async def test_a_failure_is_told_to_the_channel_and_an_answer_is_not() -> None:
    """A channel a platform redelivers to handles the redelivery of a failed message."""

    async def broken(message: UserMessage) -> Any:
        raise ConnectionError("database unreachable")

    async def working(message: UserMessage) -> Any:
        return None

    output = CollectingOutputChannel()

    assert await limits.guarded(broken)(UserMessage("hi", output, "v3")) is limits.FAILED
    assert await limits.guarded(working)(UserMessage("hi", output, "v3")) is not limits.FAILED
    assert await limits.guarded(working)(UserMessage(" ", output, "v3")) is not limits.FAILED


async def test_a_message_interrupted_is_told_to_try_again_and_its_words_are_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Its request given up (the client went away, or the server is stopping): Rasa's own
    REST handler would log the words of a CancelledError that reached it, and a
    platform that was already answered 200 never sends the message again."""
    started = asyncio.Event()

    async def slow(message: UserMessage) -> Any:
        started.set()
        await asyncio.sleep(60)

    output = CollectingOutputChannel()
    message = UserMessage(WORDS, output, SENDER, input_channel="twilio")
    with caplog.at_level(logging.INFO):

        async def handle() -> Any:
            return await limits.guarded(slow)(message)

        task: asyncio.Task[Any] = asyncio.create_task(handle())
        await started.wait()
        task.cancel()
        outcome = await task

    assert outcome is limits.FAILED
    assert [m["text"] for m in output.messages] == [limits.response_text(limits.FAILURE_RESPONSE)]
    assert WORDS not in caplog.text and "5550177001" not in caplog.text
    assert f"sender {sender_tag(SENDER)} on twilio was interrupted" in caplog.text
