"""deploy/docker-compose.yml gives each service only what its role reads, and holds no
secret: the passwords, tokens and keys come from the environment (deploy/.env, written by
deploy/secrets.sh: tests/unit/deploy/test_secrets.py).

What a role reads is found in its code (tests/support/deploy_files.py): the public website
is given no database or Redis address and no secret, so nothing it could leak or be
tricked into using is there.
"""

from __future__ import annotations

import re
from typing import Dict, Set
from urllib.parse import urlsplit

import pytest

from staff.settings import StaffSettings
from tests.support.deploy_files import (
    DEPLOY,
    compose,
    interpolate,
    required_variables,
    variables_read_by_role,
)

#: The services that run a role of the launcher (deploy/start.sh ROLE).
ROLE_SERVICES = ("rasa1", "rasa2", "actions", "web", "staff")
#: ``${NAME:?message}``: Compose refuses to start without NAME.
REQUIRED = re.compile(r"^\$\{(\w+):\?[^}]+\}$")
#: Variables that hold a secret or reach a store; a service gets one only if it needs it.
SENSITIVE = {
    "DATABASE_URL", "REDIS_URL", "ACTION_SERVER_SECRET", "RASA_API_TOKEN", "RASA_JWT_SECRET",
    "STAFF_SECRET_KEY", "EVENT_BROKER_URL", "POSTGRES_PASSWORD", "REDIS_PASSWORD",
}  # fmt: skip
#: Which of them each role needs: the Rasa server stores conversations (PostgreSQL) and
#: locks (Redis), calls the action server with its secret and opens its API to the staff
#: app with the token; the staff app reads the conversations and loads models through the
#: API; the action server checks the secret; the website needs none.
NEEDED = {
    "rasa": {"DATABASE_URL", "REDIS_URL", "ACTION_SERVER_SECRET", "RASA_API_TOKEN"},
    "actions": {"ACTION_SERVER_SECRET"},
    "web": set(),
    # REDIS_URL: make forget and make purge, run there, take the conversations' locks.
    "staff": {"DATABASE_URL", "REDIS_URL", "RASA_API_TOKEN", "STAFF_SECRET_KEY"},
}


def environment(service: str) -> Dict[str, str]:
    found: Dict[str, str] = compose()["services"][service].get("environment") or {}
    assert isinstance(found, dict), f"{service}: environment as a mapping"
    return found


def role_of(service: str) -> str:
    return str(compose()["services"][service]["command"][-1])


def test_what_each_role_reads_is_found_in_its_code() -> None:
    # The website: its settings and the clinic's; nothing of the stores or the secrets.
    web = variables_read_by_role("web")
    assert {"WEB_HOST", "WEB_PORT", "RASA_SOCKET_URL", "CLINIC_CONFIG"} <= web
    assert not web & SENSITIVE
    actions = variables_read_by_role("actions")
    assert {"ACTION_SERVER_SECRET", "ACTION_SERVER_HOST", "ACTION_SERVER_PORT"} <= actions
    assert actions & SENSITIVE == {"ACTION_SERVER_SECRET"}
    # The Rasa server: its files' ${VAR}, the stores and channels they name, the launcher.
    rasa = variables_read_by_role("rasa")
    assert {"DATABASE_URL", "REDIS_URL", "SOCKETIO_CORS_ORIGINS", "TELEGRAM_BOT_TOKEN"} <= rasa
    assert {"ACTION_ENDPOINT_URL", "RASA_API_TOKEN", "RASA_PORT", "SANIC_WORKERS"} <= rasa
    assert not {"STAFF_SECRET_KEY", "WEB_PORT", "RASA_SOCKET_URL"} & rasa
    staff = variables_read_by_role("staff")
    assert {"DATABASE_URL", "RASA_URL", "STAFF_HTTPS", "STAFF_DATA_ROOT"} <= staff
    assert not {"ACTION_SERVER_SECRET", "SOCKETIO_CORS_ORIGINS"} & staff


@pytest.mark.parametrize("service", ROLE_SERVICES)
def test_each_service_gets_only_variables_its_role_reads(service: str) -> None:
    given = set(environment(service))
    not_read = given - variables_read_by_role(role_of(service))
    assert not not_read, f"{service} is given {sorted(not_read)}, which its role never reads"


@pytest.mark.parametrize("service", ROLE_SERVICES)
def test_each_service_gets_only_the_secrets_and_stores_it_needs(service: str) -> None:
    sensitive: Set[str] = set(environment(service)) & SENSITIVE
    assert sensitive == NEEDED[role_of(service)], service


def test_the_public_website_holds_no_secret_and_no_store_address() -> None:
    web = environment("web")
    for name in ("DATABASE_URL", "REDIS_URL", "ACTION_SERVER_SECRET", "RASA_API_TOKEN"):
        assert name not in web
    assert set(web) == {"WEB_HOST", "WEB_PORT", "RASA_SOCKET_URL"}
    # Nor does any service take an environment shared by all (an x- block's).
    assert "environment" not in compose()["x-assistant"]


def required_variable(value: str) -> str:
    """The variable a ``${NAME:?message}`` value takes (the test fails on another value)."""
    found = REQUIRED.match(value)
    assert found, f"'{value}' is written in the compose file, not taken from the environment"
    return found.group(1)


def secrets_given() -> Dict[str, str]:
    """A value for each variable the compose file cannot start without."""
    names = required_variables((DEPLOY / "docker-compose.yml").read_text())
    return {name: f"{name.lower()}-from-the-environment" for name in names}


def test_postgresql_and_redis_take_their_passwords_from_the_environment() -> None:
    services = compose()["services"]
    given = secrets_given()
    postgres = services["postgres"]["environment"]
    assert required_variable(postgres["POSTGRES_PASSWORD"]) == "POSTGRES_PASSWORD"
    command = services["redis"]["command"]
    assert "--requirepass" in command, command
    assert required_variable(command[command.index("--requirepass") + 1]) == "REDIS_PASSWORD"
    # The services that use them reach them with those passwords.
    for service in ("rasa1", "rasa2", "staff"):
        database = urlsplit(interpolate(environment(service)["DATABASE_URL"], given))
        assert (database.scheme, database.hostname) == ("postgresql", "postgres")
        assert database.username == postgres["POSTGRES_USER"]
        assert database.password == given["POSTGRES_PASSWORD"]
    for service in ("rasa1", "rasa2"):
        redis = urlsplit(interpolate(environment(service)["REDIS_URL"], given))
        assert (redis.scheme, redis.hostname) == ("redis", "redis")
        assert redis.password == given["REDIS_PASSWORD"]


def test_every_secret_is_taken_from_the_environment() -> None:
    for name, service in compose()["services"].items():
        for variable, value in (service.get("environment") or {}).items():
            if variable in SENSITIVE - {"DATABASE_URL", "REDIS_URL"}:
                assert required_variable(value) == variable, name
    # Compose refuses to start while one is missing, naming the way to make them.
    with pytest.raises(KeyError, match=r"deploy/secrets\.sh"):
        interpolate(environment("rasa1")["ACTION_SERVER_SECRET"], {})
    assert "rasa:rasa@" not in (DEPLOY / "docker-compose.yml").read_text()


def test_the_staff_app_behind_the_clinics_https_proxy_marks_its_cookies_secure() -> None:
    value = environment("staff")["STAFF_HTTPS"]
    # On unless the operator sets STAFF_HTTPS=0 (deploy/.env): ${STAFF_HTTPS:-1}.
    default = re.fullmatch(r"\$\{STAFF_HTTPS:-(\w+)\}", value)
    assert default, value
    assert StaffSettings.from_env({"STAFF_HTTPS": default.group(1)}).https is True
