"""deploy/secrets.sh: the deployment's secrets, made once. It writes deploy/.env (which
Compose reads beside the compose file) with a new random value for each variable the
compose file cannot start without, readable by its owner only, and never changes a value
already there (PostgreSQL keeps the password it was first started with)."""

from __future__ import annotations

import itertools
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Dict

from tests.support.deploy_files import DEPLOY, dockerignored, required_variables
from tests.support.project import ROOT

SCRIPT = DEPLOY / "secrets.sh"


def run_script(*arguments: str, script: Path = SCRIPT) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["bash", str(script), *arguments], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return done


def values(path: Path) -> Dict[str, str]:
    found: Dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert name not in found, f"{name} twice in {path}"
            found[name] = value
    return found


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def required() -> set[str]:
    return required_variables((DEPLOY / "docker-compose.yml").read_text())


def test_it_writes_a_random_value_for_each_secret_the_compose_file_needs(
    tmp_path: Path,
) -> None:
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "ACTION_SERVER_SECRET"} <= required()
    first, second = tmp_path / "first.env", tmp_path / "second.env"
    done = run_script(str(first))
    run_script(str(second))
    written = values(first)
    assert set(written) == required()
    for name, value in written.items():
        assert re.fullmatch(r"[0-9a-f]{32,}", value), name  # 128 bits at least
        assert value not in done.stdout + done.stderr  # named, never shown
        assert name in done.stdout + done.stderr
    others = values(second)
    assert all(written[name] != others[name] for name in written)
    assert mode(first) == 0o600


def test_it_never_changes_a_value_already_there(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    # No newline at the end: the first line added must not run into the last.
    env_file.write_text(
        "# the clinic's own\nPOSTGRES_PASSWORD=chosen-by-the-clinic\nREDIS_PASSWORD="
    )
    env_file.chmod(0o644)
    run_script(str(env_file))
    written = values(env_file)
    assert written["POSTGRES_PASSWORD"] == "chosen-by-the-clinic"
    assert re.fullmatch(r"[0-9a-f]{32,}", written["REDIS_PASSWORD"])  # empty is not a value
    assert set(written) == required()
    assert env_file.read_text().startswith("# the clinic's own\n")
    assert mode(env_file) == 0o600  # tightened
    before = env_file.read_bytes()
    run_script(str(env_file))
    assert env_file.read_bytes() == before


def test_by_default_it_writes_the_env_file_beside_the_compose_file(tmp_path: Path) -> None:
    copy = tmp_path / "deploy" / "secrets.sh"
    copy.parent.mkdir()
    shutil.copy(SCRIPT, copy)
    run_script(script=copy)
    assert set(values(tmp_path / "deploy" / ".env")) == required()


def test_the_secrets_stay_out_of_git_and_of_the_image() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/.env"], cwd=ROOT, timeout=30, check=False
    )
    assert ignored.returncode == 0
    patterns = (ROOT / ".dockerignore").read_text().splitlines()
    assert dockerignored("deploy/.env", patterns)
    assert dockerignored(".env", patterns)


def test_the_compose_file_and_the_operations_guide_say_to_run_it() -> None:
    lines = (DEPLOY / "docker-compose.yml").read_text().splitlines()
    header = "\n".join(itertools.takewhile(lambda line: line.startswith("#"), lines))
    assert "bash deploy/secrets.sh" in header
    assert "bash deploy/secrets.sh" in (ROOT / "docs" / "operations.md").read_text()
