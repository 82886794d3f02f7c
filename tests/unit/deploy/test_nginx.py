"""deploy/nginx.conf's TLS set-up, ready to turn on: where nginx itself faces the internet,
it serves https with the clinic's certificate, sends plain http to https, and tells
browsers (HSTS) to use https only. It is off as shipped (lines marked ``#tls``), since a
certificate is the clinic's; tests/integration/deploy/test_nginx_tls.py runs it on."""

from __future__ import annotations

import re

from tests.support.deploy_files import compose
from tests.support.nginx import SHIPPED, TLS_MARK, tls_lines, with_tls

#: A year: the least max-age for HSTS preload lists and what browsers' guidance asks for.
HSTS_MAX_AGE = 31_536_000


def test_the_tls_setup_is_ready_with_hsts_and_a_redirect_to_https() -> None:
    lines = tls_lines(SHIPPED.read_text())
    assert "listen 443 ssl;" in lines
    assert any(re.fullmatch(r"ssl_certificate /etc/nginx/tls/\S+;", line) for line in lines)
    assert any(re.fullmatch(r"ssl_certificate_key /etc/nginx/tls/\S+;", line) for line in lines)
    hsts = [line for line in lines if "Strict-Transport-Security" in line]
    assert len(hsts) == 1
    found = re.fullmatch(r'add_header Strict-Transport-Security "max-age=(\d+)" always;', hsts[0])
    assert found and int(found.group(1)) >= HSTS_MAX_AGE, hsts
    assert "if ($scheme = http) { return 301 https://$host$request_uri; }" in lines


def test_the_tls_setup_is_off_as_shipped_and_the_compose_file_says_how_to_turn_it_on() -> None:
    shipped = SHIPPED.read_text()
    active = [line.strip() for line in shipped.splitlines() if not line.strip().startswith("#")]
    assert not [line for line in active if "443" in line or "ssl_" in line or "Strict" in line]
    assert "listen 443 ssl;" in with_tls(shipped)
    # The compose file names the marked lines, the certificate's folder and the port.
    text = (SHIPPED.parent / "docker-compose.yml").read_text()
    assert TLS_MARK.strip() in text and "./tls:/etc/nginx/tls:ro" in text and ":443" in text
    assert compose()["services"]["nginx"]["ports"] == ["8000:80"]
