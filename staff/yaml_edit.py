"""Editing the project's YAML files the way people wrote them.

A file is read with ruamel.yaml's round-trip loader, which knows where each key and value
sits; an edit rewrites only the lines of the one value it changes, and every other byte of
the file stays as it was (a full re-dump would re-indent the lists and move comments). The
result is read back and compared with what was meant before it is written. Writes go to a
temporary file that then replaces the original (never a half-written file), under the
project's data lock, so two staff saving at once both keep their change, and a publish
snapshots the data between edits, never in the middle of one.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import re
import tempfile
import textwrap
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List

from ruamel.yaml import YAML

from staff.problems import ContentError

#: The lock file that serialises edits of one project's data (var/ is not committed).
LOCK = Path("var") / "staff-data.lock"

#: The longest line of an answer as written to the data files (as the existing ones).
ANSWER_WIDTH = 88


def round_trip() -> YAML:
    """ruamel.yaml's round-trip loader: it records where each key and value is."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # type: ignore[assignment]
    return yaml


def read_back(text: str) -> Any:
    """``text`` parsed as Rasa will read it (to compare an edit with what was meant)."""
    return YAML(typ="safe", pure=True).load(text)


_local = threading.local()


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the project's data lock: one edit (or snapshot) at a time, across threads
    and processes. Re-entrant within a thread."""
    depth = getattr(_local, "depth", {})
    _local.depth = depth
    key = str(root.resolve())
    if depth.get(key):
        depth[key] += 1
        try:
            yield
        finally:
            depth[key] -= 1
        return
    path = root / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        depth[key] = 1
        try:
            yield
        finally:
            depth[key] = 0
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, so the file
    is always either the old or the new version, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def render_block(text: str, indent: int, width: int = ANSWER_WIDTH) -> str:
    """``text`` as a YAML block scalar (the part after ``key: ``): one paragraph folded
    (``>-``) at ``width``, several lines literal (``|-``), indented by ``indent``."""
    pad = " " * indent
    if "\n" not in text:
        lines = textwrap.wrap(
            text,
            width=max(width - indent, 20),
            break_long_words=False,
            break_on_hyphens=False,
        )
        return ">-\n" + "".join(f"{pad}{line}\n" for line in lines)
    return "|-\n" + "".join(f"{pad}{line}\n" if line else "\n" for line in text.split("\n"))


def value_span(lines: List[str], line: int, parent_col: int) -> int:
    """The line after the value that starts on ``line``: its continuation lines are the
    blank ones and those indented deeper than its key (``parent_col``); blank lines at
    its end are left to what follows."""
    end = line + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > parent_col):
        end += 1
    while end > line + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def replace_response_text(document: str, response: str, text: str, index: int = 0) -> str:
    """``document`` with the text of variation ``index`` of ``response`` replaced by
    ``text``; every other line as it was.

    Raises:
        KeyError: the document has no such response.
        ContentError: the edited document would not read back as intended.
    """
    data = round_trip().load(document)
    variations = (data or {}).get("responses", {}).get(response)
    if not variations or not 0 <= index < len(variations) or "text" not in variations[index]:
        raise KeyError(response)
    variation = variations[index]
    _, key_col = variation.lc.key("text")
    value_line, value_col = variation.lc.value("text")
    lines = document.splitlines(keepends=True)
    end = value_span(lines, value_line, key_col)
    head = lines[value_line][:value_col]
    edited = "".join(lines[:value_line]) + head + render_block(text, key_col + 2)
    edited += "".join(lines[end:])
    if read_back(edited)["responses"][response][index]["text"] != text:
        raise ContentError(f"The answer of {response} could not be written as intended.")
    return edited


def quoted(value: str) -> str:
    """``value`` as a double-quoted YAML string (JSON's quoting is YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def comment_lines(text: str, prefix: str = "#   ") -> str:
    """``text`` in quotes as comment lines, wrapped as the answers are."""
    width = ANSWER_WIDTH + 4 - len(prefix)
    return "".join(f"{prefix}{line}\n" for line in textwrap.wrap(f'"{text}"', width=width))


def who_of(who: str) -> str:
    """A staff member's name as written into a comment: one line, no odd characters."""
    name = re.sub(r"[^\w .@'-]", "", " ".join(who.split()))[:60].strip()
    return name or "staff"


def today() -> str:
    """Today's date (YYYY-MM-DD), as the comments of the data files give it."""
    return datetime.date.today().isoformat()
