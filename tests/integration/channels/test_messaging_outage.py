"""The messaging channels when the conversation database goes away, and when the server
stops while it is still handling a message.

A Rasa server of this module's own keeps its conversations in the machine's PostgreSQL (a
fresh schema) through a proxy of the test's (``tests/support/tcp_proxy.py``), which a test
takes down and brings back; its channels reply to ``platform_stub``.

- The database away: a signed Telegram update, and each event of a Messenger batch, gets
  the REST channel's "try again" answer with the emergency number (after
  ``DATABASE_WAIT_SECONDS``), and the conversation goes on when the database is back;
  Slack's retry of an event that failed then is answered.
- The server stopped (SIGTERM) while a message is being handled: the message is answered
  before the server exits. This test stops the module's server, so it comes last.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from launcher import local_servers, processes
from tests.support.channel_clients import FACEBOOK, SLACK, TELEGRAM, Platform
from tests.support.messaging import ANSWER_SECONDS, RESULTS_ANSWER, RESULTS_QUESTION, sent
from tests.support.platform_payloads import messenger_batch, messenger_text
from tests.support.platform_stub import PlatformStub
from tests.support.project import TEST_CLINIC_YAML
from tests.support.servers import API_URL_VARIABLES, CHANNEL_SECRETS, Servers, trained_model
from tests.support.shared_stores import fresh_schema, stored
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

POSTGRES_PORT = 5432
#: Seconds the tracker store waits for the database before it gives up (10 by default).
WAIT_SECONDS = 3
TRY_AGAIN = "try again in a moment"
EMERGENCY = "call 911 now"
DURATION_QUESTION = "How long does the treatment take?"
DURATION_ANSWER = "15 to 30 minutes"


@pytest.fixture(scope="module")
def proxy() -> Iterator[TcpProxy]:
    """The server's way to PostgreSQL."""
    forward = TcpProxy(processes.free_port(), "127.0.0.1", POSTGRES_PORT)
    forward.up()
    yield forward
    forward.close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, proxy: TcpProxy, platform_stub: PlatformStub
) -> Iterator[local_servers.Running]:
    folder: Path = tmp_path_factory.mktemp("channel-outage")
    clinic = folder / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    with fresh_schema("channel_outage") as schema:
        extra = {
            **CHANNEL_SECRETS,
            **{name: platform_stub.url for name in API_URL_VARIABLES},
            "CLINIC_CONFIG": str(clinic),
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{proxy.port}/test",
            "DATABASE_SCHEMA": schema,
            "DATABASE_WAIT_SECONDS": str(WAIT_SECONDS),
        }
        try:
            with local_servers.running(trained_model(), folder, extra, web=False) as running:
                running.env["DATABASE_SCHEMA"] = schema
                yield running
        except processes.ServerError as error:
            pytest.fail(str(error))


def servers_of(running: local_servers.Running) -> Servers:
    return Servers(
        running.rasa_url, running.tracker_db, running.web_port, running.env, running.folder
    )


def texts(platform_stub: PlatformStub, platform: Platform, visitor: str, count: int) -> List[str]:
    """The texts of the first ``count`` replies to ``visitor`` (waits for them)."""
    return [
        platform.reply_text(r) for r in sent(platform_stub, platform.is_reply_to(visitor), count)
    ]


def users(running: local_servers.Running, sender: str, count: int = 0) -> List[str]:
    """What the assistant stored from ``sender``, in order, once ``count`` are stored (the
    turn is stored after its replies are sent)."""
    deadline = time.monotonic() + ANSWER_SECONDS
    while True:
        events = stored(running.env["DATABASE_SCHEMA"], sender)
        found = [e["text"] for e in events if e["event"] == "user"]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def say_until_answered(
    running: local_servers.Running,
    platform_stub: PlatformStub,
    platform: Platform,
    visitor: str,
    replies_so_far: int,
) -> List[str]:
    """Ask the duration question until it is answered (at most 5 times, while the server's
    connections to the database are made again); the replies it got."""
    for attempt in range(1, 6):
        answer = platform.deliver(servers_of(running), platform.text(visitor, DURATION_QUESTION))
        assert answer.status_code == 200
        got = texts(platform_stub, platform, visitor, replies_so_far + attempt)
        if DURATION_ANSWER in got[-1]:
            return got
    pytest.fail(f"no answer after the database came back: {got}")


def test_a_telegram_update_in_an_outage_gets_the_try_again_answer_and_the_chat_goes_on(
    server: local_servers.Running, proxy: TcpProxy, platform_stub: PlatformStub
) -> None:
    chat = TELEGRAM.new_id()
    assert TELEGRAM.deliver(servers_of(server), TELEGRAM.text(chat, RESULTS_QUESTION)).ok
    assert texts(platform_stub, TELEGRAM, chat, 1)[0].startswith(RESULTS_ANSWER)
    assert users(server, f"telegram:{chat}", count=1) == [RESULTS_QUESTION]  # stored

    proxy.down()
    try:
        answer = TELEGRAM.deliver(servers_of(server), TELEGRAM.text(chat, "does it hurt?"))
        during = texts(platform_stub, TELEGRAM, chat, 2)[1]
    finally:
        proxy.up()

    assert answer.status_code == 200
    assert TRY_AGAIN in during and EMERGENCY in during
    say_until_answered(server, platform_stub, TELEGRAM, chat, 2)
    stored_users = users(server, f"telegram:{chat}", count=2)
    assert stored_users[0] == RESULTS_QUESTION
    assert stored_users[-1] == DURATION_QUESTION
    assert "does it hurt?" not in stored_users


def test_each_event_of_a_messenger_batch_in_an_outage_gets_the_try_again_answer(
    server: local_servers.Running, proxy: TcpProxy, platform_stub: PlatformStub
) -> None:
    one, other = FACEBOOK.new_id(), FACEBOOK.new_id()
    batch = messenger_batch(
        messenger_text(one, "does it hurt?"),
        messenger_text(other, RESULTS_QUESTION),
        messenger_text(one, "is it safe?"),
    )

    proxy.down()
    try:
        answer = FACEBOOK.deliver(servers_of(server), FACEBOOK.signed(batch))
        to_one = texts(platform_stub, FACEBOOK, one, 2)
        to_other = texts(platform_stub, FACEBOOK, other, 1)
    finally:
        proxy.up()

    assert answer.status_code == 200
    assert all(TRY_AGAIN in text and EMERGENCY in text for text in [*to_one, *to_other])
    say_until_answered(server, platform_stub, FACEBOOK, one, 2)
    assert users(server, f"facebook:{one}", count=1)[-1] == DURATION_QUESTION
    assert users(server, f"facebook:{other}") == []


def test_slacks_retry_of_an_event_that_failed_in_an_outage_is_answered(
    server: local_servers.Running, proxy: TcpProxy, platform_stub: PlatformStub
) -> None:
    visitor = SLACK.new_id()
    body, headers = SLACK.text(visitor, RESULTS_QUESTION)

    proxy.down()
    try:
        first = SLACK.deliver(servers_of(server), (body, headers))
        during = texts(platform_stub, SLACK, visitor, 1)[0]
    finally:
        proxy.up()
    # Slack did not get the 200 in time, say: it retries the event, signed anew.
    retry = {**headers, **SLACK.sign(body, SLACK.secret), "X-Slack-Retry-Num": "1"}
    retried = SLACK.deliver(servers_of(server), (body, retry))
    after = texts(platform_stub, SLACK, visitor, 2)[1]

    assert (first.status_code, retried.status_code) == (200, 200)
    assert TRY_AGAIN in during
    assert after.startswith(RESULTS_ANSWER)
    assert users(server, f"slack:U{visitor}", count=1) == [RESULTS_QUESTION]


# Last: it stops the module's server.


def test_a_message_being_handled_when_the_server_stops_is_answered_before_it_exits(
    server: local_servers.Running, proxy: TcpProxy, platform_stub: PlatformStub
) -> None:
    """The database is away for a second when the message comes and the server is told to
    stop: the server waits for the message, which is answered once the database is back."""
    chat = TELEGRAM.new_id()
    rasa = server.processes["rasa"]

    proxy.down()
    try:
        answer = TELEGRAM.deliver(servers_of(server), TELEGRAM.text(chat, RESULTS_QUESTION))
        stopping = threading.Thread(target=processes.stop, args=(rasa,))
        stopping.start()  # SIGTERM, then waits for the server to exit
        time.sleep(1)
    finally:
        proxy.up()
    stopping.join(timeout=processes.STOP_TIMEOUT + 10)

    assert answer.status_code == 200
    assert rasa.poll() is not None
    to_chat = TELEGRAM.is_reply_to(chat)
    replies = [TELEGRAM.reply_text(r) for r in platform_stub.requests() if to_chat(r)]
    assert len(replies) == 1 and replies[0].startswith(RESULTS_ANSWER)
    assert users(server, f"telegram:{chat}") == [RESULTS_QUESTION]
