"""Rate limits of the REST and website channels through a real Rasa server of their own.

The server is started with small limits (3 messages a minute per sender, 5 per client
address) and as behind one proxy (``SANIC_PROXIES_COUNT=1``, as deploy/docker-compose.yml
runs it behind nginx), so each test comes from an address of its own by saying so in
``X-Forwarded-For``, as nginx would. (The session's other servers have the limits off:
every test talks to them from 127.0.0.1.) Over a limit, REST answers 429 with
``Retry-After`` and a short JSON reason, the website channel the polite refusal
(``utter_rate_limited``), and the message is neither processed nor stored; other senders
and addresses go on.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
import yaml

from launcher import local_servers, processes
from tests.support.channel_clients import Visitor, web_conversation
from tests.support.messaging import RESULTS_ANSWER, RESULTS_QUESTION, user_texts, users
from tests.support.project import ROOT, TEST_CLINIC_YAML
from tests.support.servers import Servers, trained_model

pytestmark = pytest.mark.integration

PER_SENDER = 3
PER_ADDRESS = 5
LIMITS = {
    "SENDER_MESSAGES_PER_MINUTE": str(PER_SENDER),
    "ADDRESS_MESSAGES_PER_MINUTE": str(PER_ADDRESS),
    "SANIC_PROXIES_COUNT": "1",
}
TIMEOUT = 60


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The action server and a Rasa server with small limits (the website is not needed:
    its origin is allowed all the same)."""
    folder = tmp_path_factory.mktemp("rate-limits")
    clinic = folder / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    settings = {**LIMITS, "CLINIC_CONFIG": str(clinic)}
    try:
        with local_servers.running(trained_model(), folder, settings, web=False) as running:
            yield Servers(
                running.rasa_url, running.tracker_db, running.web_port, running.env, folder
            )
    except processes.ServerError as error:
        pytest.fail(str(error))


def polite_refusal() -> str:
    """``utter_rate_limited`` of domain.yml, with the test clinic's emergency number."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    text: str = domain["responses"]["utter_rate_limited"][0]["text"]
    return text.replace("{emergency_number}", "911")


_ADDRESSES = itertools.count(1)


def address() -> str:
    """An address no other request of the module comes from (TEST-NET-2)."""
    return f"198.51.100.{next(_ADDRESSES)}"


def rest(
    servers: Servers, sender: str, message: str = RESULTS_QUESTION, client: Optional[str] = None
) -> requests.Response:
    headers = {"X-Forwarded-For": client} if client else {}
    return requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        headers=headers,
        timeout=TIMEOUT,
    )


def assert_too_many(reply: requests.Response) -> None:
    """429 with a Retry-After of at most a minute and the reason in plain words."""
    assert reply.status_code == 429, reply.text
    wait = int(reply.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json() == {
        "error": f"Too many messages. Please wait {wait} seconds before sending another."
    }


def test_rest_a_sender_over_its_limit_gets_429_and_its_message_goes_nowhere(
    limited: Servers,
) -> None:
    sender = f"fast-{uuid.uuid4().hex[:8]}"
    client = address()

    answered = [rest(limited, sender, f"{RESULTS_QUESTION} ({n})", client) for n in range(3)]
    refused = rest(limited, sender, "one more", client)
    # The same sender from another address is still the same sender.
    elsewhere = rest(limited, sender, "and from elsewhere", address())
    # Another sender from the same address goes on.
    other = rest(limited, f"calm-{uuid.uuid4().hex[:8]}", RESULTS_QUESTION, client)

    assert [r.status_code for r in answered] == [200] * PER_SENDER
    assert all(r.json()[0]["text"].startswith(RESULTS_ANSWER) for r in answered)
    assert_too_many(refused)
    assert_too_many(elsewhere)
    assert other.status_code == 200 and other.json()[0]["text"].startswith(RESULTS_ANSWER)
    assert users(limited, sender) == [f"{RESULTS_QUESTION} ({n})" for n in range(3)]


def test_rest_an_address_over_its_limit_gets_429_whoever_the_sender(limited: Servers) -> None:
    client = address()
    senders = [f"crowd-{uuid.uuid4().hex[:8]}" for _ in range(PER_ADDRESS + 1)]

    answered = [rest(limited, sender, "hello", client) for sender in senders[:-1]]
    refused = rest(limited, senders[-1], "hello", client)
    # Its sender from another address is answered.
    elsewhere = rest(limited, senders[-1], "hello", address())

    assert [r.status_code for r in answered] == [200] * PER_ADDRESS
    assert_too_many(refused)
    assert elsewhere.status_code == 200 and elsewhere.json()
    assert users(limited, senders[-1]) == ["hello"]


async def test_socketio_a_session_over_its_limit_gets_the_polite_refusal(
    limited: Servers,
) -> None:
    answers: List[Optional[Dict[str, Any]]] = []
    async with Visitor(limited, forwarded_for=address()) as visitor:
        session_id = await visitor.session(None)
        for number in range(PER_SENDER + 1):
            data = {"message": f"{RESULTS_QUESTION} ({number})", "session_id": session_id}
            answers.append(await visitor.answer(data))

    texts = [a["text"] if a else None for a in answers]
    assert all(t and t.startswith(RESULTS_ANSWER) for t in texts[:PER_SENDER]), texts
    assert texts[PER_SENDER] == polite_refusal()
    stored = user_texts(limited, web_conversation(session_id), count=PER_SENDER)
    assert stored == [f"{RESULTS_QUESTION} ({n})" for n in range(PER_SENDER)]


async def test_socketio_an_address_over_its_limit_gets_the_polite_refusal(
    limited: Servers,
) -> None:
    client = address()
    answers: List[Optional[Dict[str, Any]]] = []
    async with (
        Visitor(limited, forwarded_for=client) as one,
        Visitor(limited, forwarded_for=client) as two,
    ):
        # Two visitors of one address: their session requests count against it too ...
        sessions = [await one.session(None), await two.session(None)]
        visitors = [one, two]
        # ... then their messages, in turn, until the address has used up its limit.
        for number in range(PER_ADDRESS - len(sessions) + 1):
            data = {"message": RESULTS_QUESTION, "session_id": sessions[number % 2]}
            answers.append(await visitors[number % 2].answer(data))
    # Another visitor, from elsewhere, is answered.
    async with Visitor(limited, forwarded_for=address()) as other:
        other_session = await other.session(None)
        data = {"message": RESULTS_QUESTION, "session_id": other_session}
        other_answer = await other.answer(data)

    texts = [a["text"] if a else None for a in answers]
    assert all(t and t.startswith(RESULTS_ANSWER) for t in texts[:-1]), texts
    assert texts[-1] == polite_refusal()
    assert other_answer is not None and other_answer["text"].startswith(RESULTS_ANSWER)
    # The refused message went no further: the second visitor's one answered message only.
    assert users(limited, web_conversation(sessions[1])) == [RESULTS_QUESTION]
