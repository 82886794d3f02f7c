"""``python -m web``: the demo clinic website on ``WEB_HOST:WEB_PORT``."""

from __future__ import annotations

from clinic.config import ClinicConfigError, get_clinic
from web.app import create_app
from web.settings import SettingsError, load_settings


def main() -> None:
    """Read the settings and the clinic config, then serve until interrupted.

    Raises:
        SystemExit: with a message naming what is wrong, when a setting or the clinic
            config is unusable or the widget is not installed.
    """
    try:
        settings = load_settings()
        clinic = get_clinic()
    except (SettingsError, ClinicConfigError) as error:
        raise SystemExit(f"web: {error}") from error
    if not settings.widget_bundle.is_file():
        raise SystemExit(
            f"web: the chat widget is not installed ({settings.widget_bundle} is missing): "
            "run `make setup`"
        )
    app = create_app(settings, clinic)
    print(f"web: the clinic page is at http://{settings.host}:{settings.port}", flush=True)
    app.run(host=settings.host, port=settings.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
