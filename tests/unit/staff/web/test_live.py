"""The live chat's pages and forms (staff/web/live.py) over HTTP: the queue, the chat view,
take, reply and hand back through the stand-in of the Rasa server's routes, callbacks, the
History, and the login and CSRF checks on every new route."""

from __future__ import annotations

import re
import time
from typing import List
from urllib.parse import quote

import pytest
from rasa.core.tracker_store import SQLTrackerStore

from staff import history
from staff.web.services import Services
from tests.support.handoff_stub import HandoffStub
from tests.support.live_chat import CALLED, TAKEN, TOKEN, WAITING
from tests.support.staff_app import Served, Staff, assert_forms_carry_the_token, shown_text
from tests.support.stored_conversations import append_events, emergency_while_paused

CHAT = "/live/conversation?sender=" + quote(WAITING, safe="")


def entries(services: Services) -> List[history.Entry]:
    return services.history.entries(limit=100)


def take(staff: Staff, sender: str = WAITING) -> None:
    staff.get("/live/conversation?sender=" + quote(sender, safe=""))
    reply = staff.post("/live/take", {"sender": sender})
    assert reply.status_code == 303, shown_text(reply)


# The queue.


def test_the_queue_shows_who_waits_how_long_where_from_and_the_conversation_so_far(
    ana: Staff,
) -> None:
    page = ana.get("/live")
    text = shown_text(page)
    assert "Waiting for a person (1)" in text
    assert f"Visitor {WAITING}" in text
    assert "Channel the website's chat" in text
    assert "Waiting for 5 minutes" in text
    assert "does it hurt" in text
    assert "Understood as a question on an FAQ topic (97%), FAQ topic pain" in text
    assert "Most people feel only a small pinch." in text
    assert "Taken (1)" in text and f"Visitor {TAKEN}" in text and "Taken by Ben" in text
    assert "Callbacks (1 to do)" in text


async def test_an_emergency_while_waiting_is_marked_in_the_queue_and_the_chat(
    ana: Staff, tracker: SQLTrackerStore
) -> None:
    await append_events(tracker, WAITING, emergency_while_paused(time.time()))
    text = shown_text(ana.get("/live"))
    assert "⚠ Emergency: the visitor described a serious reaction after asking for a person" in (
        text
    )
    page = ana.get(CHAT)
    assert 'data-live-emergency role="alert">' in page.text  # shown, not hidden
    assert "my throat is swelling and I can't swallow" in shown_text(page)


@pytest.mark.parametrize("path", ["/conversations", "/answers", "/history", "/live", CHAT])
def test_every_page_shows_how_many_wait_in_the_navigation(ana: Staff, path: str) -> None:
    page = ana.get(path)
    assert page.status_code == 200
    assert re.search(
        r'data-live-count> <span data-live-count-number>1</span><span class="visually-hidden">'
        r" waiting</span>",
        page.text,
    ), path


# Take, reply, hand back.


def test_taking_calls_the_assistant_with_the_staff_members_name_and_the_token(
    ana: Staff, stub: HandoffStub, services: Services
) -> None:
    ana.get(CHAT)
    reply = ana.post("/live/take", {"sender": WAITING})
    assert (reply.status_code, reply.headers["Location"]) == (303, CHAT + "#reply")
    [call] = stub.calls
    assert (call.route, call.body, call.authorization) == (
        "take",
        {"sender_id": WAITING, "staff": "ana"},
        f"Bearer {TOKEN}",
    )
    text = shown_text(ana.get(CHAT))
    assert "You have this conversation: the visitor was told you joined." in text
    assert "Message to the visitor" in text
    assert "ana from the clinic has joined the chat." in text
    assert "Sent when Ana took the conversation." in text
    assert next((e.who, e.action, e.subject) for e in entries(services)) == (
        "ana",
        history.LIVE_TAKEN,
        WAITING,
    )


def test_the_name_a_staff_member_chooses_is_the_one_the_visitor_is_told(
    ana: Staff, stub: HandoffStub, services: Services
) -> None:
    assert "the visitor is told that Ana from the team has joined" in shown_text(ana.get("/live"))

    reply = ana.post("/live/name", {"shown_as": "  Ana   Martinez "})

    assert (reply.status_code, reply.headers["Location"]) == (303, "/live")
    text = shown_text(ana.get("/live"))
    assert "Visitors will be told that Ana Martinez from the team has joined." in text
    assert "the visitor is told that Ana Martinez from the team has joined" in text
    entry = next(e for e in entries(services))
    assert (entry.who, entry.action, entry.before, entry.after) == (
        "ana",
        history.SHOWN_AS_CHANGED,
        "Ana",
        "Ana Martinez",
    )
    assert entry.summary == "ana will be shown to visitors in the live chat as 'Ana Martinez'"
    take(ana)
    [call] = stub.routes("take")
    assert call.body == {"sender_id": WAITING, "staff": "ana", "shown_as": "Ana Martinez"}


def test_a_name_for_visitors_that_cannot_be_used_is_refused_and_nothing_changes(
    ana: Staff, services: Services
) -> None:
    ana.get("/live")
    before = len(entries(services))

    reply = ana.post("/live/name", {"shown_as": "<script>"})

    assert (reply.status_code, reply.headers["Location"]) == (303, "/live#shown-as")
    text = shown_text(ana.get("/live"))
    assert "The name visitors see is 1 to 40 letters" in text
    assert "Nothing was changed." in text
    assert "the visitor is told that Ana from the team has joined" in text
    assert len(entries(services)) == before


def test_a_conversation_someone_else_took_says_who_has_it(
    ana: Staff, ben: Staff, stub: HandoffStub
) -> None:
    take(ana)
    ben.get(CHAT)
    reply = ben.post("/live/take", {"sender": WAITING})
    assert reply.status_code == 303
    text = shown_text(ben.get(CHAT))
    assert "Ana has this conversation." in text
    assert "Message to the visitor" not in text and "Take this conversation" not in text
    assert [c.body["staff"] for c in stub.routes("take")] == ["ana", "ben"]


def test_a_409_from_the_assistant_is_shown_as_who_has_it(ana: Staff, stub: HandoffStub) -> None:
    stub.answer_next("take", 409, {"error": "taken", "staff": "Ana"})
    ana.get(CHAT)
    ana.post("/live/take", {"sender": WAITING})
    assert "Ana has this conversation." in shown_text(ana.get(CHAT))


def test_the_chat_view_of_a_conversation_taken_by_someone_else_says_who(ana: Staff) -> None:
    page = ana.get("/live/conversation?sender=" + quote(TAKEN, safe=""))
    text = shown_text(page)
    assert "Ben has this conversation." in text
    assert "Message to the visitor" not in text and "Take this conversation" not in text


def test_a_reply_goes_to_the_assistant_and_into_the_conversation(
    ana: Staff, stub: HandoffStub, services: Services
) -> None:
    take(ana)
    for text in ("Hello, I'm Ana from the clinic.", "How can I help?"):
        reply = ana.post("/live/reply", {"sender": WAITING, "text": text})
        assert reply.status_code == 303
    assert [c.body for c in stub.routes("message")] == [
        {"sender_id": WAITING, "staff": "ana", "text": "Hello, I'm Ana from the clinic."},
        {"sender_id": WAITING, "staff": "ana", "text": "How can I help?"},
    ]
    assert all(c.authorization == f"Bearer {TOKEN}" for c in stub.calls)
    assert re.search(r"Ana \(staff\) \d\d:\d\d How can I help\?", shown_text(ana.get(CHAT)))
    # The Conversations page shows it as hers, not the assistant's.
    page = ana.get("/conversation?sender=" + quote(WAITING, safe=""))
    assert re.search(
        r'<li class="message message--staff" id="message-\d+">\s*'
        r'<p class="message__who">Ana \(staff\), in the live chat <span',
        page.text,
    )
    assert "Ana (staff), in the live chat" in shown_text(page)
    # The History counts the messages, never their words.
    [replied] = [e for e in entries(services) if e.action == history.LIVE_REPLIED]
    assert (replied.who, replied.subject, replied.detail) == ("ana", WAITING, "2 messages")
    assert "Hello" not in f"{replied.before}{replied.after}{replied.detail}"


def test_a_reply_the_script_sends_gets_json(ana: Staff, stub: HandoffStub) -> None:
    take(ana)
    ok = ana.post(
        "/live/reply", {"sender": WAITING, "text": "Hi!"}, headers={"Accept": "application/json"}
    )
    assert (ok.status_code, ok.json()) == (200, {"ok": True, "error": ""})
    stub.stop()
    down = ana.post(
        "/live/reply", {"sender": WAITING, "text": "Hi?"}, headers={"Accept": "application/json"}
    )
    assert down.status_code == 502
    assert down.json()["ok"] is False
    assert "could not be reached" in down.json()["error"]


def test_when_the_assistant_cannot_be_reached_the_reply_stays_in_the_box(
    ana: Staff, stub: HandoffStub
) -> None:
    take(ana)
    stub.stop()
    reply = ana.post("/live/reply", {"sender": WAITING, "text": "Are you still there, Sam?"})
    assert reply.status_code == 502
    text = shown_text(reply)
    assert f"The assistant could not be reached (nothing answers at {stub.url})." in text
    assert "Nothing was sent: your message is still in the box." in text
    assert ">Are you still there, Sam?</textarea>" in reply.text


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("   ", "Type a message first."),
        ("x" * 2001, "The message is 2001 characters long; at most 2000 can be sent at once."),
    ],
)
def test_an_empty_or_too_long_reply_is_refused_and_nothing_is_sent(
    ana: Staff, stub: HandoffStub, text: str, said: str
) -> None:
    take(ana)
    reply = ana.post("/live/reply", {"sender": WAITING, "text": text})
    assert reply.status_code == 422
    assert said in shown_text(reply)
    assert stub.routes("message") == []


def test_a_reply_to_a_conversation_no_longer_yours_is_not_sent(
    ana: Staff, stub: HandoffStub
) -> None:
    reply = ana.post("/live/reply", {"sender": TAKEN, "text": "hello"}, token=None)
    assert reply.status_code == 403  # no form token: refused before anything
    ana.get(CHAT)
    reply = ana.post("/live/reply", {"sender": TAKEN, "text": "hello"})
    assert reply.status_code == 409
    assert "Ben has this conversation now, so nothing was sent." in shown_text(reply)


def test_handing_back_calls_the_assistant_and_the_history_says_who(
    ana: Staff, stub: HandoffStub, services: Services
) -> None:
    take(ana)
    ana.post("/live/reply", {"sender": WAITING, "text": "Glad to help."})
    reply = ana.post("/live/resume", {"sender": WAITING})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/live")
    [call] = stub.routes("resume")
    assert (call.body, call.authorization) == (
        {"sender_id": WAITING, "staff": "ana"},
        f"Bearer {TOKEN}",
    )
    text = shown_text(ana.get("/live"))
    assert "Handed back: the assistant answers this visitor again." in text
    assert "Waiting for a person (0)" in text
    summaries = [e.summary for e in entries(services)][:3]
    assert summaries == [
        f"ana handed the conversation with visitor {WAITING} back to the assistant",
        f"ana wrote to visitor {WAITING} in the live chat",
        f"ana took the live chat with visitor {WAITING}",
    ]
    assert "Glad to help" not in shown_text(ana.get("/history"))
    assert "2 messages" not in shown_text(ana.get("/history"))
    assert "1 message" in shown_text(ana.get("/history"))


def test_without_a_token_the_page_says_what_is_missing(
    ana: Staff, services: Services, stub: HandoffStub
) -> None:
    services.handoff.token = ""
    assert "The staff app has no RASA_API_TOKEN" in shown_text(ana.get("/live"))
    ana.get(CHAT)
    ana.post("/live/take", {"sender": WAITING})
    assert "The staff app has no RASA_API_TOKEN" in shown_text(ana.get(CHAT))
    assert stub.calls == []


def test_a_wrong_token_is_said_in_words(ana: Staff, services: Services) -> None:
    services.handoff.token = "not the assistant's"
    ana.get(CHAT)
    ana.post("/live/take", {"sender": WAITING})
    assert "its RASA_API_TOKEN is not the one the assistant was started with" in shown_text(
        ana.get(CHAT)
    )


# Callbacks.


def test_callbacks_list_the_requests_kept_with_name_contact_question_and_when(
    ana: Staff,
) -> None:
    text = shown_text(ana.get("/live/callbacks"))
    assert "To do (1)" in text
    assert "Sam Lee Call or write to +44 7700 900123" in text
    assert "“what does it cost”" in text
    assert "Requests are kept 30 days" in text
    assert "Old Request" not in text and "old@example.org" not in text


def test_marking_a_callback_done_says_by_whom_and_when(
    ana: Staff, ben: Staff, services: Services
) -> None:
    page = ana.get("/live/callbacks")
    requested_at = re.search(r'name="requested_at" value="([^"]+)"', page.text)
    assert requested_at
    form = {"sender": CALLED, "requested_at": requested_at.group(1)}
    reply = ana.post("/live/callbacks/done", form)
    assert (reply.status_code, reply.headers["Location"]) == (303, "/live/callbacks")
    text = shown_text(ana.get("/live/callbacks"))
    assert "Marked done." in text and "To do (0)" in text and "Done (1)" in text
    assert re.search(r"Done by Ana on \d\d \w{3} \d{4}, \d\d:\d\d\.", text)
    ben.get("/live/callbacks")
    ben.post("/live/callbacks/done", form)
    assert "Ana had marked it done already." in shown_text(ben.get("/live/callbacks"))
    done = [e for e in entries(services) if e.action == history.CALLBACK_DONE]
    assert [(e.who, e.subject) for e in done] == [("ana", CALLED)]
    unknown = ana.post("/live/callbacks/done", {"sender": CALLED, "requested_at": "12.5"})
    assert unknown.status_code == 404


def test_a_mark_older_than_the_requests_are_kept_goes(ana: Staff, services: Services) -> None:
    services.callbacks.mark_done(("gone-visitor", time.time() - 31 * 86400), "ana")
    ana.get("/live/callbacks")
    assert services.callbacks.marks() == {}


# Login, CSRF, headers.

PAGES = ["/live", CHAT, "/live/callbacks"]
FORMS = ["/live/take", "/live/reply", "/live/resume", "/live/callbacks/done", "/live/name"]


def test_every_live_page_and_form_needs_a_login(app: Served, stub: HandoffStub) -> None:
    nobody = Staff(app.url)
    for path in PAGES:
        reply = nobody.http.get(app.url + path, allow_redirects=False, timeout=10)
        assert reply.status_code == 302 and reply.headers["Location"].startswith("/login"), path
    for path in FORMS:
        reply = nobody.post(
            path, {"sender": WAITING, "text": "hi", "requested_at": "1"}, token=None
        )
        assert reply.status_code == 403, path
    stream = nobody.http.get(
        app.url + "/live/events", headers={"Accept": "text/event-stream"}, timeout=10
    )
    assert (stream.status_code, stream.json()) == (401, {"error": "Log in first."})
    assert stub.calls == []


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_every_live_form_needs_its_token(ana: Staff, stub: HandoffStub, token: object) -> None:
    ana.get("/live")
    for path in FORMS:
        reply = ana.post(
            path,
            {"sender": WAITING, "text": "hi", "requested_at": "1"},
            token=token,  # type: ignore[arg-type]
        )
        assert reply.status_code == 403, path
        assert "nothing was changed" in shown_text(reply)
    assert stub.calls == []


def test_every_form_of_the_live_pages_carries_the_token(ana: Staff) -> None:
    take(ana)
    for path in PAGES:
        assert_forms_carry_the_token(ana, path)


def test_the_live_pages_keep_the_security_headers_and_run_no_inline_script(ana: Staff) -> None:
    for path in PAGES:
        page = ana.get(path)
        assert "default-src 'self'" in page.headers["Content-Security-Policy"], path
        assert page.headers["Cache-Control"] == "no-store"
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), path
        assert " style=" not in page.text and "onclick" not in page.text, path
        assert "innerHTML" not in page.text
    for script in ("live.js", "live-queue.js", "live-chat.js"):
        source = ana.get(f"/static/{script}")
        assert source.status_code == 200
        assert "innerHTML" not in source.text and "insertAdjacentHTML" not in source.text
