"""``make forget SENDER=<id>``: forget a visitor, in the conversations and in what the staff
app keeps.

A visitor's words reach the staff app's own files when staff teach one of their messages
(the Teach page: an example in ``data/nlu/reviewed/``, and the history's entry of it) or
make a topic of unanswered questions (its examples, and the history's entry). So forget
first reads what the visitor wrote from the tracker store, then, with no edit, publish or
rollback meanwhile:

- removes from ``data/nlu/reviewed/`` each taught example that is one of those messages
  (the same words, whatever the case and punctuation) or that the history says was
  taught from this visitor's conversation (also when staff edited it before saving);
- removes them the same way from the data snapshots of the published versions
  (``STAFF_MODELS/<version>/data.tar.gz``, which a rollback restores) and from the copies
  of the data a rollback kept (``STAFF_MODELS/backups/``);
- puts :data:`staff.history.FORGOTTEN` in their place in the history, and
  :data:`staff.history.FORGOTTEN_VISITOR` in place of their id in the live chat's entries;
- deletes the "done" marks of their callback requests (:mod:`staff.live.callbacks`; the
  requests themselves, their name and number, are in the conversation);

and then deletes the conversation (:func:`stores.retention.forget`). It says where a copy
remains, and why:

- an example of a topic's own file (``data/nlu/faq/``, ``data/nlu/*.yml``) with the same
  words: those are the developers' or a new topic's, a person decides (removing one could
  leave a topic with too few examples; the same words may have been written by someone
  else);
- the trained models (``STAFF_MODELS/<version>/model.tar.gz``, ``models/``): a model keeps
  the words it was trained with as a vocabulary (single words and letter groups, not the
  sentences), until that version is no longer kept; the next publish trains without them.

If anything cannot be done, nothing of the conversation is deleted and it says so: run it
again.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from staff import data
from staff.history import FORGOTTEN, History
from staff.live.callbacks import CallbackMarks
from staff.problems import ContentError
from staff.publish import lock
from staff.publish.errors import PublishBusy
from staff.settings import SettingsError, StaffSettings
from staff.yaml_edit import Content, locked, read_back, write_atomic, written_together
from stores import retention

#: A test of a text: is it one of the visitor's messages?
Theirs = Callable[[str], bool]
#: The lists of a publish report that quote the checks' findings.
REPORT_LISTS = ("warnings", "problems")

_EXAMPLES_KEY = re.compile(r"^(\s*)examples:\s*[|>][-+]?\s*$")
#: An entry left without examples, with the comment lines just above it.
_EMPTY_ENTRY = re.compile(
    r"(?m)^(?:#[^\n]*\n)*- intent: [^\n]*\n[ ]+examples: \|[-+]?\n(?=- |#|\Z)"
)


@dataclass
class Forgotten:
    """What forget changed in what the staff app keeps, and where a copy remains."""

    examples: List[Tuple[str, str]] = field(default_factory=list)
    snapshots: List[str] = field(default_factory=list)
    #: Publish reports (a version's meta.json, a job's status.json) whose warnings or
    #: problems quoted their words.
    reports: List[str] = field(default_factory=list)
    history: int = 0
    callback_marks: int = 0
    remaining: List[str] = field(default_factory=list)

    def report(self, sender: str) -> str:
        """A few lines in plain words."""
        lines = [f"forget {sender!r} in the staff app's files:"]
        if not (
            self.examples or self.snapshots or self.reports or self.history or self.callback_marks
        ):
            lines.append("  no taught example or history entry holds their words.")
        for file, example in self.examples:
            lines.append(f"  removed the example {example!r} from {file}")
        if self.snapshots:
            lines.append(
                f"  removed their words from {len(self.snapshots)} data snapshot(s) of "
                "published versions and rollback copies: " + ", ".join(self.snapshots)
            )
        if self.reports:
            lines.append(
                f"  removed the check warnings quoting their words from {len(self.reports)} "
                "publish report(s): " + ", ".join(self.reports)
            )
        if self.history:
            lines.append(f"  removed their words from {self.history} history entry(ies)")
        if self.callback_marks:
            lines.append(
                f"  removed {self.callback_marks} 'done' mark(s) of their callback requests"
            )
        lines += [f"  a copy remains: {where}" for where in self.remaining]
        return "\n".join(lines)


def matcher(texts: Iterable[str]) -> Theirs:
    """Whether a text has the same words as one of ``texts`` (case and punctuation aside,
    as duplicate examples are found)."""
    keys = {data.normalise(text) for text in texts} - {""}
    return lambda text: data.normalise(text) in keys


def quoter(texts: Iterable[str]) -> Theirs:
    """Whether a text quotes one of ``texts``: holds its words, whole, as
    :func:`data.normalise` reads them (a check's warning quoting an example)."""
    keys = {data.normalise(text) for text in texts} - {""}
    return lambda text: any(f" {key} " in f" {data.normalise(text)} " for key in keys)


def publish_reports(models: Path) -> List[Path]:
    """Each published version's report and each publish job's status (their warnings
    quote the checks, which quote examples)."""
    if not models.is_dir():
        return []
    return sorted([*models.glob("*/meta.json"), *(models / "jobs").glob("*/status.json")])


def forget_in_report(path: Path, quotes: Theirs) -> Optional[str]:
    """The report at ``path`` with each warning or problem that ``quotes`` their words
    replaced by :data:`history.FORGOTTEN`; None when none does."""
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        return None
    changed = False
    for key in REPORT_LISTS:
        items = document.get(key)
        if isinstance(items, list):
            kept = [FORGOTTEN if isinstance(i, str) and quotes(i) else i for i in items]
            changed = changed or kept != items
            document[key] = kept
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n" if changed else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _examples_of(document: str) -> Counter[Tuple[str, str]]:
    parsed = read_back(document) or {}
    return Counter(
        (str(item.get("intent")), text)
        for item in parsed.get("nlu") or []
        if isinstance(item, dict)
        for text in data.example_lines(str(item.get("examples") or ""))
    )


def without_examples(document: str, theirs: Theirs) -> Tuple[Content, List[str]]:
    """``document`` (a data file) without the examples that are ``theirs``, every other
    line as it was; an entry left with none goes with its comment. None when no entry is
    left (the file goes). And the examples removed.

    Raises:
        ContentError: the file would not read back as meant (edited by hand in a way this
            does not follow): nothing is changed, a person must edit it.
    """
    kept: List[str] = []
    removed: List[str] = []
    block: Optional[int] = None  # the indent of the examples key, inside its block
    for line in document.splitlines(keepends=True):
        if block is not None and line.strip() and _indent(line) <= block:
            block = None
        key = _EXAMPLES_KEY.match(line)
        if key:
            block = len(key.group(1))
        elif block is not None and line.strip().startswith("- "):
            text = data.strip_markup(line.strip()[2:].strip())
            if theirs(text):
                removed.append(text)
                continue
        kept.append(line)
    if not removed:
        return document, []
    edited = _EMPTY_ENTRY.sub("", "".join(kept))
    try:
        parsed = read_back(edited) or {}
        items = parsed.get("nlu") or []
        expected = _examples_of(document) - _examples_of(edited)
        as_meant = sum(expected.values()) == len(removed) and all(
            isinstance(item, dict) and data.example_lines(str(item.get("examples") or ""))
            for item in items
        )
    except Exception:  # any reading error: the file is left to a person
        as_meant = False
    if not as_meant:
        raise ContentError(
            "The visitor's words could not be removed from a data file as intended; "
            "remove them by hand: " + "; ".join(repr(text) for text in removed)
        )
    if not items and set(parsed) <= {"version", "nlu"}:
        return None, removed
    return edited, removed


def _reviewed(relative: str) -> bool:
    """Whether a file (relative to the project) holds examples taught in the staff app."""
    reviewed = data.REVIEWED_DIR.as_posix() + "/"
    return relative.startswith(reviewed) and relative.endswith((".yml", ".yaml"))


def forget_in_data(
    root: Path, theirs: Theirs
) -> Tuple[Dict[Path, Content], List[Tuple[str, str]]]:
    """The new content of each taught-examples file that holds words that are ``theirs``,
    and the examples removed (file, example)."""
    changes: Dict[Path, Content] = {}
    removed: List[Tuple[str, str]] = []
    folder = root / data.REVIEWED_DIR
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or not _reviewed(relative):
            continue
        content, gone = without_examples(path.read_text(encoding="utf-8"), theirs)
        if gone:
            changes[path] = content
            removed += [(relative, text) for text in gone]
    return changes, removed


def forget_in_archive(archive: Path, theirs: Theirs) -> bool:
    """Rewrite the data snapshot ``archive`` (data.tar.gz) without the taught examples
    that are ``theirs``; whether it changed."""
    members: List[Tuple[tarfile.TarInfo, Optional[bytes]]] = []
    changed = False
    with tarfile.open(archive, "r:gz") as packed:
        for member in packed.getmembers():
            handle = packed.extractfile(member) if member.isfile() else None
            content = handle.read() if handle is not None else None
            if content is not None and _reviewed(member.name.lstrip("./")):
                edited, gone = without_examples(content.decode("utf-8"), theirs)
                if gone:
                    changed = True
                    if edited is None:
                        continue
                    content = edited.encode("utf-8") if isinstance(edited, str) else edited
            members.append((member, content))
    if not changed:
        return False
    descriptor, temporary = tempfile.mkstemp(dir=archive.parent, prefix=f".{archive.name}.")
    os.close(descriptor)
    try:
        with tarfile.open(temporary, "w:gz") as packed:
            for member, content in members:
                if content is None:
                    packed.addfile(member)
                    continue
                member.size = len(content)
                packed.addfile(member, io.BytesIO(content))
        os.chmod(temporary, archive.stat().st_mode & 0o777)
        os.replace(temporary, archive)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def snapshots(models: Path) -> List[Path]:
    """The data snapshots of the published versions and the rollback copies."""
    if not models.is_dir():
        return []
    return sorted([*models.glob("*/data.tar.gz"), *(models / "backups").glob("*.tar.gz")])


def copies_left(root: Path, theirs: Theirs) -> List[str]:
    """Where words that are ``theirs`` remain in the data besides the taught examples, in
    plain words.

    Raises:
        ContentError: a data file is not valid YAML.
    """
    return [
        f"{example.file.as_posix()} has the example {example.text!r}, the same words as "
        "one of their messages (not a taught example: a person decides whether it came "
        "from them and edits it)"
        for example in data.examples(root)
        if theirs(example.text) and not _reviewed(example.file.as_posix())
    ]


def forget_visitor(settings: StaffSettings, sender: str, messages: List[str]) -> Forgotten:
    """Take the words of ``sender`` (their ``messages``, and the examples the history says
    were taught from their conversation) out of the staff app's files, its snapshots and
    its history, all under the data lock and the publish lock.

    Raises:
        PublishBusy: a publish or a rollback is running: nothing was changed.
        ContentError: a file could not be changed: the taught examples are as they were.
    """
    root = settings.data_root
    log = History(settings.db) if settings.db.is_file() else None
    theirs = matcher([*messages, *(log.taught_from(sender) if log else [])])
    forgotten = Forgotten()
    handle = lock.acquire(settings.models)
    try:
        with locked(root):
            changes, forgotten.examples = forget_in_data(root, theirs)
            elsewhere = copies_left(root, theirs)
            with written_together(root, changes):
                for archive in snapshots(settings.models):
                    try:
                        rewritten = forget_in_archive(archive, theirs)
                    except (OSError, tarfile.TarError, UnicodeDecodeError) as error:
                        raise ContentError(
                            f"The data snapshot {archive} could not be changed ({error})."
                        ) from error
                    if rewritten:
                        forgotten.snapshots.append(archive.relative_to(settings.models).as_posix())
                quotes = quoter(messages)
                for report in publish_reports(settings.models):
                    try:
                        rewritten_report = forget_in_report(report, quotes)
                        if rewritten_report is not None:
                            write_atomic(report, rewritten_report)
                    except (OSError, ValueError) as error:
                        raise ContentError(
                            f"The publish report {report} could not be changed ({error})."
                        ) from error
                    if rewritten_report is not None:
                        forgotten.reports.append(report.relative_to(settings.models).as_posix())
                if log is not None:
                    forgotten.history = log.forget(sender, theirs) + log.forget_quotes(quotes)
                    forgotten.callback_marks = CallbackMarks(settings.db).forget(sender)
    finally:
        lock.release(handle)
    forgotten.remaining = elsewhere
    if forgotten.examples or forgotten.snapshots:
        forgotten.remaining.append(
            f"the trained models ({settings.models / '<version>' / 'model.tar.gz'}, "
            f"{root / 'models'}) keep the words they were trained with as a vocabulary "
            "(single words and letter groups, not the sentences) until those versions are "
            "no longer kept; the next publish trains without them"
        )
    return forgotten


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].strip("`: "))
    parser.add_argument("--endpoints", type=Path, default=retention.ROOT / "endpoints.yml")
    parser.add_argument("sender_id")
    args = parser.parse_args(argv)
    sender = args.sender_id
    if not sender.strip():
        parser.error("SENDER is empty: say whose conversation to delete (SENDER=...)")
    try:
        settings = StaffSettings.from_env()
    except SettingsError as error:
        raise SystemExit(f"forget: {error}") from None
    store = retention.open_store(args.endpoints)
    locks = retention.open_locks(args.endpoints)
    try:
        forgotten = forget_visitor(settings, sender, retention.visitor_messages(store, sender))
    except (PublishBusy, ContentError) as error:
        raise SystemExit(
            f"forget: {error} Nothing was deleted; run make forget again when it is fixed."
        ) from None
    print(forgotten.report(sender))
    try:
        deleted = retention.forget(store, sender, locks)
    except retention.LockTimeoutError as error:
        raise SystemExit(
            f"forget: {error}. Their words are out of the staff app's files; run make forget "
            "again to delete the conversation."
        ) from None
    print(retention.report(deleted, f"forget {sender!r}"))
    note = retention.unlocked_note(store, locks)
    if note:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
