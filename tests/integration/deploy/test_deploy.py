"""deploy/start.sh run as a container runs it: the role's server answers, and it is the
process the container runs (the deployment files themselves: tests/unit/deploy/test_deploy.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
import requests

from launcher import processes, roles


@pytest.mark.integration
@pytest.mark.parametrize(
    ("role", "port", "health"),
    [("web", "WEB_PORT", "/health"), ("actions", "ACTION_SERVER_PORT", "/health")],
)
def test_start_sh_starts_a_role_that_answers(
    role: str, port: str, health: str, role_env: Dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / f"{role}.log"
    url = f"http://127.0.0.1:{role_env[port]}{health}"
    with processes.process(["bash", "deploy/start.sh", role], role_env, log) as child:
        processes.wait_until_up(url, child, log)
        # exec: the server is the process the container runs, not a shell around it.
        command = Path(f"/proc/{child.pid}/cmdline").read_text().split("\0")
        assert command[1:3] == ["-m", roles.MODULES[role]]
        assert requests.get(url, timeout=5).ok
