"""Fixtures of the tests of publishing: the fake commands and the fake Rasa model API
(:mod:`tests.staff.publish.fakes`); ``data_root`` comes from tests/staff/conftest.py."""

from __future__ import annotations

import secrets
from typing import Iterator

import pytest

from tests.staff.publish.fakes import FakeAssistant, FakeRasa


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def assistant() -> Iterator[FakeAssistant]:
    fake = FakeAssistant(secrets.token_hex(8))
    yield fake
    fake.stop()
