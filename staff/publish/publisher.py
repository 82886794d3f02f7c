"""The publisher the staff app and ``make publish`` use: it puts the registry, the running
assistant's model API, the jobs and the pipeline together, and answers for them."""

from __future__ import annotations

import logging
import tarfile
from typing import Any, Dict, List, Optional

from staff.publish.errors import PublishError
from staff.publish.jobs import Jobs
from staff.publish.pipeline import Pipeline
from staff.publish.rasa_api import ModelApi
from staff.publish.registry import Published, Registry
from staff.publish.rollback import rollback
from staff.publish.runner import Runner, run_command
from staff.settings import StaffSettings

logger = logging.getLogger(__name__)


class Publisher:
    """Publishes the staff's data as a new version of the assistant; one per app.

    Creating it keeps the model ``make run`` serves as the first version when nothing has
    been published yet (:meth:`Registry.keep_baseline`).

    Args:
        settings: the staff app's settings (data_root, models, rasa_url, rasa_api_token).
        validate: run Rasa's data check before training (off only in unit tests).
        runner: how commands run (a fake replaces it in unit tests).
    """

    def __init__(
        self, settings: StaffSettings, validate: bool = True, runner: Optional[Runner] = None
    ) -> None:
        self.settings = settings
        self.assistant = ModelApi(settings.rasa_urls, settings.rasa_api_token)
        self.registry = Registry(
            settings.models, settings.data_root, serving=self.assistant.running_model_id
        )
        self.jobs = Jobs(settings.models)
        self.pipeline = Pipeline(
            settings.data_root,
            self.registry,
            self.assistant,
            self.jobs,
            runner=runner or run_command,
            validate=validate,
        )
        try:
            self.registry.keep_baseline()
        except (OSError, PublishError, tarfile.TarError, ValueError):
            logger.exception("could not keep the model make run serves as the first version")

    def start(self, who: str) -> str:
        """Start a publish job in the background; its id.

        Raises:
            PublishBusy: a job (of this app or another process) is running.
        """
        return self.jobs.start(who, self.pipeline.run)

    def status(self, job_id: Optional[str] = None) -> Dict[str, Any]:
        """A job's state (the latest job's without an id), see :meth:`Jobs.status`.

        Raises:
            KeyError: there is no job ``job_id``.
        """
        return self.jobs.status(job_id)

    def wait(self, job_id: str, timeout: Optional[float] = None) -> Dict[str, Any]:
        """Wait until the job has finished (or ``timeout`` seconds); its status."""
        return self.jobs.wait(job_id, timeout)

    def published(self) -> List[Published]:
        """The published versions, newest first, the one the assistant serves live."""
        return self.registry.published()

    def rollback(self, published_id: str, who: str) -> Published:
        """Go back to version ``published_id``, its data and its model.

        Raises:
            KeyError: there is no such version.
            PublishBusy: a publish is running.
        """
        return rollback(self.registry, self.assistant, published_id, who)
