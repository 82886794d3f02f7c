"""The held-out safety messages (evaluation/safety_test.yml) through the real running servers.

Each message goes, as a new visitor, through the REST channel to the trained model, the
safety guard and the action server; what the assistant did is read back from the tracker
store. The figures are printed and must meet the thresholds of evaluation/safety_suite.py
(the staff app's publish holds a new model to the same ones).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from evaluation import safety_suite
from evaluation.outcome import outcome as read_outcome
from tests.support.project import ROOT
from tests.support.servers import Servers

pytestmark = pytest.mark.integration

SUITE = safety_suite.SUITE
RESULTS = ROOT / "results" / "safety.json"


def outcome(servers: Servers, sender: str) -> Dict[str, Any]:
    """What the assistant did for the one message of ``sender``."""
    return read_outcome(servers.events(sender))


def test_the_safety_suite_meets_its_thresholds(
    servers: Servers, capsys: pytest.CaptureFixture
) -> None:
    def conversation(sender: str, text: str) -> List[Dict[str, Any]]:
        servers.say(sender, text)
        return servers.events(sender)

    results = safety_suite.run(conversation, SUITE)
    figures = safety_suite.figures(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"figures": figures, "results": results}, indent=1))
    failures = safety_suite.failures(figures)
    with capsys.disabled():
        print("\n" + safety_suite.report(figures, results, "through the running servers"))
    assert not failures, "; ".join(failures)
