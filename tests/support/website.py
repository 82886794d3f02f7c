"""The demo clinic page (``python -m web``) started by a test, on a port of its own."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from launcher import processes
from tests.support.servers import wait_until_up


@contextmanager
def website(env: Mapping[str, str], port: int, log: Path) -> Iterator[str]:
    """``python -m web`` on ``port`` of 127.0.0.1 with ``env``; its URL as a visitor types it."""
    site_env = {**env, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}
    with processes.process([sys.executable, "-m", "web"], site_env, log) as child:
        wait_until_up(f"http://127.0.0.1:{port}/health", child, log)
        yield f"http://localhost:{port}"


@dataclass
class Site:
    """A running website of the tests, and what it was started with."""

    url: str
    socket_url: str
    clinic_file: Path
