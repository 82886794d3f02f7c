"""The staff app: clinic staff review conversations, teach, edit answers and publish.

A small Sanic app with server-rendered pages (``python -m staff``, ``make staff``; started
by ``make run`` at http://localhost:8090), behind a login. Its core runs one way, each
layer importing only those above it:

- :mod:`staff.problems`: what a check found (:class:`~staff.problems.Problem`) and the
  error of an edit it stopped.
- :mod:`staff.source`: the approved source text (``content/``), its sentences and words.
- :mod:`staff.data`: the training data as staff see it (topics, examples, answers); reads
  only.
- :mod:`staff.yaml_edit`: changing YAML files the way people wrote them: the data lock,
  atomic writes, one value's lines replaced.
- :mod:`staff.claims`: the claims review (``content/claims.yml``): which source sentence
  backs each answer sentence, and the audit of it.
- :mod:`staff.checks`: the plain-words checks (``python -m staff.checks``,
  ``make check``), Rasa's own data check translated in :mod:`staff.checks.rasa`.
- :mod:`staff.messages`: the assistant's own messages and the check of a new text.
- :mod:`staff.edits`: the one code that changes staff data: checks once, writes under the
  lock, records the history.

Beside the core:

- :mod:`staff.settings`: every setting, read from the environment in one place.
- :mod:`staff.database`, :mod:`staff.accounts` (``python -m staff.accounts NAME``,
  ``make staff-user``), :mod:`staff.security` (sessions, CSRF, headers),
  :mod:`staff.history` (who changed what): the staff database.
- :mod:`staff.conversations`: the conversations of the tracker store, summarised and
  flagged; :mod:`staff.unanswered`: the questions it could not answer, grouped by meaning.
- :mod:`staff.publish`: retrain, test, make live and roll back.
- :mod:`staff.web`: the pages, one Blueprint per area.
"""
