"""Sanic's test mode for the staff app's integration tests, as for its unit tests
(tests/unit/staff/conftest.py); ``data_root`` is in tests/conftest.py."""

from __future__ import annotations

from typing import Iterator

import pytest
from sanic import Sanic


@pytest.fixture(autouse=True)
def _sanic_test_mode() -> Iterator[None]:
    """Let each test create its own app under a name of its own."""
    Sanic.test_mode = True
    yield
