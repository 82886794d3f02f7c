"""``python -m staff.accounts NAME`` (``make staff-user NAME=...``): accounts from the command
line, the password typed twice or taken from STAFF_PASSWORD."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from staff.accounts import Accounts
from staff.accounts.__main__ import main
from staff.security import SessionStore
from tests.support.project import ROOT

PASSWORD = "a long enough password"


@pytest.fixture
def env(tmp_path: Path) -> Dict[str, str]:
    return {"STAFF_DB": str(tmp_path / "staff.db")}


def prompt_with(answers: List[str]) -> Callable[[str], str]:
    given = iter(answers)

    def prompt(question: str) -> str:
        return next(given)

    return prompt


def test_a_password_typed_twice_creates_the_account(
    env: Dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["Ana"], env, prompt_with([PASSWORD, PASSWORD])) == 0
    assert "the account 'ana' is ready" in capsys.readouterr().out
    assert Accounts(Path(env["STAFF_DB"])).verify("ana", PASSWORD).ok


def test_two_different_passwords_change_nothing(
    env: Dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ana"], env, prompt_with([PASSWORD, PASSWORD + "x"])) == 1
    assert "The two passwords are not the same: nothing was changed." in capsys.readouterr().err
    assert Accounts(Path(env["STAFF_DB"])).names() == []


def test_a_short_password_is_refused_before_the_second_question(
    env: Dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ana"], env, prompt_with(["short"])) == 1
    assert "too short" in capsys.readouterr().err


def test_a_new_password_ends_the_persons_sessions(
    env: Dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = Path(env["STAFF_DB"])
    main(["ana"], {**env, "STAFF_PASSWORD": PASSWORD})
    session = SessionStore(db, idle_seconds=3600).create("ana")
    assert main(["ana"], {**env, "STAFF_PASSWORD": "another long password"}) == 0
    assert "'ana' has a new password (1 open session ended)" in capsys.readouterr().out
    assert SessionStore(db, idle_seconds=3600).get(session.id) is None
    assert Accounts(db).verify("ana", "another long password").ok


def test_list_and_delete(env: Dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    main(["ben"], {**env, "STAFF_PASSWORD": PASSWORD})
    main(["ana"], {**env, "STAFF_PASSWORD": PASSWORD})
    capsys.readouterr()
    assert main(["--list"], env) == 0
    assert capsys.readouterr().out.split() == ["ana", "ben"]
    assert main(["ben", "--delete"], env) == 0
    assert main(["ben", "--delete"], env) == 1
    assert Accounts(Path(env["STAFF_DB"])).names() == ["ana"]


def test_a_bad_name_is_refused(env: Dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["has space"], {**env, "STAFF_PASSWORD": PASSWORD}) == 1
    assert "A name is 1 to 64 letters" in capsys.readouterr().err


def test_the_command_takes_the_password_from_the_environment_without_a_terminal(
    env: Dict[str, str], tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "staff.accounts", "ana"]
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env}
    without = subprocess.run(
        command, env=base, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    assert without.returncode == 1
    assert "set STAFF_PASSWORD" in without.stderr
    done = subprocess.run(
        command,
        env={**base, "STAFF_PASSWORD": PASSWORD},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert Accounts(Path(env["STAFF_DB"])).verify("ana", PASSWORD).ok
