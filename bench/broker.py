"""What the event broker costs a visitor: the project's model served twice, without and
with ``EVENT_BROKER_URL`` (RabbitMQ through Rasa's Pika broker), the same visitors, the
same load levels; FAQ-turn latency and throughput side by side, and the events that
reached the queue.

Usage: ``python -m bench.broker`` (about 3 minutes, with scripts/env.sh sourced; the local
RabbitMQ at 127.0.0.1:5672). It serves the model ``make bench`` trained
(bench/work/models/project.tar.gz) or else the newest in models/, and writes
``bench/results/broker.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import aio_pika

from bench import load, machine, run, serve
from bench.answers import AnswerBook
from bench.plan import FULL
from scripts import local_servers

RABBITMQ = os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
LEVELS = (1, 8)
SECONDS = 20.0


def model() -> Path:
    """The project model of the last ``make bench``, else the newest trained one."""
    benched = run.WORK / "models" / "project.tar.gz"
    newest = local_servers.newest_model()
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


def measure(name: str, env: Dict[str, str], seconds: float) -> Dict[str, Any]:
    """Serve the model with ``env``; each load level after a warm-up."""
    check = load.check_with(AnswerBook.of_project())
    figures: Dict[str, Any] = {}
    with serve.serve(model(), run.WORK / f"broker-{name}", env) as served:
        load.run_level(served.webhook, 8, FULL.warmup_s, 0, check, f"{name}-warm")
        for visitors in LEVELS:
            meter = machine.OthersMeter()
            level = load.run_level(served.webhook, visitors, seconds, 0, check, name)
            result = level.as_dict()
            result["others_cpu_cores"] = round(meter.cores(), 3)
            figures[str(visitors)] = result
            faq = result["latency"]["faq"]
            run.say(
                f"broker {name}: {visitors} visitors: {result['throughput_turns_per_s']:.1f} "
                f"turns/s, FAQ p50 {faq['p50_ms']:.1f} ms p95 {faq['p95_ms']:.1f} ms, "
                f"errors {result['errors']}"
            )
    return figures


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broker", description=__doc__)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per load level")
    args = parser.parse_args(argv)
    queue = f"bench_{uuid.uuid4().hex[:8]}"
    results: Dict[str, Any] = {"machine": machine.describe(), "queue": queue}
    try:
        results["without"] = measure("without", {"EVENT_BROKER_URL": ""}, args.seconds)
        results["with"] = measure(
            "with", {"EVENT_BROKER_URL": RABBITMQ, "EVENT_BROKER_QUEUE": queue}, args.seconds
        )
    finally:
        results["events_in_queue"] = drain(queue)
    lines = [
        "| visitors | FAQ p50 without (ms) | with (ms) | FAQ p95 without | with "
        "| turns/s without | with |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for visitors in map(str, LEVELS):
        a, b = results["without"][visitors], results["with"][visitors]
        lines.append(
            f"| {visitors} | {a['latency']['faq']['p50_ms']:.1f} "
            f"| {b['latency']['faq']['p50_ms']:.1f} | {a['latency']['faq']['p95_ms']:.1f} "
            f"| {b['latency']['faq']['p95_ms']:.1f} | {a['throughput_turns_per_s']:.1f} "
            f"| {b['throughput_turns_per_s']:.1f} |"
        )
    lines.append(f"\nEvents that reached the queue: {results['events_in_queue']}.")
    results["table"] = "\n".join(lines)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    out = run.RESULTS / "broker.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(results["table"])
    print(f"Written: {out.relative_to(run.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
