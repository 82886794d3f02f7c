"""WhatsApp Cloud API: Meta's verification, the messages webhook, interactive replies."""

from __future__ import annotations

import pytest

from channels.buttons import Button
from channels.meta_webhook import check_hub_signature
from channels.payload import WrongSignatureError
from channels.whatsapp import WhatsAppInput, WhatsAppOutput, parse_whatsapp, reply_ids
from tests.support.channel_requests import Rasa, RecordingAPI, make_request, post
from tests.support.platform_payloads import (
    body_of,
    meta_signature,
    whatsapp_button_reply,
    whatsapp_list_reply,
    whatsapp_status,
    whatsapp_template_button,
    whatsapp_text,
)

NUMBER_ID = "106540352242922"
SETTINGS = {
    "verify_token": "verify-me",
    "app_secret": "app-secret",
    "access_token": "EAAJB",
    "phone_number_id": NUMBER_ID,
}
TOPICS = [
    Button("What Botox does", "What is Botox and how does it work?"),
    Button("Scar types", "What types of acne scars are there?"),
    Button("The procedure", "What happens during a Botox treatment for acne scars?"),
    Button("Results", "What results can I expect from Botox for acne scars?"),
    Button("Risks", "What are the side effects of Botox?"),
    Button("Book a consultation", "/book_consultation"),
]


def output(api: RecordingAPI | None = None) -> WhatsAppOutput:
    return WhatsAppOutput(api or RecordingAPI(), NUMBER_ID)


async def test_metas_get_verification() -> None:
    hook = WhatsAppInput(SETTINGS)
    query = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="

    right = await hook.handle(make_request("GET", f"/w?{query}verify-me"), Rasa())
    wrong = await hook.handle(make_request("GET", f"/w?{query}verify-you"), Rasa())

    assert (right.status, right.body) == (200, b"1158201444")
    assert wrong.status == 403


def test_a_text_message_is_read_from_its_sender() -> None:
    [message] = parse_whatsapp(whatsapp_text(NUMBER_ID, "16505551234", "hi"), output(), NUMBER_ID)

    assert (message.sender_id, message.text, message.is_payload) == ("16505551234", "hi", False)


@pytest.mark.parametrize(
    ("payload", "text", "is_payload"),
    [
        (
            whatsapp_button_reply(NUMBER_ID, "1", "/book_consultation", "Book"),
            "/book_consultation",
            True,
        ),
        (whatsapp_list_reply(NUMBER_ID, "1", "What types?", "Scar types"), "What types?", True),
        (whatsapp_list_reply(NUMBER_ID, "1", "#2", "Scar types"), "#2", False),
        (whatsapp_template_button(NUMBER_ID, "1", "/affirm", "Yes"), "/affirm", True),
    ],
    ids=["reply button", "list row", "list row by index", "template button"],
)
def test_a_pressed_button_or_row_sends_its_id(payload: dict, text: str, is_payload: bool) -> None:
    [message] = parse_whatsapp(payload, output(), NUMBER_ID)

    assert (message.text, message.is_payload) == (text, is_payload)


def test_statuses_and_messages_to_another_number_are_ignored() -> None:
    assert parse_whatsapp(whatsapp_status(NUMBER_ID, "1"), output(), NUMBER_ID) == []
    assert parse_whatsapp(whatsapp_text("999", "1", "hi"), output(), NUMBER_ID) == []


async def test_a_signed_message_reaches_rasa_and_a_forged_one_does_not() -> None:
    hook, rasa = WhatsAppInput(SETTINGS), Rasa()
    body = body_of(whatsapp_text(NUMBER_ID, "16505551234", "does it hurt?"))

    answer = await post(
        hook, body, {"X-Hub-Signature-256": meta_signature("app-secret", body)}, rasa
    )
    forged = await post(hook, body, {"X-Hub-Signature-256": meta_signature("guess", body)}, rasa)
    missing = await post(hook, body, {}, rasa)

    assert (answer.status, forged.status, missing.status) == (200, 403, 401)
    assert [(m.sender_id, m.text, m.input_channel) for m in rasa.messages] == [
        ("whatsapp:16505551234", "does it hurt?", "whatsapp")
    ]


def test_a_signature_of_another_body_is_refused() -> None:
    with pytest.raises(WrongSignatureError):
        check_hub_signature("app-secret", b"{}", meta_signature("app-secret", b"{ }"))


async def test_a_text_is_a_text_message() -> None:
    api = RecordingAPI()

    await output(api).send("16505551234", "Hello")

    assert api.posted[0]["path"] == f"/{NUMBER_ID}/messages"
    assert api.posted[0]["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "text",
        "text": {"body": "Hello", "preview_url": False},
    }


async def test_up_to_three_short_buttons_are_reply_buttons() -> None:
    api = RecordingAPI()

    await output(api).send(
        "1", "Would you like help booking?", [Button("Yes", "/affirm"), Button("No", "/deny")]
    )

    body = api.posted[0]["json"]
    assert body["type"] == "interactive"
    assert body["interactive"] == {
        "type": "button",
        "body": {"text": "Would you like help booking?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "/affirm", "title": "Yes"}},
                {"type": "reply", "reply": {"id": "/deny", "title": "No"}},
            ]
        },
    }


async def test_four_to_ten_buttons_are_a_list() -> None:
    api = RecordingAPI()

    await output(api).send("1", "Hello!", TOPICS)

    interactive = api.posted[0]["json"]["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Choose"
    [section] = interactive["action"]["sections"]
    assert [(row["id"], row["title"]) for row in section["rows"]] == [
        (b.payload, b.title) for b in TOPICS
    ]


@pytest.mark.parametrize(
    ("text", "buttons"),
    [
        ("Hello!", [Button(f"Topic {n}", f"t{n}") for n in range(11)]),
        ("Hello!", [Button("A title of more than twenty-four", "x")] * 4),
        ("x" * 1025, [Button("Yes", "/affirm")]),
    ],
    ids=["eleven buttons", "long titles", "long text"],
)
async def test_beyond_the_limits_buttons_are_a_numbered_list(text: str, buttons: list) -> None:
    api = RecordingAPI()

    await output(api).send("1", text, buttons)

    body = api.posted[0]["json"]
    assert body["type"] == "text"
    assert body["text"]["body"].endswith("Reply with a number.")


def test_a_payload_too_long_for_an_id_is_replaced_by_its_number() -> None:
    buttons = [Button("Short", "/affirm"), Button("Long", "q" * 201), Button("Same", "/affirm")]

    assert reply_ids(buttons[:2], 200) == ["/affirm", "#2"]


def test_payloads_that_are_not_unique_are_replaced_by_their_numbers() -> None:
    buttons = [Button("Yes", "/affirm"), Button("No", "/deny"), Button("Sure", "/affirm")]

    assert reply_ids(buttons, 256) == ["#1", "/deny", "#3"]


def test_the_access_token_is_sent_as_a_bearer_token() -> None:
    assert WhatsAppInput(SETTINGS).create_api().headers == {"Authorization": "Bearer EAAJB"}
