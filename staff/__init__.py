"""The staff app: clinic staff review conversations, teach, edit answers and publish.

A small Sanic app with server-rendered pages (``python -m staff``, ``make staff``; started
by ``make run`` at http://localhost:8090), behind a login. What each module does:

- :mod:`staff.settings`: every setting, read from the environment in one place.
- :mod:`staff.accounts`: staff accounts and their argon2 password hashes;
  :mod:`staff.user` is the command that creates them (``make staff-user NAME=...``).
- :mod:`staff.security`: sessions in a signed cookie, CSRF tokens, security headers.
- :mod:`staff.audit`: the log of who changed what.
- :mod:`staff.review`: the conversations of the tracker store, summarised and flagged.
- :mod:`staff.content`, :mod:`staff.source`, :mod:`staff.checks`: the training data, the
  source text, the plain-words checks.
- :mod:`staff.publish` (a package, one module per job): retrain, test, load into the
  running assistant, roll back; ``python -m staff.publish`` is ``make publish``.
- :mod:`staff.messages`: the assistant's own messages (greeting, off topic, not covered,
  the other-language reply a language at a time) and the edit that changes them.
- :mod:`staff.unanswered`: the questions it could not answer, grouped by meaning.
- :mod:`staff.app`: the pages.
"""
