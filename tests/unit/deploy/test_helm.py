"""deploy/helm-values.yml's ingress: the public address passes to the Rasa servers only what
deploy/nginx.conf passes to them (each channel's webhook and the widget's socket.io), never
all of ``/`` nor the live chat's routes. The official chart's ingress
(charts/rasa/templates/ingress.yaml of RasaHQ/helm-charts) reads ``hostname``, ``path``,
``pathType``, ``extraPaths`` and ``tls``; an unknown key such as ``hosts`` is silently
ignored (the chart then routes ``/`` of chart-example.local)."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import yaml
from rasa.shared.utils.common import class_from_module_path

from launcher.settings import DEFAULT_RASA_PORT
from tests.support.deploy_files import helm_values
from tests.support.nginx import SHIPPED, locations
from tests.support.project import ROOT

#: The chart's values for its ingress (anything else there is ignored by the chart).
CHART_INGRESS_KEYS = {
    "enabled", "annotations", "labels", "ingressClassName", "pathType", "path", "hostname",
    "tls", "extraPaths",
}  # fmt: skip
#: The Rasa service the chart makes for the release of the values' header
#: (`helm install clinic-assistant rasa/rasa`): "<release>-<chart>", port "http".
RASA_SERVICE = {"name": "clinic-assistant-rasa", "port": {"name": "http"}}


def ingress_paths(ingress: Dict[str, Any]) -> List[Tuple[str, str, Dict[str, Any]]]:
    """(path, pathType, backend) of each path the chart's ingress routes."""
    main = (ingress.get("path", "/"), ingress.get("pathType", ""), RASA_SERVICE)
    extra = [(p["path"], p.get("pathType", ""), p["backend"]["service"]) for p in
             ingress.get("extraPaths") or []]  # fmt: skip
    return [main, *extra]


def public_paths() -> List[str]:
    """The paths a visitor or a platform must reach: each channel of credentials.yml at
    ``/webhooks/<name>/`` (socket.io at ``/socket.io/``), but the live chat's, which only
    the staff app calls."""
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    names = [class_from_module_path(path).name() for path in credentials]
    return sorted(
        "/socket.io/" if name == "socketio" else f"/webhooks/{name}/"
        for name in names
        if name != "handoff"
    )


def nginx_upstream(nginx: Dict[str, str], path: str) -> str:
    """Where deploy/nginx.conf sends ``path``: the upstream of its longest matching
    location ("" when it answers itself)."""
    matching = [location for location in nginx if path.startswith(location)]
    return nginx[max(matching, key=len)] if matching else ""


def test_the_ingress_passes_only_the_channels_to_rasa_and_not_the_live_chats_routes() -> None:
    values = helm_values()
    ingress = values["ingress"]
    assert set(ingress) <= CHART_INGRESS_KEYS, set(ingress) - CHART_INGRESS_KEYS
    routed = ingress_paths(ingress)
    paths = sorted(path for path, _, _ in routed)
    assert paths == public_paths()
    assert "/webhooks/rest/" in paths and "/webhooks/telegram/" in paths
    # nginx passes the same paths to the Rasa servers, and answers the live chat's itself.
    nginx = locations(SHIPPED.read_text())
    assert all(nginx_upstream(nginx, path) == "rasa" for path in paths)
    assert nginx_upstream(nginx, "/webhooks/handoff/take") == ""
    assert not any("/webhooks/handoff/take".startswith(path) for path in paths)
    # Prefix: /webhooks/telegram/webhook and /socket.io/?EIO=4 match, /webhooksx does not.
    assert all(path_type == "Prefix" for _, path_type, _ in routed)
    assert all(backend == RASA_SERVICE for _, _, backend in routed)
    assert values["service"]["port"] == DEFAULT_RASA_PORT


def test_the_ingress_limits_the_request_rate_of_each_client_address() -> None:
    values = helm_values()
    assert values["ingress"]["annotations"]["nginx.ingress.kubernetes.io/limit-rps"] == "50"


def test_the_ingress_serves_its_host_over_tls_and_nothing_else_passes_every_path() -> None:
    values = helm_values()
    ingress = values["ingress"]
    assert ingress["hostname"] == "assistant.clinic.example"
    assert [ingress["hostname"]] in [entry["hosts"] for entry in ingress["tls"]]
    # The chart's nginx sidecar passes every path to Rasa (its `location /`); the
    # ingress-nginx controller is the edge, so the sidecar is off (the chart says to).
    assert values["nginx"]["enabled"] is False
