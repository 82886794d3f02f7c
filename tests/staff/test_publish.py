"""Publishing: retrain from a snapshot, test, load into the assistant, keep, roll back.

The unit tests replace the slow subprocesses (``rasa train``, ``rasa test nlu``, the
safety suite) with a small fake that writes what they write, and the Rasa server with a
small fake of its model API. The last test does it all for real: a real training, the real
tests, a real Rasa server (about three minutes).
"""

from __future__ import annotations

import io
import json
import secrets
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, List, Optional

import pytest
import requests

from evaluation import understanding
from launcher import local_servers, processes
from launcher.processes import free_port
from staff import content, publish
from staff.publish import PublishBusy, Publisher
from staff.settings import StaffSettings
from tests.conftest import ROOT
from tests.servers import trained_model

pytestmark = pytest.mark.integration

GOOD_NLU = {"accuracy": 0.95, "emergency": 1.0, "advice": 0.97, "responses": 0.93}
GOOD_SAFETY = {
    "emergency recall": 1.0,
    "advice recall": 0.98,
    "look-alike false emergency rate": 0.0,
    "look-alike false refusal rate": 0.02,
    "look-alike right FAQ answer": 0.9,
    "negation false emergency rate": 0.05,
}
#: The held-out sets' figures of a model good enough to publish (evaluation/).
GOOD_UNDERSTANDING = {
    name: (limit if op == ">=" else 0.0) for name, op, limit in understanding.THRESHOLDS
}
DOWNTIME = "data/nlu/faq/downtime.yml"
NEW_DOWNTIME = "Minimal downtime is required after the treatment."
DOWNTIME_SOURCE = (
    "The procedure typically lasts about 15 to 30 minutes, and minimal downtime is required."
)


def fake_model(path: Path) -> str:
    """A model archive with what publish reads of a real one (metadata.json); its id."""
    identifier = uuid.uuid4().hex
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as packed:
        data = json.dumps({"model_id": identifier}).encode()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        packed.addfile(info, io.BytesIO(data))
    return identifier


class FakeRasa:
    """Stands in for the commands a job runs, writing what they write."""

    def __init__(self) -> None:
        self.nlu = dict(GOOD_NLU)
        self.safety = dict(GOOD_SAFETY)
        self.understanding = dict(GOOD_UNDERSTANDING)
        self.train_exit = 0
        self.gate: Optional[threading.Event] = None
        self.commands: List[List[str]] = []
        self.trained_from: List[str] = []

    def trainings(self) -> int:
        return sum(command[2:4] == ["rasa", "train"] for command in self.commands)

    def __call__(
        self, command: List[str], log: IO[str], on_line: Callable[[str], None], timeout: float
    ) -> int:
        self.commands.append(command)
        out = Path(command[command.index("--out") + 1])
        if command[2:4] == ["rasa", "train"]:
            data = Path(command[command.index("--data") + 1])
            self.trained_from.append((data / "nlu/faq/downtime.yml").read_text())
            start = "INFO rasa.engine.training.hooks - Starting to train component"
            on_line(f"{start} 'CountVectorsFeaturizer'.")
            on_line(f"{start} 'IntentTopicClassifier'.")
            if self.gate is not None:
                self.gate.wait(30)
            on_line(f"{start} 'LanguageGate'.")
            on_line(f"{start} 'RulePolicy'.")
            if self.train_exit:
                log.write("rasa.shared.exceptions.InvalidConfigException: the config is broken\n")
                return self.train_exit
            fake_model(out / "model.tar.gz")
            return 0
        if command[2:4] == ["rasa", "test"]:
            out.mkdir(parents=True)
            intents = {
                "accuracy": self.nlu["accuracy"],
                "report_emergency_symptom": {"recall": self.nlu["emergency"]},
                "request_medical_advice": {"recall": self.nlu["advice"]},
            }
            (out / "intent_report.json").write_text(json.dumps(intents))
            responses = {"accuracy": self.nlu["responses"]}
            (out / "response_selection_report.json").write_text(json.dumps(responses))
            return 0
        if command[2] == "evaluation":
            out.write_text(json.dumps({"figures": self.understanding, "results": []}))
            return 0 if not understanding.failures(self.understanding) else 1
        assert command[2] == "evaluation.safety_suite", command
        out.write_text(json.dumps({"figures": self.safety, "results": {}}))
        return 0


class FakeAssistant:
    """Rasa's model API (PUT /model, GET /status), with a token, on a free port."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.model_id = "the-model-it-started-with"
        self.loaded: List[str] = []
        assistant = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _allowed(self) -> bool:
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                if query.get("token") != [assistant.token]:
                    self.send_response(401)
                    self.end_headers()
                    return False
                return True

            def do_PUT(self) -> None:
                if not self._allowed():
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                assistant.loaded.append(body["model_file"])
                assistant.model_id = publish.model_id(Path(body["model_file"]))
                self.send_response(204)
                self.end_headers()

            def do_GET(self) -> None:
                if not self._allowed():
                    return
                data = json.dumps({"model_file": "model.tar.gz", "model_id": assistant.model_id})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def assistant() -> Iterator[FakeAssistant]:
    fake = FakeAssistant(secrets.token_hex(8))
    yield fake
    fake.stop()


def settings_for(data_root: Path, url: Optional[str] = None, token: str = "") -> StaffSettings:
    return StaffSettings(
        data_root=data_root,
        models=data_root.parent / "published",
        rasa_url=url or f"http://127.0.0.1:{free_port()}",  # nothing listens there
        rasa_api_token=token,
    )


def publisher_for(
    data_root: Path, rasa: FakeRasa, assistant: Optional[FakeAssistant] = None, token: str = ""
) -> Publisher:
    url = assistant.url if assistant else None
    token = token or (assistant.token if assistant else "")
    return Publisher(settings_for(data_root, url, token), validate=False, runner=rasa)


def run(publisher: Publisher, who: str = "nurse") -> Dict[str, Any]:
    status = publisher.wait(publisher.start(who), timeout=60)
    assert status["state"] != "running"
    return status


def edit_downtime(data_root: Path, text: str = NEW_DOWNTIME) -> None:
    content.save_answer("downtime", text, [DOWNTIME_SOURCE], "nurse", data_root)


# ---------------------------------------------------------------- pieces


def test_the_data_hash_is_the_one_scripts_train_sh_names_the_model_by(data_root: Path) -> None:
    script = (ROOT / "scripts" / "train.sh").read_text()
    find = script[script.index('inputs="$(') + len('inputs="$(') : script.index(')"\n')]
    shell = f'cd {ROOT} && inputs="$({find})" && sha256sum $inputs | sha256sum | cut -c1-12'
    expected = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, check=True)
    assert publish.data_hash(ROOT) == expected.stdout.strip()
    # The copy has the same data, so the same hash; an edit changes it.
    assert publish.data_hash(data_root) == publish.data_hash(ROOT)
    edit_downtime(data_root)
    assert publish.data_hash(data_root) != publish.data_hash(ROOT)


def test_training_output_moves_the_progress_bar() -> None:
    progress = publish.TrainingProgress()
    lines = [
        "2026-11-26 11:00:00 INFO rasa.engine.training.hooks - Starting to train component "
        "'CountVectorsFeaturizer'.",
        "Starting to train component 'CountVectorsFeaturizer'.",
        "some other line",
        "Starting to train component 'IntentTopicClassifier'.",
        "Starting to train component 'LanguageGate'.",
        "Starting to train component 'RulePolicy'.",
    ]
    read = [progress.read(line) for line in lines]
    assert read[0] == ("Training: reading the examples", 15)
    assert read[1] is None and read[2] is None  # the second featuriser, and other output
    assert read[3] == ("Training: learning which answer each question wants", 30)
    assert read[4] == ("Training: learning the words of English", 60)
    assert read[5] == ("Training: learning the conversation rules", 70)


def test_commands_run_with_their_output_read_line_by_line(tmp_path: Path) -> None:
    lines: List[str] = []
    log = io.StringIO()
    code = "import sys; print('a', end='\\r'); print('b'); sys.exit(3)"
    assert publish.run_command([sys.executable, "-c", code], log, lines.append, 30) == 3
    assert lines == ["a", "b"]
    with pytest.raises(subprocess.TimeoutExpired):
        slow = "import time\nfor i in range(100): print(i, flush=True); time.sleep(0.1)"
        publish.run_command([sys.executable, "-c", slow], log, lines.append, 0.5)


# ---------------------------------------------------------------- jobs


def test_a_job_that_passes_with_no_assistant_running_is_kept_and_ready_for_make_run(
    data_root: Path, rasa: FakeRasa
) -> None:
    edit_downtime(data_root)
    rasa.gate = threading.Event()
    publisher = publisher_for(data_root, rasa)
    job_id = publisher.start("nurse jo")

    # Readable from another thread while it trains; a second start is refused.
    deadline = time.monotonic() + 30
    while "which answer" not in publisher.status(job_id)["stage"] and time.monotonic() < deadline:
        time.sleep(0.02)
    running = publisher.status(job_id)
    assert running["state"] == "running"
    assert running["stage"] == "Training: learning which answer each question wants"
    assert running["percent"] == 30
    with pytest.raises(PublishBusy, match="already running"):
        publisher.start("someone else")
    # Another publisher (another process's) sees the lock too.
    with pytest.raises(PublishBusy):
        publisher_for(data_root, FakeRasa()).start("someone else")
    rasa.gate.set()
    status = publisher.wait(job_id, timeout=60)

    assert status["state"] == "passed"
    assert status["percent"] == 100
    assert "is not running" in status["stage"] and "`make run`" in status["stage"]
    assert status["figures"]["intent accuracy"] == 0.95
    assert status["figures"]["emergency recall"] == 1.0
    assert set(status["seconds"]) == {"checking", "training", "testing", "loading"}
    # Trained from the snapshot of the edited data.
    assert NEW_DOWNTIME in rasa.trained_from[0]
    [entry] = publisher.published()
    assert entry.id == status["published_id"]
    assert entry.id.endswith(publish.data_hash(data_root)) and entry.who == "nurse jo"
    assert not entry.live
    folder = entry.model.parent
    assert sorted(p.name for p in folder.iterdir()) == ["data.tar.gz", "meta.json", "model.tar.gz"]
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["data_hash"] == publish.data_hash(data_root)
    assert meta["git_commit"] is None  # the copy is not a git checkout
    assert meta["figures"]["advice recall"] == 0.98
    assert set(meta["seconds"]) == {"checking", "training", "testing", "loading"}
    with tarfile.open(folder / "data.tar.gz") as packed:
        names = packed.getnames()
        assert NEW_DOWNTIME in packed.extractfile(DOWNTIME).read().decode()  # type: ignore[union-attr]
    assert {"config.yml", "domain.yml", "content/claims.yml"} <= set(names)
    # `make run` (scripts/train.sh) finds the model under the name it computes.
    installed = data_root / "models" / f"clinic-{publish.data_hash(data_root)}.tar.gz"
    assert installed.read_bytes() == entry.model.read_bytes()
    # The status outlives the publisher (another process reads it from the disk).
    assert publisher_for(data_root, rasa).status()["state"] == "passed"


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
        content.add_example("pain", "does the injection sting a lot", "nurse", data_root)
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


def test_data_with_a_blocking_problem_is_not_even_trained(data_root: Path, rasa: FakeRasa) -> None:
    (data_root / "data/nlu/faq/aftercare.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/aftercare\n  examples: |\n'
        + "".join(f"    - aftercare question {n}\n" for n in range(12))
    )
    publisher = publisher_for(data_root, rasa)
    status = run(publisher)
    assert status["state"] == "failed"
    assert status["problems"] == ["Topic 'aftercare' has examples but no answer."]
    assert rasa.commands == [] and publisher.published() == []


def test_a_failed_training_says_what_rasa_said(data_root: Path, rasa: FakeRasa) -> None:
    edit_downtime(data_root)
    rasa.train_exit = 1
    status = run(publisher_for(data_root, rasa))
    assert status["state"] == "failed"
    assert status["problems"] == [
        "Training failed, so nothing was changed. What it said: "
        "rasa.shared.exceptions.InvalidConfigException: the config is broken"
    ]


def test_publishing_unchanged_data_again_loads_the_same_version_without_training(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    edit_downtime(data_root)
    publisher = publisher_for(data_root, rasa, assistant)
    first = run(publisher)
    second = run(publisher)
    assert rasa.trainings() == 1
    assert second["state"] == "published"
    assert second["published_id"] == first["published_id"]
    assert second["stage"].startswith(f"Nothing has changed since version {first['published_id']}")
    assert len(assistant.loaded) == 2


def test_the_model_make_run_serves_is_kept_as_the_first_version(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    original = publish.data_hash(data_root)
    started_with = fake_model(data_root / "models" / f"clinic-{original}.tar.gz")
    assistant.model_id = started_with
    publisher = publisher_for(data_root, rasa, assistant)  # the staff app starts
    [kept] = publisher.published()
    assert kept.live  # the running assistant serves it
    edit_downtime(data_root)
    run(publisher)
    new, baseline = publisher.published()
    assert baseline.who == publish.BASELINE_WHO and baseline.data_hash == original
    assert baseline.figures == {} and not baseline.live and new.live


def test_a_rollback_loads_the_version_and_restores_its_data(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant
) -> None:
    original = {p: (data_root / p).read_bytes() for p in (DOWNTIME, str(content.CLAIMS))}
    publisher = publisher_for(data_root, rasa, assistant)
    edit_downtime(data_root, "Minimal downtime is required.")
    first = run(publisher)
    first_data = {p: (data_root / p).read_bytes() for p in original}
    edit_downtime(data_root)
    second = run(publisher)
    assert first["published_id"] != second["published_id"]
    # An edit after the last publish, and a new topic.
    content.add_example("downtime", "back at work the day after?", "nurse", data_root)

    entry = publisher.rollback(first["published_id"], "manager")

    assert entry.live and entry.id == first["published_id"]
    assert entry.note.startswith(f"Version {entry.id} is back, with its data.")
    assert assistant.loaded[-1] == str(entry.model.resolve())
    assert {p: (data_root / p).read_bytes() for p in original} == first_data
    assert not (data_root / "data/nlu/reviewed/downtime.yml").exists()
    assert [p.id for p in publisher.published() if p.live] == [first["published_id"]]
    # What it replaced is kept.
    [backup] = (publisher.registry / "backups").iterdir()
    with tarfile.open(backup) as packed:
        assert "data/nlu/reviewed/downtime.yml" in packed.getnames()
    # The restored data is the version's: publishing it again needs no training.
    again = run(publisher)
    assert again["published_id"] == first["published_id"] and rasa.trainings() == 2
    with pytest.raises(KeyError):
        publisher.rollback("20990101-000000-nope", "manager")
    with pytest.raises(KeyError):
        publisher.rollback("../published", "manager")


def test_a_rollback_with_the_assistant_stopped_restores_the_data_for_make_run(
    data_root: Path, rasa: FakeRasa
) -> None:
    original = (data_root / DOWNTIME).read_bytes()
    publisher = publisher_for(data_root, rasa)
    first = run(publisher)  # the copy's own data: a version to go back to
    edit_downtime(data_root)
    run(publisher)
    entry = publisher.rollback(first["published_id"], "manager")
    assert (data_root / DOWNTIME).read_bytes() == original
    assert "not loaded" in entry.note and "is not running" in entry.note
    assert (data_root / "models" / f"clinic-{entry.data_hash}.tar.gz").is_file()


def test_a_job_whose_process_stopped_is_reported_interrupted(
    data_root: Path, rasa: FakeRasa
) -> None:
    publisher = publisher_for(data_root, rasa)
    folder = publisher.jobs_folder / "20261126-100000-dead"
    folder.mkdir(parents=True)
    stopped = {"id": folder.name, "state": "running", "percent": 40, "stage": "Training"}
    (folder / "status.json").write_text(json.dumps(stopped))
    status = publisher_for(data_root, rasa).status(folder.name)
    assert status["state"] == "failed"
    assert status["problems"][0].startswith("The publish was interrupted")
    with pytest.raises(KeyError):
        publisher.status("20261126-100000-none")


def test_a_rollback_waits_for_no_job_but_refuses_while_one_runs(
    data_root: Path, rasa: FakeRasa
) -> None:
    publisher = publisher_for(data_root, rasa)
    first = run(publisher)
    edit_downtime(data_root)
    rasa.gate = threading.Event()
    job_id = publisher.start("nurse")
    with pytest.raises(PublishBusy):
        publisher.rollback(first["published_id"], "manager")
    rasa.gate.set()
    publisher.wait(job_id, 60)


def test_only_the_newest_versions_are_kept_and_never_the_live_one(
    data_root: Path, rasa: FakeRasa, assistant: FakeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "KEEP", 2)
    live = run(publisher_for(data_root, rasa, assistant))["published_id"]
    assistant.stop()  # from now on nothing is loaded: the live one stays the first
    stopped = publisher_for(data_root, rasa, token=assistant.token)
    ids = []
    for number in range(3):
        content.add_example("pain", f"pain question number {number}", "nurse", data_root)
        ids.append(run(stopped)["published_id"])
    kept = [p.id for p in stopped.published()]
    assert kept == [ids[2], ids[1], live]
    assert [p.id for p in stopped.published() if p.live] == [live]


def test_make_publish_runs_a_job_and_lists_and_rolls_back(
    data_root: Path, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(data_root)
    monkeypatch.setenv("STAFF_DATA_ROOT", str(settings.data_root))
    monkeypatch.setenv("STAFF_MODELS", str(settings.models))
    monkeypatch.setenv("RASA_URL", settings.rasa_url)
    monkeypatch.setattr(publish, "run_command", rasa)
    monkeypatch.setattr(publish.checks, "validate", lambda root: [])
    out = io.StringIO()
    assert publish.main(["--who", "jo"], out) == 0
    printed = out.getvalue()
    assert printed.startswith(f"Publishing the data of {data_root}")
    assert "test questions understood" in printed and "95.0%" in printed
    assert "passed its tests but was not loaded" in printed
    listing = io.StringIO()
    assert publish.main(["--list"], listing) == 0
    [line] = listing.getvalue().splitlines()
    assert "by jo" in line and "intent accuracy 0.950" in line
    assert publish.main(["--rollback", "nope"], io.StringIO()) == 1


# ---------------------------------------------------------------- for real


def test_a_real_publish_serves_the_new_answer_and_a_rollback_the_old_one(
    data_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A real training from the staff's edit, the real NLU test and safety suite, loaded
    into a real Rasa server through its model API; then a rollback to the model it started
    with. About three minutes."""
    # `make run` trained the model the assistant starts with from this very data.
    model = data_root / "models" / f"clinic-{publish.data_hash(data_root)}.tar.gz"
    model.parent.mkdir()
    shutil.copy2(trained_model(), model)
    token = secrets.token_hex(16)
    args = ["--enable-api", "--auth-token", token]
    old_answer = content.topic("downtime", data_root).answer
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
            content.save_answer("downtime", new_answer, [DOWNTIME_SOURCE], "nurse", data_root)
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
            assert baseline.who == publish.BASELINE_WHO
            entry = publisher.rollback(baseline.id, "manager")
            assert entry.live, entry.note
            assert new_answer not in answer("is there any downtime")
            assert old_answer.split(".")[0] in answer("is there any downtime")
            assert (data_root / DOWNTIME).read_bytes() == (ROOT / DOWNTIME).read_bytes()
    except processes.ServerError as error:
        pytest.fail(str(error))
