"""Publish jobs in the background: each runs its steps in a thread while holding the
registry's lock (:mod:`staff.publish.lock`), and its state (stage, percent, problems,
figures) is readable meanwhile, from this process or, through ``jobs/<id>/status.json``,
from another. The job's log is ``jobs/<id>/log.txt``."""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Sequence

from staff import yaml_edit
from staff.publish import lock
from staff.publish.files import iso, utc_now

logger = logging.getLogger(__name__)

#: How many finished jobs' folders (status and log) are kept.
KEEP_JOBS = 20


@dataclass
class Job:
    """A publish job's state, as :meth:`Jobs.status` reports it."""

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


#: What a job does: its steps, given the job (to report progress on) and its open log.
Steps = Callable[[Job, IO[str]], None]


#: A job's id, as :meth:`Jobs.start` makes it: its start time and four hex digits.
JOB_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{4}")


class Jobs:
    """The publish jobs of the registry in ``registry`` (their folders in ``jobs/``)."""

    def __init__(self, registry: Path) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._jobs: Dict[str, Job] = {}
        self._latest: Optional[str] = None
        self._threads: Dict[str, threading.Thread] = {}

    @property
    def folder(self) -> Path:
        return self.registry / "jobs"

    def start(self, who: str, steps: Steps) -> str:
        """Start a job that runs ``steps`` in the background; its id.

        Raises:
            PublishBusy: a job (of this app or another process) is running.
        """
        handle = lock.acquire(self.registry)
        moment = utc_now()
        job_id = f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        handle.write(f"started by {who} at {moment:%H:%M} UTC, job {job_id}\n")
        handle.flush()
        folder = self.folder / job_id
        folder.mkdir(parents=True, exist_ok=True)
        job = Job(id=job_id, who=who, folder=folder, started=iso(moment))
        with self._lock:
            self._jobs[job_id] = job
            self._latest = job_id
        self._save(job)
        thread = threading.Thread(
            target=self._run, args=(job, handle, steps), name=f"publish-{job_id}", daemon=True
        )
        self._threads[job_id] = thread
        thread.start()
        return job_id

    def status(self, job_id: Optional[str] = None) -> Dict[str, Any]:
        """A job's state (the latest job's without an id): id, state ("running", "passed",
        "failed", "published"), percent, stage (plain words), problems, warnings, figures,
        seconds per step, published_id, started, finished, log.

        Raises:
            KeyError: there is no job ``job_id`` (an id that is not one this app makes,
                such as a path, names no job).
        """
        if job_id is not None and not JOB_ID.fullmatch(job_id):
            raise KeyError(job_id)
        with self._lock:
            wanted = job_id or self._latest
            if wanted and wanted in self._jobs:
                return self._jobs[wanted].as_dict()
        folder = self.folder
        if wanted is None and folder.is_dir():
            saved = sorted(p.name for p in folder.iterdir() if (p / "status.json").is_file())
            wanted = saved[-1] if saved else None
        if wanted and (folder / wanted / "status.json").is_file():
            found: Dict[str, Any] = json.loads((folder / wanted / "status.json").read_text())
            if found.get("state") == "running" and not lock.held(self.registry):
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

    # -------------------------------------------------- what the steps report

    def update(self, job: Job, stage: Optional[str] = None, percent: Optional[int] = None) -> None:
        """The job's stage (plain words) and percent (never going back)."""
        with self._lock:
            if stage is not None:
                job.stage = stage
            if percent is not None:
                job.percent = max(job.percent, min(int(percent), 100))
        self._save(job)

    def record(
        self,
        job: Job,
        *,
        warnings: Optional[List[str]] = None,
        figures: Optional[Dict[str, float]] = None,
        published_id: Optional[str] = None,
    ) -> None:
        """What the job found: the checks' warnings, the test figures, the version."""
        with self._lock:
            if warnings is not None:
                job.warnings = warnings
            if figures is not None:
                job.figures = figures
            if published_id is not None:
                job.published_id = published_id

    def timed(self, job: Job, step: str, began: float) -> None:
        """The seconds ``step`` took, from ``began`` (time.monotonic()) to now."""
        with self._lock:
            job.seconds[step] = round(time.monotonic() - began, 1)

    def finish(self, job: Job, state: str, stage: str, problems: Sequence[str] = ()) -> None:
        """End the job: "published", "passed" or "failed" (with its problems)."""
        with self._lock:
            job.state = state
            job.stage = stage
            job.problems = list(problems)
            job.finished = iso(utc_now())
            if state != "failed":
                job.percent = 100
        self._save(job)

    # -------------------------------------------------- the thread

    def _save(self, job: Job) -> None:
        data = json.dumps(job.as_dict(), indent=1)
        yaml_edit.write_atomic(job.folder / "status.json", data)

    def _run(self, job: Job, handle: IO[str], steps: Steps) -> None:
        try:
            with (job.folder / "log.txt").open("a", encoding="utf-8") as log:
                try:
                    steps(job, log)
                except JobError as failed:
                    log.write("FAILED: " + "; ".join(failed.problems) + "\n")
                    self.finish(job, "failed", "Not published: see the problems.", failed.problems)
                except Exception:
                    log.write(traceback.format_exc())
                    logger.exception("publish job %s", job.id)
                    self.finish(
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
            self._prune()
            lock.release(handle)

    def _prune(self) -> None:
        if not self.folder.is_dir():
            return
        folders = sorted(p for p in self.folder.iterdir() if p.is_dir())
        running = {job_id for job_id, job in self._jobs.items() if job.state == "running"}
        for folder in folders[:-KEEP_JOBS]:
            if folder.name not in running:
                shutil.rmtree(folder, ignore_errors=True)
