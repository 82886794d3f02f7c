"""Which trained model the Rasa server loads.

``scripts/train.sh`` trains into ``models/`` (``clinic-<hash of its inputs>.tar.gz``); the
image of deploy/Dockerfile names the one it built in ``models/LATEST``; the staff app
publishes models into ``models/published/``, and its registry
(:func:`staff.publish.registry.live_model`) says which one is live.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from launcher.settings import LauncherSettings
from staff.publish.registry import live_model
from staff.settings import StaffSettings

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
#: The model the image was built with: a file naming it (deploy/Dockerfile writes it).
BUILT = MODELS / "LATEST"
#: Where the staff app publishes models (its ``STAFF_MODELS`` default, models/published).
PUBLISHED = StaffSettings.models


class NoModelError(RuntimeError):
    """There is no model to serve."""


def built_model(built: Path = BUILT) -> Optional[Path]:
    """The model named in ``built`` (models/LATEST), if that file is there."""
    if not built.is_file():
        return None
    return Path(built.read_text(encoding="utf-8").strip())


def newest_model() -> Optional[Path]:
    """The newest trained model in models/, if any."""
    models = sorted(MODELS.glob("clinic-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def model_to_serve(
    settings: LauncherSettings, published: Path = PUBLISHED, built: Path = BUILT
) -> Path:
    """The ``rasa`` role's model: ``MODEL`` if set, else the live published one, else the
    one the image was built with.

    Args:
        published: the folder of published models (models/published).
        built: the file naming the image's model (models/LATEST).

    Raises:
        NoModelError: none of the three is there.
    """
    model = Path(settings.model) if settings.model else None
    model = model or live_model(published) or built_model(built)
    if model is None:
        raise NoModelError(
            f"no model: set MODEL, publish one, or name one in {built} "
            "(`make run` trains one first)"
        )
    return model
