"""RTR over TLS (``rtrs://``) and over SSH (``rtr+ssh://``, the ``rpki-rtr`` subsystem)
against a real StayRTR serving both: a full sync equals the cache file; a certificate from
another CA, a host name the certificate does not name, a changed or unknown SSH host key
and a client key the cache does not know are each refused with a clear message.

Certificates and keys are made here with Debian's ``openssl`` and ``ssh-keygen``."""

from __future__ import annotations

import contextlib
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from daemon_lab import free_port, wait_until
from rtr_lab import StayRtr, expected

from routesieve.cli import main
from routesieve.sources.fetched import FetchError
from routesieve.sources.rpki import read_vrps
from routesieve.sources.rtr import RtrSecurity, fetch_rtr, parse_rtr_endpoint

Start = Callable[..., StayRtr]
EC = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")


def sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def make_ca(folder: Path, name: str) -> tuple[Path, Path]:
    key, cert = folder / f"{name}.key", folder / f"{name}.pem"
    sh("openssl", "req", "-x509", *EC, "-nodes", "-keyout", str(key), "-out", str(cert),
       "-days", "2", "-subj", f"/CN={name}")  # fmt: skip
    return key, cert


def make_server_cert(folder: Path, ca: tuple[Path, Path], alt_names: str) -> tuple[Path, Path]:
    key, csr, cert = folder / "server.key", folder / "server.csr", folder / "server.pem"
    sh("openssl", "req", *EC, "-nodes", "-keyout", str(key), "-out", str(csr),
       "-subj", "/CN=rtr cache")  # fmt: skip
    ext = folder / "server.ext"
    ext.write_text(f"subjectAltName={alt_names}\n")
    sh("openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca[1]), "-CAkey", str(ca[0]),
       "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(ext))  # fmt: skip
    return cert, key


def ssh_key(folder: Path, name: str) -> Path:
    path = folder / name
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path))
    return path


def known_hosts_line(host: str, port: int, key: Path) -> str:
    kind, blob = Path(f"{key}.pub").read_text().split()[:2]
    return f"[{host}]:{port} {kind} {blob}\n"


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
        return True
    return False


@dataclass
class Protected:
    """One StayRTR serving TLS and SSH, and the files a client needs."""

    server: StayRtr
    tls_port: int
    ssh_port: int
    folder: Path
    ca: Path
    other_ca: Path
    known_hosts: Path
    client_key: Path
    stranger_key: Path
    host_key: Path

    @property
    def security(self) -> RtrSecurity:
        return RtrSecurity(self.ca, self.known_hosts, self.client_key)


@pytest.fixture
def protected(stayrtr: Start, cache_file: Path, tmp_path: Path) -> Protected:
    folder = tmp_path / "keys"
    folder.mkdir()
    ca = make_ca(folder, "test-ca")
    other_ca = make_ca(folder, "other-ca")
    cert, key = make_server_cert(folder, ca, "IP:127.0.0.1")
    host_key = ssh_key(folder, "host")
    client = ssh_key(folder, "client")
    stranger = ssh_key(folder, "stranger")
    authorized = folder / "authorized_keys"
    authorized.write_text(Path(f"{client}.pub").read_text())
    tls_port, ssh_port = free_port(), free_port()
    server = stayrtr(
        cache_file,
        "-tls.bind", f"127.0.0.1:{tls_port}", "-tls.cert", str(cert), "-tls.key", str(key),
        "-ssh.bind", f"127.0.0.1:{ssh_port}", "-ssh.key", str(host_key),
        "-ssh.method.key", "-ssh.auth.key.file", str(authorized),
    )  # fmt: skip
    for port in (tls_port, ssh_port):
        wait_until(f"StayRTR listening on {port}", lambda p=port: port_open(p), 30, 0.1)
    known = folder / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", ssh_port, host_key))
    return Protected(
        server, tls_port, ssh_port, folder, ca[1], other_ca[1], known, client, stranger, host_key
    )


def test_full_sync_over_tls_equals_the_cache_file(
    protected: Protected, cache_file: Path, tmp_path: Path
) -> None:
    url = f"rtrs://127.0.0.1:{protected.tls_port}"
    fetched = fetch_rtr(url, tmp_path / "vrps.json", timeout=30, security=protected.security)
    assert fetched.count == 19 and fetched.note.startswith("RTR version 2")
    assert set(read_vrps(fetched.path).items) == expected(cache_file)


def test_full_sync_over_ssh_equals_the_cache_file(
    protected: Protected, cache_file: Path, tmp_path: Path
) -> None:
    url = f"rtr+ssh://127.0.0.1:{protected.ssh_port}"
    fetched = fetch_rtr(url, tmp_path / "vrps.json", timeout=30, security=protected.security)
    assert fetched.count == 19
    assert set(read_vrps(fetched.path).items) == expected(cache_file)


def refused(url: str, security: RtrSecurity, dest: Path) -> str:
    dest.write_text("last good\n")
    with pytest.raises(FetchError) as err:
        fetch_rtr(url, dest, timeout=30, security=security)
    assert dest.read_text() == "last good\n"
    return err.value.message


def test_certificate_of_another_ca_is_refused(protected: Protected, tmp_path: Path) -> None:
    security = RtrSecurity(tls_ca_file=protected.other_ca)
    message = refused(f"rtrs://127.0.0.1:{protected.tls_port}", security, tmp_path / "v.json")
    assert "TLS certificate refused" in message and str(protected.other_ca) in message


def test_certificate_for_another_host_name_is_refused(protected: Protected, tmp_path: Path) -> None:
    # the certificate names 127.0.0.1 only; "localhost" reaches the same cache
    message = refused(f"rtrs://localhost:{protected.tls_port}", protected.security, tmp_path / "v")
    assert "TLS certificate refused" in message and "localhost" in message


def test_changed_ssh_host_key_is_refused(protected: Protected, tmp_path: Path) -> None:
    impostor = ssh_key(tmp_path, "impostor")
    known = tmp_path / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", protected.ssh_port, impostor))
    security = RtrSecurity(None, known, protected.client_key)
    message = refused(f"rtr+ssh://127.0.0.1:{protected.ssh_port}", security, tmp_path / "v")
    assert "does NOT match" in message and str(known) in message


def test_unknown_ssh_host_is_refused(protected: Protected, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", protected.ssh_port + 1, protected.host_key))
    security = RtrSecurity(None, known, protected.client_key)
    message = refused(f"rtr+ssh://127.0.0.1:{protected.ssh_port}", security, tmp_path / "v")
    assert f"no host key for [127.0.0.1]:{protected.ssh_port}" in message


def test_client_key_the_cache_does_not_know_is_refused(
    protected: Protected, tmp_path: Path
) -> None:
    security = RtrSecurity(None, protected.known_hosts, protected.stranger_key)
    message = refused(f"rtr+ssh://127.0.0.1:{protected.ssh_port}", security, tmp_path / "v")
    assert "login as 'rpki'" in message and "refused" in message


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def sync_config(folder: Path, url: str, rtr_table: str) -> Path:
    path = folder / "routesieve.toml"
    path.write_text(
        f'[local]\nasn = 214312\n\n[sources]\nrpki = ["{url}"]\n\n[sync.rtr]\n{rtr_table}\n',
        encoding="utf-8",
    )
    return path


def test_sync_over_ssh_and_tls_end_to_end(protected: Protected, tmp_path: Path) -> None:
    table = (
        f'tls_ca_file = "{protected.ca}"\nssh_known_hosts = "{protected.known_hosts}"\n'
        f'ssh_key = "{protected.client_key}"\n'
    )
    for url in (
        f"rtr+ssh://127.0.0.1:{protected.ssh_port}",
        f"rtrs://127.0.0.1:{protected.tls_port}",
    ):
        code, out, err = run("sync", "--config", str(sync_config(tmp_path, url, table)))
        assert code == 0, err
        assert "19 items" in err and "snapshot: " in out


def test_sync_with_a_wrong_host_key_says_so_without_a_traceback(
    protected: Protected, tmp_path: Path
) -> None:
    impostor = ssh_key(tmp_path, "impostor")
    known = tmp_path / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", protected.ssh_port, impostor))
    table = f'ssh_known_hosts = "{known}"\nssh_key = "{protected.client_key}"\n'
    url = f"rtr+ssh://127.0.0.1:{protected.ssh_port}"
    code, _, err = run("sync", "--config", str(sync_config(tmp_path, url, table)))
    assert code == 1
    assert "does NOT match" in err and "Traceback" not in err


def test_ssh_source_without_known_hosts_is_a_configuration_error(tmp_path: Path) -> None:
    path = sync_config(tmp_path, "rtr+ssh://rtr.example.net:2222", 'ssh_user = "rpki"')
    code, _, err = run("sync", "--config", str(path))
    assert code == 2
    assert "sync.rtr.ssh_known_hosts" in err and "sync.rtr.ssh_key" in err


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("rtr://rtr.example.net", ("rtr", "rtr.example.net", 323)),
        ("rtrs://rtr.example.net", ("rtrs", "rtr.example.net", 324)),
        ("rtr+ssh://[2001:db8::1]", ("rtr+ssh", "2001:db8::1", 22)),
        ("rtr+ssh://rtr.example.net:2222", ("rtr+ssh", "rtr.example.net", 2222)),
    ],
)
def test_rtr_url_forms_and_their_default_ports(url: str, endpoint: tuple[str, str, int]) -> None:
    assert parse_rtr_endpoint(url) == endpoint
