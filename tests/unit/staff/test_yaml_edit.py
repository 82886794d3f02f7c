"""Writing the data files (staff/yaml_edit.py): whole files, atomically, and several files
all or nothing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from staff.problems import ContentError
from staff.yaml_edit import write_atomic, written_together
from tests.support.staff_edits import refuse_to_replace


def test_writes_replace_the_file_whole_and_keep_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "file.yml"
    path.write_text("old\n")
    os.chmod(path, 0o640)
    write_atomic(path, "new\n")
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["file.yml"]


def test_several_files_are_written_all_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first.yml", tmp_path / "sub" / "second.yml"
    new = tmp_path / "new.yml"
    second.parent.mkdir()
    first.write_text("first, old\n")
    second.write_text("second, old\n")
    refuse_to_replace(monkeypatch, second)

    texts = {new: "new\n", first: "first, new\n", second: "2\n"}
    with pytest.raises(ContentError) as refused, written_together(tmp_path, texts):
        raise AssertionError("the block runs only once every file is in place")

    assert str(refused.value) == (
        "Nothing was saved: sub/second.yml could not be written (Permission denied)."
    )
    # The files replaced before it are put back, the new one is gone, no copy is left.
    assert first.read_text() == "first, old\n"
    assert second.read_text() == "second, old\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "first.yml",
        "sub",
        "sub/second.yml",
    ]


def test_a_block_that_fails_puts_the_written_files_back(tmp_path: Path) -> None:
    first, second = tmp_path / "first.yml", tmp_path / "second.yml"
    first.write_text("first, old\n")
    os.chmod(first, 0o640)
    texts = {first: "first, new\n", second: "second\n"}
    with pytest.raises(RuntimeError), written_together(tmp_path, texts):
        assert (first.read_text(), second.read_text()) == ("first, new\n", "second\n")
        raise RuntimeError("the history could not be written")
    assert first.read_text() == "first, old\n"
    assert stat.S_IMODE(first.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["first.yml"]

    with written_together(tmp_path, {first: "first, new\n", second: "second\n"}):
        pass
    assert (first.read_text(), second.read_text()) == ("first, new\n", "second\n")
    assert stat.S_IMODE(first.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.yml", "second.yml"]
