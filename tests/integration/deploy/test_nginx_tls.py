"""The shipped ``deploy/nginx.conf`` with its TLS set-up turned on (the ``#tls`` lines),
run by Debian's nginx with a certificate made here: it serves https, sends plain http to
https, and every answer over https carries HSTS, a failed one too. Only the addresses and
the certificate's files change (``tests/support/nginx.py``); a small HTTP server stands in
for the website, and no Rasa server runs (its paths answer 502)."""

from __future__ import annotations

import datetime
import ipaddress
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from launcher import processes
from tests.support.nginx import SHIPPED, local_config, nginx_binary, with_tls

pytestmark = pytest.mark.integration

HSTS = "max-age=31536000"
PAGE = b"the clinic's page"


def certificate(folder: Path) -> Tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key: their files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "fullchain.pem", folder / "privkey.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class Website(BaseHTTPRequestHandler):
    """Stands in for the website: every GET gets the page."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *_: object) -> None:
        pass


def tls_config(folder: Path, http_port: int, https_port: int, website_port: int) -> str:
    """The shipped configuration with TLS on, local addresses and this test's certificate."""
    cert_file, key_file = certificate(folder)
    text = local_config(
        with_tls(SHIPPED.read_text()),
        [processes.free_port(), processes.free_port()],
        http_port,
        folder,
        website_port=website_port,
    )
    replaced = {
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "ssl_certificate /etc/nginx/tls/fullchain.pem;": f"ssl_certificate {cert_file};",
        "ssl_certificate_key /etc/nginx/tls/privkey.pem;": f"ssl_certificate_key {key_file};",
    }
    for old, new in replaced.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def nginx_with_tls(tmp_path: Path) -> Iterator[Tuple[str, str, str]]:
    """nginx serving the shipped configuration with TLS on: its http and https addresses,
    and the certificate to trust."""
    binary = nginx_binary()
    if binary is None:
        pytest.fail("nginx is not installed: `make setup` installs it (unless SETUP_NGINX=0)")
    website = ThreadingHTTPServer(("127.0.0.1", 0), Website)
    threading.Thread(target=website.serve_forever, daemon=True).start()
    http_port, https_port = processes.free_port(), processes.free_port()
    config = tmp_path / "nginx.conf"
    config.write_text(tls_config(tmp_path, http_port, https_port, website.server_address[1]))
    command = [binary, "-p", f"{tmp_path}/", "-c", str(config), "-e", str(tmp_path / "error.log")]
    log = tmp_path / "nginx.log"
    https = f"https://127.0.0.1:{https_port}"
    try:
        with processes.process(command, dict(os.environ), log) as child:
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(https, verify=str(tmp_path / "fullchain.pem"), timeout=2)
                    break
                except requests.RequestException:
                    if child.poll() is not None or time.monotonic() > deadline:
                        said = processes.tail(log) + processes.tail(tmp_path / "error.log")
                        pytest.fail(f"nginx did not serve https:\n{said}")
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{http_port}", https, str(tmp_path / "fullchain.pem")
    finally:
        website.shutdown()
        website.server_close()


def test_with_tls_on_nginx_serves_https_with_hsts_and_sends_http_there(
    nginx_with_tls: Tuple[str, str, str],
) -> None:
    http, https, trusted = nginx_with_tls
    page = requests.get(f"{https}/", verify=trusted, timeout=10)
    assert (page.status_code, page.content) == (200, PAGE)
    assert page.headers["Strict-Transport-Security"] == HSTS
    # A failed answer carries it too (`always`): no Rasa server runs here.
    webhook = requests.post(f"{https}/webhooks/rest/webhook", json={}, verify=trusted, timeout=10)
    assert webhook.status_code == 502
    assert webhook.headers["Strict-Transport-Security"] == HSTS
    # Plain http is sent to the same address over https, with nothing of the page.
    plain = requests.get(f"{http}/clinic?page=1", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://127.0.0.1/clinic?page=1"
    assert PAGE not in plain.content
