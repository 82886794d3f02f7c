"""What the event broker costs a visitor: the project's model served twice at once,
without and with ``EVENT_BROKER_URL`` (RabbitMQ through the project's Pika broker), the same
visitors and load levels on each in turn, several rounds (so that the machine's drift
falls on both alike); FAQ-turn latency, throughput and the CPU each turn costs the Rasa
server and RabbitMQ, side by side (latency over every turn, FAQ turns apart in the JSON);
and whether every stored event reached the queue.

Usage: ``python -m bench.broker`` (about 7 minutes, with scripts/env.sh sourced; the local
RabbitMQ at 127.0.0.1:5672). It serves the model ``make bench`` trained
(bench/work/models/project.tar.gz) or else the newest in models/, and writes
``bench/results/broker.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import uuid
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any, Dict, List, Optional

import aio_pika

from bench import load, machine, run, serve
from bench.answers import AnswerBook
from bench.plan import FULL
from launcher import models

RABBITMQ = os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
#: (label, visitors, pause after each reply in s): one and eight visitors sending at once
#: (the server's capacity, where any work of the broker's shows), and sixteen who read
#: and type for about a second (0.5 to 1.5 s) between messages, as visitors do.
LEVELS = (("1", 1, 0.0), ("8", 8, 0.0), ("16 paced", 16, 1.0))
SECONDS = 15.0
ROUNDS = 3
NAMES = ("without", "with")


def model() -> Path:
    """The project model of the last ``make bench``, else the newest trained one."""
    benched = run.WORK / "models" / "project.tar.gz"
    newest = models.newest_model()
    if benched.exists():
        return benched
    if newest is None:
        raise SystemExit("No trained model: run `make train` (or `make bench`) first.")
    return newest


async def _drain(queue: str) -> int:
    """How many messages waited in ``queue``; the queue is deleted."""
    connection = await aio_pika.connect_robust(RABBITMQ)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        count = int(declared.declaration_result.message_count or 0)
        await declared.delete(if_unused=False, if_empty=False)
        return count
    finally:
        await connection.close()


def drain(queue: str) -> int:
    """How many messages waited in ``queue``; the queue is deleted."""
    return asyncio.run(_drain(queue))


def measure(queue: str, seconds: float, rounds: int) -> Dict[str, Any]:
    """Serve the model without and with the broker; each level on each, round by round."""
    check = load.check_with(AnswerBook.of_project())
    envs = {
        "without": {"EVENT_BROKER_URL": ""},
        "with": {"EVENT_BROKER_URL": RABBITMQ, "EVENT_BROKER_QUEUE": queue},
    }
    pooled = {name: {label: load.LevelResult(v, 0.0) for label, v, _ in LEVELS} for name in NAMES}
    cpu = {name: {label: [0.0, 0.0] for label, _, _ in LEVELS} for name in NAMES}
    others: Dict[str, List[float]] = {name: [] for name in NAMES}
    with ExitStack() as stack:
        servers: Dict[str, serve.Served] = {}
        for name in NAMES:
            folder = run.WORK / f"broker-{name}"
            for old in folder.glob("tracker.db*"):
                old.unlink()
            servers[name] = stack.enter_context(serve.serve(model(), folder, envs[name]))
        for name in NAMES:
            load.run_level(servers[name].webhook, 8, FULL.warmup_s, 0, check, f"{name}-warm")
        for number in range(rounds):
            order = NAMES if number % 2 == 0 else NAMES[::-1]
            for label, visitors, pause_s in LEVELS:
                for name in order:
                    meter = machine.OthersMeter()
                    before = (_cpu_s([servers[name].rasa_pid]), _cpu_s(rabbitmq_pids()))
                    level = load.run_level(
                        servers[name].webhook,
                        visitors,
                        seconds,
                        0,
                        check,
                        f"{name}-{number}",
                        pause_s=pause_s,
                    )
                    cpu[name][label][0] += _cpu_s([servers[name].rasa_pid]) - before[0]
                    cpu[name][label][1] += _cpu_s(rabbitmq_pids()) - before[1]
                    others[name].append(meter.cores())
                    total = pooled[name][label]
                    total.records.extend(level.records)
                    total.seconds += level.seconds
                    faq = level.as_dict()["latency"]["faq"]
                    run.say(
                        f"round {number + 1}, {label} visitors, broker {name}: "
                        f"{level.throughput:.1f} turns/s, FAQ p50 {faq['p50_ms']:.1f} ms"
                    )
    figures: Dict[str, Any] = {}
    for name in NAMES:
        figures[name] = {}
        for label, _, pause_s in LEVELS:
            result = pooled[name][label].as_dict()
            turns = max(1, result["turns_answered"])
            result["pause_s"] = pause_s
            result["server_cpu_ms_per_turn"] = cpu[name][label][0] / turns * 1e3
            result["rabbitmq_cpu_ms_per_turn"] = cpu[name][label][1] / turns * 1e3
            figures[name][label] = result
        # RabbitMQ is not the benchmark's process: its CPU shows here too.
        figures[name]["others_cpu_cores_max"] = round(max(others[name]), 3)
        figures[name]["events_stored"] = stored_events(run.WORK / f"broker-{name}" / "tracker.db")
    return figures


def rabbitmq_pids() -> List[int]:
    """The local RabbitMQ's Erlang VM."""
    return machine.pids_named("beam.smp")


def _cpu_s(pids: List[int]) -> float:
    return sum(machine.process_cpu_s(pid) for pid in pids)


def stored_events(tracker_db: Path) -> int:
    """How many events the tracker store holds."""
    with closing(sqlite3.connect(tracker_db)) as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broker", description=__doc__)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per load level and round")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    queue = f"bench_{uuid.uuid4().hex[:8]}"
    results: Dict[str, Any] = {
        "machine": machine.describe(),
        "queue": queue,
        "seconds_per_level_and_round": args.seconds,
        "rounds": args.rounds,
    }
    try:
        results.update(measure(queue, args.seconds, args.rounds))
    finally:
        results["events_in_queue"] = drain(queue)
    lines = [
        "| visitors | reply p50 without (ms) | with (ms) | reply p95 without | with "
        "| turns/s without | with | server CPU ms a turn without | with "
        "| RabbitMQ CPU ms a turn with |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, _, _ in LEVELS:
        a, b = results["without"][label], results["with"][label]
        lines.append(
            f"| {label} | {a['latency_all_turns']['p50_ms']:.1f} "
            f"| {b['latency_all_turns']['p50_ms']:.1f} "
            f"| {a['latency_all_turns']['p95_ms']:.1f} "
            f"| {b['latency_all_turns']['p95_ms']:.1f} | {a['throughput_turns_per_s']:.1f} "
            f"| {b['throughput_turns_per_s']:.1f} | {a['server_cpu_ms_per_turn']:.1f} "
            f"| {b['server_cpu_ms_per_turn']:.1f} | {b['rabbitmq_cpu_ms_per_turn']:.1f} |"
        )
    lines.append(
        f"\nEvents stored: {results['with']['events_stored']}; "
        f"events that reached the queue: {results['events_in_queue']}."
    )
    results["table"] = "\n".join(lines)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    out = run.RESULTS / "broker.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(results["table"])
    print(f"Written: {out.relative_to(run.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
