"""Fixtures shared by the unit tests (tests/unit/) and the integration tests
(tests/integration/): the real domain, a clinic config of test values, a copy of the
project's data, the stand-ins of publishing and the environment deploy/start.sh is run
with. The fixtures of one folder are in that
folder's conftest.py; the helpers they use are in tests/support/.

Where a test lives follows its ``integration`` marker (checked at collection): under
tests/integration/ every test has it, under tests/unit/ none has it nor ``browser``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

# Sanic's app module makes every DeprecationWarning show "once" when it is first imported
# (sanic/app.py), over pyproject.toml's filterwarnings. Imported here, while pytest loads
# this file, that change ends with the loading instead of lasting through the collection
# (where the test modules import the libraries that warn).
import sanic  # noqa: F401
from rasa.shared.core.domain import Domain
from rasa.shared.importers.importer import TrainingDataImporter

from clinic.config import Clinic, get_clinic
from tests.support.project import ROOT, TEST_CLINIC_YAML
from tests.support.publish_fakes import FakeAssistant, FakeRasa
from tests.support.servers import free_ports_environment
from tests.support.staff_data import copy_project_data

UNIT = ROOT / "tests" / "unit"
INTEGRATION = ROOT / "tests" / "integration"


@pytest.fixture(scope="session")
def domain() -> Domain:
    """The assistant's full domain: domain.yml with the FAQ answers from data/."""
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return importer.get_domain()


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clinic]:
    """Point CLINIC_CONFIG at a clinic config with test values, for this test only."""
    path = tmp_path / "clinic.yml"
    path.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    monkeypatch.setenv("CLINIC_CONFIG", str(path))
    get_clinic.cache_clear()
    yield get_clinic()
    get_clinic.cache_clear()


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    """A copy of the project's data: what the staff app edits (and publishes)."""
    return copy_project_data(tmp_path / "project")


@pytest.fixture
def rasa() -> FakeRasa:
    """The stand-in for the commands a publish job runs (``rasa train``, the tests)."""
    return FakeRasa()


@pytest.fixture
def assistant() -> Iterator[FakeAssistant]:
    """The stand-in for the running assistant's model API, which a publish loads into."""
    fake = FakeAssistant(secrets.token_hex(8))
    yield fake
    fake.stop()


@pytest.fixture
def role_env(tmp_path: Path) -> Dict[str, str]:
    """This environment with the servers' ports free and nothing shared with a real run
    (deploy/start.sh's tests)."""
    return free_ports_environment(tmp_path)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Refuse a test in the wrong folder: under tests/integration/ a test must be marked
    ``integration`` (it needs the running servers), under tests/unit/ it must be neither
    ``integration`` nor ``browser`` (``make test-fast`` runs it); there is no third place."""
    misplaced = []
    for item in items:
        path = Path(str(item.path))
        marks = {mark.name for mark in item.iter_markers()}
        if path.is_relative_to(INTEGRATION) and "integration" not in marks:
            misplaced.append(f"{item.nodeid}: under tests/integration/ without `integration`")
        elif path.is_relative_to(UNIT) and marks & {"integration", "browser"}:
            misplaced.append(f"{item.nodeid}: under tests/unit/ but marked {sorted(marks)}")
        elif not path.is_relative_to(UNIT) and not path.is_relative_to(INTEGRATION):
            misplaced.append(f"{item.nodeid}: neither under tests/unit/ nor tests/integration/")
    if misplaced:
        raise pytest.UsageError("Tests in the wrong folder:\n  " + "\n  ".join(misplaced))
