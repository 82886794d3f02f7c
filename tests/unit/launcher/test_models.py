"""launcher/models.py: which model the Rasa server loads."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from launcher import models
from launcher.settings import LauncherSettings
from staff.publish.registry import live_model


def publish(published: Path, version: str, live: bool = True) -> Path:
    """A published model ``version``, named live in live.json when ``live``."""
    model = published / version / "model.tar.gz"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"model")
    if live:
        (published / "live.json").write_text(json.dumps({"id": version}))
    return model


def test_the_live_published_model_is_the_one_live_json_names(tmp_path: Path) -> None:
    assert live_model(tmp_path) is None
    publish(tmp_path, "v1")
    second = publish(tmp_path, "v2")
    assert live_model(tmp_path) == second
    (tmp_path / "live.json").write_text(json.dumps({"id": "v3"}))  # its file is not there
    assert live_model(tmp_path) is None


def test_the_published_folder_is_the_staff_apps() -> None:
    assert models.PUBLISHED == models.ROOT / "models" / "published"


def test_the_rasa_role_takes_model_then_the_live_one_then_the_images(tmp_path: Path) -> None:
    published, built = tmp_path / "published", tmp_path / "LATEST"
    published.mkdir()
    with pytest.raises(models.NoModelError, match="no model"):
        models.model_to_serve(LauncherSettings(), published, built)

    built.write_text("/app/models/clinic-abc.tar.gz\n")
    image = Path("/app/models/clinic-abc.tar.gz")
    assert models.model_to_serve(LauncherSettings(), published, built) == image

    live = publish(published, "20240101-0900")
    assert models.model_to_serve(LauncherSettings(), published, built) == live

    chosen = LauncherSettings(model="models/chosen.tar.gz")
    assert models.model_to_serve(chosen, published, built) == Path("models/chosen.tar.gz")


def test_the_newest_trained_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "MODELS", tmp_path)
    assert models.newest_model() is None
    old, new = tmp_path / "clinic-aaa.tar.gz", tmp_path / "clinic-bbb.tar.gz"
    for path in (new, old):
        path.write_bytes(b"model")
    now = time.time()
    os.utime(old, (now - 60, now - 60))
    (tmp_path / "other.tar.gz").write_bytes(b"not ours")
    assert models.newest_model() == new
