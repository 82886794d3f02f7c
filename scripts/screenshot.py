"""Screenshots of the chat widget on the demo clinic page, for the documentation.

Starts the action server, the Rasa server and the website (``python -m web``) on free ports
of 127.0.0.1, with a tracker store in a temporary folder, has a conversation in Debian's
Chromium (Playwright; never a downloaded browser) and writes:

- ``widget.png``: a desktop page with the widget open, scrolled to the start of the
  conversation: the opening message with its disclaimer, a topic button's answer, and a
  personal question with the beginning of its refusal;
- ``widget-phone.png``: a phone-sized screen (375 x 667), the same conversation at its
  end: the refusal, the offer to book (yes / no) and the input.

Then it stops the servers. Usage: ``python scripts/screenshot.py [--model M] [--out DIR]``
(``make screenshot`` runs it through ``scripts/screenshot.sh``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

from playwright.sync_api import Browser, Page, expect, sync_playwright

from launcher import chromium, local_servers, models

ROOT = Path(__file__).resolve().parent.parent
ANSWER_TIMEOUT_MS = 60_000

PERSONAL_QUESTION = "Is Botox safe for me? I take isotretinoin."


def converse(page: Page, url: str) -> None:
    """Open the widget on ``url``, pick the "Results" topic, ask a personal question."""
    page.goto(url)
    page.locator(".rw-launcher").click()
    answers = page.locator(".rw-response")
    expect(answers.first).to_contain_text("not medical advice")
    page.get_by_role("button", name="Results", exact=True).click()
    expect(answers.nth(1)).to_contain_text("three to six months")
    page.locator(".rw-new-message").fill(PERSONAL_QUESTION)
    page.keyboard.press("Enter")
    expect(answers.nth(2)).to_contain_text("I can't advise")
    expect(page.get_by_role("button", name="No, thanks", exact=True)).to_be_visible()


def settle(page: Page) -> None:
    """No hover, no caret, no animation in the picture."""
    page.mouse.move(0, 0)
    page.locator(".rw-new-message").evaluate("node => node.blur()")
    page.evaluate("() => document.getAnimations().forEach(a => a.finish())")


def desktop(browser: Browser, url: str, out: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(ANSWER_TIMEOUT_MS)
    converse(page, url)
    settle(page)
    page.locator(".rw-messages-container").evaluate("node => { node.scrollTop = 0; }")
    page.screenshot(path=str(out))
    context.close()


def phone(browser: Browser, url: str, out: Path) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 667},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(ANSWER_TIMEOUT_MS)
    converse(page, url)
    settle(page)
    page.screenshot(path=str(out))
    context.close()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="trained model (default: newest in models/)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder of the PNGs")
    args = parser.parse_args(argv)
    model = args.model or models.newest_model()
    if model is None:
        raise SystemExit("screenshot: no trained model in models/: run `make train` first")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=ANSWER_TIMEOUT_MS)
    with tempfile.TemporaryDirectory(prefix="screenshot-") as folder:
        print("screenshot: starting the servers", flush=True)
        with local_servers.running(model, Path(folder)) as servers, sync_playwright() as p:
            url = servers.page_url
            browser = chromium.launch(p)
            try:
                desktop(browser, url, out / "widget.png")
                phone(browser, url, out / "widget-phone.png")
            finally:
                browser.close()
    print(f"screenshot: wrote {out / 'widget.png'} and {out / 'widget-phone.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
