"""Publish: retrain from the staff's data, test, load into the running assistant, roll back.

A publish job, run in a background thread (its steps are subprocesses):

1. copies the data (config.yml, domain.yml, data/, content/claims.yml) into the job's
   folder, under the data lock, so edits made while it trains wait for the next publish;
2. checks the copy (:func:`staff.checks.check_project`, Rasa's data check included): a
   blocking problem stops the job;
3. trains a model from the copy with ``rasa train``, reading its epoch progress;
4. tests it: ``rasa test nlu`` on the held-out questions (evaluation/nlu_test.yml) at the
   thresholds of evaluation/nlu_check.py, the safety suite (evaluation/safety_test.yml) at the
   thresholds of evaluation/safety_suite.py, and the held-out sets of evaluation/sets/ (off
   topic, not covered, other languages, new wording) at the thresholds of
   evaluation/understanding.py, the last two scored in-process against the new model;
5. only if every figure meets its threshold: keeps the version in the registry
   (``STAFF_MODELS/<id>/``: model.tar.gz, meta.json, data.tar.gz), copies the model to
   models/clinic-<hash>.tar.gz (the name scripts/train.sh gives it, so ``make run`` uses
   it), and loads it into the running Rasa server through its model API
   (``PUT /model?token=...``), checking ``/status`` reports it.

The job ends "published" (loaded), "passed" (tested and kept, but the assistant was not
reachable: it says so, and ``make run`` starts with it) or "failed" (with the reasons in
plain words; nothing changed). A rollback loads an earlier version and restores the data
files it was trained from (data/ and content/claims.yml; config.yml and domain.yml
belong to the developers and stay), so the next publish does not bring back what was
rolled back. The files replaced by a rollback are kept in ``STAFF_MODELS/backups/``.

One job at a time, across processes (a lock file in the registry): a second start raises
:class:`PublishBusy`. ``python -m staff.publish`` (``make publish``) runs one job in the
foreground; ``--list`` lists the versions, ``--rollback ID`` rolls back.
"""

from __future__ import annotations

import argparse
import datetime
import fcntl
import getpass
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

import requests

from evaluation import nlu_check, understanding
from staff import checks, data, yaml_edit
from staff.settings import SettingsError, StaffSettings

logger = logging.getLogger(__name__)

#: The code's folder: where ``rasa`` runs (config.yml names nlp/build/ relative to it).
ROOT = Path(__file__).resolve().parent.parent

#: How many published versions the registry keeps (never deleting the live one).
KEEP = 10
#: How many finished jobs' logs, and how many copies of the data a rollback replaced, are
#: kept.
KEEP_JOBS = 20
KEEP_BACKUPS = 20
#: What a version is: the files a model is trained from, and the review of its answers.
VERSION_FILES = ("config.yml", "domain.yml", "data", str(data.CLAIMS))
#: Copied beside them for the checks and the tests.
CHECK_FILES = (
    "clinic.yml",
    "content",
    "evaluation/nlu_test.yml",
    "evaluation/safety_test.yml",
)
#: Restored by a rollback: the files staff edit (config.yml and domain.yml are the
#: developers'; the safety guard's patterns are not part of a model).
RESTORED = ("data", str(data.CLAIMS))
#: Where a file of a version published before it moved was, and where it is now: a
#: rollback to such a version puts it in its new place.
MOVED = {"tests/content_claims.yml": str(data.CLAIMS)}
#: What scripts/train.sh hashes besides config.yml, domain.yml and data/ (from the code).
CODE_INPUTS = (
    "nlp/entities.yml", "nlp/build_pipeline.py", "nlp/wordllama_files.py", "requirements.txt",
)  # fmt: skip
#: ... and the folders it hashes whole (the pipeline's own components).
CODE_FOLDERS = ("components",)
HASHED_SUFFIXES = (".yml", ".yaml", ".py", ".txt")

#: Who the first kept version is by: the model `make run` trained before any publish.
BASELINE_WHO = "make run (the version before the first publish)"

#: The share of the progress bar each step reaches at its end.
PERCENT = {"check": 6, "train": 80, "nlu": 85, "understanding": 90}
PERCENT_TEST_END = 95

#: How long each step may take before the job gives up on it.
TRAIN_TIMEOUT = 3 * 3600
TEST_TIMEOUT = 3600
LOAD_TIMEOUT = 900

#: The figures in plain words: (name, what it means for staff).
PLAIN_FIGURES = {
    "intent accuracy": "test questions understood",
    "response selection accuracy": "test questions given the right FAQ answer",
    "recall of report_emergency_symptom": "emergencies recognised (NLU test)",
    "recall of request_medical_advice": "personal-advice questions recognised (NLU test)",
    "emergency recall": "emergencies given emergency guidance (safety test)",
    "advice recall": "personal-advice questions refused (safety test)",
    "look-alike false emergency rate": "general questions taken for emergencies (safety test)",
    "look-alike false refusal rate": "general questions refused as advice (safety test)",
    "negation false emergency rate": "'I don't have' symptoms taken for emergencies (safety test)",
    "look-alike right FAQ answer": "general questions given the right FAQ answer (safety test)",
}
#: The figures of the held-out sets (evaluation/understanding.py) carry this prefix.
HELD_OUT_PREFIX = "held-out sets: "
PLAIN_FIGURES.update(
    {
        f"{HELD_OUT_PREFIX}{name}": f"{words} (held-out sets)"
        for name, words in understanding.PLAIN.items()
    }
)

# Rasa's training output: the component it starts ("Starting to train component 'X'").
_COMPONENT = re.compile(r"Starting to train component '(\w+)'")
#: The components whose start moves the progress bar on: (its share, what it does).
STAGES = {
    "CountVectorsFeaturizer": (15, "reading the examples"),
    "IntentTopicClassifier": (30, "learning which answer each question wants"),
    "LanguageGate": (60, "learning the words of English"),
    "RulePolicy": (70, "learning the conversation rules"),
}


class PublishError(Exception):
    """A publish or rollback that could not be done; the message is in plain words."""


class PublishBusy(PublishError):  # noqa: N818 (the name the staff app knows)
    """A publish (or rollback) is already running."""


@dataclass
class Published:
    """A published version of the assistant.

    Attributes:
        id: "20261126-105036-53369d8c331c": when it was trained (UTC) and its data hash.
        date: when it was trained, ISO 8601 in UTC.
        data_hash: the hash of its training data and config, as scripts/train.sh computes it.
        git_commit: the project's git commit at the time, None outside a git checkout.
        figures: its test figures (see PLAIN_FIGURES).
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


@dataclass
class Job:
    """A publish job's state, as :meth:`Publisher.status` reports it."""

    id: str
    who: str
    folder: Path
    state: str = "running"
    percent: int = 0
    stage: str = "Starting"
    problems: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    figures: Dict[str, float] = field(default_factory=dict)
    seconds: Dict[str, float] = field(default_factory=dict)
    published_id: Optional[str] = None
    started: str = ""
    finished: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "who": self.who,
            "state": self.state,
            "percent": self.percent,
            "stage": self.stage,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "figures": dict(self.figures),
            "seconds": dict(self.seconds),
            "published_id": self.published_id,
            "started": self.started,
            "finished": self.finished,
            "log": str(self.folder / "log.txt"),
        }


class JobError(Exception):
    """Ends a job as failed, with these plain-words problems."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- data and hashes


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


def _last_error(log: IO[str], path: Path) -> str:
    """The last line of a job's log that reads like an error, without the traceback."""
    log.flush()
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    errors = [
        line
        for line in lines
        if re.search(r"(Error|Exception|error:|ERROR)", line) and not line.startswith("File ")
    ]
    text = (errors or [line for line in lines if line] or ["no message"])[-1]
    return text[:300]


# ---------------------------------------------------------------- the publisher


Runner = Callable[[List[str], IO[str], Callable[[str], None], float], int]


def run_command(
    command: List[str], log: IO[str], on_line: Callable[[str], None], timeout: float
) -> int:
    """Run ``command`` from the code's folder, its output to ``log`` and, line by line
    (tqdm's carriage returns count as line ends), to ``on_line``; its exit code.

    Raises:
        subprocess.TimeoutExpired: it ran longer than ``timeout`` seconds (it is stopped).
    """
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    deadline = time.monotonic() + timeout
    assert child.stdout is not None
    try:
        for line in child.stdout:  # universal newlines: "\r" ends a line too
            log.write(line if line.endswith("\n") else line + "\n")
            on_line(line.rstrip("\n"))
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(command, timeout)
        return child.wait(timeout=max(deadline - time.monotonic(), 1))
    except BaseException:
        child.kill()
        child.wait()
        raise
    finally:
        log.flush()


class TrainingProgress:
    """Reads ``rasa train``'s output, line by line, into the job's stage and percent: Rasa
    names each component it starts training (:data:`STAGES`)."""

    def __init__(self) -> None:
        self.percent = 0

    def read(self, line: str) -> Optional[Tuple[str, int]]:
        """(stage, percent) when ``line`` moves the progress on, else None."""
        component = _COMPONENT.search(line)
        if not component or component.group(1) not in STAGES:
            return None
        percent, words = STAGES[component.group(1)]
        if percent <= self.percent:
            return None  # a second featuriser of the same kind
        self.percent = percent
        return f"Training: {words}", percent


class Publisher:
    """Publishes the staff's data as a new version of the assistant; one per app.

    Args:
        settings: the staff app's settings (data_root, models, rasa_url, rasa_api_token).
        validate: run Rasa's data check before training (off only in unit tests).
        runner: how commands run (a fake replaces it in unit tests).
    """

    def __init__(
        self, settings: StaffSettings, validate: bool = True, runner: Optional[Runner] = None
    ) -> None:
        self.settings = settings
        self.root = settings.data_root
        self.registry = settings.models
        self.validate = validate
        self.runner: Runner = runner or run_command
        self._lock = threading.Lock()
        self._jobs: Dict[str, Job] = {}
        self._latest: Optional[str] = None
        self._threads: Dict[str, threading.Thread] = {}
        try:
            self.keep_baseline()
        except (OSError, PublishError, tarfile.TarError, ValueError):
            logger.exception("could not keep the model make run serves as the first version")

    # -------------------------------------------------- jobs

    @property
    def jobs_folder(self) -> Path:
        return self.registry / "jobs"

    def _acquire(self) -> IO[str]:
        """The registry's lock, held while a job or a rollback runs.

        Raises:
            PublishBusy: another job or rollback holds it.
        """
        self.registry.mkdir(parents=True, exist_ok=True)
        handle = (self.registry / ".publish.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise PublishBusy(
                "A publish is already running"
                + (f" ({holder})" if holder else "")
                + "; wait until it has finished."
            ) from None
        handle.seek(0)
        handle.truncate()
        return handle

    def _busy(self) -> bool:
        """Whether a job or a rollback (of any process) holds the registry's lock."""
        try:
            handle = self._acquire()
        except PublishBusy:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
        return False

    def start(self, who: str) -> str:
        """Start a publish job in the background; its id.

        Raises:
            PublishBusy: a job (of this app or another process) is running.
        """
        handle = self._acquire()
        moment = utc_now()
        job_id = f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        handle.write(f"started by {who} at {moment:%H:%M} UTC, job {job_id}\n")
        handle.flush()
        folder = self.jobs_folder / job_id
        folder.mkdir(parents=True, exist_ok=True)
        job = Job(id=job_id, who=who, folder=folder, started=iso(moment))
        with self._lock:
            self._jobs[job_id] = job
            self._latest = job_id
        self._save(job)
        thread = threading.Thread(
            target=self._run_job, args=(job, handle), name=f"publish-{job_id}", daemon=True
        )
        self._threads[job_id] = thread
        thread.start()
        return job_id

    def status(self, job_id: Optional[str] = None) -> Dict[str, Any]:
        """A job's state (the latest job's without an id): id, state ("running", "passed",
        "failed", "published"), percent, stage (plain words), problems, warnings, figures,
        seconds per step, published_id, started, finished, log."""
        with self._lock:
            wanted = job_id or self._latest
            if wanted and wanted in self._jobs:
                return self._jobs[wanted].as_dict()
        folder = self.jobs_folder
        if wanted is None and folder.is_dir():
            saved = sorted(p.name for p in folder.iterdir() if (p / "status.json").is_file())
            wanted = saved[-1] if saved else None
        if wanted and (folder / wanted / "status.json").is_file():
            found: Dict[str, Any] = json.loads((folder / wanted / "status.json").read_text())
            if found.get("state") == "running" and not self._busy():
                # Its process stopped mid-way (nothing holds the lock any more).
                found.update(
                    state="failed",
                    stage="Not published: the publish was interrupted.",
                    problems=[
                        "The publish was interrupted (the staff app or the command stopped "
                        "before it finished); the assistant keeps its current version. "
                        "Publish again."
                    ],
                )
            return found
        if job_id:
            raise KeyError(job_id)
        return {
            "id": None, "state": "none", "percent": 0, "stage": "Nothing has been published yet.",
            "problems": [], "warnings": [], "figures": {}, "seconds": {}, "published_id": None,
        }  # fmt: skip

    def wait(self, job_id: str, timeout: Optional[float] = None) -> Dict[str, Any]:
        """Wait until the job has finished (or ``timeout`` seconds); its status."""
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
        return self.status(job_id)

    def _save(self, job: Job) -> None:
        data = json.dumps(job.as_dict(), indent=1)
        yaml_edit.write_atomic(job.folder / "status.json", data)

    def _update(
        self, job: Job, stage: Optional[str] = None, percent: Optional[int] = None
    ) -> None:
        with self._lock:
            if stage is not None:
                job.stage = stage
            if percent is not None:
                job.percent = max(job.percent, min(int(percent), 100))
        self._save(job)

    def _finish(self, job: Job, state: str, stage: str, problems: Sequence[str] = ()) -> None:
        with self._lock:
            job.state = state
            job.stage = stage
            job.problems = list(problems)
            job.finished = iso(utc_now())
            if state != "failed":
                job.percent = 100
        self._save(job)

    def _run_job(self, job: Job, handle: IO[str]) -> None:
        try:
            with (job.folder / "log.txt").open("a", encoding="utf-8") as log:
                try:
                    self._steps(job, log)
                except JobError as failed:
                    log.write("FAILED: " + "; ".join(failed.problems) + "\n")
                    self._finish(
                        job, "failed", "Not published: see the problems.", failed.problems
                    )
                except Exception:
                    log.write(traceback.format_exc())
                    logger.exception("publish job %s", job.id)
                    self._finish(
                        job,
                        "failed",
                        "Not published: something went wrong.",
                        [
                            "Something went wrong while publishing; the assistant keeps its "
                            "current version. The details for a developer are in "
                            f"{job.folder / 'log.txt'}."
                        ],
                    )
        finally:
            shutil.rmtree(job.folder / "work", ignore_errors=True)
            self._prune_jobs()
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def _timed(self, job: Job, step: str, began: float) -> None:
        with self._lock:
            job.seconds[step] = round(time.monotonic() - began, 1)

    def keep_baseline(self) -> Optional[Published]:
        """Keep the model `make run` serves as the first version, before anything is
        published, so staff can roll back to how the assistant was: when the registry is
        empty and models/clinic-<hash>.tar.gz of the project's current data exists (the
        model scripts/train.sh trained from exactly this data). Called when the publisher
        is created (the staff app's start, right after `make run` trained) and before each
        job. None when there is nothing to keep (already kept, or the data has changed
        since that model)."""
        if self._folders():
            return None
        digest = data_hash(self.root)
        model = self.root / "models" / f"clinic-{digest}.tar.gz"
        if not model.is_file():
            return None
        trained = datetime.datetime.fromtimestamp(model.stat().st_mtime, datetime.timezone.utc)
        self.registry.mkdir(parents=True, exist_ok=True)
        entry_id = f"{trained:%Y%m%d-%H%M%S-%f}"[:-3] + f"-{digest}"
        with tempfile.TemporaryDirectory(dir=self.registry) as temporary:
            project = Path(temporary) / "project"
            snapshot(self.root, project)
            if data_hash(project) != digest:  # edited meanwhile: not that model's data
                return None
            partial = self.registry / f".{entry_id}.partial"
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
        os.replace(partial, self.registry / entry_id)
        return self._entry(self.registry / entry_id, set())

    def _steps(self, job: Job, log: IO[str]) -> None:
        work = job.folder / "work"
        project = work / "project"
        began = time.monotonic()
        self._update(job, "Copying the data", 1)
        self.keep_baseline()
        snapshot(self.root, project)
        digest = data_hash(project)
        self._update(job, "Checking the data", 2)
        problems = checks.check_project(project, rasa_validate=self.validate)
        self._timed(job, "checking", began)
        with self._lock:
            job.warnings = [p.message for p in problems if not p.blocking]
        blocking = [p.message for p in problems if p.blocking]
        if blocking:
            raise JobError(blocking)
        same = [p for p in self.published() if p.data_hash == digest]
        if same:
            self._republish(job, same[0])
            return
        began = time.monotonic()
        model = self._train(job, project, work, log)
        self._timed(job, "training", began)
        began = time.monotonic()
        figures, failures = self._test(job, model, work, log)
        self._timed(job, "testing", began)
        with self._lock:
            job.figures = figures
        if failures:
            raise JobError(failures)
        entry = self._register(job, project, model, digest, figures)
        with self._lock:
            job.published_id = entry.id
        self._install(entry)
        self._update(job, "Loading into the assistant", PERCENT_TEST_END)
        began = time.monotonic()
        loaded, message = self.load(entry.model)
        self._timed(job, "loading", began)
        meta_file = entry.model.parent / "meta.json"
        meta = json.loads(meta_file.read_text())
        meta["seconds"] = dict(job.seconds)
        yaml_edit.write_atomic(meta_file, json.dumps(meta, indent=1))
        if loaded:
            self._mark_live(entry.id, job.who)
            self._finish(
                job, "published", f"Published: the assistant now uses version {entry.id}."
            )
        else:
            self._finish(
                job, "passed", f"Version {entry.id} passed its tests but was not loaded. {message}"
            )
        self._prune()

    def _republish(self, job: Job, entry: Published) -> None:
        with self._lock:
            job.figures = dict(entry.figures)
            job.published_id = entry.id
        self._update(job, "Loading into the assistant", PERCENT_TEST_END)
        began = time.monotonic()
        loaded, message = self.load(entry.model)
        self._timed(job, "loading", began)
        same = f"Nothing has changed since version {entry.id} (published {entry.date}), so"
        if loaded:
            self._mark_live(entry.id, job.who)
            self._finish(job, "published", f"{same} it is loaded again; no retraining needed.")
        else:
            self._finish(
                job, "passed", f"{same} it was not retrained. It is not loaded: {message}"
            )

    def _train(self, job: Job, project: Path, work: Path, log: IO[str]) -> Path:
        out = work / "model"
        command = [
            sys.executable, "-m", "rasa", "train",
            "--config", str(project / "config.yml"), "--domain", str(project / "domain.yml"),
            "--data", str(project / "data"), "--out", str(out), "--fixed-model-name", "model",
        ]  # fmt: skip
        progress = TrainingProgress()
        self._update(job, "Training: getting ready", PERCENT["check"])

        def on_line(line: str) -> None:
            found = progress.read(line)
            if found:
                self._update(job, *found)

        try:
            code = self.runner(command, log, on_line, TRAIN_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise JobError(
                [f"Training took longer than {TRAIN_TIMEOUT // 60} minutes and was stopped."]
            ) from None
        model = out / "model.tar.gz"
        if code != 0 or not model.is_file():
            raise JobError(
                [
                    "Training failed, so nothing was changed. What it said: "
                    f"{_last_error(log, job.folder / 'log.txt')}"
                ]
            )
        self._update(job, "Training finished", PERCENT["train"])
        return model

    def _project_file(self, relative: str) -> Path:
        own = self.root / relative
        return own if own.is_file() else ROOT / relative

    def _test(
        self, job: Job, model: Path, work: Path, log: IO[str]
    ) -> Tuple[Dict[str, float], List[str]]:
        self._update(job, "Testing: the held-out questions", PERCENT["train"])
        results = work / "nlu"
        command = [
            sys.executable, "-m", "rasa", "test", "nlu", "--model", str(model),
            "--nlu", str(self._project_file("evaluation/nlu_test.yml")), "--out", str(results),
            "--no-plot",
        ]  # fmt: skip
        if self.runner(command, log, lambda line: None, TEST_TIMEOUT) != 0:
            raise JobError(
                [f"The NLU test could not run: {_last_error(log, job.folder / 'log.txt')}"]
            )
        figures = nlu_check.figures(results)
        failures = [
            f"Too few {PLAIN_FIGURES[what]}: {value:.1%}, below the minimum {minimum:.0%}."
            for what, value, minimum in nlu_check.check(figures)
        ]
        self._update(job, "Testing: the safety messages", PERCENT["nlu"])
        safety_out = work / "safety.json"
        command = [
            sys.executable, "-m", "evaluation.safety_suite", "--model", str(model),
            "--suite", str(self._project_file("evaluation/safety_test.yml")),
            "--out", str(safety_out),
        ]  # fmt: skip
        code = self.runner(command, log, lambda line: None, TEST_TIMEOUT)
        if not safety_out.is_file():
            raise JobError(
                [f"The safety test could not run: {_last_error(log, job.folder / 'log.txt')}"]
            )
        safety = json.loads(safety_out.read_text())
        figures.update({k: float(v) for k, v in safety["figures"].items()})
        for name, op, limit in _safety_thresholds():
            value = figures[name]
            if not (value >= limit if op == ">=" else value <= limit):
                bound = "minimum" if op == ">=" else "maximum"
                direction = "few" if op == ">=" else "many"
                failures.append(
                    f"Too {direction} {PLAIN_FIGURES[name]}: {value:.1%}, "
                    f"{'below' if op == '>=' else 'above'} the {bound} {limit:.0%}."
                )
        if code != 0 and not failures:
            failures.append(f"The safety test failed: {_last_error(log, job.folder / 'log.txt')}")
        failures += self._test_understanding(job, model, work, log, figures)
        if failures:
            failures.append(
                "The new version was not published; the assistant keeps the current one. "
                "Recent changes (new examples or topics) may have made it confuse these "
                "questions: look at them again, then publish."
            )
        self._update(job, "Tests finished", PERCENT_TEST_END)
        return figures, failures

    def _test_understanding(
        self, job: Job, model: Path, work: Path, log: IO[str], figures: Dict[str, float]
    ) -> List[str]:
        """The held-out sets of evaluation/ (off topic, not covered, other languages, new
        safety wording, in-domain): their figures join ``figures`` under "held-out sets: ",
        and those below their thresholds are returned in plain words."""
        self._update(job, "Testing: questions it was not trained on", PERCENT["understanding"])
        out = work / "understanding.json"
        command = [sys.executable, "-m", "evaluation", "--model", str(model), "--out", str(out)]
        code = self.runner(command, log, lambda line: None, TEST_TIMEOUT)
        if not out.is_file():
            raise JobError(
                [
                    "The test of questions it was not trained on could not run: "
                    f"{_last_error(log, job.folder / 'log.txt')}"
                ]
            )
        values = json.loads(out.read_text())["figures"]
        figures.update({f"{HELD_OUT_PREFIX}{k}": float(v) for k, v in values.items()})
        failures = []
        for name, op, limit in understanding.THRESHOLDS:
            if name not in values:
                continue
            value = float(values[name])
            if not (value >= limit if op == ">=" else value <= limit):
                bound = "minimum" if op == ">=" else "maximum"
                direction = "few" if op == ">=" else "many"
                failures.append(
                    f"Too {direction} {understanding.PLAIN[name]}: {value:.1%}, "
                    f"{'below' if op == '>=' else 'above'} the {bound} {limit:.0%}."
                )
        if code != 0 and not failures:
            failures.append(
                "The test of questions it was not trained on failed: "
                f"{_last_error(log, job.folder / 'log.txt')}"
            )
        return failures

    # -------------------------------------------------- the registry

    def _register(
        self, job: Job, project: Path, model: Path, digest: str, figures: Dict[str, float]
    ) -> Published:
        moment = utc_now()
        # Milliseconds too: two versions published within a second stay in order.
        entry_id = f"{moment:%Y%m%d-%H%M%S-%f}"[:-3] + f"-{digest}"
        folder = self.registry / entry_id
        partial = self.registry / f".{entry_id}.partial"
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
            "who": job.who,
            "model_id": model_id(partial / "model.tar.gz"),
            "job": job.id,
            "seconds": dict(job.seconds),
            "warnings": list(job.warnings),
        }
        (partial / "meta.json").write_text(json.dumps(meta, indent=1))
        os.replace(partial, folder)
        return self._entry(folder, live_ids=set())

    def _install(self, entry: Published) -> None:
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

    def _entry(self, folder: Path, live_ids: Set[str]) -> Published:
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

    def _live_marker(self) -> Optional[str]:
        path = self.registry / "live.json"
        if not path.is_file():
            return None
        try:
            return str(json.loads(path.read_text())["id"])
        except (ValueError, KeyError):
            return None

    def _mark_live(self, entry_id: str, who: str) -> None:
        yaml_edit.write_atomic(
            self.registry / "live.json",
            json.dumps({"id": entry_id, "since": iso(utc_now()), "who": who}, indent=1),
        )

    def _folders(self) -> List[Path]:
        if not self.registry.is_dir():
            return []
        return sorted(
            (p for p in self.registry.iterdir() if (p / "meta.json").is_file()),
            key=lambda p: p.name,
            reverse=True,
        )

    def running_model_id(self) -> Optional[str]:
        """The id of the model the running assistant serves: the one every Rasa server of
        ``RASA_URL`` reports; None when one is not reachable or they differ."""
        found = {self._model_id_at(url) for url in self.settings.rasa_urls}
        return found.pop() if len(found) == 1 else None

    def _model_id_at(self, url: str) -> Optional[str]:
        try:
            reply = requests.get(f"{url}/status", params=self._token(), timeout=3)
        except requests.RequestException:
            return None
        if not reply.ok:
            return None
        found = reply.json().get("model_id")
        return str(found) if found else None

    def published(self) -> List[Published]:
        """The published versions, newest first; the one the assistant serves is live (as
        the running assistant reports it, else the one last loaded)."""
        folders = self._folders()
        if not folders:
            return []
        running = self.running_model_id()
        live: Set[str] = set()
        if running:
            for folder in folders:
                meta = json.loads((folder / "meta.json").read_text())
                if meta.get("model_id") == running:
                    live = {meta["id"]}
                    break
        else:
            marker = self._live_marker()
            live = {marker} if marker else set()
        return [self._entry(folder, live) for folder in folders]

    def _prune(self) -> None:
        """Keep the newest KEEP versions, and the live one whatever its age."""
        keep = {folder.name for folder in self._folders()[:KEEP]}
        keep |= {p.id for p in self.published() if p.live}
        marker = self._live_marker()
        if marker:
            keep.add(marker)
        for folder in self._folders():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    def _prune_jobs(self) -> None:
        if not self.jobs_folder.is_dir():
            return
        folders = sorted(p for p in self.jobs_folder.iterdir() if p.is_dir())
        running = {job_id for job_id, job in self._jobs.items() if job.state == "running"}
        for folder in folders[:-KEEP_JOBS]:
            if folder.name not in running:
                shutil.rmtree(folder, ignore_errors=True)

    # -------------------------------------------------- the running assistant

    def _token(self) -> Dict[str, str]:
        token = self.settings.rasa_api_token
        return {"token": token} if token else {}

    def load(self, model: Path) -> Tuple[bool, str]:
        """Load ``model`` into the running assistant, into each of its Rasa servers;
        (loaded into all, what happened in plain words)."""
        urls = self.settings.rasa_urls
        results = [self._load_into(url, model) for url in urls]
        if len(urls) == 1:
            return results[0]
        failed = [
            f"{url}: {said}"
            for url, (loaded, said) in zip(urls, results, strict=True)
            if not loaded
        ]
        if not failed:
            return True, f"Loaded into the assistant (all {len(urls)} of its servers)."
        return False, (
            f"It reached only {len(urls) - len(failed)} of the assistant's {len(urls)} "
            f"servers; not {'; '.join(failed)} Publish again, or roll back, once they all "
            "answer."
        )

    def _load_into(self, url: str, model: Path) -> Tuple[bool, str]:
        """Load ``model`` into the Rasa server at ``url`` (Rasa's ``PUT /model``) and check
        that its ``/status`` reports it; (loaded, what happened in plain words)."""
        later = "`make run` starts the assistant with it."
        try:
            reply = requests.put(
                f"{url}/model",
                params=self._token(),
                json={"model_file": str(model.resolve())},
                timeout=LOAD_TIMEOUT,
            )
        except requests.ConnectionError:
            return False, f"The assistant is not running (nothing answers at {url}). {later}"
        except requests.Timeout:
            return False, f"The assistant did not answer within {LOAD_TIMEOUT // 60} minutes."
        if reply.status_code in (401, 403):
            return False, (
                "The assistant refused it: the staff app's RASA_API_TOKEN is not the token the "
                "assistant was started with. Publish from the staff app started by `make run`, "
                "or restart with `make run`, which starts it with this version."
            )
        if reply.status_code in (404, 405):
            return False, (
                "The assistant's model API is off (it was started without RASA_API_TOKEN). "
                f"Restart it with `make run`; {later}"
            )
        if reply.status_code != 204:
            return False, (
                f"The assistant could not load it (it answered {reply.status_code}: "
                f"{_reason(reply)})."
            )
        wanted = model_id(model)
        running = self._model_id_at(url)
        if running != wanted:
            return False, "The assistant accepted it but still reports another version."
        return True, "Loaded into the assistant."

    def rollback(self, published_id: str, who: str) -> Published:
        """Go back to version ``published_id``: restore the data files it was trained from
        (the current ones are kept in STAFF_MODELS/backups/), and load its model.

        Raises:
            KeyError: there is no such version.
            PublishBusy: a publish is running.
        """
        if not re.fullmatch(r"[\w-]+", published_id):
            raise KeyError(published_id)
        folder = self.registry / published_id
        if not (folder / "meta.json").is_file():
            raise KeyError(published_id)
        handle = self._acquire()
        try:
            handle.write(f"rollback by {who} to {published_id}\n")
            handle.flush()
            entry = self._entry(folder, set())
            self._restore(folder, published_id, who)
            self._install(entry)
            loaded, message = self.load(entry.model)
            self._mark_live(entry.id, who)
            entry.live = True
            entry.note = (
                f"Version {entry.id} is back, with its data. {message}"
                if loaded
                else f"The data of version {entry.id} is back, but it was not loaded: {message}"
            )
            return entry
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def _restore(self, folder: Path, published_id: str, who: str) -> None:
        """Replace the staff-edited files (data/ but the safety patterns, and
        content/claims.yml) with the version's, the current ones backed up."""
        with tempfile.TemporaryDirectory() as temporary:
            unpacked = Path(temporary)
            with tarfile.open(folder / "data.tar.gz", "r:gz") as packed:
                for member in packed.getmembers():
                    unsafe = member.name.startswith("/") or ".." in Path(member.name).parts
                    if unsafe or not (member.isfile() or member.isdir()):
                        raise PublishError(f"Version {published_id} has a damaged data archive.")
                packed.extractall(unpacked)
            with yaml_edit.locked(self.root):
                backups = self.registry / "backups"
                backups.mkdir(parents=True, exist_ok=True)
                stamp = f"{utc_now():%Y%m%d-%H%M%S}"
                archive(self.root, backups / f"{stamp}-before-rollback-to-{published_id}.tar.gz")
                for old in sorted(backups.glob("*.tar.gz"))[:-KEEP_BACKUPS]:
                    old.unlink()
                wanted = _restored_files(unpacked)
                for relative, path in _restored_files(self.root).items():
                    if relative not in wanted:
                        path.unlink()
                for relative, source in wanted.items():
                    target = self.root / relative
                    if not target.is_file() or target.read_bytes() != source.read_bytes():
                        _replace_file(source, target)
        logger.info("rollback to %s by %s: data restored", published_id, who)


def _link_or_copy(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (a model is large), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _restored_files(base: Path) -> Dict[str, Path]:
    """The files of ``base`` a rollback restores, by relative name (no hidden files, not
    the safety guard's patterns)."""
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


def _replace_file(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` through a temporary file (never half written)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(descriptor)
    try:
        shutil.copyfile(source, temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _reason(reply: requests.Response) -> str:
    try:
        body = reply.json()
    except ValueError:
        return reply.text[:200] or reply.reason
    return str(body.get("message") or body.get("reason") or body)[:200]


def _safety_thresholds() -> List[Tuple[str, str, float]]:
    from evaluation.safety_suite import THRESHOLDS

    return list(THRESHOLDS)


# ---------------------------------------------------------------- the command


def _print_list(publisher: Publisher, out: IO[str]) -> None:
    versions = publisher.published()
    if not versions:
        print("Nothing has been published yet.", file=out)
        return
    for entry in versions:
        mark = "LIVE " if entry.live else "     "
        figures = ", ".join(
            f"{name} {entry.figures[name]:.3f}"
            for name in ("intent accuracy", "emergency recall", "advice recall")
            if name in entry.figures
        )
        commit = f" commit {entry.git_commit[:10]}" if entry.git_commit else ""
        print(f"{mark}{entry.id}  {entry.date}  by {entry.who}{commit}  {figures}", file=out)


def _follow(publisher: Publisher, job_id: str, out: IO[str]) -> Dict[str, Any]:
    shown: Tuple[str, int] = ("", -10)
    while True:
        status = publisher.wait(job_id, timeout=0.5)
        stage, percent = status["stage"], status["percent"]
        if status["state"] != "running":
            return status
        if stage != shown[0] and (
            not stage.startswith("Training:") or percent >= shown[1] + 5 or "epoch" not in stage
        ):
            print(f"[{percent:3d}%] {stage}", file=out, flush=True)
            shown = (stage, percent)


def main(argv: Optional[List[str]] = None, out: IO[str] = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m staff.publish",
        description="Retrain from the data, test, and load the new version into the "
        "running assistant (make publish).",
    )
    parser.add_argument("--who", default=f"{getpass.getuser()} (command line)")
    parser.add_argument("--list", action="store_true", help="list the published versions")
    parser.add_argument("--rollback", metavar="ID", help="go back to a published version")
    args = parser.parse_args(argv)
    try:
        settings = StaffSettings.from_env()
    except SettingsError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 2
    publisher = Publisher(settings)
    if args.list:
        _print_list(publisher, out)
        return 0
    try:
        if args.rollback:
            entry = publisher.rollback(args.rollback, args.who)
            print(entry.note, file=out)
            return 0
        job_id = publisher.start(args.who)
    except KeyError as error:
        print(f"There is no published version {error}; --list lists them.", file=out)
        return 1
    except PublishError as error:
        print(str(error), file=out)
        return 1
    print(f"Publishing the data of {settings.data_root} (job {job_id}).", file=out, flush=True)
    status = _follow(publisher, job_id, out)
    if status["figures"]:
        print("Test figures:", file=out)
        for name, value in status["figures"].items():
            print(f"  {PLAIN_FIGURES.get(name, name):62s} {value:6.1%}", file=out)
    for warning in status.get("warnings") or []:
        print(f"Warning: {warning}", file=out)
    for number, problem in enumerate(status["problems"], 1):
        print(f"{number}. {problem}", file=out)
    seconds = ", ".join(f"{k} {v:.0f} s" for k, v in status.get("seconds", {}).items())
    print(f"{status['stage']}" + (f" ({seconds})" if seconds else ""), file=out)
    return 0 if status["state"] in ("published", "passed") else 1


if __name__ == "__main__":
    sys.exit(main())
