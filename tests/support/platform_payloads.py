"""What the messaging platforms send: realistic webhook payloads, signed as they sign them.

The payloads follow the examples of each platform's documentation (Meta's Messenger and
WhatsApp Cloud API webhook references, Slack's Events API and block_actions payloads,
Telegram's Update object, Twilio's Messaging webhook parameters). The signatures are
computed here independently of ``channels/``, with the platforms' own SDKs where the
project has them (``slack_sdk``, ``twilio``), so a test signs as the platform would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any, Dict, Optional
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier
from twilio.request_validator import RequestValidator


def body_of(payload: Dict[str, Any]) -> bytes:
    """A JSON payload as the platform sends it (compact, UTF-8)."""
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


# Meta: Messenger and WhatsApp Cloud API.


def meta_signature(app_secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256`` as Meta computes it."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def messenger_event(psid: str, **event: Any) -> Dict[str, Any]:
    """A Page webhook with one ``messaging`` event from ``psid``."""
    now = int(time.time() * 1000)
    return {
        "object": "page",
        "entry": [
            {
                "id": "106540352242922",
                "time": now,
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": "106540352242922"},
                        "timestamp": now,
                        **event,
                    }
                ],
            }
        ],
    }


def messenger_text(psid: str, text: str) -> Dict[str, Any]:
    """A text message from ``psid``."""
    return messenger_event(psid, message={"mid": f"m_{psid}_{time.time_ns()}", "text": text})


def messenger_quick_reply(psid: str, title: str, payload: str) -> Dict[str, Any]:
    """A pressed quick reply: the title as text, the payload in ``quick_reply``."""
    return messenger_event(
        psid,
        message={
            "mid": f"m_{psid}_{time.time_ns()}",
            "text": title,
            "quick_reply": {"payload": payload},
        },
    )


def messenger_postback(psid: str, title: str, payload: str) -> Dict[str, Any]:
    """A pressed postback button."""
    return messenger_event(
        psid, postback={"mid": f"m_{psid}_{time.time_ns()}", "title": title, "payload": payload}
    )


def messenger_batch(*webhooks: Dict[str, Any]) -> Dict[str, Any]:
    """One Page webhook holding the entries of several, as Meta batches events."""
    return {"object": "page", "entry": [e for webhook in webhooks for e in webhook["entry"]]}


def messenger_echo(psid: str, text: str) -> Dict[str, Any]:
    """The echo of a message the Page sent."""
    return messenger_event(
        psid, message={"mid": "m_echo", "is_echo": True, "app_id": 1517776481860111, "text": text}
    )


def messenger_delivery(psid: str) -> Dict[str, Any]:
    """A delivery receipt."""
    return messenger_event(psid, delivery={"mids": ["m_1"], "watermark": 1458668856253})


def messenger_read(psid: str) -> Dict[str, Any]:
    """A read receipt."""
    return messenger_event(psid, read={"watermark": 1458668856253})


def whatsapp_webhook(
    phone_number_id: str, *, messages: Any = None, statuses: Any = None
) -> Dict[str, Any]:
    """A WhatsApp Business Account webhook with these messages (or statuses)."""
    value: Dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if messages is not None:
        value["contacts"] = [{"profile": {"name": "Sheena Nelson"}, "wa_id": messages[0]["from"]}]
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def _whatsapp_message(wa_id: str, kind: str, **content: Any) -> Dict[str, Any]:
    return {
        "from": wa_id,
        "id": f"wamid.{wa_id}.{time.time_ns()}",
        "timestamp": str(int(time.time())),
        "type": kind,
        **content,
    }


def whatsapp_text(phone_number_id: str, wa_id: str, text: str) -> Dict[str, Any]:
    """A text message from ``wa_id`` to ``phone_number_id``."""
    message = _whatsapp_message(wa_id, "text", text={"body": text})
    return whatsapp_webhook(phone_number_id, messages=[message])


def whatsapp_button_reply(
    phone_number_id: str, wa_id: str, reply_id: str, title: str
) -> Dict[str, Any]:
    """A pressed reply button of an interactive message."""
    message = _whatsapp_message(
        wa_id,
        "interactive",
        context={"from": "15550783881", "id": "wamid.previous"},
        interactive={"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
    )
    return whatsapp_webhook(phone_number_id, messages=[message])


def whatsapp_list_reply(
    phone_number_id: str, wa_id: str, row_id: str, title: str
) -> Dict[str, Any]:
    """A chosen row of an interactive list message."""
    message = _whatsapp_message(
        wa_id,
        "interactive",
        interactive={"type": "list_reply", "list_reply": {"id": row_id, "title": title}},
    )
    return whatsapp_webhook(phone_number_id, messages=[message])


def whatsapp_template_button(
    phone_number_id: str, wa_id: str, payload: str, text: str
) -> Dict[str, Any]:
    """A pressed quick-reply button of a template message."""
    message = _whatsapp_message(wa_id, "button", button={"payload": payload, "text": text})
    return whatsapp_webhook(phone_number_id, messages=[message])


def whatsapp_status(phone_number_id: str, wa_id: str) -> Dict[str, Any]:
    """A delivery status of a message sent to ``wa_id``."""
    status = {
        "id": "wamid.sent",
        "status": "delivered",
        "timestamp": str(int(time.time())),
        "recipient_id": wa_id,
    }
    return whatsapp_webhook(phone_number_id, statuses=[status])


# Slack.


def slack_headers(
    signing_secret: str, body: bytes, timestamp: Optional[int] = None
) -> Dict[str, str]:
    """``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` as Slack sends them."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def slack_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """An Events API ``event_callback`` carrying ``event``."""
    return {
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "team_id": "T061EG9R6",
        "api_app_id": "A0PNCHHK2",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T061EG9R6", "user_id": "U0BOTUSER", "is_bot": True}],
    }


def slack_dm(
    user: str, text: str, channel: str, thread_ts: Optional[str] = None
) -> Dict[str, Any]:
    """A direct message to the app."""
    event: Dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "event_ts": f"{time.time():.6f}",
        "channel_type": "im",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return slack_event(event)


def slack_mention(
    user: str, text: str, channel: str, thread_ts: Optional[str] = None
) -> Dict[str, Any]:
    """A message in a channel that mentions the app (``<@U0BOTUSER> ...``)."""
    event: Dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": f"<@U0BOTUSER> {text}",
        "ts": f"{time.time():.6f}",
        "channel": channel,
        "event_ts": f"{time.time():.6f}",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return slack_event(event)


def slack_block_actions(
    user: str, channel: str, title: str, value: str, thread_ts: Optional[str] = None
) -> bytes:
    """The form body of a click on a button of the app's message."""
    message: Dict[str, Any] = {"type": "message", "ts": "1700000000.000100", "text": "..."}
    if thread_ts:
        message["thread_ts"] = thread_ts
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "visitor", "team_id": "T061EG9R6"},
        "api_app_id": "A0PNCHHK2",
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": channel},
        "trigger_id": "12466734323.1395872398.1a2b3c",
        "team": {"id": "T061EG9R6", "domain": "clinic"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": message,
        "response_url": "https://hooks.slack.com/actions/T061EG9R6/1/abc",
        "actions": [
            {
                "action_id": "clinic_button_2",
                "block_id": "b1",
                "text": {"type": "plain_text", "text": title},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode("utf-8")


# Telegram.


def telegram_message(chat_id: int, text: str) -> Dict[str, Any]:
    """An update with a text message in a private chat."""
    sender = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "en"}
    return {
        "update_id": time.time_ns() % 10**9,
        "message": {
            "message_id": 1365,
            "from": sender,
            "chat": {"id": chat_id, "first_name": "Ana", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def telegram_callback_query(chat_id: int, data: str) -> Dict[str, Any]:
    """An update with a pressed inline key."""
    sender = {"id": chat_id, "is_bot": False, "first_name": "Ana"}
    return {
        "update_id": time.time_ns() % 10**9,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": sender,
            "message": {
                "message_id": 1366,
                "from": {"id": 123456, "is_bot": True, "first_name": "Clinic"},
                "chat": {"id": chat_id, "type": "private"},
                "date": int(time.time()),
                "text": "...",
            },
            "chat_instance": "-5303442356781230",
            "data": data,
        },
    }


# Twilio.


def twilio_form(sender: str, to: str, body: str) -> Dict[str, str]:
    """The parameters of Twilio's Messaging webhook for an incoming SMS (a new message id)."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "94105",
        "SmsSid": sid,
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "SAN FRANCISCO",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def twilio_signature(auth_token: str, url: str, params: Dict[str, str]) -> str:
    """``X-Twilio-Signature`` as Twilio's own library computes it."""
    signature: str = RequestValidator(auth_token).compute_signature(url, params)
    return signature
