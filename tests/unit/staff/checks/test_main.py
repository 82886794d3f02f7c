"""``make check`` (``python -m staff.checks``): the problems as a numbered list."""

from __future__ import annotations

from pathlib import Path

import pytest

from staff.checks.__main__ import main as check_command
from tests.support.check_cases import (
    TEN,
    nlu_file,
)


def test_make_check_says_no_problems_found(
    data_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("STAFF_DATA_ROOT", str(data_root))
    assert check_command(["--quick"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "No problems found."


def test_make_check_lists_the_problems_and_fails(
    data_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    (data_root / "data/nlu/faq/aftercare.yml").write_text(nlu_file("faq/aftercare", *TEN))
    monkeypatch.setenv("STAFF_DATA_ROOT", str(data_root))
    assert check_command(["--quick"]) == 1
    out = capsys.readouterr().out
    assert "1. Topic 'aftercare' has examples but no answer.\n" in out
    assert "1 problem to fix, 0 warnings." in out
