"""Loading a version into the running assistant through Rasa's model API (a fake of it,
:class:`tests.support.publish_fakes.FakeAssistant`): with its token, into each of several
servers, and what goes wrong said in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from staff.publish import Publisher
from tests.support.publish_fakes import (
    FakeAssistant,
    FakeRasa,
    edit_downtime,
    publisher_for,
    run,
    settings_for,
)
from tests.support.staff_edits import add_example

pytestmark = pytest.mark.integration


def test_a_job_that_passes_is_loaded_into_the_assistant_with_its_token(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    edit_downtime(data_root)
    publisher = publisher_for(data_root, rasa, assistant)
    status = run(publisher)
    assert status["state"] == "published"
    assert (
        status["stage"] == f"Published: the assistant now uses version {status['published_id']}."
    )
    [entry] = publisher.published()
    assert entry.live
    assert assistant.loaded == [str(entry.model.resolve())]


def test_with_several_rasa_servers_each_gets_the_model(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    second = FakeAssistant(assistant.token)
    try:
        settings = settings_for(data_root, f"{assistant.url},{second.url}", assistant.token)
        publisher = Publisher(settings, validate=False, runner=rasa)
        edit_downtime(data_root)
        status = run(publisher)
        assert status["state"] == "published", status["stage"]
        [entry] = publisher.published()
        assert entry.live
        assert assistant.loaded == second.loaded == [str(entry.model.resolve())]

        # One server away: the others get it, and the staff member is told which did not.
        second.stop()
        add_example("pain", "does the injection sting a lot", "nurse", data_root)
        status = run(publisher)
        assert status["state"] == "passed"
        assert (
            f"It reached only 1 of the assistant's 2 servers; not {second.url}"
            in (status["stage"])
        )
        assert len(assistant.loaded) == 2
        # The servers no longer agree: the live version is the one last loaded into all.
        assert [p.id for p in publisher.published() if p.live] == [entry.id]
    finally:
        second.stop()


def test_the_assistant_refusing_the_token_is_said_in_plain_words(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    edit_downtime(data_root)
    status = run(publisher_for(data_root, rasa, assistant, token="not-the-token"))
    assert status["state"] == "passed"
    assert "RASA_API_TOKEN is not the token the assistant was started with" in status["stage"]
    assert assistant.loaded == []
