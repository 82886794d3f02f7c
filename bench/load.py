"""Simulated visitors: concurrent multi-turn conversations over the REST channel.

Each visitor holds one conversation after another (``visitors.conversation``), each with a
new sender id, sending its next message as soon as the previous reply arrives (a closed
loop: ``n`` visitors means ``n`` turns in flight). A level runs for a fixed time after an
unmeasured warm-up; what it gives: turns answered per second, latency per turn type, and
every failure by kind:

- errors: a status other than 200, an exception (connection refused or reset), a timeout;
  the visitor then starts a new conversation;
- wrong answers (the turn was answered, counted in the throughput, but not as it must be):
  an empty reply, or a reply of the wrong kind (a personal question not refused, a general
  question not given an FAQ answer);
- other topic: an FAQ answer, but of a different topic than the one asked about.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import aiohttp

from bench.answers import AnswerBook
from bench.stats import summarise
from bench.visitors import TURN_TYPES, Turn, conversation

#: What a reply to a turn was: one of OUTCOMES.
Check = Callable[[Turn, List[Dict[str, Any]]], str]
ANSWERED = ("ok", "other_topic", "wrong_kind", "empty")
ERRORS = ("http_error", "exception", "timeout")
OUTCOMES = ANSWERED + ERRORS
#: How many wrong answers a level keeps as examples.
EXAMPLES = 5


def check_with(book: AnswerBook) -> Check:
    """Judge a Rasa reply by the responses it contains (``answers.AnswerBook``)."""

    def check(turn: Turn, reply: List[Dict[str, Any]]) -> str:
        names = [book.classify(m["text"]) for m in reply if isinstance(m.get("text"), str)]
        if not names:
            return "empty"
        if turn.topic is not None:
            if f"{turn.expected}{turn.topic}" in names:
                return "ok"
            if any(n and n.startswith(turn.expected) for n in names):
                return "other_topic"
            return "wrong_kind"
        return "ok" if turn.expected in names else "wrong_kind"

    return check


def check_echo(turn: Turn, reply: List[Dict[str, Any]]) -> str:
    """Judge the floor's reply: the message, echoed."""
    if not reply:
        return "empty"
    return "ok" if reply[0].get("text") == turn.message else "wrong_kind"


@dataclass
class TurnRecord:
    kind: str
    latency_s: float
    outcome: str


@dataclass
class LevelResult:
    """The figures of one load level."""

    visitors: int
    seconds: float
    records: List[TurnRecord] = field(default_factory=list)
    examples: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(1 for r in self.records if r.outcome in ANSWERED)

    @property
    def throughput(self) -> float:
        """Turns answered per second."""
        return self.answered / self.seconds if self.seconds else 0.0

    def counts(self) -> Dict[str, int]:
        found = Counter(r.outcome for r in self.records)
        return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}

    def as_dict(self) -> Dict[str, Any]:
        by_kind: Dict[str, List[float]] = defaultdict(list)
        for r in self.records:
            if r.outcome in ANSWERED:
                by_kind[r.kind].append(r.latency_s)
        counts = self.counts()
        return {
            "visitors": self.visitors,
            "seconds": round(self.seconds, 3),
            "turns_answered": self.answered,
            "throughput_turns_per_s": self.throughput,
            "errors": sum(counts[k] for k in ERRORS),
            "wrong_answers": counts["wrong_kind"] + counts["empty"],
            "outcomes": counts,
            "latency": {kind: summarise(by_kind.get(kind, [])) for kind in TURN_TYPES},
            "latency_all_turns": summarise(
                [r.latency_s for r in self.records if r.outcome in ANSWERED]
            ),
            "wrong_examples": self.examples,
        }


async def _say(
    session: aiohttp.ClientSession, url: str, sender: str, turn: Turn, timeout_s: float
) -> tuple[float, Optional[List[Dict[str, Any]]], str]:
    """Send one turn; its latency, the reply (None on an error) and the error's kind."""
    start = time.perf_counter()
    try:
        async with session.post(
            url,
            json={"sender": sender, "message": turn.message},
            timeout=aiohttp.ClientTimeout(total=timeout_s),
        ) as response:
            body = await response.read()
            latency = time.perf_counter() - start
            if response.status != 200:
                return latency, None, "http_error"
            reply = await response.json(content_type=None) if body else []
            return latency, reply if isinstance(reply, list) else [], ""
    except asyncio.TimeoutError:
        return time.perf_counter() - start, None, "timeout"
    except (aiohttp.ClientError, OSError, ValueError):
        return time.perf_counter() - start, None, "exception"


async def _visitor(
    session: aiohttp.ClientSession,
    url: str,
    number: int,
    deadline: float,
    check: Check,
    result: Optional[LevelResult],
    sender_prefix: str,
    timeout_s: float,
    pause_s: float = 0.0,
) -> None:
    rng = random.Random(f"{sender_prefix}-{number}")
    conversations = 0
    while time.monotonic() < deadline:
        conversations += 1
        sender = f"{sender_prefix}-{number}-{conversations}"
        for turn in conversation(rng):
            if time.monotonic() >= deadline:
                return
            latency, reply, error = await _say(session, url, sender, turn, timeout_s)
            outcome = error or check(turn, reply or [])
            if result is not None:
                result.records.append(TurnRecord(turn.kind, latency, outcome))
                if outcome in ("wrong_kind", "empty") and len(result.examples) < EXAMPLES:
                    texts = [m.get("text", "")[:80] for m in reply or []]
                    result.examples.append(
                        {"turn": turn.kind, "message": turn.message, "reply": texts}
                    )
            if error:
                break
            if pause_s > 0:
                # Reading and typing take a visitor more or less time: uneven pauses keep
                # the visitors from arriving in step.
                await asyncio.sleep(pause_s * rng.uniform(0.5, 1.5))


async def _level(
    url: str,
    visitors: int,
    seconds: float,
    warmup_s: float,
    check: Check,
    sender_prefix: str,
    timeout_s: float,
    pause_s: float = 0.0,
) -> LevelResult:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        if warmup_s > 0:
            deadline = time.monotonic() + warmup_s
            await asyncio.gather(
                *(
                    _visitor(
                        session, url, n, deadline, check, None, f"{sender_prefix}-w", timeout_s
                    )
                    for n in range(visitors)
                )
            )
        result = LevelResult(visitors, 0.0)
        start = time.monotonic()
        deadline = start + seconds
        await asyncio.gather(
            *(
                _visitor(
                    session, url, n, deadline, check, result, sender_prefix, timeout_s, pause_s
                )
                for n in range(visitors)
            )
        )
        result.seconds = time.monotonic() - start
        return result


def run_level(
    url: str,
    visitors: int,
    seconds: float,
    warmup_s: float,
    check: Check,
    sender_prefix: str,
    timeout_s: float = 30.0,
    pause_s: float = 0.0,
) -> LevelResult:
    """``visitors`` concurrent visitors for ``seconds`` after ``warmup_s`` of warm-up.

    Args:
        url: the REST webhook (``.../webhooks/rest/webhook``).
        check: what each reply is (``check_with`` for Rasa, ``check_echo`` for the floor).
        sender_prefix: the start of every sender id, unique to this run.
        pause_s: how long each visitor waits after a reply before the next message, on
            average (0: at once, the server's capacity; a real visitor reads and types).
    """
    return asyncio.run(
        _level(url, visitors, seconds, warmup_s, check, sender_prefix, timeout_s, pause_s)
    )
