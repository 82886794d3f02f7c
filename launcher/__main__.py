"""``python -m launcher``: the commands of the launcher (``--help`` lists them)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional

from launcher.environment import role_environment
from launcher.models import NoModelError
from launcher.processes import ROOT
from launcher.roles import ROLES, command, prepare_rasa
from launcher.run import run
from launcher.settings import LauncherSettings
from launcher.shell import shell


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m launcher",
        description="Start the assistant's roles: the Rasa server, the action server, the "
        "website and the staff app (launcher/__init__.py says who uses which command).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser(
        "run", help="every role on its fixed port until Ctrl-C (make run)"
    )
    run_parser.add_argument("--model", type=Path, required=True, help="the trained model")
    role_parser = commands.add_parser(
        "role", help="one role, in place of this process (deploy/start.sh)"
    )
    role_parser.add_argument("role", choices=ROLES)
    shell_parser = commands.add_parser(
        "shell", help="the action server and `rasa shell` (make shell)"
    )
    shell_parser.add_argument("--model", type=Path, required=True, help="the trained model")
    env_parser = commands.add_parser(
        "env",
        help="run a command with the environment the roles get "
        "(e.g. make forget, or `rasa export --endpoints endpoints.yml`)",
    )
    env_parser.add_argument("argv", nargs=argparse.REMAINDER, metavar="COMMAND ...")
    setting_parser = commands.add_parser(
        "setting", help="print one of the launcher's settings (for the bash scripts)"
    )
    setting_parser.add_argument("name", choices=LauncherSettings.names())
    return parser


#: The servers' files (conversations, staff accounts and history, published models with
#: their data) are their user's alone: no other user of the machine may read them.
FILE_MODE_MASK = 0o077


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    os.umask(FILE_MODE_MASK)
    try:
        if args.command == "run":
            return run(args.model, os.environ)
        if args.command == "shell":
            return shell(args.model, os.environ)
        if args.command == "setting":
            print(getattr(LauncherSettings.from_env(), args.name))
            return 0
        env = role_environment(os.environ)
        if args.command == "role":
            program = command(args.role, env)
            if args.role == "rasa":
                prepare_rasa(env)
            os.chdir(ROOT)
        else:
            program = args.argv
    # Every settings module raises a ValueError that names the variable it cannot use.
    except (ValueError, NoModelError) as error:
        print(f"launcher: {error}", file=sys.stderr)
        return 2
    if not program:
        print("launcher env: name the command to run", file=sys.stderr)
        return 2
    try:
        os.execvpe(program[0], program, env)
    except OSError as error:
        print(f"launcher: {program[0]}: {error.strerror}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main())
