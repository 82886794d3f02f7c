"""The staff app in a real browser (Debian's Chromium), through the real servers.

The servers of this module: the action server, a Rasa server with its HTTP API on (with a
token, as `make run` starts it for the staff app) and the demo clinic page, started by
``launcher/local_servers.py``, and the staff app (``python -m staff``) on a COPY of the
project's data (``STAFF_DATA_ROOT``), so the repository is never changed. A staff account
is made with the real command (``python -m staff.accounts``).

The workflow test does what a clinic manager does: finds a refused conversation (made by
chatting through REST), teaches an example, corrects an answer (a price is refused in plain
words first), publishes (real training and tests, a few minutes), sees the new answer in
the chat widget, rolls back to the version the assistant was started with (kept as the
first version: the copy has the trained model where `make run` puts it) and sees the old
answer again.

The pictures of docs/staff-guide.md are taken on the way: into this test's folder, or into
the folder ``STAFF_SCREENSHOTS`` names (``STAFF_SCREENSHOTS=docs/staff-guide``).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from launcher import local_servers, processes
from staff.publish import data_hash
from tests.support.browser import Tab, chromium_browser, open_tab
from tests.support.project import ROOT, TEST_CLINIC_YAML
from tests.support.servers import free_port, trained_model, wait_until_up
from tests.support.staff_data import copy_project_data
from tests.support.widget import answers, ask, open_chat

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NAME = "nurse.ana"
PASSWORD = "a long staff password"
TIMEOUT_MS = 30_000
#: A publish trains and tests a model: a few minutes on 2 cores, more on a busy machine.
PUBLISH_TIMEOUT_MS = 30 * 60_000
#: Loading a model into the running Rasa server (a rollback).
LOAD_TIMEOUT_MS = 5 * 60_000

REFUSED_QUESTION = "I am on isotretinoin right now, would botox be ok for my scars?"
PAIN_QUESTION = "does it hurt?"
OLD_PAIN_ANSWER = "Steps are taken to keep you comfortable"
NEW_PAIN_ANSWER = (
    "The area is cleaned and a topical anaesthetic may be applied for extra comfort before "
    "the injections. You can ask about this at your consultation."
)


@dataclass
class StaffSite:
    """The running servers of this module, and where the staff app keeps things."""

    url: str
    rasa_url: str
    page_url: str
    data_root: Path
    folder: Path
    screenshots: Path
    env: Dict[str, str] = field(default_factory=dict)

    def say(self, sender: str, message: str) -> str:
        """Chat through the REST channel; the assistant's reply, as one text."""
        reply = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        reply.raise_for_status()
        return " ".join(str(m.get("text", "")) for m in reply.json())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaffSite]:
    folder = tmp_path_factory.mktemp("staff-site")
    data_root = copy_project_data(folder / "project")
    # The model the servers start with, where `make run` leaves it (named by the hash of
    # the data it was trained from, as scripts/train.sh names it): the staff app keeps it
    # as the first version, to roll back to.
    model = trained_model()
    (data_root / "models").mkdir()
    shutil.copy2(model, data_root / "models" / f"clinic-{data_hash(data_root)}.tar.gz")
    clinic_file = folder / "clinic.yml"
    clinic_file.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    token = secrets.token_hex(16)
    screenshots = Path(os.environ.get("STAFF_SCREENSHOTS") or folder / "screenshots")
    if not screenshots.is_absolute():
        screenshots = ROOT / screenshots
    screenshots.mkdir(parents=True, exist_ok=True)
    try:
        with local_servers.running(
            model,
            folder,
            {"CLINIC_CONFIG": str(clinic_file), "DATABASE_URL": "", "REDIS_URL": ""},
            rasa_args=["--enable-api", "--auth-token", token],
            rasa_health=f"/status?token={token}",
        ) as running:
            port = free_port()
            env = {
                **running.env,
                "STAFF_HOST": "127.0.0.1",
                "STAFF_PORT": str(port),
                "STAFF_DB": str(folder / "staff.db"),
                "STAFF_DATA_ROOT": str(data_root),
                "STAFF_MODELS": str(folder / "published"),
                "STAFF_SECRET_KEY": secrets.token_hex(32),
                "RASA_URL": running.rasa_url,
                "RASA_API_TOKEN": token,
            }
            made = subprocess.run(
                [sys.executable, "-m", "staff.accounts", NAME],
                env={**env, "STAFF_PASSWORD": PASSWORD},
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert made.returncode == 0, made.stderr
            log = folder / "staff.log"
            with processes.process([sys.executable, "-m", "staff"], env, log) as child:
                wait_until_up(f"http://127.0.0.1:{port}/health", child, log)
                yield StaffSite(
                    url=f"http://localhost:{port}",
                    rasa_url=running.rasa_url,
                    page_url=running.page_url,
                    data_root=data_root,
                    folder=folder,
                    screenshots=screenshots,
                    env=env,
                )
    except processes.ServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser(TIMEOUT_MS) as browser:
        yield browser


def new_tab(browser: Browser, **options: Any) -> Tab:
    return open_tab(browser, TIMEOUT_MS, **{"viewport": {"width": 1280, "height": 860}, **options})


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    """A new browser (no cookies); no JavaScript error and nothing loaded from elsewhere."""
    tab = new_tab(browser)
    yield tab
    tab.page.context.close()
    assert tab.errors == []
    assert tab.outside_requests() == []


def fill_in_login(page: Page, password: str = PASSWORD) -> None:
    """Log in on the login page the browser shows."""
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in(page: Page, site: StaffSite) -> None:
    page.goto(site.url)
    fill_in_login(page)


def shot(page: Page, site: StaffSite, name: str, full_page: bool = False) -> None:
    page.screenshot(path=str(site.screenshots / f"{name}.png"), full_page=full_page)


# Logging in, and forms without their token.


def test_a_wrong_password_is_refused_and_the_right_one_lets_staff_in(
    tab: Tab, site: StaffSite
) -> None:
    page = tab.page
    page.goto(site.url + "/answers")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fanswers$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    shot(page, site, "01-login")

    fill_in_login(page, password="not the password")
    expect(page.get_by_role("alert")).to_have_text(
        "That name and password do not match. Check them and try again."
    )
    expect(page.get_by_label("Name")).to_have_value(NAME)
    expect(page.get_by_label("Password")).to_have_value("")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{site.url}/answers")
    expect(page.get_by_text(f"Logged in as {NAME}")).to_be_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["staff_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # the page's scripts cannot read it

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(site.url + "/conversations")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_form_sent_without_its_token_is_refused_and_changes_nothing(
    tab: Tab, site: StaffSite
) -> None:
    page = tab.page
    answer_file = site.data_root / "data" / "nlu" / "faq" / "pain.yml"
    before = answer_file.read_bytes()
    log_in(page, site)
    page.goto(site.url + "/answers/pain")
    page.get_by_label("The answer").fill("Changed by a forged form.")
    page.evaluate(
        "document.querySelectorAll('form[action=\"/answers/pain\"] input[name=csrf_token]')"
        ".forEach(field => field.remove())"
    )
    with page.expect_response(lambda r: r.url.endswith("/answers/pain")) as sent:
        page.get_by_role("button", name="Save the answer").click()
    assert sent.value.status == 403
    expect(page.get_by_role("heading", name="This form was not accepted")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("nothing was changed")
    assert answer_file.read_bytes() == before


# The workflow.


def publish_and_wait(page: Page, site: StaffSite, screenshot: str = "") -> None:
    """Press Publish, follow the progress bar, and wait until the version is live."""
    page.goto(site.url + "/publish")
    page.get_by_role("button", name="Publish the changes").click()
    expect(page.get_by_text("Publishing has started.")).to_be_visible()
    progress = page.locator("#job-progress")
    expect(progress).to_be_visible()
    if screenshot:
        # The script moves the bar as the job goes: wait until training shows.
        expect(page.locator("#job-stage")).to_contain_text("Training", timeout=PUBLISH_TIMEOUT_MS)
        shot(page, site, screenshot)
    expect(page.locator("#job-state")).to_contain_text(
        "Published: visitors now get this version", timeout=PUBLISH_TIMEOUT_MS
    )
    expect(progress).to_have_attribute("value", "100")


def test_review_teach_correct_publish_and_roll_back(browser: Browser, site: StaffSite) -> None:
    # Visitors chat (REST): one personal question, refused; one general question.
    refusal = site.say("visitor-refused", REFUSED_QUESTION)
    assert "can't advise on your own situation" in refusal
    assert OLD_PAIN_ANSWER in site.say("visitor-question", PAIN_QUESTION)

    tab = new_tab(browser)
    page = tab.page
    log_in(page, site)

    # Before any change: the version the assistant was started with is the first one.
    page.get_by_role("link", name="Publish", exact=True).click()
    versions = page.locator(".model-card")
    expect(versions).to_have_count(1)
    expect(versions.first).to_contain_text("In use now")
    expect(versions.first).to_contain_text("make run (the version before the first publish)")

    # Review: the refused conversation, found by its flag.
    page.get_by_role("link", name="Conversations", exact=True).click()
    expect(page.get_by_role("heading", name="Conversations", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile("^Refused personal advice")).click()
    cards = page.locator(".conversation-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("visitor-refused")
    expect(cards.first).to_contain_text(REFUSED_QUESTION)
    expect(cards.first).to_contain_text("rest")
    shot(page, site, "02-conversations")

    cards.first.get_by_role("link").click()
    expect(
        page.get_by_role("heading", name="Conversation with visitor visitor-refused")
    ).to_be_visible()
    said = page.locator(".message--user").first
    expect(said).to_contain_text(REFUSED_QUESTION)
    expect(said).to_contain_text("a request for personal advice (refused)")
    expect(page.locator(".message--bot").first).to_contain_text("Refused personal advice")

    # Teach: the form proposes what the assistant understood; save it as an example.
    said.get_by_text("Teach: what does this message mean?").click()
    expect(said.get_by_label("It is about")).to_have_value("request_medical_advice")
    expect(said.get_by_label("The example to save")).to_have_value(REFUSED_QUESTION)
    shot(page, site, "03-teach")
    said.get_by_role("button", name="Save as an example").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Saved. The assistant learns this example at the next publish."
    )
    taught = site.data_root / "data" / "nlu" / "reviewed" / "request_medical_advice.yml"
    assert f"- {REFUSED_QUESTION}" in taught.read_text()
    assert f"# added by {NAME} on " in taught.read_text()

    # Correct an answer: a price is refused in plain words, and nothing is saved.
    answer_file = site.data_root / "data" / "nlu" / "faq" / "pain.yml"
    before = answer_file.read_bytes()
    page.get_by_role("link", name="Answers", exact=True).click()
    page.get_by_role("link", name="pain", exact=True).click()
    expect(page.get_by_role("heading", name="Answer: pain")).to_be_visible()
    expect(page.get_by_text("the rule 'answer an FAQ question'")).to_be_visible()
    answer = page.get_by_label("The answer")
    expect(answer).to_have_value(re.compile(OLD_PAIN_ANSWER))
    answer.fill(NEW_PAIN_ANSWER + " A session costs $200.")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    problem = page.locator("#answer-problems")
    expect(problem).to_contain_text("Must be fixed: The answer gives a price ('$200').")
    expect(answer).to_have_attribute("aria-invalid", "true")
    assert answer_file.read_bytes() == before
    page.get_by_label("The answer").scroll_into_view_if_needed()
    shot(page, site, "04-answer-problem")

    answer.fill(NEW_PAIN_ANSWER)
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Saved. The assistant uses the new answer after the next publish."
    )
    assert "a topical anaesthetic may be applied for extra comfort" in answer_file.read_text()

    page.get_by_role("link", name="Check", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(
        re.compile(r"Everything checks out|0 things to fix before publishing")
    )
    shot(page, site, "05-check")

    # Publish: trained, tested, loaded; the chat answers the new way.
    publish_and_wait(page, site, screenshot="06-publish-running")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("In use now")
    expect(versions.first).to_contain_text(f"Published by {NAME}")
    shot(page, site, "07-published", full_page=True)
    assert NEW_PAIN_ANSWER in site.say("visitor-after", PAIN_QUESTION)
    chat = new_tab(browser)
    open_chat(chat.page, site.page_url)
    ask(chat.page, PAIN_QUESTION)
    expect(answers(chat.page).nth(1)).to_contain_text("a topical anaesthetic may be applied")
    chat.page.screenshot(path=str(site.screenshots / "08-chat-new-answer.png"))
    chat.page.context.close()

    # Roll back to the first version: the old answer is back, in the chat and in the data.
    page.get_by_role("button", name="Roll back to this").click(timeout=LOAD_TIMEOUT_MS)
    # The Rasa server loads the model while the page waits.
    expect(page.get_by_role("status").first).to_contain_text(
        "is back, with its data", timeout=LOAD_TIMEOUT_MS
    )
    expect(versions.nth(1)).to_contain_text("In use now")
    shot(page, site, "09-rolled-back", full_page=True)
    assert OLD_PAIN_ANSWER in site.say("visitor-rolled-back", PAIN_QUESTION)
    assert answer_file.read_bytes() == before
    assert not taught.exists()

    # The history says who did what.
    page.get_by_role("link", name="History", exact=True).click()
    entries = page.locator(".history__entry")
    expect(entries.first).to_contain_text(f"{NAME} went back to the version published on")
    text = page.locator("main").inner_text()
    assert f"{NAME} changed the answer of the topic 'pain'" in text
    assert f"{NAME} taught the assistant a new example of 'personal advice'" in text
    assert f"{NAME}'s new version passed its tests" in text
    assert f"{NAME}'s new version is now what the assistant uses" in text
    shot(page, site, "10-history")
    page.context.close()
    assert tab.errors == []


# Phones and keyboards.


def test_what_the_assistant_could_not_answer_is_found_and_leads_to_an_answer(
    browser: Browser, site: StaffSite
) -> None:
    # Visitors ask what the source does not answer (the same thing twice, in other words),
    # write in Spanish, and ask about something else.
    for sender, message in [
        ("visitor-alcohol-1", "can I drink alcohol the evening after the injections?"),
        ("visitor-alcohol-2", "is a glass of wine ok the night after botox for scars"),
        ("visitor-flying", "is it ok to fly the day after the treatment?"),
        ("visitor-spanish", "¿Cuánto cuesta el tratamiento de las cicatrices con botox?"),
        ("visitor-weather", "what's the weather like in Paris tomorrow?"),
    ]:
        site.say(sender, message)
    tab = new_tab(browser)
    page = tab.page
    log_in(page, site)

    # Conversations, by what the assistant could not answer.
    for flag, senders in [
        ("Not covered", {"visitor-alcohol-1", "visitor-alcohol-2", "visitor-flying"}),
        ("Other language", {"visitor-spanish"}),
        ("Off topic", {"visitor-weather"}),
    ]:
        page.get_by_role("link", name="Conversations", exact=True).click()
        page.get_by_role("link", name=re.compile(f"^{flag} \\(")).click()
        cards = page.locator(".conversation-card")
        expect(cards).to_have_count(len(senders))
        shown = {re.sub(r"^.*Visitor ", "", cards.nth(i).locator("h3").inner_text())
                 for i in range(len(senders))}  # fmt: skip
        assert shown == senders

    # The unanswered questions: the two about alcohol are one question, asked twice.
    page.get_by_role("link", name="Unanswered", exact=True).click()
    expect(page.get_by_role("heading", name="Unanswered questions")).to_be_visible()
    questions = page.locator(".question")
    expect(questions).to_have_count(2)
    first = questions.first
    expect(first).to_contain_text("Asked 2 times")
    expect(first).to_contain_text("said its information does not cover it")
    expect(questions.nth(1)).to_contain_text("is it ok to fly the day after the treatment?")
    shot(page, site, "12-unanswered")

    # "Add an answer" opens the New topic form with the visitors' wordings as examples.
    first.get_by_role("link", name="Add an answer (new topic)").click()
    expect(
        page.get_by_role("heading", name=re.compile("topic", re.IGNORECASE)).first
    ).to_be_visible()
    examples = page.get_by_label("How patients ask it").input_value()
    assert "can I drink alcohol the evening after the injections?" in examples
    assert "is a glass of wine ok the night after botox for scars" in examples

    # "Teach it as an existing topic" opens the conversation at that message.
    page.go_back()
    page.locator(".question").first.get_by_role(
        "link", name="Teach it as an existing topic"
    ).click()
    expect(
        page.get_by_role("heading", name=re.compile("^Conversation with visitor"))
    ).to_be_visible()
    expect(page.locator(".message--user").first).to_contain_text("Not covered")
    page.context.close()
    assert tab.errors == []


def test_a_language_of_the_other_language_reply_is_changed_and_keeps_the_emergency_line(
    tab: Tab, site: StaffSite
) -> None:
    page = tab.page
    domain = site.data_root / "domain.yml"
    log_in(page, site)
    page.get_by_role("link", name="Messages").click()
    expect(page.get_by_role("heading", name="The assistant's own messages")).to_be_visible()
    page.get_by_role("link", name="Change German: Other-language reply").click()
    field = page.get_by_label("The text (German)")
    expect(field).to_contain_text("{emergency_number}")

    # Without the emergency number: refused beside the field, nothing written.
    before = domain.read_bytes()
    field.fill("Entschuldigung, ich antworte nur auf Englisch. Rufen Sie {clinic_phone} an.")
    page.get_by_label("The new text states no medical fact").check()
    page.get_by_role("button", name="Save the text").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(page.locator("#text-problems")).to_contain_text("must keep {emergency_number}")
    expect(field).to_have_attribute("aria-invalid", "true")
    shot(page, site, "13-message")
    assert domain.read_bytes() == before

    german = (
        "Entschuldigung, ich antworte nur auf Englisch. Bei Atemnot nach einer Behandlung "
        "rufen Sie sofort die {emergency_number} an. Sonst: {clinic_phone}, {booking_url}."
    )
    field.fill(german)
    page.get_by_label("The new text states no medical fact").check()
    page.get_by_role("button", name="Save the text").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved. The assistant uses")
    assert "Bei Atemnot nach einer Behandlung" in domain.read_text(encoding="utf-8")
    page.goto(site.url + "/history")
    expect(
        page.get_by_text("changed the assistant's message 'utter_other_language'")
    ).to_be_visible()


def test_the_pages_fit_a_phone_and_every_field_has_a_label(
    browser: Browser, site: StaffSite
) -> None:
    tab = new_tab(
        browser,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = tab.page
    log_in(page, site)
    for path in ("/conversations", "/conversation?sender=visitor-refused", "/answers/pain",
                 "/topics/new", "/check", "/publish", "/history", "/unanswered", "/messages",
                 "/messages/utter_other_language/0", "/live", "/live/callbacks",
                 "/live/conversation?sender=visitor-refused"):  # fmt: skip
        page.goto(site.url + path)
        expect(page.locator("h1")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide on a 375px screen"
        unlabelled = page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(field => field.labels.length === 0 && !field.getAttribute('aria-label'))
                 .map(field => field.name)"""
        )
        assert unlabelled == [], path
    page.goto(site.url + "/conversations?flag=refusal")
    shot(page, site, "11-phone", full_page=True)
    # The keyboard reaches the menu, and shows where it is.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Live chat 0 waiting")  # the count is read out too
    assert focused.evaluate("node => getComputedStyle(node).outlineStyle") == "solid"
    page.context.close()
    assert tab.errors == []
