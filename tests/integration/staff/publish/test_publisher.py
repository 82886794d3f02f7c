"""Publishing for real: a real training from the staff's edit, the real NLU test and
safety suite, loaded into a real Rasa server through its model API; then a rollback to the
model it started with (about three minutes)."""

from __future__ import annotations

import secrets
import shutil
import time
import uuid
from pathlib import Path

import pytest
import requests

from launcher import local_servers, processes
from staff import data
from staff.publish import Publisher
from staff.publish.files import data_hash
from staff.publish.registry import BASELINE_WHO
from staff.settings import StaffSettings
from tests.support.project import ROOT
from tests.support.publish_fakes import DOWNTIME, DOWNTIME_SOURCE
from tests.support.servers import trained_model
from tests.support.staff_edits import save_answer

pytestmark = pytest.mark.integration


def test_a_real_publish_serves_the_new_answer_and_a_rollback_the_old_one(
    data_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A real training from the staff's edit, the real NLU test and safety suite, loaded
    into a real Rasa server through its model API; then a rollback to the model it started
    with. About three minutes."""
    # `make run` trained the model the assistant starts with from this very data.
    model = data_root / "models" / f"clinic-{data_hash(data_root)}.tar.gz"
    model.parent.mkdir()
    shutil.copy2(trained_model(), model)
    token = secrets.token_hex(16)
    args = ["--enable-api", "--auth-token", token]
    old_answer = data.topic("downtime", data_root).answer
    new_answer = (
        "Minimal downtime is required after a Botox treatment for acne scars, so most people "
        "go back to their day straight away."
    )
    (tmp_path / "servers").mkdir()
    try:
        with local_servers.running(
            model, tmp_path / "servers", rasa_args=args, web=False
        ) as running:

            def answer(question: str) -> str:
                reply = requests.post(
                    f"{running.rasa_url}/webhooks/rest/webhook",
                    json={"sender": uuid.uuid4().hex, "message": question},
                    timeout=60,
                )
                return " ".join(m.get("text", "") for m in reply.json())

            assert old_answer.split(".")[0] in answer("is there any downtime")
            settings = StaffSettings(
                data_root=data_root,
                models=tmp_path / "published",
                rasa_url=running.rasa_url,
                rasa_api_token=token,
            )
            publisher = Publisher(settings)  # the staff app starts
            save_answer("downtime", new_answer, [DOWNTIME_SOURCE], "nurse", data_root)
            began = time.monotonic()
            status = publisher.wait(publisher.start("nurse"), timeout=1500)
            took = time.monotonic() - began
            with capsys.disabled():
                print(f"\nA real publish: {status['stage']} in {took:.0f} s {status['seconds']}")
                for name, value in status["figures"].items():
                    print(f"  {name:34s} {value:.3f}")
            assert status["state"] == "published", status["problems"]
            assert new_answer in answer("is there any downtime")

            baseline = publisher.published()[-1]
            assert baseline.who == BASELINE_WHO
            entry = publisher.rollback(baseline.id, "manager")
            assert entry.live, entry.note
            assert new_answer not in answer("is there any downtime")
            assert old_answer.split(".")[0] in answer("is there any downtime")
            assert (data_root / DOWNTIME).read_bytes() == (ROOT / DOWNTIME).read_bytes()
    except processes.ServerError as error:
        pytest.fail(str(error))
