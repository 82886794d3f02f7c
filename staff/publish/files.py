"""The files of a version: what it is made of, its hash, its snapshot and archive, and what
a trained model says about itself.

A version is the files a model is trained from (:data:`VERSION_FILES`). Its hash is the one
scripts/train.sh names a model by (``models/clinic-<hash>.tar.gz``), so a version published
here is the model ``make run`` starts with while the data is the version's.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import List, Optional, Tuple

from staff import data, yaml_edit
from staff.publish.errors import PublishError

#: The code's folder: where ``rasa`` runs (config.yml names nlp/build/ relative to it).
ROOT = Path(__file__).resolve().parent.parent.parent

#: What a version is: the files a model is trained from, and the review of its answers.
VERSION_FILES = ("config.yml", "domain.yml", "data", str(data.CLAIMS))
#: Copied beside them for the checks and the tests.
CHECK_FILES = (
    "clinic.yml",
    "content",
    "evaluation/nlu_test.yml",
    "evaluation/safety_test.yml",
)
#: What scripts/train.sh hashes besides config.yml, domain.yml and data/ (from the code).
CODE_INPUTS = (
    "nlp/entities.yml", "nlp/build_pipeline.py", "nlp/wordllama_files.py", "requirements.txt",
)  # fmt: skip
#: ... and the folders it hashes whole (the pipeline's own components).
CODE_FOLDERS = ("components",)
HASHED_SUFFIXES = (".yml", ".yaml", ".py", ".txt")


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def hashed_files(project: Path, code: Path = ROOT) -> List[Tuple[str, Path]]:
    """The files scripts/train.sh hashes, as (the name it prints, the file): config.yml,
    domain.yml and data/ (without data/safety/) of ``project``, the spaCy pipeline's
    sources and requirements.txt of ``code``; in the order of ``LC_ALL=C sort``."""
    found: List[Tuple[str, Path]] = []
    for name in ("config.yml", "domain.yml"):
        if (project / name).is_file():
            found.append((name, project / name))
    data = project / "data"
    for path in data.rglob("*"):
        relative = path.relative_to(project)
        if relative.parts[:2] == ("data", "safety") or not path.is_file():
            continue
        if path.name.endswith(HASHED_SUFFIXES):
            found.append((relative.as_posix(), path))
    for name in CODE_INPUTS:
        if (code / name).is_file():
            found.append((name, code / name))
    for folder in CODE_FOLDERS:
        for path in (code / folder).rglob("*"):
            if path.is_file() and path.name.endswith(HASHED_SUFFIXES):
                found.append((path.relative_to(code).as_posix(), path))
    return sorted(found, key=lambda pair: pair[0].encode())


def data_hash(project: Path, code: Path = ROOT) -> str:
    """The hash scripts/train.sh names a model by: ``sha256sum FILES | sha256sum``, 12
    characters."""
    listing = "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}\n"
        for name, path in hashed_files(project, code)
    )
    return hashlib.sha256(listing.encode()).hexdigest()[:12]


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(
            source, target, ignore=shutil.ignore_patterns(".*", "__pycache__"), dirs_exist_ok=True
        )
    elif source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def snapshot(project: Path, target: Path) -> None:
    """Copy the version's files (and what the checks need) of ``project`` to ``target``,
    under the data lock, so no edit is half in it."""
    with yaml_edit.locked(project):
        for name in (*VERSION_FILES, *CHECK_FILES):
            _copy(project / name, target / name)


def archive(project: Path, target: Path) -> None:
    """Pack the version's files of ``project`` into ``target`` (data.tar.gz)."""
    with tarfile.open(target, "w:gz") as packed:
        for name in VERSION_FILES:
            if (project / name).exists():
                packed.add(project / name, arcname=name, filter=_no_hidden)


def _no_hidden(member: tarfile.TarInfo) -> Optional[tarfile.TarInfo]:
    return None if any(part.startswith(".") for part in Path(member.name).parts) else member


def model_id(model: Path) -> str:
    """The id Rasa gave a trained model (its metadata.json), as /status reports it."""
    with tarfile.open(model, "r:gz") as packed:
        for member in packed.getmembers():
            if member.name.lstrip("./") == "metadata.json":
                handle = packed.extractfile(member)
                if handle is not None:
                    return str(json.load(handle)["model_id"])
    raise PublishError(f"The model {model.name} has no metadata.")


def git_commit(project: Path) -> Optional[str]:
    """The project's git commit, None when it is not a git checkout."""
    if not (project / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(project), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
