"""A PostgreSQL of the test's own (its own cluster on a free port, so the machine's service
is left alone) is stopped and started again mid-conversation: the visitor is told to try
again rather than met with silence, the conversation then continues, and every turn that
was answered is kept."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
import sqlalchemy as sa

from launcher import local_servers, processes
from tests.support.project import TEST_CLINIC_YAML
from tests.support.servers import trained_model

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

#: Debian installs PostgreSQL's server tools under /usr/lib/postgresql/<version>/bin.
PG_BIN = Path(max(glob.glob("/usr/lib/postgresql/*/bin"), default="/usr/bin"))


class OwnPostgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1:<port>, trust authentication."""

    def __init__(self) -> None:
        self.port = processes.free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="pg-outage-"))
        self.data = self.folder / "data"
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        self.as_user: List[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(PG_BIN / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "log")
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture(scope="module")
def database() -> Iterator[OwnPostgres]:
    postgres = OwnPostgres()
    postgres.start()
    try:
        yield postgres
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            postgres.stop()
        shutil.rmtree(postgres.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def rasa_url(tmp_path_factory: pytest.TempPathFactory, database: OwnPostgres) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("outage")
    clinic = folder / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    extra = {"CLINIC_CONFIG": str(clinic), "DATABASE_URL": database.url}
    try:
        with local_servers.running(trained_model(), folder, extra, web=False) as running:
            yield running.rasa_url
    except processes.ServerError as error:
        pytest.fail(str(error))


def say(url: str, text: str) -> List[Dict[str, Any]]:
    reply = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": "outage-1", "message": text}, timeout=60
    )
    reply.raise_for_status()
    messages: List[Dict[str, Any]] = reply.json()
    return messages


def test_a_database_outage_mid_conversation(rasa_url: str, database: OwnPostgres) -> None:
    assert "months" in say(rasa_url, "how long do the results last?")[0]["text"]

    database.stop()
    during = say(rasa_url, "does it hurt?")
    assert len(during) == 1
    assert "try again in a moment" in during[0]["text"]
    assert "call 911 now" in during[0]["text"]

    database.start()
    # The conversation continues: at most a few tries while connections are re-made.
    for _ in range(5):
        after = say(rasa_url, "how long does the treatment take?")
        if "15 to 30 minutes" in " ".join(m.get("text", "") for m in after):
            break
    else:
        pytest.fail(f"no answer after the database came back: {after}")

    # Every answered turn is in the tracker store, in order.
    engine = sa.create_engine(database.url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = 'outage-1' ORDER BY id")
        ).fetchall()
    engine.dispose()
    users = [json.loads(r[0])["text"] for r in rows if json.loads(r[0])["event"] == "user"]
    assert users[0] == "how long do the results last?"
    assert users[-1] == "how long does the treatment take?"
    assert "does it hurt?" not in users
