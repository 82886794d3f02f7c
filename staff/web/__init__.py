"""The staff app's pages, one Sanic Blueprint per area.

Routes (all but the login page, ``/health`` and ``/static`` need a logged-in person;
every POST needs the form's CSRF token):

- :mod:`staff.web.auth`: ``/login`` (GET, POST), ``/logout`` (POST), ``/health``; the
  login and CSRF check in front of every page.
- :mod:`staff.web.conversations`: ``/conversations``, ``/unanswered``,
  ``/conversation?sender=...`` and ``/conversation/teach`` (POST).
- :mod:`staff.web.live`: ``/live`` (the conversations waiting for a person, and taken),
  ``/live/conversation?sender=...`` (the chat view), ``/live/take``, ``/live/reply``,
  ``/live/resume`` (POST), ``/live/callbacks`` and ``/live/callbacks/done`` (POST).
- :mod:`staff.web.live_events`: ``/live/events`` (the live updates, server-sent events)
  and the count of waiting conversations in every page's navigation.
- :mod:`staff.web.answers`: ``/answers``, ``/answers/<topic>`` (GET, POST),
  ``/topics/new`` (GET, POST), ``/messages``, ``/messages/<name>/<n>`` (GET, POST),
  ``/check`` (GET, POST).
- :mod:`staff.web.publish`: ``/publish``, ``/publish/status.json``, ``/publish/start``
  and ``/publish/rollback`` (POST).
- :mod:`staff.web.history`: ``/history``.

Beside them: :mod:`staff.web.app` (``create_app``), :mod:`staff.web.services` (the
collaborators on ``app.ctx.services``), :mod:`staff.web.pages` (rendering, flashes,
who is logged in) and :mod:`staff.web.display` (the templates' helpers). A handler parses
its form, calls :class:`staff.edits.Edits` or a reader, and renders.
"""
