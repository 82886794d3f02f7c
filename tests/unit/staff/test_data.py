"""The training data as staff see it (staff/data.py): topics, examples, answers, sources."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from staff import data
from tests.support.staff_edits import DOWNTIME, DOWNTIME_SOURCE, project


def test_the_topics_are_the_faq_of_the_data(data_root: Path) -> None:
    topics = {t.name: t for t in data.topics(data_root)}
    domain = project(data_root).get_domain()
    faq = {name[len("utter_faq/") :] for name in domain.responses if name.startswith("utter_faq/")}
    assert set(topics) == faq
    downtime = topics["downtime"]
    assert downtime.answer == domain.responses["utter_faq/downtime"][0]["text"]
    assert downtime.file == DOWNTIME
    assert "is there any downtime" in downtime.examples
    written = yaml.safe_load((data_root / DOWNTIME).read_text())["nlu"][0]["examples"]
    assert len(downtime.examples) == sum(line.startswith("- ") for line in written.splitlines())
    assert DOWNTIME_SOURCE in downtime.sources
    assert any("data/rules/faq.yml" in use for use in downtime.used_in)
    # Buttons elsewhere that ask one of its questions.
    assert any("the button 'Downtime'" in use for use in downtime.used_in)
    with pytest.raises(KeyError):
        data.topic("no_such_topic", data_root)
