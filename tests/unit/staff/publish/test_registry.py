"""The registry of published versions: the live version's model is what a Rasa server that
starts serves (:func:`staff.publish.live_model`); publishing and pruning versions:
tests/integration/staff/publish/test_registry.py."""

from __future__ import annotations

import json
from pathlib import Path

from staff.publish import live_model
from tests.support.publish_fakes import (
    fake_model,
)


def test_the_live_model_is_the_one_live_json_names_if_it_is_kept(tmp_path: Path) -> None:
    registry = tmp_path / "published"
    assert live_model(registry) is None  # nothing published
    model = registry / "20261126-105036-123-53369d8c331c" / "model.tar.gz"
    fake_model(model)
    live = registry / "live.json"
    live.write_text(json.dumps({"id": model.parent.name, "since": "", "who": "jo"}))
    assert live_model(registry) == model
    model.unlink()  # pruned, or its volume not mounted
    assert live_model(registry) is None
    for broken in ("{", json.dumps({"who": "jo"}), json.dumps({"id": "../published"})):
        live.write_text(broken)
        assert live_model(registry) is None
