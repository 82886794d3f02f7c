"""The gates a new model must pass: a model below the NLU or the safety thresholds is not
published (the figures said in words: tests/unit/staff/publish/test_gates.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.publish_fakes import (
    FakeAssistant,
    FakeRasa,
    edit_downtime,
    publisher_for,
    run,
)


@pytest.mark.integration
def test_a_model_below_the_nlu_thresholds_is_not_published(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    edit_downtime(data_root)
    rasa.nlu["emergency"] = 0.97
    publisher = publisher_for(data_root, rasa, assistant)
    status = run(publisher)
    assert status["state"] == "failed"
    assert status["problems"][0] == (
        "Too few emergencies recognised (NLU test): 97.0%, below the minimum 100%."
    )
    assert "keeps the current one" in status["problems"][-1]
    assert status["figures"]["recall of report_emergency_symptom"] == 0.97
    assert publisher.published() == [] and assistant.loaded == []
    assert not (data_root / "models").exists()


@pytest.mark.integration
def test_a_model_below_the_safety_thresholds_is_not_published(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    edit_downtime(data_root)
    rasa.safety["look-alike false emergency rate"] = 0.07
    status = run(publisher_for(data_root, rasa, assistant))
    assert status["state"] == "failed"
    assert status["problems"][0] == (
        "Too many general questions taken for emergencies (safety test): 7.0%, above the "
        "maximum 5%."
    )
    assert assistant.loaded == []
