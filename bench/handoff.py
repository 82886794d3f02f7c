"""How quickly the live handoff (issue 17) reaches each side: the real servers and the
staff app, and a run of handoffs one after another, each as in life.

- A visitor of the website's chat (a socket.io client, as the widget is) asks for a person,
  reads the offer (0.5 to 1.5 s, at random: visitors do not arrive in step with the staff
  app's look at the tracker store every ``STAFF_LIVE_POLL_SECONDS``) and presses "Yes,
  connect me" (the button's payload, as the widget sends it).
- A staff member, logged in to the staff app, has the Live chat page's event stream open
  (``/live/events?view=queue``, what the page's script reads). **Queue**: from the
  visitor's "yes" to the first event of that stream that lists them as waiting.
- The staff member takes the conversation and replies through the staff app's forms (its
  session and CSRF token; the app calls the Rasa server's live-chat routes). **Reply**: from
  sending the reply to the staff app to the visitor's socket.io client receiving it.
- The staff member hands it back.

Usage: ``python -m bench.handoff [--handoffs 50] [--stores embedded|scale-out]`` (about 3
minutes, with scripts/env.sh sourced). It starts the action server and the Rasa server
(``launcher/local_servers.py``, ``RASA_API_TOKEN`` in its environment: its API and
live-chat routes on), and the staff app (``python -m staff``) on them, with the project's
clinic.yml and ``CLINIC_NOW`` at an hour its team answers in the chat; it serves the newest
model in models/ (one trained with the handoff).

- ``embedded`` (the default): SQLite and locks in memory, as ``make run`` has them; the
  staff app looks at the tracker store every ``STAFF_LIVE_POLL_SECONDS``.
- ``scale-out``: two Rasa servers (each with its action server) on PostgreSQL (a schema of
  the run's own in ``BENCH_DATABASE_URL``, the local ``test`` database by default) and Redis
  (``BENCH_REDIS_URL``), as deploy/ has them. The visitor writes to the first, the staff app
  calls the second: the visitor's turn reaches the staff app by PostgreSQL's NOTIFY, the
  reply reaches the visitor's socket through Redis.

It prints the median, p90 and max of both figures and writes ``bench/results/handoff.json``
(``handoff-scale-out.json``): every sample, the machine, what else used the CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp
import socketio
import sqlalchemy as sa

from bench import machine, run, stats
from launcher import local_servers, models, processes, roles
from staff.settings import StaffSettings

#: Handoffs in a run.
HANDOFFS = 50
#: A Wednesday at 10:30 in London: the project's clinic.yml has its team in the chat.
CLINIC_NOW = "2026-12-09T10:30:00+00:00"
#: How long a visitor reads the offer before pressing yes: from, to (s).
READING_SECONDS = (0.5, 1.5)
#: Seconds to wait for any one step before the run is called failed.
STEP_SECONDS = 60.0
ASK = "can I talk to a real person please"
YES = "/affirm"
STAFF_NAME = "bench"
OUT = {"embedded": "handoff.json", "scale-out": "handoff-scale-out.json"}
#: Where the scale-out runs (a schema of its own is made and dropped).
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class HandoffBenchError(RuntimeError):
    """A step of a handoff did not happen (the message says which)."""


def csrf_token(page: str) -> str:
    """The CSRF token of a staff app page's forms.

    Raises:
        HandoffBenchError: the page has no form with one.
    """
    found = _CSRF.search(page)
    if not found:
        raise HandoffBenchError("the staff app's page has no CSRF token (not logged in?)")
    return found.group(1)


@dataclass
class EventParser:
    """Server-sent events, read line by line as an ``EventSource`` reads them."""

    name: str = "message"
    data: List[str] = field(default_factory=list)

    def feed(self, line: str) -> Optional[Tuple[str, Any]]:
        """Take one line (without its end); an event (name, JSON data) when it ends."""
        if not line:
            event = (self.name, json.loads("\n".join(self.data))) if self.data else None
            self.name, self.data = "message", []
            return event
        if line.startswith(":"):
            return None
        key, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if key == "event":
            self.name = value
        elif key == "data":
            self.data.append(value)
        return None


def summary(seconds: Sequence[float]) -> Dict[str, float]:
    """Count, median, p90 and max of durations in seconds, in milliseconds."""
    ms = [value * 1000 for value in seconds]
    return {
        "count": len(ms),
        "median_ms": stats.percentile(ms, 50),
        "p90_ms": stats.percentile(ms, 90),
        "max_ms": max(ms) if ms else float("nan"),
    }


def table(figures: Dict[str, Dict[str, float]]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| from | to | handoffs | median (ms) | p90 (ms) | max (ms) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    labels = {
        "queue": ("the visitor's yes", "the staff app's queue (its event stream)"),
        "reply": ("a staff reply sent to the staff app", "the widget's socket.io client"),
    }
    for key, (start, end) in labels.items():
        f = figures[key]
        lines.append(
            f"| {start} | {end} | {f['count']} | {f['median_ms']:.0f} | {f['p90_ms']:.0f} "
            f"| {f['max_ms']:.0f} |"
        )
    return "\n".join(lines)


class StaffMember:
    """A staff member in the staff app's live chat: logged in, the queue's event stream
    open (the time each visitor first shows as waiting), the forms posted with the token."""

    def __init__(self, url: str, http: aiohttp.ClientSession) -> None:
        self.url = url
        self.http = http
        self.token = ""
        self.first_waiting: Dict[str, float] = {}
        self.arrived = asyncio.Event()
        self._stream: Optional[asyncio.Task[None]] = None

    async def log_in(self, name: str, password: str) -> None:
        async with self.http.get(f"{self.url}/login") as page:
            token = csrf_token(await page.text())
        form = {"name": name, "password": password, "next": "/live", "csrf_token": token}
        async with self.http.post(f"{self.url}/login", data=form, allow_redirects=False) as reply:
            if reply.status != 303:
                raise HandoffBenchError(f"the staff app refused the login ({reply.status})")
        async with self.http.get(f"{self.url}/live") as page:
            self.token = csrf_token(await page.text())

    async def open_queue(self) -> None:
        """Open the queue's event stream; it is read until :meth:`close`."""
        opened = asyncio.Event()
        self._stream = asyncio.create_task(self._read(opened))
        await asyncio.wait_for(opened.wait(), STEP_SECONDS)

    async def _read(self, opened: asyncio.Event) -> None:
        parser = EventParser()
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with self.http.get(f"{self.url}/live/events?view=queue", timeout=timeout) as stream:
            opened.set()
            async for raw in stream.content:
                event = parser.feed(raw.decode("utf-8").rstrip("\r\n"))
                if event is None or event[0] != "queue":
                    continue
                now = time.monotonic()
                for sender in event[1].get("waiting_ids", []):
                    self.first_waiting.setdefault(sender, now)
                self.arrived.set()

    async def waiting_since(self, sender: str) -> float:
        """When the stream first listed ``sender`` as waiting (``time.monotonic()``)."""
        deadline = time.monotonic() + STEP_SECONDS
        while sender not in self.first_waiting:
            self.arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise HandoffBenchError(f"{sender} never showed in the queue")
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except asyncio.TimeoutError:
                continue
        return self.first_waiting[sender]

    async def post(self, path: str, form: Dict[str, str], json_answer: bool = False) -> int:
        """Post a form of the live chat's pages; the answer's status."""
        headers = {"Accept": "application/json"} if json_answer else {}
        async with self.http.post(
            f"{self.url}{path}",
            data={**form, "csrf_token": self.token},
            headers=headers,
            allow_redirects=False,
        ) as reply:
            await reply.read()
            return reply.status

    async def close(self) -> None:
        if self._stream is not None:
            self._stream.cancel()
            with suppress(asyncio.CancelledError, aiohttp.ClientError):
                await self._stream


class WebVisitor:
    """A visitor of the website's chat: a socket.io client, as the widget is."""

    def __init__(self, rasa_url: str, origin: str) -> None:
        self.rasa_url = rasa_url
        self.origin = origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[Tuple[float, str]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self._bot_uttered)
        self.client.on("session_confirm", self.confirmed.put_nowait)
        self.key = ""

    def _bot_uttered(self, message: Dict[str, Any]) -> None:
        self.received.put_nowait((time.monotonic(), str(message.get("text") or "")))

    @property
    def sender(self) -> str:
        """The conversation's sender id: ``socketio:`` and the key's id part."""
        return "socketio:" + self.key.partition(".")[0]

    async def start(self) -> None:
        # Long-polling, as the widget starts (it then upgrades to a websocket, which
        # python-engineio's client cannot open with the aiohttp of requirements.txt).
        await self.client.connect(
            self.rasa_url, headers={"Origin": self.origin}, transports=["polling"]
        )
        await self.client.emit("session_request", {"session_id": None})
        self.key = await asyncio.wait_for(self.confirmed.get(), STEP_SECONDS)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.key})

    async def message(self, starting: str) -> float:
        """When the first message starting with ``starting`` arrived (others are skipped).

        Raises:
            HandoffBenchError: none came in time.
        """
        deadline = time.monotonic() + STEP_SECONDS
        while True:
            try:
                at, text = await asyncio.wait_for(
                    self.received.get(), max(0.0, deadline - time.monotonic())
                )
            except asyncio.TimeoutError:
                raise HandoffBenchError(f"the visitor never got '{starting}...'") from None
            if text.startswith(starting):
                return at

    async def stop(self) -> None:
        await self.client.disconnect()


async def one_handoff(
    number: int, staff: StaffMember, rasa_url: str, origin: str, reading: float
) -> Tuple[float, float]:
    """One handoff, start to end (the visitor reads the offer for ``reading`` seconds); its
    (queue, reply) durations in seconds."""
    visitor = WebVisitor(rasa_url, origin)
    await visitor.start()
    try:
        await visitor.say(ASK)
        await visitor.message("I can ask a member of the team")
        await asyncio.sleep(reading)
        said_yes = time.monotonic()
        await visitor.say(YES)
        queued = await staff.waiting_since(visitor.sender) - said_yes
        await visitor.message("Thank you. I've asked the team to join")
        form = {"sender": visitor.sender}
        if await staff.post("/live/take", form) != 303:
            raise HandoffBenchError(f"handoff {number}: the take was refused")
        # The visitor reads the account's name capitalised (channels/handoff_steps.py).
        await visitor.message(f"{STAFF_NAME.capitalize()} from the team")
        text = f"Hello, this is reply {number} from the team."
        sent = time.monotonic()
        status = await staff.post("/live/reply", {**form, "text": text}, json_answer=True)
        if status != 200:
            raise HandoffBenchError(f"handoff {number}: the reply was refused ({status})")
        replied = await visitor.message(text) - sent
        if await staff.post("/live/resume", form) != 303:
            raise HandoffBenchError(f"handoff {number}: the hand-back was refused")
        await visitor.message("The member of the team has left the chat")
        return queued, replied
    finally:
        await visitor.stop()


async def measure(
    handoffs: int, staff_url: str, rasa_url: str, origin: str, password: str, seed: int
) -> Dict[str, List[float]]:
    """Run the handoffs one after another; every sample of both figures, in seconds."""
    readings = random.Random(seed)
    samples: Dict[str, List[float]] = {"queue": [], "reply": []}
    jar = aiohttp.CookieJar(unsafe=True)  # the staff app is at an IP address
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        staff = StaffMember(staff_url, http)
        await staff.log_in(STAFF_NAME, password)
        await staff.open_queue()
        try:
            for number in range(1, handoffs + 1):
                reading = readings.uniform(*READING_SECONDS)
                queued, replied = await one_handoff(number, staff, rasa_url, origin, reading)
                samples["queue"].append(queued)
                samples["reply"].append(replied)
                if number % 10 == 0:
                    run.say(f"{number} handoffs")
        finally:
            await staff.close()
    return samples


@contextmanager
def staff_app(running: local_servers.Running, folder: Path, password: str) -> Iterator[str]:
    """The staff app (``python -m staff``) on the running servers, with one account; its
    URL."""
    port = processes.free_port()
    env = {
        **running.env,
        "STAFF_HOST": "127.0.0.1",
        "STAFF_PORT": str(port),
        "STAFF_DB": str(folder / "staff.db"),
        "STAFF_MODELS": str(folder / "published"),
        "STAFF_SECRET_KEY": secrets.token_hex(32),
        "RASA_URL": running.rasa_url,
    }
    made = subprocess.run(
        [sys.executable, "-m", "staff.accounts", STAFF_NAME],
        env={**env, "STAFF_PASSWORD": password},
        cwd=run.ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if made.returncode != 0:
        raise HandoffBenchError(f"the staff account was not made: {made.stderr}")
    log = folder / "staff.log"
    with processes.process(roles.module_command("staff"), env, log) as child:
        processes.wait_until_up(f"http://127.0.0.1:{port}/health", child, log)
        yield f"http://127.0.0.1:{port}"


@contextmanager
def assistant(
    stores: str, model: Path, folder: Path, env: Dict[str, str], token: str
) -> Iterator[Tuple[local_servers.Running, local_servers.Running]]:
    """The servers of ``stores``: the one the visitor writes to, and the one the staff app
    calls (the same one when embedded)."""
    health = f"/status?token={token}"
    if stores == "embedded":
        with local_servers.running(model, folder, env, rasa_health=health, web=False) as one:
            yield one, one
        return
    schema = f"bench_handoff_{secrets.token_hex(4)}"
    shared = {
        **env,
        "DATABASE_URL": DATABASE_URL,
        "DATABASE_SCHEMA": schema,
        "REDIS_URL": REDIS_URL,
        "LOCK_STORE_PREFIX": schema.replace("_", ""),
    }
    try:
        with ExitStack() as stack:
            servers = []
            for number in range(2):
                (folder / f"rasa-{number}").mkdir(exist_ok=True)
                servers.append(
                    stack.enter_context(
                        local_servers.running(
                            model, folder / f"rasa-{number}", shared, rasa_health=health, web=False
                        )
                    )
                )
            yield servers[0], servers[1]
    finally:
        engine = sa.create_engine(DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.handoff", description=__doc__)
    parser.add_argument("--handoffs", type=int, default=HANDOFFS, help="how many (50)")
    parser.add_argument("--seed", type=int, default=17, help="of the visitors' reading times")
    parser.add_argument(
        "--stores",
        choices=sorted(OUT),
        default="embedded",
        help="SQLite and one server (embedded), or two servers on PostgreSQL and Redis",
    )
    args = parser.parse_args(argv)
    model = models.newest_model()
    if model is None:
        raise SystemExit("No trained model: run `make train` first.")
    folder = run.WORK / "handoff"
    for old in folder.glob("*.db*"):
        old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    token, password = secrets.token_hex(16), secrets.token_urlsafe(24)
    env = {
        "SENDER_MESSAGES_PER_MINUTE": "0",  # every visitor comes from this machine
        "ADDRESS_MESSAGES_PER_MINUTE": "0",
        "RASA_API_TOKEN": token,
        "CLINIC_CONFIG": str(run.ROOT / "clinic.yml"),
        "CLINIC_NOW": CLINIC_NOW,
        "DATABASE_URL": "",  # the embedded stores, as `make run` has them
        "REDIS_URL": "",
    }
    run.say(f"serving {model.name}; {args.handoffs} handoffs; stores: {args.stores}")
    try:
        with (
            assistant(args.stores, model, folder, env, token) as (visited, called),
            staff_app(called, folder, password) as staff_url,
        ):
            origin = f"http://localhost:{visited.web_port}"
            meter = machine.OthersMeter()
            started = time.monotonic()
            samples = asyncio.run(
                measure(args.handoffs, staff_url, visited.rasa_url, origin, password, args.seed)
            )
            seconds = time.monotonic() - started
            others = meter.cores()
    except processes.ServerError as error:
        raise SystemExit(f"bench.handoff: {error}") from error
    figures = {name: summary(values) for name, values in samples.items()}
    results: Dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine.describe(),
        "model": model.name,
        "handoffs": args.handoffs,
        "reading_seconds": READING_SECONDS,
        "seed": args.seed,
        "stores": args.stores,
        "staff_live_poll_seconds": StaffSettings.from_env(called.env).live_poll_seconds,
        "run_seconds": round(seconds, 1),
        "others_cpu_cores": round(others, 3),
        "figures": figures,
        "samples_s": samples,
        "table": table(figures),
    }
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    out = run.RESULTS / OUT[args.stores]
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(results["table"])
    print(
        f"\n{args.handoffs} handoffs in {seconds:.0f} s; other processes used "
        f"{others:.2f} cores meanwhile. Written: {out.relative_to(run.ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
