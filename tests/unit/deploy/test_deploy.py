"""The deployment files (deploy/) match the project: commands, ports and variables.

Docker is not available on the machines that run these tests, so the image is not built
and the compose file is not started here; these checks keep the files in step with the
launcher (each service runs one of its roles through deploy/start.sh) and the settings
modules (their defaults and the variables they read). deploy/start.sh itself is run as a
container runs it in tests/integration/deploy/test_deploy.py (here only with a role it
does not know).
"""

from __future__ import annotations

import re
import subprocess
from typing import Any, Dict, Set

import yaml

from actions import settings as action_settings
from launcher import models, roles
from launcher.settings import DEFAULT_RASA_PORT
from tests.support.deploy_files import SANIC_SETTINGS
from tests.support.nginx import with_proxy
from tests.support.project import ROOT
from web import settings as web_settings

DEPLOY = ROOT / "deploy"
#: The default port of each server, from the settings module that owns it.
DEFAULT_PORTS = {
    "RASA_PORT": str(DEFAULT_RASA_PORT),
    "ACTION_SERVER_PORT": str(action_settings.DEFAULT_PORT),
    "WEB_PORT": str(web_settings.DEFAULT_PORT),
}


def variables_read_by_project() -> Set[str]:
    """Environment variables the project's code and config files read, and Sanic's own."""
    names: Set[str] = set(SANIC_SETTINGS)
    code = [
        p
        for folder in ("stores", "actions", "channels", "clinic", "web", "staff", "launcher")
        for p in (ROOT / folder).glob("*.py")
    ]
    for path in [*ROOT.glob("*.yml"), *code]:
        text = path.read_text()
        names |= set(re.findall(r"\$\{(\w+)\}", text))
        names |= set(re.findall(r"environ(?:\.get)?\(?\[?\"(\w+)\"", text))
        names |= set(re.findall(r"env\.get\(\"(\w+)\"", text))
        # staff/settings.py reads through its own helpers: text("STAFF_PORT", ...).
        names |= set(re.findall(r"(?:text|number)\(\"(\w+)\"", text))
    return names


def compose() -> Dict[str, Any]:
    data: Dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return data


def test_every_service_runs_a_role_of_the_launcher() -> None:
    services = {
        "rasa1": "rasa",
        "rasa2": "rasa",
        "actions": "actions",
        "web": "web",
        "staff": "staff",
    }
    for service, role in services.items():
        assert compose()["services"][service]["command"] == ["bash", "deploy/start.sh", role]
        assert role in roles.ROLES
    # start.sh hands the role to the launcher, which `make run` uses too
    # (tests/unit/launcher/test_run.py: the same command lines).
    start = (DEPLOY / "start.sh").read_text()
    assert 'exec python -m launcher role "${1:-rasa}"' in start
    assert (
        'exec python -m launcher run --model "$model"' in (ROOT / "scripts" / "run.sh").read_text()
    )


def test_the_image_is_set_up_by_the_projects_own_script() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "bash scripts/setup.sh" in dockerfile
    assert "bash scripts/train.sh" in dockerfile
    assert "FROM python:3.10" in dockerfile
    assert (ROOT / ".python-version").read_text().strip().startswith("3.10")
    for port in DEFAULT_PORTS.values():
        assert port in dockerfile
    # In a container the Rasa server listens on every interface (the rasa role reads it).
    assert re.search(r"^\s+RASA_HOST=0\.0\.0\.0$", dockerfile, flags=re.M)


def test_the_compose_environment_uses_only_variables_the_project_reads() -> None:
    # Each service's own (which of them a role reads: tests/unit/deploy/test_compose.py).
    known = variables_read_by_project()
    services = compose()["services"]
    for name in ("rasa1", "rasa2", "actions", "web", "staff"):
        environment = services[name]["environment"]
        assert set(environment) <= known, (name, set(environment) - known)
    rasa = services["rasa1"]["environment"]
    assert rasa["DATABASE_URL"].startswith("postgresql://")
    assert rasa["REDIS_URL"].startswith("redis://")
    assert rasa["ACTION_ENDPOINT_URL"] == "http://actions:5055/webhook"
    assert "*" not in rasa["SOCKETIO_CORS_ORIGINS"]
    for name, port in DEFAULT_PORTS.items():
        role = {"RASA_PORT": "rasa1", "ACTION_SERVER_PORT": "actions", "WEB_PORT": "web"}[name]
        assert services[role]["environment"][name] == port


def test_the_staff_app_publishes_to_both_rasa_servers_and_they_start_with_it() -> None:
    services = compose()["services"]
    staff = services["staff"]
    known = variables_read_by_project()
    assert set(staff["environment"]) <= known, set(staff["environment"]) - known
    # It loads each published model into both Rasa servers, whose API needs its token.
    rasa_servers = [n for n in services if services[n].get("command", [""])[-1] == "rasa"]
    assert staff["environment"]["RASA_URL"].split(",") == [
        f"http://{name}:{DEFAULT_PORTS['RASA_PORT']}" for name in rasa_servers
    ]
    for name in rasa_servers:
        assert (
            services[name]["environment"]["RASA_API_TOKEN"]
            == (staff["environment"]["RASA_API_TOKEN"])
        )
    # The published models (STAFF_MODELS' default, models/published) are shared, and a
    # Rasa server that restarts takes the live one: the rasa role looks for it there
    # (staff.publish.registry.live_model, through launcher.models.model_to_serve;
    # tests/unit/launcher/test_models.py).
    published = f"published-models:/app/{models.PUBLISHED.relative_to(ROOT)}"
    assert published == "published-models:/app/models/published"
    assert published in staff["volumes"]
    assert all(published in services[name]["volumes"] for name in rasa_servers)
    # The staff app's port is not published beyond the host, nor passed by nginx.
    assert staff["ports"] == [f"127.0.0.1:{staff['environment']['STAFF_PORT']}:8090"]
    assert "8090" not in (DEPLOY / "nginx.conf").read_text()


def test_nginx_keeps_a_visitor_on_one_rasa_server() -> None:
    nginx = (DEPLOY / "nginx.conf").read_text()
    upstream = re.search(r"upstream rasa \{(.*?)\}", nginx, flags=re.S)
    assert upstream is not None
    assert "ip_hash;" in upstream.group(1)
    servers = re.findall(r"server (\w+):(\d+);", upstream.group(1))
    assert servers == [("rasa1", "5005"), ("rasa2", "5005")]
    assert {"rasa1", "rasa2"} <= set(compose()["services"])
    assert "proxy_set_header Upgrade $http_upgrade;" in nginx
    assert re.search(r"server web:8080;", nginx)


def location(nginx: str, path: str) -> str:
    """The body of ``location <path> { ... }`` in nginx.conf (no nested blocks in it)."""
    found = re.search(r"location " + re.escape(path) + r" \{(.*?)\}", nginx, flags=re.S)
    assert found is not None, path
    return found.group(1)


def test_behind_a_tls_terminator_nginx_can_take_the_visitors_address() -> None:
    nginx = with_proxy((DEPLOY / "nginx.conf").read_text())
    assert re.search(r"^\s*set_real_ip_from 127\.0\.0\.0/8;$", nginx, flags=re.M)
    assert re.search(r"^\s*real_ip_header X-Forwarded-For;$", nginx, flags=re.M)
    assert re.search(r"^\s*real_ip_recursive on;$", nginx, flags=re.M)


def test_nginx_does_not_pass_the_live_chats_routes_from_the_internet() -> None:
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert location(nginx, "/webhooks/handoff/").split() == ["return", "404;"]


def test_nginx_limits_the_request_rate_of_each_client_address() -> None:
    nginx = (DEPLOY / "nginx.conf").read_text()
    zones = dict(
        re.findall(r"limit_req_zone \$binary_remote_addr zone=(\w+):\d+m rate=(\d+r/s);", nginx)
    )
    assert zones == {"rest": "10r/s", "platforms": "50r/s", "website": "10r/s"}
    assert re.search(r"^\s*limit_req_status 429;$", nginx, flags=re.M)
    assert "limit_req zone=rest burst=20 nodelay;" in location(nginx, "/webhooks/rest/")
    # The platforms post every user's messages from a few addresses: a wider limit.
    assert "limit_req zone=platforms burst=100 nodelay;" in location(nginx, "/webhooks/")
    assert "limit_req zone=website burst=40 nodelay;" in location(nginx, "/socket.io/")
    # The website itself (the page, the widget's script) is not limited.
    assert "limit_req" not in location(nginx, "/")
    # A refused client is told, in JSON, when to try again.
    assert "error_page 429 = @too_many_requests;" in nginx
    refused = location(nginx, "@too_many_requests")
    assert "add_header Retry-After 1 always;" in refused
    assert 'return 429 \'{"error": ' in refused


def test_the_rasa_servers_behind_nginx_take_the_client_address_it_forwards() -> None:
    nginx = (DEPLOY / "nginx.conf").read_text()
    # nginx appends the address it saw to X-Forwarded-For ...
    for path in ("/webhooks/", "/socket.io/"):
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in location(
            nginx, path
        )
    # ... and Sanic takes that last entry as the client's when told of one proxy (the
    # channels' per-address limits count by it: channels/rate_limits.py).
    services = compose()["services"]
    for name in ("rasa1", "rasa2"):
        assert services[name]["environment"]["SANIC_PROXIES_COUNT"] == "1"
        assert "ports" not in services[name]  # reachable only through nginx


def test_the_helm_values_use_the_image_roles_and_the_projects_variables() -> None:
    values: Dict[str, Any] = yaml.safe_load((DEPLOY / "helm-values.yml").read_text())
    assert values["command"] == ["bash", "deploy/start.sh", "rasa"]
    assert values["rasa-action-server"]["command"] == ["bash", "deploy/start.sh", "actions"]
    assert values["applicationSettings"]["port"] == DEFAULT_RASA_PORT
    assert values["applicationSettings"]["enableAPI"] is False
    names = {e["name"] for e in values["extraEnv"] + values["rasa-action-server"]["extraEnv"]}
    known = variables_read_by_project()
    assert names <= known, names - known
    assert values["service"]["sessionAffinity"] == "ClientIP"
    # The ingress controller is the one proxy in front of the Rasa pods.
    assert {"name": "SANIC_PROXIES_COUNT", "value": "1"} in values["extraEnv"]


def test_start_sh_refuses_a_role_it_does_not_know(role_env: Dict[str, str]) -> None:
    done = subprocess.run(
        ["bash", "deploy/start.sh", "database"],
        cwd=ROOT,
        env=role_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "invalid choice: 'database'" in done.stderr
