"""``python -m staff``: the staff app on ``STAFF_HOST:STAFF_PORT`` (127.0.0.1:8090)."""

from __future__ import annotations

from staff.settings import SettingsError, StaffSettings
from staff.web.app import create_app


def main() -> None:
    """Read the settings, then serve until interrupted.

    Raises:
        SystemExit: with a message naming the setting that is wrong.
    """
    try:
        settings = StaffSettings.from_env()
    except SettingsError as error:
        raise SystemExit(f"staff: {error}") from error
    app = create_app(settings)
    accounts = app.ctx.services.accounts
    if not accounts.names():
        print(
            "staff: there is no staff account yet: create one with "
            "`make staff-user NAME=your-name`",
            flush=True,
        )
    print(f"staff: the staff app is at http://{settings.host}:{settings.port}", flush=True)
    app.run(host=settings.host, port=settings.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
