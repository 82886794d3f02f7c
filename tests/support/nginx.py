"""The shipped ``deploy/nginx.conf``, run by Debian's nginx in front of local servers.

The configuration a test runs is generated from the shipped file, so the test checks what
is deployed: only the addresses change (the compose file's ``rasa1:5005``, ``rasa2:5005``
and ``web:8080`` become ports of 127.0.0.1, ``listen 80`` a free port), nginx's own files
(pid, logs, temporary files) go to the test's folder so it runs without root, and every
answer says which server gave it (``X-Upstream``).

For what nginx does by itself (its rate limits), :func:`answering_upstreams` stands in for
the servers behind it, and :func:`request_from` sends a request from a chosen address of
127/8 (all loopback on Linux), since nginx limits each client address.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import shutil
import threading
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from launcher import processes
from tests.support.project import ROOT

SHIPPED = ROOT / "deploy" / "nginx.conf"
#: What starts each line of the shipped configuration's TLS set-up, ready but off: with the
#: mark removed (:func:`with_tls`), nginx serves https itself.
TLS_MARK = "#tls "
#: What marks the lines of the shipped configuration for nginx behind a TLS terminator.
PROXY_MARK = "#proxy "

#: The compose file's Rasa servers in the shipped configuration's ``upstream rasa``.
_RASA_SERVERS = re.compile(r"^([ \t]*)server rasa\d+:\d+;\n", flags=re.M)


def nginx_binary() -> Optional[str]:
    """Debian's nginx (``scripts/setup.sh`` installs it), if installed."""
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )


def locations(text: str) -> Dict[str, str]:
    """Each ``location`` of the configuration and the upstream it passes to
    (``proxy_pass http://rasa;`` gives ``rasa``; "" when it passes nowhere)."""
    found: Dict[str, str] = {}
    for path, body in re.findall(r"^\s*location\s+(\S+)\s*\{(.*?)^\s*\}", text, flags=re.S | re.M):
        target = re.search(r"^\s*proxy_pass\s+https?://([\w.-]+)", body, flags=re.M)
        found[path] = target.group(1) if target else ""
    return found


def tls_lines(text: str) -> List[str]:
    """The lines of the ready TLS set-up, without their mark."""
    return [
        line.strip()[len(TLS_MARK) :]
        for line in text.splitlines()
        if line.strip().startswith(TLS_MARK)
    ]


def with_proxy(text: str, addresses: str = "127.0.0.0/8") -> str:
    """The configuration with its "behind a TLS terminator" set-up on (the ``#proxy``
    lines), trusting the terminator at ``addresses``."""
    if PROXY_MARK not in text:
        raise ValueError("deploy/nginx.conf: no '#proxy' lines to turn on")
    on = re.sub(rf"^([ \t]*){re.escape(PROXY_MARK)}", r"\1", text, flags=re.M)
    return re.sub(r"set_real_ip_from [^;]+;", f"set_real_ip_from {addresses};", on)


def with_tls(text: str) -> str:
    """The configuration with its TLS set-up on (each marked line's mark removed)."""
    return re.sub(rf"^([ \t]*){re.escape(TLS_MARK)}", r"\1", text, flags=re.M)


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise ValueError(f"deploy/nginx.conf: expected '{old}' once, found it {text.count(old)}")
    return text.replace(old, new)


def local_config(
    shipped: str,
    rasa_ports: Sequence[int],
    listen_port: int,
    folder: Path,
    ip_hash: bool = True,
    website_port: Optional[int] = None,
) -> str:
    """The shipped configuration with local addresses, files in ``folder``, ``X-Upstream``.

    Args:
        shipped: the text of ``deploy/nginx.conf``.
        rasa_ports: ports of 127.0.0.1 where the Rasa servers listen (as many as the
            shipped ``upstream rasa`` names).
        listen_port: the port of 127.0.0.1 nginx listens on.
        folder: where nginx's pid, logs and temporary files go.
        ip_hash: keep ``ip_hash`` (False: the control, round robin).
        website_port: where the website would be (default: a free port; it is not started
            and nothing asks for it).

    Raises:
        ValueError: the shipped file is not shaped as expected (a changed file needs a
            changed test, not a silently different one).
    """
    upstream = re.search(r"upstream rasa \{.*?\}", shipped, flags=re.S)
    if upstream is None:
        raise ValueError("deploy/nginx.conf: no 'upstream rasa { ... }'")
    block = upstream.group(0)
    found = list(_RASA_SERVERS.finditer(block))
    if len(found) != len(rasa_ports):
        raise ValueError(f"deploy/nginx.conf: {len(found)} Rasa servers, not {len(rasa_ports)}")
    if any(a.end() != b.start() for a, b in itertools.pairwise(found)):
        raise ValueError("deploy/nginx.conf: the Rasa servers are not listed one after another")
    indent = found[0].group(1)
    local = "".join(f"{indent}server 127.0.0.1:{port};\n" for port in rasa_ports)
    block = block[: found[0].start()] + local + block[found[-1].end() :]
    if not ip_hash:
        block = _replace_once(block, f"{indent}ip_hash;\n", "")
    text = shipped.replace(upstream.group(0), block)
    website = website_port or processes.free_port()
    text = _replace_once(text, "server web:8080;", f"server 127.0.0.1:{website};")
    text = _replace_once(text, "listen 80;", f"listen 127.0.0.1:{listen_port};")
    own_files = f"""http {{
  log_format upstreams '$remote_addr "$request" $status $upstream_addr';
  access_log {folder}/access.log upstreams;
  client_body_temp_path {folder}/client_body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  add_header X-Upstream $upstream_addr always;
"""
    text = _replace_once(text, "http {\n", own_files)
    main = f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log info;\n"
    if os.geteuid() == 0:  # as root, nginx's workers would switch to a user that cannot
        main += "user root;\n"  # read the folder
    return main + text


@dataclass(frozen=True)
class Nginx:
    """A running nginx: where it listens, and its folder (config, logs)."""

    url: str
    folder: Path

    def access_log(self) -> str:
        return (self.folder / "access.log").read_text(errors="replace")


@contextmanager
def running_nginx(
    rasa_ports: Sequence[int],
    folder: Path,
    ip_hash: bool = True,
    website_port: Optional[int] = None,
    behind_proxy: bool = False,
) -> Iterator[Nginx]:
    """nginx with the shipped configuration in front of these Rasa servers (and the website
    at ``website_port``, if given), until the block ends. Ready once a request through it
    reaches a Rasa server's REST channel.

    Raises:
        processes.ServerError: nginx exited or never answered.
        FileNotFoundError: nginx is not installed.
    """
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx")
    folder.mkdir(parents=True, exist_ok=True)
    port = processes.free_port()
    config = folder / "nginx.conf"
    shipped = SHIPPED.read_text()
    if behind_proxy:  # the "#proxy" lines on, trusting 127/8 as the terminator
        shipped = with_proxy(shipped)
    config.write_text(local_config(shipped, rasa_ports, port, folder, ip_hash, website_port))
    command = [binary, "-p", f"{folder}/", "-c", str(config), "-e", str(folder / "error.log")]
    log = folder / "nginx.log"
    with processes.process(command, dict(os.environ), log) as child:
        url = f"http://127.0.0.1:{port}"
        try:
            processes.wait_until_up(f"{url}/webhooks/rest/", child, log)
        except processes.ServerError as error:
            errors = (folder / "error.log").read_text(errors="replace")[-2000:]
            raise processes.ServerError(f"{error}\nerror.log:\n{errors}") from None
        yield Nginx(url, folder)


class _Answer(BaseHTTPRequestHandler):
    """Answers every request 200 ``{"status": "ok"}``, quietly."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        return None


@contextmanager
def answering_upstreams(count: int) -> Iterator[List[int]]:
    """``count`` servers on free ports of 127.0.0.1 that answer every request 200, in place
    of the Rasa servers and the website; their ports, until the block ends."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
            ports.append(server.server_address[1])
        yield ports


def request_from(
    address: str,
    url: str,
    method: str = "POST",
    body: bytes = b"{}",
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, Dict[str, str], bytes]:
    """``method`` ``url`` from the client address ``address`` (of 127/8), with ``headers``:
    the status, the headers (names in lower case) and the body of the answer."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=10, source_address=(address, 0)
    )
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(
            method, path, body=body if method == "POST" else None, headers=headers or {}
        )
        answer = connection.getresponse()
        headers = {name.lower(): value for name, value in answer.getheaders()}
        return answer.status, headers, answer.read()
    finally:
        connection.close()
