"""Fixtures of the website's unit tests: a website of its own (no Rasa needed)."""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from tests.support.project import ROOT, TEST_CLINIC_YAML
from tests.support.servers import free_port
from tests.support.website import Site, website


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The website alone, with the test clinic; its widget points at a Rasa that is not
    there, which the pages and files it serves do not need."""
    folder = tmp_path_factory.mktemp("site")
    clinic_file = folder / "clinic.yml"
    clinic_file.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    socket_url = "http://localhost:5999"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CLINIC_CONFIG": str(clinic_file),
        "RASA_SOCKET_URL": socket_url,
    }
    with website(env, free_port(), folder / "web.log") as url:
        yield Site(url, socket_url, clinic_file)
