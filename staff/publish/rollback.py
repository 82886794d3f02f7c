"""Rolling back: load an earlier version and restore the data files it was trained from
(data/ and content/claims.yml; config.yml and domain.yml belong to the developers and stay),
so the next publish does not bring back what was rolled back: all of them or, when one cannot
be written, none. The files a rollback replaces are kept in ``STAFF_MODELS/backups/``."""

from __future__ import annotations

import logging
import re
import tarfile
import tempfile
from pathlib import Path
from typing import Dict

from staff import data, yaml_edit
from staff.problems import ContentError
from staff.publish import lock
from staff.publish.errors import PublishError
from staff.publish.files import archive, utc_now
from staff.publish.rasa_api import ModelApi
from staff.publish.registry import Published, Registry

logger = logging.getLogger(__name__)

#: How many copies of the data a rollback replaced are kept.
KEEP_BACKUPS = 20
#: Restored by a rollback: the files staff edit (config.yml and domain.yml are the
#: developers'; the safety guard's patterns are not part of a model).
RESTORED = ("data", str(data.CLAIMS))
#: Where a file of a version published before it moved was, and where it is now: a
#: rollback to such a version puts it in its new place.
MOVED = {"tests/content_claims.yml": str(data.CLAIMS)}


def rollback(registry: Registry, assistant: ModelApi, published_id: str, who: str) -> Published:
    """Go back to version ``published_id`` of ``registry``: restore the data files it was
    trained from (the current ones are kept in STAFF_MODELS/backups/), and load its model
    into ``assistant``. The version, live, with a note of what happened in plain words.

    Raises:
        KeyError: there is no such version.
        PublishBusy: a publish is running.
    """
    if not re.fullmatch(r"[\w-]+", published_id):
        raise KeyError(published_id)
    folder = registry.folder / published_id
    if not (folder / "meta.json").is_file():
        raise KeyError(published_id)
    handle = lock.acquire(registry.folder)
    try:
        handle.write(f"rollback by {who} to {published_id}\n")
        handle.flush()
        entry = registry.entry(folder, set())
        _restore(registry, folder, published_id, who)
        registry.install(entry)
        loaded, message = assistant.load(entry.model)
        registry.mark_live(entry.id, who)
        entry.live = True
        entry.note = (
            f"Version {entry.id} is back, with its data. {message}"
            if loaded
            else f"The data of version {entry.id} is back, but it was not loaded: {message}"
        )
        return entry
    finally:
        lock.release(handle)


def _restore(registry: Registry, folder: Path, published_id: str, who: str) -> None:
    """Replace the staff-edited files (data/ but the safety patterns, and
    content/claims.yml) of the project with the version's, the current ones backed up."""
    root = registry.root
    with tempfile.TemporaryDirectory() as temporary:
        unpacked = Path(temporary)
        with tarfile.open(folder / "data.tar.gz", "r:gz") as packed:
            for member in packed.getmembers():
                unsafe = member.name.startswith("/") or ".." in Path(member.name).parts
                if unsafe or not (member.isfile() or member.isdir()):
                    raise PublishError(f"Version {published_id} has a damaged data archive.")
            packed.extractall(unpacked)
        with yaml_edit.locked(root):
            backups = registry.folder / "backups"
            backups.mkdir(parents=True, exist_ok=True)
            stamp = f"{utc_now():%Y%m%d-%H%M%S}"
            archive(root, backups / f"{stamp}-before-rollback-to-{published_id}.tar.gz")
            for old in sorted(backups.glob("*.tar.gz"))[:-KEEP_BACKUPS]:
                old.unlink()
            wanted = restored_files(unpacked)
            changes: Dict[Path, yaml_edit.Content] = {
                path: None
                for relative, path in restored_files(root).items()
                if relative not in wanted
            }
            for relative, source in wanted.items():
                target = root / relative
                content = source.read_bytes()
                if not target.is_file() or target.read_bytes() != content:
                    changes[target] = content
            try:
                with yaml_edit.written_together(root, changes):
                    pass
            except ContentError as error:  # every file as it was
                raise PublishError(
                    f"The data of version {published_id} could not be restored, so nothing "
                    f"was changed: {error}"
                ) from None
    logger.info("rollback to %s by %s: data restored", published_id, who)


def restored_files(base: Path) -> Dict[str, Path]:
    """The files of ``base`` a rollback restores, by relative name (no hidden files, not
    the safety guard's patterns; a file that has moved since under its new name)."""
    found: Dict[str, Path] = {}
    for name in (*MOVED, *RESTORED):
        top = base / name
        for path in [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []:
            relative = path.relative_to(base)
            if not path.is_file() or relative.parts[:2] == ("data", "safety"):
                continue
            if any(part.startswith(".") for part in relative.parts):
                continue
            found[MOVED.get(relative.as_posix(), relative.as_posix())] = path
    return found
