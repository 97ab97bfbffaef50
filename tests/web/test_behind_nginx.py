"""``routesieve serve`` behind Debian's nginx, as docs/api.md sets it up: nginx ends TLS
(a certificate made here with openssl), passes the Host and sets ``X-Forwarded-For`` and
``-Proto``; serve trusts 127.0.0.1, nginx's address. Shown through it: the CSRF cookie
is ``Secure`` and HSTS is sent, the API rate limit counts each real client, and a
foreign Host is still refused (issue 14, findings 3, 6 and 7)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from daemon_lab import Processes, free_port, install_debian, wait_until
from web_lab import ServeProcess, serve_process

NAME = "routes.example.test"
SERVE_TABLE = f"""hosts = ["{NAME}"]
trusted_proxies = ["127.0.0.1"]
api_requests_per_minute = 5
"""


def nginx_conf(folder: Path, tls_port: int, backend_port: int) -> str:
    """The example of docs/api.md, with this test's ports, files and folders."""
    return f"""
daemon off;
user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;

    server {{
        listen 127.0.0.1:{tls_port} ssl;
        server_name {NAME};
        ssl_certificate {folder}/cert.pem;
        ssl_certificate_key {folder}/key.pem;

        client_header_timeout 10s;
        client_body_timeout 10s;
        keepalive_timeout 5s;
        send_timeout 10s;
        client_max_body_size 16k;

        location / {{
            proxy_pass http://127.0.0.1:{backend_port};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


@dataclass
class Proxied:
    url: str
    tls: ssl.SSLContext
    serve: ServeProcess

    def client(self, source: str) -> httpx.Client:
        """A client of nginx connecting from ``source`` (a loopback address)."""
        transport = httpx.HTTPTransport(local_address=source, verify=self.tls)
        return httpx.Client(
            base_url=self.url, transport=transport, headers={"host": NAME}, timeout=20
        )


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    install_debian(["nginx"], ["nginx"])
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "2", "-subj", f"/CN={NAME}",
            "-addext", f"subjectAltName=DNS:{NAME},IP:127.0.0.1",
            "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    tls = ssl.create_default_context(cafile=str(folder / "cert.pem"))
    with serve_process(folder, SERVE_TABLE) as served:
        port = free_port()
        (folder / "nginx.conf").write_text(nginx_conf(folder, port, served.port))
        procs = Processes()
        try:
            conf = str(folder / "nginx.conf")
            proc = procs.start([nginx, "-p", str(folder), "-c", conf], folder / "nginx.out")
            url = f"https://127.0.0.1:{port}"

            def up() -> bool:
                try:
                    with httpx.Client(verify=tls, timeout=2) as c:
                        return c.get(url + "/", headers={"host": NAME}).status_code == 200
                except httpx.TransportError:
                    return False

            wait_until("nginx to answer", lambda: proc.poll() is None and up(), timeout=60)
            yield Proxied(url, tls, served)
        finally:
            procs.stop()


def test_through_the_tls_proxy_the_cookie_is_secure_and_hsts_is_sent(proxied: Proxied) -> None:
    with proxied.client("127.0.0.2") as c:
        r = c.get("/peering/request")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "routesieve_csrf=" in cookie and "; secure" in cookie and "samesite=strict" in cookie
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    for name in ("content-security-policy", "x-content-type-options", "x-frame-options"):
        assert len(r.headers.get_list(name)) == 1, name


def test_the_api_rate_limit_counts_each_real_client_behind_the_proxy(proxied: Proxied) -> None:
    with proxied.client("127.0.0.4") as first:
        statuses = [first.get("/api/v1/run").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        assert int(first.get("/api/v1/run").headers["retry-after"]) >= 1
    with proxied.client("127.0.0.5") as second:
        assert second.get("/api/v1/run").status_code == 200, "another client is not locked out"


def test_a_client_cannot_forge_its_address_through_the_proxy(proxied: Proxied) -> None:
    with proxied.client("127.0.0.6") as c:
        forged = {"x-forwarded-for": "198.51.100.99"}
        statuses = [c.get("/api/v1/run", headers=forged).status_code for _ in range(6)]
        forged_again = {"x-forwarded-for": "198.51.100.100"}
        still = c.get("/api/v1/run", headers=forged_again)
    assert statuses == [200] * 5 + [429]
    assert still.status_code == 429, "nginx replaced the header: the bucket is 127.0.0.6's"


def test_a_foreign_host_is_refused_through_the_proxy(proxied: Proxied) -> None:
    with proxied.client("127.0.0.7") as c:
        r = c.get("/", headers={"host": "rebind.example"})
    assert r.status_code == 421
    assert "Traceback" not in proxied.serve.log_text()
