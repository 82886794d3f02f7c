"""Fixtures of the staff app's unit tests: a clock the test moves by hand, Sanic's test
mode, and the app served on a port of its own from the module's ``settings`` and
``services`` fixtures (``data_root``, the copy of the project's data, is in
tests/conftest.py: the integration tests use it too)."""

from __future__ import annotations

import itertools
from typing import Iterator

import pytest
from sanic import Sanic

from staff.settings import StaffSettings
from staff.web.app import create_app
from staff.web.services import Services
from tests.support.staff_app import Clock, Served, serve, stop

#: Each app's name is its own (Sanic keeps a registry of them).
_apps = itertools.count()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _sanic_test_mode() -> Iterator[None]:
    """Let each test create its own app under a name of its own."""
    Sanic.test_mode = True
    yield


@pytest.fixture
def app(settings: StaffSettings, services: Services) -> Iterator[Served]:
    served = serve(create_app(settings, services, name=f"staff_test_{next(_apps)}"))
    yield served
    stop(served)
