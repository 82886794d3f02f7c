"""A copy of the project's data, as the staff app edits it (so a test never changes the
repository's)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.project import ROOT

#: What a staff data copy needs: the training data, domain, config, the clinic's details,
#: the source text and the reviewed claims (content/), the held-out test files.
DATA_FILES = (
    "clinic.yml",
    "config.yml",
    "domain.yml",
    "data",
    "content",
    "evaluation/nlu_test.yml",
    "evaluation/safety_test.yml",
)


def copy_project_data(target: Path) -> Path:
    """A copy of the project's data in ``target``: what the staff app edits."""
    for name in DATA_FILES:
        source = ROOT / name
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    return target
