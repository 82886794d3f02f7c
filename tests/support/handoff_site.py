"""The live handoff running whole, with nothing stood in for but the messaging platforms:
the action server, a Rasa server whose API and live-chat routes take a token
(``RASA_API_TOKEN`` in its environment: ``launcher/rasa_run.py`` turns the API on from it),
the demo clinic page, and the staff app (``python -m staff``) pointed at that Rasa server
(``RASA_URL``, the same token) and at its tracker store, with the staff accounts "ana" and
"ben" made by the real command (``python -m staff.accounts``). Started by
``launcher/local_servers.py`` as the other integration tests start the servers, with the
test clinic and a clock (``CLINIC_NOW``) that says whether its team answers in the chat.

:class:`LiveStaff` is a staff member using the staff app's live chat without a browser:
its forms (session cookie, CSRF token) and its event stream (``/live/events``).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Tuple
from urllib.parse import urlencode

import requests

from launcher import local_servers, processes
from tests.support.event_stream import EventStream, ServerEvent
from tests.support.project import OPEN_NOW, ROOT, TEST_CLINIC_YAML
from tests.support.servers import (
    API_URL_VARIABLES,
    CHANNEL_SECRETS,
    NO_RATE_LIMITS,
    SENDER_TAG_KEY,
    Servers,
    trained_model,
)
from tests.support.staff_app import Staff, shown_text
from tests.support.staff_data import copy_project_data

#: The staff accounts of the staff app, and their password.
STAFF_NAMES = ("ana", "ben")
STAFF_PASSWORD = "a long staff password"
#: Seconds a test waits for what the servers do on their own (a turn stored, a timeout).
WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class HandoffSite:
    """The running servers of :func:`handoff_site`.

    Attributes:
        servers: the Rasa server (its channels, its SQLite tracker store) as the
            integration tests see it.
        token: the Rasa server's API token, which the staff app has too.
        staff_url: the staff app, as a staff member's browser reaches it.
        page_url: the demo clinic page with the chat widget, as a visitor types it.
    """

    servers: Servers
    token: str
    staff_url: str
    page_url: str

    def staff(self, name: str = "ana") -> LiveStaff:
        """A staff member, logged in to the staff app."""
        member = LiveStaff(self.staff_url)
        member.log_in(name)
        return member

    def events(self, sender: str) -> List[Dict[str, Any]]:
        """The conversation's events, as the Rasa server stored them."""
        return self.servers.events(sender)

    def wait_for_events(
        self, sender: str, done: Callable[[List[Dict[str, Any]]], bool]
    ) -> List[Dict[str, Any]]:
        """The conversation's stored events once ``done`` says so (or at the end of the
        wait: the test's assertion then says what was missing)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            events = self.events(sender)
            if done(events) or time.monotonic() > deadline:
                return events
            time.sleep(0.1)


def slot_values(events: List[Dict[str, Any]], name: str) -> List[Any]:
    """Every value the conversation's slot ``name`` was set to, in order."""
    return [e.get("value") for e in events if e["event"] == "slot" and e.get("name") == name]


def staff_messages(events: List[Dict[str, Any]], staff: str) -> List[Tuple[str, Any]]:
    """What ``staff`` sent in the conversation: each message's text and its step
    (``metadata.handoff``: "joined", "returned", or None for what they wrote)."""
    return [
        (e["text"], e["metadata"].get("handoff"))
        for e in events
        if e["event"] == "bot" and (e.get("metadata") or {}).get("staff") == staff
    ]


class LiveStaff(Staff):
    """A staff member in the staff app's live chat: the forms of its pages, as a browser
    posts them, and its stream of live updates."""

    def log_in(self, name: str) -> None:
        """Log in as ``name``, and take the CSRF token of the session's pages.

        Raises:
            AssertionError: the staff app did not let them in.
        """
        reply = self.login(name, STAFF_PASSWORD)
        assert reply.status_code in (302, 303), (reply.status_code, shown_text(reply))
        page = self.get("/live")
        assert page.status_code == 200, shown_text(page)

    def take(self, sender: str) -> str:
        """Press "Take this conversation"; the text of the page it leads to."""
        return self._follow(self.post("/live/take", {"sender": sender}))

    def reply(self, sender: str, text: str) -> Dict[str, Any]:
        """Send ``text`` as the chat page's script does; what the app answered (JSON)."""
        answer = self.post(
            "/live/reply", {"sender": sender, "text": text}, headers={"Accept": "application/json"}
        )
        body: Dict[str, Any] = answer.json()
        body["status"] = answer.status_code
        return body

    def hand_back(self, sender: str) -> str:
        """Press "Hand back to the assistant"; the text of the page it leads to."""
        return self._follow(self.post("/live/resume", {"sender": sender}))

    def page_text(self, path: str) -> str:
        """A page's text, as a browser shows it."""
        reply = self.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        return shown_text(reply)

    def stream(self, **params: str) -> EventStream:
        """The live updates of a page: ``view="queue"``, or ``view="chat"`` with
        ``sender``."""
        return EventStream(self.http, f"{self.url}/live/events?{urlencode(params)}")

    def _follow(self, reply: requests.Response) -> str:
        """The text of the page a form's answer (a redirect) leads to."""
        assert reply.status_code == 303, (reply.status_code, shown_text(reply))
        return self.page_text(reply.headers["Location"])


def next_event(
    stream: EventStream, name: str, done: Callable[[Any], bool], within: float = WAIT_SECONDS
) -> ServerEvent:
    """The first event ``name`` of ``stream`` whose data ``done`` accepts, within
    ``within`` seconds (the others of that name are passed over).

    Raises:
        AssertionError: none came in time.
    """
    deadline = time.monotonic() + within
    while True:
        event = stream.next(name, max(0.0, deadline - time.monotonic()))
        if done(event.data):
            return event


def site_environment(
    folder: Path, token: str, platform_url: str, clinic_yaml: str, clinic_now: str
) -> Dict[str, str]:
    """The servers' settings: the clinic (and its clock), the channels' test secrets with
    their replies going to the platforms' stand-in, the API token."""
    clinic = folder / "clinic.yml"
    clinic.write_text(clinic_yaml, encoding="utf-8")
    return {
        **CHANNEL_SECRETS,
        **NO_RATE_LIMITS,
        **{name: platform_url for name in API_URL_VARIABLES},
        "CLINIC_CONFIG": str(clinic),
        "CLINIC_NOW": clinic_now,
        "SENDER_TAG_KEY": SENDER_TAG_KEY,
        # Taken by the Rasa server from its environment (launcher/rasa_run.py), and by the
        # staff app.
        "RASA_API_TOKEN": token,
        # The embedded stores (SQLite, locks in memory), whatever this shell has.
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }


def staff_environment(
    servers_env: Mapping[str, str], folder: Path, port: int, rasa_url: str
) -> Dict[str, str]:
    """The staff app's settings: the servers' own (tracker store, clinic, token), the Rasa
    server(s) to call, and its own files in ``folder`` (a copy of the project's data)."""
    return {
        **servers_env,
        "STAFF_HOST": "127.0.0.1",
        "STAFF_PORT": str(port),
        "STAFF_DB": str(folder / "staff.db"),
        "STAFF_DATA_ROOT": str(copy_project_data(folder / "project")),
        "STAFF_MODELS": str(folder / "published"),
        "STAFF_SECRET_KEY": secrets.token_hex(32),
        "RASA_URL": rasa_url,
    }


def make_accounts(env: Mapping[str, str]) -> None:
    """The staff accounts, made as a clinic makes them (``make staff-user``).

    Raises:
        processes.ServerError: the command failed.
    """
    for name in STAFF_NAMES:
        made = subprocess.run(
            [sys.executable, "-m", "staff.accounts", name],
            env={**env, "STAFF_PASSWORD": STAFF_PASSWORD},
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if made.returncode != 0:
            raise processes.ServerError(f"staff.accounts {name} failed: {made.stderr}")


@contextmanager
def staff_app(servers_env: Mapping[str, str], folder: Path, rasa_url: str) -> Iterator[str]:
    """The staff app (``python -m staff``) with the accounts, on the stores of the servers'
    environment ``servers_env``, calling the Rasa server(s) ``rasa_url``; its URL as a
    staff member's browser reaches it, until the block ends.

    Raises:
        launcher.processes.ServerError: it did not start.
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = processes.free_port()
    env = staff_environment(servers_env, folder, port, rasa_url)
    make_accounts(env)
    log = folder / "staff.log"
    with processes.process([sys.executable, "-m", "staff"], env, log) as child:
        processes.wait_until_up(f"http://127.0.0.1:{port}/health", child, log)
        yield f"http://localhost:{port}"


@contextmanager
def handoff_site(
    folder: Path,
    platform_url: str,
    clinic_yaml: str = TEST_CLINIC_YAML,
    clinic_now: str = OPEN_NOW,
) -> Iterator[HandoffSite]:
    """The servers and the staff app, ready, until the block ends (module doc).

    Args:
        folder: where the logs, the tracker store and the staff app's files go.
        platform_url: the platforms' stand-in, where the messaging channels send replies.
        clinic_yaml: the clinic config (the test clinic's, with its handoff section).
        clinic_now: ``CLINIC_NOW``, the moment the chat's hours are judged at.

    Raises:
        launcher.processes.ServerError: a server did not start.
    """
    token = secrets.token_hex(16)
    env = site_environment(folder, token, platform_url, clinic_yaml, clinic_now)
    with (
        local_servers.running(
            trained_model(), folder, env, rasa_health=f"/status?token={token}"
        ) as running,
        staff_app(running.env, folder / "staff", running.rasa_url) as staff_url,
    ):
        yield HandoffSite(
            servers=Servers(
                running.rasa_url, running.tracker_db, running.web_port, running.env, folder
            ),
            token=token,
            staff_url=staff_url,
            page_url=running.page_url,
        )
