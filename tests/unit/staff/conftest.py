"""Fixtures of the staff app's unit tests: a clock the test moves by hand, and Sanic's test
mode (``data_root``, the copy of the project's data, is in tests/conftest.py: the
integration tests use it too)."""

from __future__ import annotations

from typing import Iterator

import pytest
from sanic import Sanic

from tests.support.staff_app import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _sanic_test_mode() -> Iterator[None]:
    """Let each test create its own app under a name of its own."""
    Sanic.test_mode = True
    yield
