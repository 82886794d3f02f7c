"""``rasa run`` with its HTTP API's secrets taken from the environment.

Rasa takes the API's token and JWT secret only as command-line arguments, which every user
of the machine can read (``ps``, ``/proc/<pid>/cmdline``), and the token gives every
conversation and the loading of a model. So the launcher starts the Rasa server as
``python -m launcher.rasa_run <rasa run's other arguments>``; this module adds
``--enable-api`` with ``--auth-token`` (``RASA_API_TOKEN``) or ``--jwt-secret``
(``RASA_JWT_SECRET``), read by :mod:`launcher.settings`, to the arguments inside this
process, where no other user sees them, then runs Rasa's own command line.
"""

from __future__ import annotations

import sys
from typing import List, Mapping, Optional, Sequence

from rasa.__main__ import main as rasa_main

from launcher.roles import api_arguments
from launcher.settings import LauncherSettings


def rasa_arguments(argv: Sequence[str], env: Optional[Mapping[str, str]] = None) -> List[str]:
    """The arguments of Rasa's command line: ``run``, ``argv``, then the API's, from the
    secrets of ``env`` (default: this process's environment)."""
    settings = LauncherSettings.from_env(env)
    return ["run", *argv, *api_arguments(settings.api_token, settings.jwt_secret)]


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run ``rasa run`` with ``argv`` (default: this command's arguments) and the secrets."""
    arguments = rasa_arguments(sys.argv[1:] if argv is None else argv)
    sys.argv = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
