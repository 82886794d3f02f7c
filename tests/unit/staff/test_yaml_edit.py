"""Writing the data files (staff/yaml_edit.py): whole files, atomically."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from staff.yaml_edit import write_atomic


def test_writes_replace_the_file_whole_and_keep_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "file.yml"
    path.write_text("old\n")
    os.chmod(path, 0o640)
    write_atomic(path, "new\n")
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["file.yml"]
