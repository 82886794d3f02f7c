"""The live handoff whole (issue 17's "How it is judged"): the servers, the demo clinic page
and the staff app of tests/support/handoff_site.py, with the test clinic's chat open
(``CLINIC_NOW`` = ``OPEN_NOW``), shared by the website's and the messaging channels' tests
of this folder; the browser of the website's tests. The call-back tests start servers of
their own (the chat closed; a short wait)."""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Browser

from launcher import processes
from tests.support.browser import chromium_browser
from tests.support.handoff_site import HandoffSite, handoff_site
from tests.support.platform_stub import PlatformStub
from tests.support.widget import ANSWER_TIMEOUT_MS


@pytest.fixture(scope="package")
def live_site(
    tmp_path_factory: pytest.TempPathFactory, platform_stub: PlatformStub
) -> Iterator[HandoffSite]:
    """The servers and the staff app, the clinic's team in the chat."""
    try:
        with handoff_site(tmp_path_factory.mktemp("handoff-site"), platform_stub.url) as site:
            yield site
    except processes.ServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser(ANSWER_TIMEOUT_MS) as browser:
        yield browser
