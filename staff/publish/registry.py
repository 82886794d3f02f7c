"""The registry of published versions (``STAFF_MODELS``, models/published/): one folder per
version, ``<id>/`` with model.tar.gz, meta.json and data.tar.gz (the files it was trained
from), and ``live.json``, the version last loaded into the assistant.

:func:`live_model` is what a Rasa server that starts reads to serve the live version
(``python -m staff.publish --live-model`` prints it).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set

from staff import yaml_edit
from staff.publish.files import archive, data_hash, git_commit, iso, model_id, snapshot, utc_now

#: How many published versions the registry keeps (never deleting the live one).
KEEP = 10
#: Who the first kept version is by: the model `make run` trained before any publish.
BASELINE_WHO = "make run (the version before the first publish)"
#: The file that names the version last loaded: {"id": ..., "since": ..., "who": ...}.
LIVE_FILE = "live.json"


@dataclass
class Published:
    """A published version of the assistant.

    Attributes:
        id: "20261126-105036-53369d8c331c": when it was trained (UTC) and its data hash.
        date: when it was trained, ISO 8601 in UTC.
        data_hash: the hash of its training data and config, as scripts/train.sh computes it.
        git_commit: the project's git commit at the time, None outside a git checkout.
        figures: its test figures (see :data:`staff.publish.gates.PLAIN_FIGURES`).
        who: who published it.
        model: its model file.
        live: the version the assistant serves (as the running assistant reports it, or as
            last loaded when it is not running).
        note: for a rollback, what happened in plain words (e.g. "not running").
    """

    id: str
    date: str
    data_hash: str
    git_commit: Optional[str]
    figures: Dict[str, float]
    who: str
    model: Path
    live: bool
    note: str = ""


def live_marker(registry: Path) -> Optional[str]:
    """The id of the version last loaded into the assistant (``live.json``), None when
    there is none."""
    path = registry / LIVE_FILE
    if not path.is_file():
        return None
    try:
        return str(json.loads(path.read_text())["id"])
    except (ValueError, KeyError):
        return None


def live_model(registry: Path) -> Optional[Path]:
    """The model file of the version last loaded into the assistant, the one a Rasa server
    that starts serves; None when nothing was published (or its model is gone)."""
    marker = live_marker(registry)
    if marker is None or not re.fullmatch(r"[\w-]+", marker):
        return None
    model = registry / marker / "model.tar.gz"
    return model if model.is_file() else None


def version_id(moment: datetime.datetime, digest: str) -> str:
    """A version's id: when it was trained, to the millisecond (two versions published
    within a second stay in order), and its data hash."""
    return f"{moment:%Y%m%d-%H%M%S-%f}"[:-3] + f"-{digest}"


def _link_or_copy(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (a model is large), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class Registry:
    """The published versions in ``folder``.

    Args:
        folder: the registry's folder (``STAFF_MODELS``).
        root: the project whose data staff edit; its models/ is where ``make run`` looks.
        serving: the id of the model the running assistant serves, None when not known
            (:meth:`staff.publish.rasa_api.ModelApi.running_model_id`).
    """

    def __init__(self, folder: Path, root: Path, serving: Callable[[], Optional[str]]) -> None:
        self.folder = folder
        self.root = root
        self.serving = serving

    def folders(self) -> List[Path]:
        """The versions' folders, newest first."""
        if not self.folder.is_dir():
            return []
        return sorted(
            (p for p in self.folder.iterdir() if (p / "meta.json").is_file()),
            key=lambda p: p.name,
            reverse=True,
        )

    def entry(self, folder: Path, live_ids: Set[str]) -> Published:
        """The version kept in ``folder``; live when its id is in ``live_ids``."""
        meta = json.loads((folder / "meta.json").read_text())
        return Published(
            id=meta["id"],
            date=meta["date"],
            data_hash=meta["data_hash"],
            git_commit=meta.get("git_commit"),
            figures={k: float(v) for k, v in (meta.get("figures") or {}).items()},
            who=meta.get("who", ""),
            model=folder / "model.tar.gz",
            live=meta["id"] in live_ids,
        )

    def published(self) -> List[Published]:
        """The published versions, newest first; the one the assistant serves is live (as
        the running assistant reports it, else the one last loaded)."""
        folders = self.folders()
        if not folders:
            return []
        running = self.serving()
        live: Set[str] = set()
        if running:
            for folder in folders:
                meta = json.loads((folder / "meta.json").read_text())
                if meta.get("model_id") == running:
                    live = {meta["id"]}
                    break
        else:
            marker = live_marker(self.folder)
            live = {marker} if marker else set()
        return [self.entry(folder, live) for folder in folders]

    def mark_live(self, entry_id: str, who: str) -> None:
        """Note version ``entry_id`` as the one last loaded (``live.json``)."""
        yaml_edit.write_atomic(
            self.folder / LIVE_FILE,
            json.dumps({"id": entry_id, "since": iso(utc_now()), "who": who}, indent=1),
        )

    def register(
        self,
        project: Path,
        model: Path,
        digest: str,
        figures: Dict[str, float],
        who: str,
        about_job: Dict[str, Any],
    ) -> Published:
        """Keep ``model`` (moved) trained from ``project`` (its data hash ``digest``) as a
        new version, with its test ``figures``; ``about_job``: what meta.json says of the
        job that published it (its id, seconds per step, warnings)."""
        moment = utc_now()
        entry_id = version_id(moment, digest)
        folder = self.folder / entry_id
        partial = self.folder / f".{entry_id}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        shutil.move(str(model), partial / "model.tar.gz")
        archive(project, partial / "data.tar.gz")
        meta = {
            "id": entry_id,
            "date": iso(moment),
            "data_hash": digest,
            "git_commit": git_commit(self.root),
            "figures": figures,
            "who": who,
            "model_id": model_id(partial / "model.tar.gz"),
            **about_job,
        }
        (partial / "meta.json").write_text(json.dumps(meta, indent=1))
        os.replace(partial, folder)
        return self.entry(folder, live_ids=set())

    def keep_baseline(self) -> Optional[Published]:
        """Keep the model `make run` serves as the first version, before anything is
        published, so staff can roll back to how the assistant was: when the registry is
        empty and models/clinic-<hash>.tar.gz of the project's current data exists (the
        model scripts/train.sh trained from exactly this data). Called when the publisher
        is created (the staff app's start, right after `make run` trained) and before each
        job. None when there is nothing to keep (already kept, or the data has changed
        since that model)."""
        if self.folders():
            return None
        digest = data_hash(self.root)
        model = self.root / "models" / f"clinic-{digest}.tar.gz"
        if not model.is_file():
            return None
        trained = datetime.datetime.fromtimestamp(model.stat().st_mtime, datetime.timezone.utc)
        self.folder.mkdir(parents=True, exist_ok=True)
        entry_id = version_id(trained, digest)
        with tempfile.TemporaryDirectory(dir=self.folder) as temporary:
            project = Path(temporary) / "project"
            snapshot(self.root, project)
            if data_hash(project) != digest:  # edited meanwhile: not that model's data
                return None
            partial = self.folder / f".{entry_id}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            _link_or_copy(model, partial / "model.tar.gz")
            archive(project, partial / "data.tar.gz")
        meta: Dict[str, Any] = {
            "id": entry_id,
            "date": iso(trained),
            "data_hash": digest,
            "git_commit": git_commit(self.root),
            "figures": {},
            "who": BASELINE_WHO,
            "model_id": model_id(partial / "model.tar.gz"),
        }
        (partial / "meta.json").write_text(json.dumps(meta, indent=1))
        os.replace(partial, self.folder / entry_id)
        return self.entry(self.folder / entry_id, set())

    def install(self, entry: Published) -> None:
        """Put the model in models/ as clinic-<hash>.tar.gz, the name scripts/train.sh gives
        the model of that data, so `make run` starts with it while the data is the
        version's (and trains anew once it is not)."""
        models = self.root / "models"
        target = models / f"clinic-{entry.data_hash}.tar.gz"
        if target.exists():
            return
        models.mkdir(parents=True, exist_ok=True)
        partial = models / f".clinic-{entry.data_hash}.partial"
        partial.unlink(missing_ok=True)
        _link_or_copy(entry.model, partial)
        os.replace(partial, target)

    def prune(self) -> None:
        """Keep the newest KEEP versions, and the live one whatever its age."""
        keep = {folder.name for folder in self.folders()[:KEEP]}
        keep |= {p.id for p in self.published() if p.live}
        marker = live_marker(self.folder)
        if marker:
            keep.add(marker)
        for folder in self.folders():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
