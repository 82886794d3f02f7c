"""Debian's Chromium, launched headless by Playwright: never a browser download.

Used by the browser tests (tests/integration/web/, tests/integration/staff/) and
``make screenshot``.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Playwright

from launcher.settings import LauncherSettings

#: What Chromium needs on these machines: no sandbox (root in a container), no GPU, and no
#: background requests to the outside.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def launch(playwright: Playwright) -> Browser:
    """Chromium of ``$CHROMIUM`` (default /usr/bin/chromium), headless."""
    return playwright.chromium.launch(
        executable_path=LauncherSettings.from_env().chromium,
        headless=True,
        args=ARGS,
    )
