"""What the tests of publishing share: stand-ins for the slow commands a job runs (``rasa
train``, ``rasa test nlu``, the test suites) and for Rasa's model API, and a publisher of a
copy of the project's data that uses them."""

from __future__ import annotations

import io
import json
import tarfile
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional

from evaluation import understanding
from launcher.processes import free_port
from staff.publish import Publisher
from staff.publish.files import model_id
from staff.settings import StaffSettings
from tests.support.staff_edits import save_answer

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
                assistant.model_id = model_id(Path(body["model_file"]))
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
    save_answer("downtime", text, [DOWNTIME_SOURCE], "nurse", data_root)
