"""Editing the project's YAML files the way people wrote them.

A file is read with ruamel.yaml's round-trip loader, which knows where each key and value
sits; an edit rewrites only the lines of the one value it changes, and every other byte of
the file stays as it was (a full re-dump would re-indent the lists and move comments). The
result is read back and compared with what was meant before it is written. Writes go to a
temporary file that then replaces the original (never a half-written file), under the
project's data lock, so two staff saving at once both keep their change, and a publish
snapshots the data between edits, never in the middle of one. An edit of several files
(an answer and its claims review) writes them all or none (:func:`written_together`).
"""

from __future__ import annotations

import datetime
import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
import textwrap
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, List, Mapping, Optional, Sequence, Union

from ruamel.yaml import YAML

from staff.problems import ContentError

logger = logging.getLogger(__name__)

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


#: A file's new content for :func:`written_together`: text, bytes, or None to remove it.
Content = Union[str, bytes, None]


@dataclass
class _Staged:
    """One file of :func:`written_together`: its new content in a temporary file beside it
    (None when the file is to go), and a copy of the old file (None when there is none)."""

    path: Path
    temporary: Optional[Path]
    backup: Optional[Path] = None
    replaced: bool = False


def _stage(path: Path, content: Content) -> _Staged:
    """``content`` in a temporary file beside ``path`` (with its permissions), and a copy
    of the old ``path`` beside it too, so that writing it and putting it back are one
    rename each."""
    staged = _Staged(path, None)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is not None:
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            staged.temporary = Path(temporary)
            raw = content.encode("utf-8") if isinstance(content, str) else content
            with os.fdopen(descriptor, "wb") as out:
                out.write(raw)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, mode)
        if path.exists():
            descriptor, backup = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".old"
            )
            os.close(descriptor)
            staged.backup = Path(backup)
            shutil.copy2(path, backup)
    except BaseException:
        _discard([staged])
        raise
    return staged


def _discard(staged: Sequence[_Staged]) -> None:
    """Remove the temporary files and copies left of ``staged``."""
    for item in staged:
        for left in (item.temporary, item.backup):
            if left is not None:
                left.unlink(missing_ok=True)


def _put_back(staged: Sequence[_Staged]) -> List[Path]:
    """Put the old version of every replaced file back (a new file is removed), last
    replaced first; the files that could not be put back."""
    stuck: List[Path] = []
    for item in reversed(staged):
        if not item.replaced:
            continue
        try:
            if item.backup is None:
                item.path.unlink(missing_ok=True)
            else:
                os.replace(item.backup, item.path)
            item.replaced = False
        except OSError:
            logger.exception("staff: could not put %s back", item.path)
            stuck.append(item.path)
    return stuck


def _shown(path: Path, root: Path) -> str:
    """``path`` as staff know it: relative to the project."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


@contextmanager
def written_together(root: Path, texts: Mapping[Path, Content]) -> Iterator[None]:
    """Write several files of the project in ``root`` all or nothing: each new text goes
    to a temporary file beside its file first (with a copy of the old file), then they
    replace the files one rename each (a file whose text is None is removed); if one
    cannot be written, renamed or removed, the files already replaced are put back, so
    every file is as it was. The block of the ``with`` runs once every file is in place
    (where an edit records its history entry); if it raises, the files are put back too.
    Call it under :func:`locked`.

    Raises:
        ContentError: a file could not be written; it names the file and why, and every
            file is as it was.
    """
    staged: List[_Staged] = []
    current = next(iter(texts), root)
    try:
        try:
            for current, text in texts.items():
                staged.append(_stage(current, text))
            for item in staged:
                current = item.path
                if item.temporary is None:
                    item.path.unlink(missing_ok=True)
                else:
                    os.replace(item.temporary, item.path)
                item.replaced = True
        except OSError as error:
            stuck = _put_back(staged)
            reason = error.strerror or type(error).__name__
            message = (
                f"Nothing was saved: {_shown(current, root)} could not be written ({reason})."
            )
            if stuck:
                message += " These files may hold the new text: " + ", ".join(
                    _shown(path, root) for path in stuck
                )
            raise ContentError(message) from error
        try:
            yield
        except BaseException:
            _put_back(staged)
            raise
    finally:
        _discard(staged)


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
