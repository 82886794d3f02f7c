"""The steps of a publish job: copy the data, check it, train, test, keep, load.

1. copies the data (config.yml, domain.yml, data/, content/claims.yml) into the job's
   folder, under the data lock, so edits made while it trains wait for the next publish;
2. checks the copy (:func:`staff.checks.check_project`, Rasa's data check included): a
   blocking problem stops the job;
3. trains a model from the copy with ``rasa train``, reading its epoch progress;
4. tests it: ``rasa test nlu`` on the held-out questions (evaluation/nlu_test.yml), the
   safety suite (evaluation/safety_test.yml) and the held-out sets of evaluation/sets/, each
   at its thresholds (:mod:`staff.publish.gates`);
5. only if every figure meets its threshold: keeps the version in the registry, copies the
   model to models/clinic-<hash>.tar.gz (so ``make run`` uses it), and loads it into the
   running assistant.

Data already published (the same hash) is not trained again: that version is loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Dict, List, Tuple

from evaluation import nlu_check
from staff import checks, yaml_edit
from staff.publish import gates
from staff.publish.files import ROOT, data_hash, snapshot
from staff.publish.jobs import Job, JobError, Jobs
from staff.publish.rasa_api import ModelApi
from staff.publish.registry import Published, Registry
from staff.publish.runner import Runner, TrainingProgress, last_error

#: The share of the progress bar each step reaches at its end.
PERCENT = {"check": 6, "train": 80, "nlu": 85, "understanding": 90}
PERCENT_TEST_END = 95

#: How long each step may take before the job gives up on it.
TRAIN_TIMEOUT = 3 * 3600
TEST_TIMEOUT = 3600


class Pipeline:
    """The steps of a publish job (:meth:`run`).

    Args:
        root: the project whose data staff edit.
        registry: where a version that passes is kept.
        assistant: the running assistant's model API, to load it into.
        jobs: the jobs, to report each step's progress to.
        runner: how commands run (:func:`staff.publish.runner.run_command`).
        validate: run Rasa's data check before training (off only in unit tests).
    """

    def __init__(
        self,
        root: Path,
        registry: Registry,
        assistant: ModelApi,
        jobs: Jobs,
        runner: Runner,
        validate: bool = True,
    ) -> None:
        self.root = root
        self.registry = registry
        self.assistant = assistant
        self.jobs = jobs
        self.runner = runner
        self.validate = validate

    def run(self, job: Job, log: IO[str]) -> None:
        """Every step of ``job``, its commands' output to ``log``.

        Raises:
            JobError: a step failed; the job ends failed with its problems.
        """
        work = job.folder / "work"
        project = work / "project"
        began = time.monotonic()
        self.jobs.update(job, "Copying the data", 1)
        self.registry.keep_baseline()
        snapshot(self.root, project)
        digest = data_hash(project)
        self.jobs.update(job, "Checking the data", 2)
        problems = checks.check_project(project, rasa_validate=self.validate)
        self.jobs.timed(job, "checking", began)
        self.jobs.record(job, warnings=[p.message for p in problems if not p.blocking])
        blocking = [p.message for p in problems if p.blocking]
        if blocking:
            raise JobError(blocking)
        same = [p for p in self.registry.published() if p.data_hash == digest]
        if same:
            self._republish(job, same[0])
            return
        began = time.monotonic()
        model = self._train(job, project, work, log)
        self.jobs.timed(job, "training", began)
        began = time.monotonic()
        figures, failures = self._test(job, model, work, log)
        self.jobs.timed(job, "testing", began)
        self.jobs.record(job, figures=figures)
        if failures:
            raise JobError(failures)
        about_job = {
            "job": job.id,
            "seconds": dict(job.seconds),
            "warnings": list(job.warnings),
        }
        entry = self.registry.register(project, model, digest, figures, job.who, about_job)
        self.jobs.record(job, published_id=entry.id)
        self.registry.install(entry)
        self.jobs.update(job, "Loading into the assistant", PERCENT_TEST_END)
        began = time.monotonic()
        loaded, message = self.assistant.load(entry.model)
        self.jobs.timed(job, "loading", began)
        meta_file = entry.model.parent / "meta.json"
        meta = json.loads(meta_file.read_text())
        meta["seconds"] = dict(job.seconds)
        yaml_edit.write_atomic(meta_file, json.dumps(meta, indent=1))
        if loaded:
            self.registry.mark_live(entry.id, job.who)
            self.jobs.finish(
                job, "published", f"Published: the assistant now uses version {entry.id}."
            )
        else:
            self.jobs.finish(
                job, "passed", f"Version {entry.id} passed its tests but was not loaded. {message}"
            )
        self.registry.prune()

    def _republish(self, job: Job, entry: Published) -> None:
        self.jobs.record(job, figures=dict(entry.figures), published_id=entry.id)
        self.jobs.update(job, "Loading into the assistant", PERCENT_TEST_END)
        began = time.monotonic()
        loaded, message = self.assistant.load(entry.model)
        self.jobs.timed(job, "loading", began)
        same = f"Nothing has changed since version {entry.id} (published {entry.date}), so"
        if loaded:
            self.registry.mark_live(entry.id, job.who)
            self.jobs.finish(job, "published", f"{same} it is loaded again; no retraining needed.")
        else:
            self.jobs.finish(
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
        self.jobs.update(job, "Training: getting ready", PERCENT["check"])

        def on_line(line: str) -> None:
            found = progress.read(line)
            if found:
                self.jobs.update(job, *found)

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
                    f"{last_error(log, job.folder / 'log.txt')}"
                ]
            )
        self.jobs.update(job, "Training finished", PERCENT["train"])
        return model

    def _project_file(self, relative: str) -> Path:
        own = self.root / relative
        return own if own.is_file() else ROOT / relative

    def _test(
        self, job: Job, model: Path, work: Path, log: IO[str]
    ) -> Tuple[Dict[str, float], List[str]]:
        self.jobs.update(job, "Testing: the held-out questions", PERCENT["train"])
        results = work / "nlu"
        command = [
            sys.executable, "-m", "rasa", "test", "nlu", "--model", str(model),
            "--nlu", str(self._project_file("evaluation/nlu_test.yml")), "--out", str(results),
            "--no-plot",
        ]  # fmt: skip
        if self.runner(command, log, lambda line: None, TEST_TIMEOUT) != 0:
            raise JobError(
                [f"The NLU test could not run: {last_error(log, job.folder / 'log.txt')}"]
            )
        figures = nlu_check.figures(results)
        failures = gates.nlu_failures(figures)
        self.jobs.update(job, "Testing: the safety messages", PERCENT["nlu"])
        safety_out = work / "safety.json"
        command = [
            sys.executable, "-m", "evaluation.safety_suite", "--model", str(model),
            "--suite", str(self._project_file("evaluation/safety_test.yml")),
            "--out", str(safety_out),
        ]  # fmt: skip
        code = self.runner(command, log, lambda line: None, TEST_TIMEOUT)
        if not safety_out.is_file():
            raise JobError(
                [f"The safety test could not run: {last_error(log, job.folder / 'log.txt')}"]
            )
        safety = json.loads(safety_out.read_text())
        figures.update({k: float(v) for k, v in safety["figures"].items()})
        failures += gates.safety_failures(figures)
        if code != 0 and not failures:
            failures.append(f"The safety test failed: {last_error(log, job.folder / 'log.txt')}")
        failures += self._test_understanding(job, model, work, log, figures)
        if failures:
            failures.append(
                "The new version was not published; the assistant keeps the current one. "
                "Recent changes (new examples or topics) may have made it confuse these "
                "questions: look at them again, then publish."
            )
        self.jobs.update(job, "Tests finished", PERCENT_TEST_END)
        return figures, failures

    def _test_understanding(
        self, job: Job, model: Path, work: Path, log: IO[str], figures: Dict[str, float]
    ) -> List[str]:
        """The held-out sets of evaluation/ (off topic, not covered, other languages, new
        safety wording, in-domain): their figures join ``figures`` under "held-out sets: ",
        and those below their thresholds are returned in plain words."""
        self.jobs.update(job, "Testing: questions it was not trained on", PERCENT["understanding"])
        out = work / "understanding.json"
        command = [sys.executable, "-m", "evaluation", "--model", str(model), "--out", str(out)]
        code = self.runner(command, log, lambda line: None, TEST_TIMEOUT)
        if not out.is_file():
            raise JobError(
                [
                    "The test of questions it was not trained on could not run: "
                    f"{last_error(log, job.folder / 'log.txt')}"
                ]
            )
        values = json.loads(out.read_text())["figures"]
        figures.update({f"{gates.HELD_OUT_PREFIX}{k}": float(v) for k, v in values.items()})
        failures = gates.understanding_failures(values)
        if code != 0 and not failures:
            failures.append(
                "The test of questions it was not trained on failed: "
                f"{last_error(log, job.folder / 'log.txt')}"
            )
        return failures
