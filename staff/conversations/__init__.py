"""The assistant's conversations, as staff review them.

Read from the tracker store the Rasa server writes (Rasa's ``events`` table, in the SQLite
file ``TRACKER_DB`` or in PostgreSQL at ``DATABASE_URL``, schema ``DATABASE_SCHEMA``; see
:mod:`stores.settings`), read-only. The list is summarised by the database, one page at a
time (never every conversation in memory); one conversation is read whole when it is
opened.

Each conversation is flagged by what happened in it:

- emergency: a message was taken as a serious reaction (``report_emergency_symptom``) and
  the emergency guidance was sent;
- refusal: the assistant refused to advise on someone's own case
  (``utter_refuse_medical_advice``);
- handoff: the visitor asked for a person (``human_handoff``);
- not understood: the classifier was unsure (``nlu_fallback``) and the assistant asked to
  rephrase (``action_rephrase``);
- not covered: a question about the treatment that the source text does not answer
  (``not_covered``): the assistant said so and offered the clinic;
- other language: a message in another language, answered with the short reply in it
  (``other_language``);
- off topic: a message about something else (``out_of_scope``);
- low confidence: a message's intent was picked with a confidence below the threshold.

- :mod:`staff.conversations.flags`: the flags and what raises each.
- :mod:`staff.conversations.records`: what the store returns, and the date filter.
- :mod:`staff.conversations.store`: :class:`ConversationStore`, the queries.
"""

from staff.conversations.flags import FLAG_LABELS
from staff.conversations.records import PERIODS, Asked, Conversation, Message, Summary
from staff.conversations.store import ConversationStore

__all__ = [
    "FLAG_LABELS",
    "PERIODS",
    "Asked",
    "Conversation",
    "ConversationStore",
    "Message",
    "Summary",
]
