"""Two Rasa servers sharing PostgreSQL (conversations) and Redis (locks), as behind a load
balancer without stickiness: 50 visitors talk at once, each turn going to the other server
than the one before. Afterwards every conversation holds exactly its own turns, in order:
none lost, none doubled, none from another visitor.

The second server runs two Sanic worker processes (SANIC_WORKERS=2, as a larger machine
would), so turns of one conversation also race between processes of one server.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List

import pytest
import requests

from bench.serve import children
from launcher import processes
from tests.support.shared_stores import fresh_schema, rasa_servers, senders, stored

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]

VISITORS = 50

#: Each visitor's turns, and the action the assistant must take for each.
TURNS = [
    ("hello", "utter_greet"),
    ("how long do the results last?", "utter_faq"),
    ("can I have botox while I'm breastfeeding?", "utter_refuse_medical_advice"),
    ("yes", "action_consultation_info"),
    ("bye", "utter_goodbye"),
]


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    with fresh_schema("scale") as name:
        yield name


@pytest.fixture(scope="module")
def rasa_urls(tmp_path_factory: pytest.TempPathFactory, schema: str) -> Iterator[List[str]]:
    """Two Rasa servers (each with an action server) on one database and one Redis, the
    second with two Sanic workers."""
    try:
        with rasa_servers(tmp_path_factory.mktemp("scale"), schema, workers=(1, 2)) as running:
            # Sanic runs each worker as a child process of the server's.
            assert [len(children(s.processes["rasa"].pid)) for s in running] == [0, 2]
            yield [server.rasa_url for server in running]
    except processes.ServerError as error:
        pytest.fail(str(error))


def visit(urls: List[str], sender: str, first: int) -> List[List[Dict[str, Any]]]:
    """One visitor's conversation, alternating between the servers; the replies."""
    replies = []
    for turn, (text, _) in enumerate(TURNS):
        url = urls[(first + turn) % 2]
        reply = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=180
        )
        reply.raise_for_status()
        replies.append(reply.json())
    return replies


def test_fifty_visitors_across_two_servers_lose_and_mix_nothing(
    rasa_urls: List[str], schema: str
) -> None:
    visitors = [f"visitor-{n:02d}" for n in range(VISITORS)]
    with ThreadPoolExecutor(max_workers=VISITORS) as pool:
        results = list(pool.map(lambda n: visit(rasa_urls, visitors[n], n % 2), range(VISITORS)))

    # Every turn was answered.
    for replies in results:
        assert [bool(reply) for reply in replies] == [True] * len(TURNS)

    wanted_actions = [action for _, action in TURNS]
    for sender in visitors:
        events = stored(schema, sender)
        users = [e["text"] for e in events if e["event"] == "user"]
        assert users == [text for text, _ in TURNS], sender
        actions = [
            e["name"]
            for e in events
            if e["event"] == "action"
            and e["name"] not in ("action_listen", "action_session_start")
        ]
        assert actions == wanted_actions, (sender, actions)
        # One session start, at the beginning; timestamps in order.
        assert [e["event"] for e in events].count("session_started") == 1
        stamps = [e["timestamp"] for e in events]
        assert stamps == sorted(stamps), sender
    # Nothing stored under any other sender.
    assert senders(schema) == visitors
