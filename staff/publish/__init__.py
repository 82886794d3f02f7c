"""Publish: retrain from the staff's data, test, load into the running assistant, roll back.

A publish job runs in a background thread (its steps are subprocesses): it copies the data,
checks it, trains a model with ``rasa train``, tests it (``rasa test nlu``, the safety suite,
the held-out sets, each at the thresholds of evaluation/), and only if every figure meets
its threshold keeps the version in the registry (``STAFF_MODELS/<id>/``: model.tar.gz,
meta.json, data.tar.gz), copies the model to models/clinic-<hash>.tar.gz (the name
scripts/train.sh gives it, so ``make run`` uses it), and loads it into the running Rasa
server through its model API (``PUT /model?token=...``), checking ``/status`` reports it.

The job ends "published" (loaded), "passed" (tested and kept, but the assistant was not
reachable: it says so, and ``make run`` starts with it) or "failed" (with the reasons in
plain words; nothing changed). A rollback loads an earlier version and restores the data
files it was trained from. One job or rollback at a time, across processes: a second start
raises :class:`PublishBusy`.

The modules, each depending only on those above it:

- :mod:`~staff.publish.errors`: :class:`PublishError`, :class:`PublishBusy`.
- :mod:`~staff.publish.files`: what a version is made of, its hash (the one
  scripts/train.sh names a model by), snapshot and archive, a model's id, the git commit.
- :mod:`~staff.publish.runner`: running a command with its output read line by line, and
  ``rasa train``'s progress.
- :mod:`~staff.publish.lock`: the registry's lock file, one job or rollback at a time.
- :mod:`~staff.publish.rasa_api`: the client of Rasa's model API (which model a server
  serves, loading a new one into each server).
- :mod:`~staff.publish.registry`: the versions kept, ``live.json``, which version is live,
  pruning; :func:`live_model` is what a Rasa server that starts serves.
- :mod:`~staff.publish.jobs`: background jobs and their state (``jobs/<id>/status.json``).
- :mod:`~staff.publish.gates`: the test figures in plain words and their thresholds.
- :mod:`~staff.publish.pipeline`: the steps of a job (copy, check, train, test, keep, load).
- :mod:`~staff.publish.rollback`: going back to a version, its data restored.
- :mod:`~staff.publish.publisher`: :class:`Publisher`, what the staff app uses.
- :mod:`~staff.publish.cli`: ``python -m staff.publish`` (``make publish``); ``--list``
  lists the versions, ``--rollback ID`` rolls back, ``--live-model`` prints the model file
  of the live version.
"""

from __future__ import annotations

from staff.publish.errors import PublishBusy, PublishError
from staff.publish.files import data_hash
from staff.publish.gates import PLAIN_FIGURES
from staff.publish.publisher import Publisher
from staff.publish.registry import Published, live_model

__all__ = [
    "PLAIN_FIGURES",
    "PublishBusy",
    "PublishError",
    "Published",
    "Publisher",
    "data_hash",
    "live_model",
]
