"""What publishing and rolling back raise to the staff app, in plain words."""

from __future__ import annotations


class PublishError(Exception):
    """A publish or rollback that could not be done; the message is in plain words."""


class PublishBusy(PublishError):  # noqa: N818 (the name the staff app knows)
    """A publish (or rollback) is already running."""
