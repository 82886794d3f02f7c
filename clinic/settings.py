"""Where the clinic's facts are: read from the environment in this one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Default clinic config: ``clinic.yml`` at the project root, whatever the working directory.
DEFAULT_CLINIC_CONFIG = PROJECT_ROOT / "clinic.yml"


def clinic_config_path() -> Path:
    """Path of the clinic config: ``$CLINIC_CONFIG`` if set, else ``clinic.yml``."""
    return Path(os.environ.get("CLINIC_CONFIG") or DEFAULT_CLINIC_CONFIG)
