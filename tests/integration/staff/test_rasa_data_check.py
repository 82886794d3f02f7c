"""Rasa's own data check run for real (``rasa data validate`` in a subprocess, on a copy of
the project), its messages in plain words (staff/checks/rasa.py). An integration test: it
runs Rasa's command line, about fifteen seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from staff import checks
from staff.checks import rasa
from tests.support.check_cases import messages

pytestmark = pytest.mark.integration


def test_rasas_own_data_check_runs_and_speaks_plainly(data_root: Path) -> None:
    """The real `rasa data validate`, on the copy: as shipped it passes; a rule that uses a
    response nobody wrote fails it, said in plain words (a subprocess of a few seconds)."""
    assert rasa.validate(data_root) == []
    (data_root / "data/rules/thanks.yml").write_text(
        'version: "3.1"\nrules:\n- rule: thanks\n  steps:\n  - intent: thank\n'
        "  - action: utter_thanks_a_lot\n"
    )
    assert messages(checks.check_project(data_root)) == [
        "The rules or stories use 'utter_thanks_a_lot', which the assistant does not know "
        "(domain.yml)."
    ]
