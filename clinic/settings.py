"""Where the clinic's facts are, and the clock for tests: read from the environment in this
one place."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Default clinic config: ``clinic.yml`` at the project root, whatever the working directory.
DEFAULT_CLINIC_CONFIG = PROJECT_ROOT / "clinic.yml"


def clinic_config_path() -> Path:
    """Path of the clinic config: ``$CLINIC_CONFIG`` if set, else ``clinic.yml``."""
    return Path(os.environ.get("CLINIC_CONFIG") or DEFAULT_CLINIC_CONFIG)


def fixed_now() -> Optional[datetime]:
    """``$CLINIC_NOW``: the time the assistant judges the chat's opening hours by, for tests
    and demos (ISO 8601 with its offset, such as ``2026-12-07T10:00:00+00:00``); ``None``
    when unset (the real time). Read at each call, so a test can set it.

    Raises:
        ValueError: when it is set but not a date and time with an offset.
    """
    text = os.environ.get("CLINIC_NOW", "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise ValueError(
            f"CLINIC_NOW is '{text}', which is not a date and time with its offset such as "
            "2026-12-07T10:00:00+00:00"
        )
    return moment
