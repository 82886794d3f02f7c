"""Several Rasa servers on the machine's PostgreSQL (conversations, in a fresh schema) and
Redis (locks), as behind a load balancer: what the scale-out test
(tests/integration/stores/test_scale_out.py) and the sticky-session test
(tests/integration/deploy/test_sticky_sessions.py) start.
"""

from __future__ import annotations

import json
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

import sqlalchemy as sa

from launcher import local_servers
from tests.support.project import OPEN_NOW, TEST_CLINIC_YAML
from tests.support.servers import NO_RATE_LIMITS, trained_model

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/4"


@contextmanager
def fresh_schema(prefix: str) -> Iterator[str]:
    """The name of a new PostgreSQL schema (the servers create it), dropped at the end."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:
        engine = sa.create_engine(POSTGRES)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        engine.dispose()


@contextmanager
def rasa_servers(
    folder: Path,
    schema: str,
    count: int = 2,
    one_action_server: bool = False,
    workers: Sequence[int] = (),
    extra_env: Optional[Mapping[str, str]] = None,
    rasa_args: Sequence[str] = (),
) -> Iterator[List[local_servers.Running]]:
    """``count`` Rasa servers on one PostgreSQL schema and one Redis, until the block ends.

    Each has its own action server, or, with ``one_action_server``, all share the first's.
    ``workers[n]`` is server n's SANIC_WORKERS (1 where not given); ``extra_env`` and
    ``rasa_args`` are given to every server (an API token, say).

    Raises:
        launcher.processes.ServerError: a server did not start.
    """
    clinic = folder / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    shared = {
        **(extra_env or {}),
        **NO_RATE_LIMITS,  # the tests' visitors all come from this machine
        "CLINIC_CONFIG": str(clinic),
        "CLINIC_NOW": OPEN_NOW,  # the chat open, whenever the tests run
        "DATABASE_URL": POSTGRES,
        "DATABASE_SCHEMA": schema,
        "REDIS_URL": REDIS,
        "LOCK_STORE_PREFIX": schema.replace("_", ""),  # letters and digits only
    }
    with ExitStack() as stack:
        servers: List[local_servers.Running] = []
        for number in range(count):
            (folder / f"rasa-{number}").mkdir()
            settings = dict(shared)
            if number < len(workers):
                settings["SANIC_WORKERS"] = str(workers[number])
            if one_action_server and servers:
                first = servers[0]
                settings["ACTION_ENDPOINT_URL"] = first.env["ACTION_ENDPOINT_URL"]
                settings["ACTION_SERVER_SECRET"] = first.env["ACTION_SERVER_SECRET"]
            servers.append(
                stack.enter_context(
                    local_servers.running(
                        trained_model(),
                        folder / f"rasa-{number}",
                        settings,
                        rasa_args=rasa_args,
                        web=False,
                        actions=not (one_action_server and servers),
                    )
                )
            )
        yield servers


def stored(schema: str, sender: str) -> List[Dict[str, Any]]:
    """The events stored for ``sender`` in the schema, in order."""
    engine = sa.create_engine(POSTGRES)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(f"SELECT data FROM {schema}.events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        ).fetchall()
    engine.dispose()
    return [json.loads(row[0]) for row in rows]


def senders(schema: str) -> List[str]:
    """Every sender with events in the schema, sorted."""
    engine = sa.create_engine(POSTGRES)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(f"SELECT DISTINCT sender_id FROM {schema}.events")
        ).fetchall()
    engine.dispose()
    return sorted(row[0] for row in rows)
