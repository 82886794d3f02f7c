"""The staff app over HTTP (staff/web/), served on a free port: login, sessions and CSRF,
review and teach, answers and topics, checks, publish and rollback, the history.

The app edits a copy of the project's data (never the repository's), reads conversations
from a tracker store that Rasa's SQLTrackerStore wrote, and publishes through a stand-in
publisher (the real one is driven by the browser test, tests/integration/staff/test_browser.py).
"""

from __future__ import annotations

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests
import yaml

from staff import history
from staff.data import CLAIMS
from staff.publish import PublishBusy, Published
from staff.settings import StaffSettings
from staff.web import answers as answers_pages
from staff.web.app import create_app
from staff.web.auth import LOGIN_REFUSED
from staff.web.display import guard_text, local_date
from staff.web.services import Services
from stores.settings import StoreSettings
from tests.support.staff_app import (
    PASSWORD,
    CountingHasher,
    Served,
    Staff,
    assert_forms_carry_the_token,
    serve,
    staff_services,
    stop,
    text_of,
)
from tests.support.staff_edits import files, refuse_to_replace
from tests.support.stored_conversations import (
    kinds_of_conversations,
    save_conversations,
    sqlite_store,
)

PAIN_SOURCE = (
    "Once approved, the treatment area will be cleaned, and a topical anesthetic may be "
    "applied for additional comfort."
)


class FakePublisher:
    """Stands in for staff.publish.Publisher: records calls, finishes jobs on demand."""

    def __init__(self, models: Path) -> None:
        self.calls: List[tuple] = []
        self.jobs: Dict[str, Dict[str, Any]] = {}
        self.latest: Optional[str] = None
        self.models = [
            Published("m2", "2026-11-25T10:00:00Z", "b" * 12, "abc1234def5678",
                      {"intent accuracy": 0.97}, "ana", models / "m2.tar.gz", True),
            Published("m1", "2026-11-20T09:00:00Z", "a" * 12, None, {"intent accuracy": 0.95},
                      "ben", models / "m1.tar.gz", False),
        ]  # fmt: skip

    def start(self, who: str) -> str:
        self.calls.append(("start", who))
        if self.latest and self.jobs[self.latest]["state"] == "running":
            raise PublishBusy("A publish is already running; wait until it has finished.")
        job = f"job-{len(self.jobs) + 1}"
        self.jobs[job] = {
            "id": job,
            "who": who,
            "state": "running",
            "percent": 40,
            "stage": "Training (epoch 40 of 80)",
            "problems": [],
            "figures": {},
        }
        self.latest = job
        return job

    def finish(self, state: str, problems: Optional[List[str]] = None) -> None:
        assert self.latest
        self.jobs[self.latest].update(
            state=state, percent=100, stage="Done", problems=problems or []
        )
        if state == "published":
            new = Published(
                "m3", "2026-11-26T12:00:00Z", "c" * 12, None, {}, "ana", Path("m3"), True
            )
            self.models = [new] + [replace(m, live=False) for m in self.models]
            self.jobs[self.latest]["published_id"] = "m3"

    def status(self, job_id: Optional[str] = None) -> Dict[str, Any]:
        job = job_id or self.latest
        if job:
            return dict(self.jobs[job])  # KeyError for an unknown job, as the real one
        return {"id": None, "state": "none", "percent": 0, "stage": "Nothing yet."}

    def published(self) -> List[Published]:
        return list(self.models)

    def rollback(self, published_id: str, who: str) -> Published:
        self.calls.append(("rollback", published_id, who))
        found = [m for m in self.models if m.id == published_id]
        if not found:
            raise KeyError(published_id)
        target = found[0]
        self.models = [replace(m, live=m.id == published_id) for m in self.models]
        return replace(target, live=True, note=f"Version {published_id} is back, with its data.")


@pytest.fixture
def tracker_db(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


def a_time_today() -> float:
    """A minute ago, or an hour past local midnight if that is later: the fixture's
    conversations, up to an hour before it, then all fall today (a run just after midnight
    would put some of them in yesterday)."""
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    return max(now.timestamp() - 60, midnight + 3660)


@pytest.fixture
async def conversations_saved(tracker_db: Path) -> Path:
    store = sqlite_store(tracker_db)
    await save_conversations(store, kinds_of_conversations(a_time_today()))
    store.engine.dispose()
    return tracker_db


@pytest.fixture
def settings(tmp_path: Path, data_root: Path, conversations_saved: Path) -> StaffSettings:
    return StaffSettings(
        db=tmp_path / "staff.db",
        secret_key="a test key",
        data_root=data_root,
        models=tmp_path / "published",
        store=StoreSettings(tracker_db=str(conversations_saved)),
        max_failures=3,
        lockout_minutes=5,
    )


def make_services(settings: StaffSettings) -> Services:
    return staff_services(settings, FakePublisher(settings.models))


@pytest.fixture
def services(settings: StaffSettings) -> Services:
    return make_services(settings)


@pytest.fixture
def staff(app: Served) -> Staff:
    client = Staff(app.url)
    assert client.login().status_code == 303
    return client


def entries(services: Services) -> List[history.Entry]:
    return services.history.entries(limit=100)


# Logging in.


def test_pages_need_a_login_and_send_you_back_after_it(app: Served) -> None:
    client = Staff(app.url)
    reply = client.http.get(app.url + "/answers?x=1", allow_redirects=False, timeout=10)
    assert reply.status_code == 302
    assert reply.headers["Location"] == "/login?next=%2Fanswers%3Fx%3D1"
    assert client.http.get(app.url + "/publish/status.json", timeout=10).status_code == 401
    assert client.http.get(app.url + "/health", timeout=10).json() == {"status": "ok"}

    client.get("/login?next=%2Fanswers%3Fx%3D1")
    reply = client.post("/login", {"name": "ana", "password": PASSWORD, "next": "/answers?x=1"})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/answers?x=1")
    assert "Answers" in text_of(client.get("/answers"))


def test_the_session_cookie_is_signed_httponly_and_samesite_strict(app: Served) -> None:
    client = Staff(app.url)
    login_page = client.get("/login")
    assert "HttpOnly" in login_page.headers["Set-Cookie"]
    reply = client.post("/login", {"name": "ana", "password": PASSWORD})
    cookie = next(c for c in reply.headers["Set-Cookie"].split(", staff") if "session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # served over plain http here
    assert "Strict-Transport-Security" not in reply.headers
    # A forged or altered cookie opens nothing.
    value = client.http.cookies["staff_session"]
    forged = Staff(app.url)
    forged.http.cookies.set("staff_session", value[:-2] + "xx")
    assert (
        forged.http.get(app.url + "/answers", allow_redirects=False, timeout=10).status_code == 302
    )


def test_over_https_the_cookie_is_secure_and_browsers_keep_to_https(
    settings: StaffSettings,
) -> None:
    secure_settings = replace(settings, https=True)
    served = serve(create_app(secure_settings, make_services(secure_settings), name="https_app"))
    try:
        client = Staff(served.url)
        form = client.get("/login")
        assert "Secure" in form.headers["Set-Cookie"]
        # The client holds a Secure cookie back over plain http, as a browser would: hand
        # it over as if this were https.
        login_cookie = re.search(r"staff_login=([^;]+)", form.headers["Set-Cookie"])
        assert login_cookie
        reply = client.post(
            "/login",
            {"name": "ana", "password": PASSWORD},
            cookies={"staff_login": login_cookie.group(1)},
        )
        assert reply.status_code == 303
        session_cookie = reply.headers["Set-Cookie"]
        assert "staff_session=" in session_cookie and "Secure" in session_cookie
        # Every answer tells the browser to use https only (HSTS), the static files too.
        for path in ("/login", "/static/publish.js", "/no/such/page"):
            reply = requests.get(served.url + path, timeout=10)
            assert reply.headers["Strict-Transport-Security"] == "max-age=31536000", path
    finally:
        stop(served)


def test_a_wrong_password_and_an_unknown_name_get_one_plain_message(
    app: Served, services: Services
) -> None:
    client = Staff(app.url)
    client.get("/login")
    wrong = client.post("/login", {"name": "ana", "password": "not it at all"})
    client.get("/login")
    unknown = client.post("/login", {"name": "nobody", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert LOGIN_REFUSED in html.unescape(wrong.text)
    assert LOGIN_REFUSED in html.unescape(unknown.text)
    assert "staff_session" not in client.http.cookies
    failed = [e for e in entries(services) if e.action == history.LOGIN_FAILED]
    assert [e.subject for e in failed] == ["nobody", "ana"]


def test_repeated_failures_pause_logins_with_that_name(app: Served) -> None:
    client = Staff(app.url)
    for _ in range(3):
        client.get("/login")
        assert client.post("/login", {"name": "ana", "password": "guess guess"}).status_code == 401
    client.get("/login")
    locked = client.post("/login", {"name": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many wrong passwords. For safety, logging in is paused here" in text_of(locked)
    assert "try again in 5 minutes" in text_of(locked)
    # Another name is not affected.
    assert Staff(app.url).login("ben").status_code == 303


def test_logins_refused_while_paused_write_nothing(app: Served, services: Services) -> None:
    client = Staff(app.url)
    for _ in range(3):
        client.get("/login")
        assert client.post("/login", {"name": "ana", "password": "guess guess"}).status_code == 401
    recorded = len(entries(services))
    # A flood while the pause lasts is refused without a write to the staff database.
    for _ in range(20):
        client.get("/login")
        assert client.post("/login", {"name": "ana", "password": "guess"}).status_code == 429
    assert len(entries(services)) == recorded


def test_a_flood_of_logins_does_not_hold_up_the_other_pages(
    settings: StaffSettings, services: Services
) -> None:
    gated = CountingHasher()
    services.accounts.hasher = gated
    served = serve(create_app(settings, services, name="staff_login_flood"))
    try:
        staff = Staff(served.url)
        assert staff.login().status_code == 303
        # Twelve logins with made-up names, each stuck in the slow password check ...
        gated.gate.clear()
        with ThreadPoolExecutor(max_workers=12) as pool:
            flood = [
                pool.submit(Staff(served.url).login, f"someone{number}", "a guess at it")
                for number in range(12)
            ]
            # ... while a colleague, logged in, still gets her pages.
            try:
                assert staff.http.get(served.url + "/answers", timeout=10).status_code == 200
            finally:
                gated.gate.set()
            assert {future.result().status_code for future in flood} == {401}
    finally:
        stop(served)


def test_a_second_login_page_keeps_the_first_ones_form_valid(app: Served) -> None:
    client = Staff(app.url)
    client.get("/login")
    first = client.token
    # Another tab, or the browser asking for a page that needs a login (its icon).
    client.http.get(app.url + "/anything", timeout=10)
    client.get("/login")
    assert client.token == first
    assert client.post("/login", {"name": "ana", "password": PASSWORD}).status_code == 303


def test_the_icon_needs_no_login(app: Served) -> None:
    assert requests.get(app.url + "/favicon.ico", timeout=10).status_code == 204


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_login_without_the_forms_token_is_refused(app: Served, token: Optional[str]) -> None:
    client = Staff(app.url)
    client.get("/login")
    reply = client.post("/login", {"name": "ana", "password": PASSWORD}, token=token)
    assert reply.status_code == 403
    assert "This form was not accepted" in text_of(reply)
    assert "staff_session" not in client.http.cookies


def test_a_next_address_elsewhere_is_ignored(app: Served) -> None:
    client = Staff(app.url)
    client.get("/login")
    reply = client.post("/login", {"name": "ana", "password": PASSWORD, "next": "//evil.example/"})
    assert reply.headers["Location"] == "/"


def test_logging_out_ends_the_session_for_good(staff: Staff, services: Services) -> None:
    cookie = staff.http.cookies["staff_session"]
    staff.get("/conversations")
    reply = staff.post("/logout", {})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/login?done=logged_out")
    replay = requests.get(
        staff.url + "/conversations",
        cookies={"staff_session": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert replay.status_code == 302
    assert [e.action for e in entries(services)][:2] == [history.LOGOUT, history.LOGIN]


# CSRF and headers.


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_a_form_without_its_token_changes_nothing(
    staff: Staff, settings: StaffSettings, token: Optional[str]
) -> None:
    answer_file = settings.data_root / "data" / "nlu" / "faq" / "pain.yml"
    before = answer_file.read_bytes()
    reply = staff.post(
        "/answers/pain",
        {"answer": "The area is cleaned.", "sources": PAIN_SOURCE, "action": "save"},
        token=token,
    )
    assert reply.status_code == 403
    assert "nothing was changed" in text_of(reply)
    assert answer_file.read_bytes() == before
    assert staff.post("/logout", {}, token=token).status_code == 403
    assert staff.get("/conversations").status_code == 200  # still logged in


def test_another_sessions_token_is_refused(app: Served, staff: Staff) -> None:
    other = Staff(app.url)
    other.login("ben")
    other.get("/publish")
    assert staff.post("/publish/start", {}, token=other.token).status_code == 403


def test_every_form_of_every_page_carries_the_token(staff: Staff) -> None:
    pages = [
        "/conversations",
        "/conversation?sender=refused",
        "/answers",
        "/answers/pain",
        "/topics/new",
        "/messages",
        "/messages/utter_other_language/0",
        "/check",
        "/publish",
        "/history",
    ]
    for path in pages:
        assert_forms_carry_the_token(staff, path)


def test_pages_carry_the_security_headers(staff: Staff) -> None:
    page = staff.get("/conversations")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    login = requests.get(staff.url + "/login", timeout=10)
    assert login.headers["X-Frame-Options"] == "DENY"
    script = requests.get(staff.url + "/static/publish.js", timeout=10)
    assert script.status_code == 200
    assert "no-store" not in script.headers.get("Cache-Control", "")
    assert "default-src 'self'" in script.headers["Content-Security-Policy"]


def test_pages_load_nothing_from_elsewhere_and_run_no_inline_script(staff: Staff) -> None:
    for path in ("/conversations", "/publish", "/answers/pain", "/messages/utter_greet/0"):
        page = staff.get(path).text
        assert "http://" not in page.replace(staff.url, "") or path == "/publish"
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert " style=" not in page and "onclick" not in page


def test_an_unknown_page_says_so_in_plain_words(staff: Staff) -> None:
    reply = staff.get("/no/such/page")
    assert reply.status_code == 404
    assert "There is no page at this address." in text_of(reply)


# Review and teach.


def test_the_list_shows_emergencies_first_marked_in_words(staff: Staff) -> None:
    page = staff.get("/conversations?period=today")
    senders = re.findall(r"/conversation\?sender=([\w-]+)", page.text)
    assert senders[0] == "emergency"
    assert set(senders) == {
        "emergency", "unsure", "fallback", "handoff", "refused", "plain", "not_covered",
        "other_language", "off_topic",
    }  # fmt: skip
    text = text_of(page)
    assert "Emergency Visitor emergency" in text
    assert "less than 60% sure" in text and "the threshold is 0.6" in text


def test_the_list_filters_by_what_happened(staff: Staff) -> None:
    page = staff.get("/conversations?flag=refusal&period=today")
    assert re.findall(r"/conversation\?sender=([\w-]+)", page.text) == ["refused"]
    assert "Emergency (1) Refused personal advice (1)" in text_of(page)
    assert "Low confidence (2)" in text_of(page)
    assert '1 conversation marked "Refused personal advice", today' in text_of(page)
    page = staff.get("/conversations?flag=low_confidence&period=week")
    assert set(re.findall(r"/conversation\?sender=([\w-]+)", page.text)) == {"unsure", "fallback"}
    assert "0 conversations" in text_of(staff.get("/conversations?period=yesterday"))


@pytest.mark.parametrize(
    ("flag", "label", "sender"),
    [
        ("not_covered", "Not covered", "not_covered"),
        ("other_language", "Other language", "other_language"),
        ("off_topic", "Off topic", "off_topic"),
    ],
)
def test_the_list_filters_what_the_assistant_could_not_answer(
    staff: Staff, flag: str, label: str, sender: str
) -> None:
    page = staff.get(f"/conversations?flag={flag}&period=today")
    assert re.findall(r"/conversation\?sender=([\w-]+)", page.text) == [sender]
    assert f"{label} (1)" in text_of(page)
    assert f'1 conversation marked "{label}", today' in text_of(page)


def test_unanswered_questions_are_grouped_most_asked_first_with_the_way_to_answer(
    staff: Staff, services: Services
) -> None:
    text = text_of(staff.get("/unanswered?period=today"))
    # The one not covered and the one not understood, each its own question.
    assert "2 questions (2 messages), today" in text
    assert "“can I drink alcohol after the injections”" in text
    assert "said its information does not cover it" in text
    assert "“blorp zzz”" in text and "did not understand it" in text
    page = staff.get("/unanswered?period=today")
    assert "/topics/new?example=can+I+drink+alcohol+after+the+injections" in page.text
    assert "/conversation?sender=not_covered#message-" in page.text


def test_the_new_topic_form_starts_with_the_visitors_wordings(staff: Staff) -> None:
    page = staff.get("/topics/new?example=can+I+fly+after&example=is+flying+ok")
    assert "can I fly after\nis flying ok</textarea>" in html.unescape(page.text)


def test_no_unanswered_question_says_so(staff: Staff) -> None:
    text = text_of(staff.get("/unanswered?period=yesterday"))
    assert "No unanswered question yesterday." in text
    assert "Look at all dates" in text


def test_a_conversation_shows_each_message_with_what_was_understood(staff: Staff) -> None:
    text = text_of(staff.get("/conversation?sender=emergency"))
    assert "I have trouble breathing since my injections" in text
    assert "Understood as an emergency" in text
    assert "Confidence 100%" in text
    assert "found an emergency in the words “trouble breathing”" in text
    assert "would have taken it as a question on an FAQ topic (71%)" in text
    assert "Call 911 now." in text
    text = text_of(staff.get("/conversation?sender=unsure"))
    assert "FAQ topic picked downtime (90%)" in text
    assert "Low confidence" in text


def test_teaching_saves_the_example_with_who_and_when(
    staff: Staff, settings: StaffSettings, services: Services
) -> None:
    page = staff.get("/conversation?sender=unsure")
    event_id = re.search(r'name="event_id" value="(\d+)"', page.text)
    assert event_id
    # The form proposes what the assistant understood.
    assert '<option value="downtime" selected>' in page.text
    reply = staff.post(
        "/conversation/teach",
        {
            "sender": "unsure",
            "event_id": event_id.group(1),
            "text": "how long till i look normal again",
            "target": "downtime",
        },
    )
    assert reply.status_code == 303
    assert "done=taught" in reply.headers["Location"]
    saved = (settings.data_root / "data" / "nlu" / "reviewed" / "downtime.yml").read_text()
    assert "- how long till i look normal again" in saved
    assert "# added by ana on " in saved
    [entry] = [e for e in entries(services) if e.action == history.EXAMPLE_TAUGHT]
    assert (entry.who, entry.subject, entry.after) == (
        "ana",
        "downtime",
        "how long till i look normal again",
    )


def test_the_teach_form_warns_and_replaces_names_numbers_and_e_mails_unless_unticked(
    staff: Staff, settings: StaffSettings, services: Services
) -> None:
    page = staff.get("/conversation?sender=unsure")
    event_id = re.search(r'name="event_id" value="(\d+)"', page.text)
    assert event_id
    text = text_of(page)
    assert "These are the visitor's own words: saved, they become training data" in text
    assert '<input type="checkbox" name="anonymise" value="on" checked' in page.text
    written = "my name is Sarah Lee, can I come back to work on monday? call 07700 900123"
    reply = staff.post(
        "/conversation/teach",
        {"sender": "unsure", "event_id": event_id.group(1), "text": written,
         "target": "downtime", "anonymise": "on"},
    )  # fmt: skip
    assert reply.status_code == 303
    saved = (settings.data_root / "data" / "nlu" / "reviewed" / "downtime.yml").read_text()
    anonymised = "my name is <name>, can I come back to work on monday? call <number>"
    assert f"    - {anonymised}\n" in saved
    assert "Sarah" not in saved and "07700" not in saved
    [entry] = [e for e in entries(services) if e.action == history.EXAMPLE_TAUGHT]
    assert (entry.after, entry.detail) == (anonymised, history.taught_from("unsure"))
    # Unticked (the box sends nothing), the text is saved as the staff member wrote it.
    staff.get("/conversation?sender=unsure")
    reply = staff.post(
        "/conversation/teach",
        {"sender": "unsure", "event_id": event_id.group(1), "target": "downtime",
         "text": "can i go back to the office on day 2 (my ref is 55501)"},
    )  # fmt: skip
    assert reply.status_code == 303
    saved = (settings.data_root / "data" / "nlu" / "reviewed" / "downtime.yml").read_text()
    assert "    - can i go back to the office on day 2 (my ref is 55501)\n" in saved


def test_a_blocking_problem_is_shown_beside_the_field_and_nothing_is_saved(
    staff: Staff, settings: StaffSettings, services: Services
) -> None:
    page = staff.get("/conversation?sender=plain")
    event_id = re.search(r'name="event_id" value="(\d+)"', page.text)
    assert event_id
    reply = staff.post(
        "/conversation/teach",
        {
            "sender": "plain",
            "event_id": event_id.group(1),
            "text": "does it hurt",
            "target": "pain",
        },
    )
    assert reply.status_code == 422
    assert "Must be fixed: The example 'does it hurt' is already under pain." in text_of(reply)
    assert f'id="text-problems-{event_id.group(1)}"' in reply.text
    assert not (settings.data_root / "data" / "nlu" / "reviewed").exists()
    assert not [e for e in entries(services) if e.action == history.EXAMPLE_TAUGHT]


def test_a_button_payload_is_shown_as_such_without_a_teach_form(staff: Staff) -> None:
    page = staff.get("/conversation?sender=plain")
    assert "Pressed a button or opened the chat /greet" in text_of(page)
    assert page.text.count('action="/conversation/teach"') == 1  # "does it hurt" only


def test_teaching_needs_a_message_of_that_conversation(staff: Staff) -> None:
    staff.get("/conversation?sender=plain")
    reply = staff.post(
        "/conversation/teach",
        {"sender": "plain", "event_id": "999999", "text": "x y z", "target": "pain"},
    )
    assert reply.status_code == 404


# Answers and topics.


def test_the_answer_page_shows_where_it_is_used_and_its_sources(staff: Staff) -> None:
    text = text_of(staff.get("/answers/pain"))
    assert "the rule 'answer an FAQ question', data/rules/faq.yml" in text
    assert "Steps are taken to keep you comfortable" in text
    page = staff.get("/answers/pain").text
    checked = re.findall(r'name="sources" value="([^"]*)" checked', page)
    assert [html.unescape(s) for s in checked] == [PAIN_SOURCE]


def test_an_answer_with_a_price_is_refused_in_plain_words(
    staff: Staff, settings: StaffSettings
) -> None:
    answer_file = settings.data_root / "data" / "nlu" / "faq" / "pain.yml"
    before = answer_file.read_bytes()
    staff.get("/answers/pain")
    reply = staff.post(
        "/answers/pain",
        {
            "answer": "The area is cleaned first. It costs $200 per session.",
            "sources": PAIN_SOURCE,
            "action": "save",
        },
    )
    assert reply.status_code == 422
    text = text_of(reply)
    assert "Not saved" in text
    assert "The answer gives a price ('$200')" in text
    assert answer_file.read_bytes() == before
    # What was typed stays in the form, to be corrected.
    assert "It costs $200 per session." in html.unescape(reply.text)


def test_a_good_edit_is_saved_and_recorded_with_the_old_and_new_text(
    staff: Staff, settings: StaffSettings, services: Services
) -> None:
    new = (
        "The area is cleaned and a topical anaesthetic may be applied for extra comfort "
        "before the injections. You can ask about this at your consultation."
    )
    staff.get("/answers/pain")
    reply = staff.post("/answers/pain", {"answer": new, "sources": PAIN_SOURCE, "action": "save"})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/answers/pain?done=answer")
    saved = (settings.data_root / "data" / "nlu" / "faq" / "pain.yml").read_text()
    assert "a topical anaesthetic may be applied for extra comfort" in saved
    [entry] = [e for e in entries(services) if e.action == history.ANSWER_EDITED]
    assert entry.subject == "pain" and entry.after == new
    assert entry.before is not None and entry.before.startswith("Steps are taken")
    page = text_of(staff.get("/history"))
    assert "ana changed the answer of the topic 'pain'" in page
    assert "Before Steps are taken" in page


def test_an_answer_whose_review_cannot_be_written_says_so_and_changes_nothing(
    staff: Staff, settings: StaffSettings, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(settings.data_root)
    refuse_to_replace(monkeypatch, settings.data_root / CLAIMS)
    new = (
        "The area is cleaned and a topical anaesthetic may be applied for extra comfort "
        "before the injections. You can ask about this at your consultation."
    )
    staff.get("/answers/pain")
    reply = staff.post("/answers/pain", {"answer": new, "sources": PAIN_SOURCE, "action": "save"})
    assert reply.status_code == 422
    text = text_of(reply)
    assert "Not saved" in text
    assert (
        "Nothing was saved: content/claims.yml could not be written (Permission denied)." in text
    )
    assert new in html.unescape(reply.text)  # kept in the form, to save again
    assert files(settings.data_root) == before
    assert not [e for e in entries(services) if e.action == history.ANSWER_EDITED]


def test_an_answer_saved_with_a_warning_shows_it_on_the_next_page(
    staff: Staff, settings: StaffSettings
) -> None:
    weak = "The skin is cleaned and numbing cream can make the appointment comfortable."
    staff.get("/answers/pain")
    reply = staff.post("/answers/pain", {"answer": weak, "sources": PAIN_SOURCE, "action": "save"})
    assert reply.status_code == 303
    assert weak in (settings.data_root / "data" / "nlu" / "faq" / "pain.yml").read_text()
    page = staff.get(reply.headers["Location"])
    assert '<p class="notice notice--note" role="status">Please check: The sentence' in page.text
    assert "shares few words with the source sentences you picked" in text_of(page)
    assert "Please check" not in staff.get("/answers/pain").text  # shown once


def test_the_messages_page_lists_each_language_of_the_other_language_reply(
    staff: Staff,
) -> None:
    page = text_of(staff.get("/messages"))
    assert "The reply to a message in another language" in page
    for language in ("Spanish:", "French:", "German:", "Italian:", "Portuguese:", "Polish:",
                     "Dutch:", "English (any other language):"):  # fmt: skip
        assert language in page
    assert 'href="/messages/utter_other_language/2"' in staff.get("/messages").text


def test_a_language_text_is_changed_and_recorded(
    staff: Staff, settings: StaffSettings, services: Services
) -> None:
    german = (
        "Entschuldigung, ich antworte nur auf Englisch. Bei Atemnot nach einer Behandlung "
        "rufen Sie sofort die {emergency_number} an. Sonst: {clinic_phone}, {booking_url}."
    )
    staff.get("/messages/utter_other_language/2")
    reply = staff.post(
        "/messages/utter_other_language/2", {"text": german, "no_medical_fact": "yes"}
    )
    assert (reply.status_code, reply.headers["Location"]) == (
        303,
        "/messages/utter_other_language/2?done=message",
    )
    domain = yaml.safe_load((settings.data_root / "domain.yml").read_text(encoding="utf-8"))
    assert domain["responses"]["utter_other_language"][2]["text"] == german
    [entry] = [e for e in entries(services) if e.action == history.MESSAGE_EDITED]
    assert (entry.subject, entry.after) == ("utter_other_language", german)
    assert entry.before is not None and entry.before.startswith("Entschuldigung, ich kann")
    page = text_of(staff.get("/history"))
    assert "ana changed the assistant's message 'utter_other_language'" in page


def test_a_language_text_without_the_emergency_number_is_refused(
    staff: Staff, settings: StaffSettings, services: Services
) -> None:
    before = (settings.data_root / "domain.yml").read_bytes()
    staff.get("/messages/utter_other_language/0")
    reply = staff.post(
        "/messages/utter_other_language/0",
        {"text": "Solo hablo inglés. Llame a {clinic_phone}.", "no_medical_fact": "yes"},
    )
    assert reply.status_code == 422
    text = text_of(reply)
    assert "Not saved" in text
    assert "The Spanish text must keep {emergency_number}" in text
    assert "Solo hablo inglés. Llame a {clinic_phone}." in html.unescape(reply.text)
    assert (settings.data_root / "domain.yml").read_bytes() == before
    assert [e for e in entries(services) if e.action == history.MESSAGE_EDITED] == []


@pytest.mark.parametrize("path", ["/messages/utter_nothing/0", "/messages/utter_greet/5"])
def test_an_unknown_message_says_so(staff: Staff, path: str) -> None:
    reply = staff.get(path)
    assert reply.status_code == 404
    assert "There is no message" in text_of(reply)


def test_suggest_ranks_the_source_sentences_for_the_text_typed(staff: Staff) -> None:
    staff.get("/answers/pain")
    reply = staff.post(
        "/answers/pain",
        {
            "answer": "Results appear within a few days and last three to six months.",
            "action": "suggest",
        },
    )
    assert reply.status_code == 200
    shown = re.findall(r'name="sources" value="([^"]*)"', reply.text)
    assert "three to six months" in html.unescape(shown[0])


def test_a_new_topic_with_problems_is_refused_then_added_when_right(
    staff: Staff, settings: StaffSettings, services: Services
) -> None:
    staff.get("/topics/new")
    reply = staff.post(
        "/topics/new",
        {
            "name": "aftercare",
            "examples": "what do I do after",
            "answer": "Rest.",
            "action": "add",
        },
    )
    assert reply.status_code == 422
    text = text_of(reply)
    assert "it needs at least 10" in text
    assert "Pick the sentence of the source text that supports the answer." in text
    assert not (settings.data_root / "data" / "nlu" / "faq" / "aftercare.yml").exists()

    examples = "\n".join(
        [
            "why do people get treatment for acne scars",
            "do acne scars affect self esteem",
            "can acne scars make you feel self conscious",
            "how do acne scars affect confidence",
            "why would someone want their acne scars treated",
            "is it common to feel bad about acne scars",
            "my scars make me feel insecure, do others feel like that",
            "do scars from acne affect how people feel about themselves",
            "why do so many people look for acne scar treatments",
            "does having acne scars impact self-esteem",
        ]
    )
    source = (
        "Acne scars can significantly impact a person's self-esteem, leading many to seek "
        "effective treatments to restore their skin's appearance."
    )
    answer = (
        "Acne scars can have a significant impact on self-esteem, and many people seek "
        "effective treatments to restore the appearance of their skin."
    )
    reply = staff.post(
        "/topics/new",
        {
            "name": "scar_impact",
            "examples": examples,
            "answer": answer,
            "source": source,
            "action": "add",
        },
    )
    assert reply.status_code == 303, text_of(reply)
    assert reply.headers["Location"] == "/answers/scar_impact?done=topic"
    added = (settings.data_root / "data" / "nlu" / "faq" / "scar_impact.yml").read_text()
    assert "- why do people get treatment for acne scars" in added
    assert "Topic added" in text_of(staff.get(reply.headers["Location"]))
    assert [e.subject for e in entries(services) if e.action == history.TOPIC_ADDED] == [
        "scar_impact"
    ]


# Checks.


def test_the_check_page_says_all_is_well_then_names_a_problem(
    staff: Staff, settings: StaffSettings
) -> None:
    assert "Everything checks out" in text_of(staff.get("/check"))
    answer_file = settings.data_root / "data" / "nlu" / "faq" / "cost.yml"
    text = answer_file.read_text()
    answer_file.write_text(text.replace("responses:", "responses:\n  # edited by hand", 1))
    broken = re.sub(r"(utter_faq/cost:\n\s+- text: >-\n)", r"\1        It costs $300.\n", text)
    assert broken != text
    answer_file.write_text(broken)
    page = text_of(staff.get("/check"))
    assert "to fix before publishing" in page
    assert "gives a price ('$300')" in page


def test_one_full_check_runs_at_a_time(staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    running, release = threading.Event(), threading.Event()

    def slow_check(root: Path, rasa_validate: bool = False) -> List[Any]:
        running.set()
        release.wait(timeout=20)
        return []

    staff.get("/check")
    monkeypatch.setattr(answers_pages, "check_project", slow_check)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(staff.post, "/check", {})
        assert running.wait(timeout=10)
        second = staff.post("/check", {})
        release.set()
        assert first.result().status_code == 200
    assert second.status_code == 429
    assert "A full check is already running" in text_of(second)


# Publish and roll back.


def test_publish_starts_a_job_shows_its_progress_and_records_the_result(
    staff: Staff, services: Services
) -> None:
    publisher = services.publisher
    assert isinstance(publisher, FakePublisher)
    staff.get("/publish")
    reply = staff.post("/publish/start", {})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/publish?done=started")
    assert publisher.calls == [("start", "ana")]

    page = staff.get("/publish")
    assert '<progress id="job-progress" max="100" value="40">' in page.text
    assert "Training (epoch 40 of 80)" in text_of(page)
    assert '<script src="/static/publish.js" defer></script>' in page.text
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page.text
    assert "Publish the changes" not in page.text  # one at a time
    status = staff.get("/publish/status.json").json()
    assert (status["state"], status["percent"], status["running"]) == ("running", 40, True)

    publisher.finish("failed", ["Emergencies caught: 0.98, below the threshold 1.0."])
    page = staff.get("/publish")
    text = text_of(page)
    assert "Not published: nothing was changed" in text
    assert "Emergencies caught: 0.98, below the threshold 1.0." in text
    assert "<noscript>" not in page.text
    staff.get("/publish/status.json")  # seen twice, recorded once
    failed = [e for e in entries(services) if e.action == history.PUBLISH_FAILED]
    assert [(e.who, e.subject) for e in failed] == [("ana", "job-1")]
    assert "0.98" in failed[0].detail


def test_a_second_publish_while_one_runs_is_refused_politely(
    staff: Staff, services: Services
) -> None:
    staff.get("/publish")
    staff.post("/publish/start", {})
    reply = staff.post("/publish/start", {})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/publish")
    page = text_of(staff.get("/publish"))
    assert "A publish is already running; wait until it has finished." in page
    # Said once: not on the next page.
    assert "A publish is already running" not in text_of(staff.get("/publish"))


def test_a_successful_publish_is_recorded_as_passed_and_live(
    staff: Staff, services: Services
) -> None:
    publisher = services.publisher
    assert isinstance(publisher, FakePublisher)
    staff.get("/publish")
    staff.post("/publish/start", {})
    publisher.finish("published")
    page = staff.get("/publish")
    assert "Published: visitors now get this version" in text_of(page)
    assert "Done (" not in text_of(page)  # no percentage once it has ended
    actions = [e.action for e in entries(services)]
    assert actions[:3] == [history.PUBLISHED, history.PUBLISH_PASSED, history.PUBLISH_STARTED]
    # A rollback since: the latest publish is no longer what visitors get.
    staff.post("/publish/rollback", {"id": "m1"})
    assert "Published, then replaced: another version was put back since" in text_of(
        staff.get("/publish")
    )


def test_the_list_of_versions_and_a_rollback(staff: Staff, services: Services) -> None:
    publisher = services.publisher
    assert isinstance(publisher, FakePublisher)
    page = staff.get("/publish")
    text = text_of(page)
    newer, older = local_date("2026-11-25T10:00:00Z"), local_date("2026-11-20T09:00:00Z")
    assert f"{newer} In use now" in text
    assert "commit abc1234def56, fingerprint bbbbbbbbbbbb" in text
    assert "fingerprint aaaaaaaaaaaa" in text
    assert "Test questions understood 97.0%" in text
    # A button on the older version, none on the live one.
    assert re.findall(r'name="id" value="(\w+)"', page.text) == ["m1"]
    reply = staff.post("/publish/rollback", {"id": "m1"})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/publish")
    assert publisher.calls == [("rollback", "m1", "ana")]
    text = text_of(staff.get("/publish"))
    assert f"{older} In use now" in text
    assert "Version m1 is back, with its data." in text
    [entry] = [e for e in entries(services) if e.action == history.ROLLED_BACK]
    assert entry.summary == f"ana went back to the version published on {older}"


def test_a_rollback_to_a_version_no_longer_there_changes_nothing(
    staff: Staff, services: Services
) -> None:
    staff.get("/publish")
    reply = staff.post("/publish/rollback", {"id": "gone"})
    assert reply.status_code == 303
    assert "That version is not in the list any more" in text_of(staff.get("/publish"))
    assert not [e for e in entries(services) if e.action == history.ROLLED_BACK]


def test_the_safety_checks_finding_reads_as_a_sentence() -> None:
    assert guard_text(None) == "nothing found"
    agreed = {
        "intent": "request_medical_advice",
        "rule": "advice:medication",
        "matched": "isotretinoin",
        "classifier_intent": {"name": "request_medical_advice", "confidence": 0.93},
    }
    assert guard_text(agreed) == (
        "found a request for personal advice (refused) in the words “isotretinoin” "
        "(rule advice:medication); the assistant had understood it so too"
    )
    overruled = {**agreed, "classifier_intent": {"name": "faq", "confidence": 0.8}}
    assert guard_text(overruled).endswith(
        "without it the assistant would have taken it as a question on an FAQ topic (80%)"
    )
