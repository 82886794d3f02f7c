"""Plain-words checks of the training data, for staff (a nurse, not a programmer).

The same checks run beside each field of the staff app (:func:`check_answer`,
:func:`check_example`, :func:`check_new_topic`, run by :mod:`staff.edits` on every save),
over the whole project with ``make check`` (:func:`check_project`,
``python -m staff.checks``) and before every publish. Each problem is one sentence that
says what is wrong and, where it helps, what to do; a blocking one stops a save or a
publish, a warning does not.

- :mod:`staff.checks.answers`: what an answer must never give (a dose, a guarantee, a
  price; ``tests/unit/content/test_claims_review.py`` checks every response with the same
  patterns),
  its clinic details and its source sentences.
- :mod:`staff.checks.examples`: a training example, and a new topic as a whole.
- :mod:`staff.checks.project`: every file of the project at once.
- :mod:`staff.checks.rasa`: Rasa's own data check (``rasa data validate``), its messages
  put into the same plain words.
"""

from staff.checks.answers import FORBIDDEN, check_answer
from staff.checks.examples import check_example, check_new_topic
from staff.checks.project import check_project

__all__ = ["FORBIDDEN", "check_answer", "check_example", "check_new_topic", "check_project"]
