"""What the live handoff's channel tests share: Rasa's agent with the handoff's domain, and
the Telegram channel whose platform API is recorded."""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain

from channels.telegram import TelegramInput
from clinic.config import Clinic
from tests.support.channel_clients import TELEGRAM
from tests.support.channel_requests import webhook_of
from tests.support.handoff import handoff_agent, handoff_domain


@pytest.fixture(scope="module")
def domain() -> Domain:
    return handoff_domain()


@pytest.fixture
def agent(domain: Domain, clinic: Clinic) -> Agent:
    """The agent of the handoff's tests, with the test clinic's details."""
    return handoff_agent(domain)


@pytest.fixture
def telegram() -> TelegramInput:
    channel = webhook_of(TELEGRAM)
    assert isinstance(channel, TelegramInput)
    return channel
