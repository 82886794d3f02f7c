"""``python -m staff.accounts NAME``: create a staff account, or give it a new password.

The password is asked twice (not shown as it is typed), or taken from ``STAFF_PASSWORD``
for scripts. A new password ends the person's open sessions and unlocks the name.
``--delete`` removes the account; ``--list`` shows every name.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Callable, List, Mapping, Optional

from staff.accounts import AccountError, Accounts, check_name, check_password
from staff.security import SessionStore
from staff.settings import SettingsError, StaffSettings


def ask_password(name: str, prompt: Callable[[str], str] = getpass.getpass) -> str:
    """The new password of ``name``, typed twice.

    Raises:
        AccountError: the two do not match, or the password cannot be used.
    """
    first = prompt(f"New password for {name}: ")
    check_password(first)
    if prompt("The same password again: ") != first:
        raise AccountError("The two passwords are not the same: nothing was changed.")
    return first


def main(
    argv: Optional[List[str]] = None,
    env: Optional[Mapping[str, str]] = None,
    prompt: Callable[[str], str] = getpass.getpass,
) -> int:
    """Run the command; its exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m staff.accounts",
        description="Create a staff account of the staff app, or set its password.",
    )
    parser.add_argument("name", nargs="?", help="the account's name, e.g. ana or j.smith")
    parser.add_argument("--delete", action="store_true", help="remove the account")
    parser.add_argument("--list", action="store_true", help="list the accounts")
    args = parser.parse_args(argv)
    env = os.environ if env is None else env
    try:
        settings = StaffSettings.from_env(env)
    except SettingsError as error:
        print(f"staff-user: {error}", file=sys.stderr)
        return 2
    accounts = Accounts(settings.db)
    sessions = SessionStore(settings.db, idle_seconds=settings.session_hours * 3600)
    if args.list:
        for name in accounts.names():
            print(name)
        return 0
    if not args.name:
        parser.print_usage(sys.stderr)
        print("staff-user: name the account: make staff-user NAME=ana", file=sys.stderr)
        return 2
    try:
        name = check_name(args.name)
        if args.delete:
            if not accounts.delete(name):
                print(f"staff-user: there is no account '{name}'.", file=sys.stderr)
                return 1
            sessions.end_all(name)
            print(f"staff-user: the account '{name}' is removed.")
            return 0
        password = env.get("STAFF_PASSWORD") or ""
        if password:
            check_password(password)
        elif sys.stdin.isatty() or prompt is not getpass.getpass:
            password = ask_password(name, prompt)
        else:
            raise AccountError(
                "No password: run this in a terminal to type it, or set STAFF_PASSWORD."
            )
        created = accounts.set_password(name, password)
    except AccountError as error:
        print(f"staff-user: {error}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nstaff-user: nothing was changed.", file=sys.stderr)
        return 1
    ended = sessions.end_all(name)
    if created:
        print(
            f"staff-user: the account '{name}' is ready; log in at http://localhost:{settings.port}"
        )
    else:
        extra = f" ({ended} open session{'s' if ended != 1 else ''} ended)" if ended else ""
        print(f"staff-user: '{name}' has a new password{extra}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
