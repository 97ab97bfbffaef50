"""How an RTR session reaches its cache: plain TCP, TLS, or SSH (the ``rpki-rtr`` subsystem).

RFC 6810 §7 names SSH (the ``rpki-rtr`` subsystem) and TLS as the protected transports;
RFC 8210 keeps them; StayRTR and Routinator serve both. Each transport opens a *channel*
with the four calls :class:`routesieve.sources.rtr.stream.Connection` uses
(``settimeout``, ``sendall``, ``recv``, ``close``): a socket, a TLS socket, or a paramiko
SSH channel. Every failure is an :class:`RtrError` naming the server and saying what to
check, never a library's traceback:

* TLS: the certificate must chain to the CA file given (the system's CAs without one) and
  name the host (hostname verification is always on).
* SSH: the server's host key must be in the ``known_hosts`` file given, under the host
  name (``[host]:port`` for a port other than 22), as OpenSSH writes it; an unknown or
  changed key is refused before any authentication. The client logs in with its key.

paramiko is the SSH library: it is synchronous like the rest of the RTR client (a
channel is used exactly like a socket), long maintained, and packaged by Debian.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from routesieve.sources.rtr.errors import RtrError

if TYPE_CHECKING:  # paramiko is imported when an SSH transport is opened: it is slow to load
    import paramiko

SSH_SUBSYSTEM = "rpki-rtr"


class Channel(Protocol):
    """What a connection needs of its byte stream (a socket's calls)."""

    def settimeout(self, value: float | None) -> None: ...
    def sendall(self, data: bytes) -> None: ...
    def recv(self, size: int) -> bytes: ...
    def close(self) -> None: ...


class Transport(Protocol):
    def open(self, host: str, port: int, timeout: float, server: str) -> Channel: ...


def tcp_connect(host: str, port: int, timeout: float, server: str) -> socket.socket:
    """A TCP connection; RtrError with a plain reason when there is none."""
    try:
        return socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        raise RtrError(server, "connection refused (is the cache running?)") from None
    except TimeoutError:
        raise RtrError(server, f"timed out connecting after {timeout:g} s") from None
    except socket.gaierror as exc:
        raise RtrError(server, f"cannot resolve the host name: {exc.strerror}") from None
    except OSError as exc:
        raise RtrError(server, f"cannot connect: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class PlainTcp:
    """RTR over TCP (``rtr://``): no protection, as most caches are reached today."""

    def open(self, host: str, port: int, timeout: float, server: str) -> Channel:
        return tcp_connect(host, port, timeout, server)


@dataclass(frozen=True)
class Tls:
    """RTR over TLS (``rtrs://``). ``ca_file``: the CAs to trust (PEM), else the system's."""

    ca_file: Path | None = None

    def context(self, server: str) -> ssl.SSLContext:
        try:
            ctx = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise RtrError(server, f"cannot use the CA file {self.ca_file}: {exc}") from None
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        return ctx

    def open(self, host: str, port: int, timeout: float, server: str) -> Channel:
        ctx = self.context(server)
        sock = tcp_connect(host, port, timeout, server)
        try:
            return ctx.wrap_socket(sock, server_hostname=host)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            trusted = f"the CA file {self.ca_file}" if self.ca_file else "the system's CAs"
            raise RtrError(
                server,
                f"TLS certificate refused: {exc.verify_message} (checked against {trusted} "
                f"and the host name {host!r})",
            ) from None
        except (ssl.SSLError, OSError) as exc:
            sock.close()
            why = "timed out" if isinstance(exc, TimeoutError) else str(exc)
            raise RtrError(server, f"TLS handshake failed: {why} (is it a TLS port?)") from None


@dataclass(frozen=True)
class Ssh:
    """RTR over SSH (``rtr+ssh://``): the ``rpki-rtr`` subsystem, the host key checked
    against ``known_hosts``, logging in as ``user`` with the private key ``key_file``."""

    known_hosts: Path
    key_file: Path
    user: str = "rpki"

    def open(self, host: str, port: int, timeout: float, server: str) -> Channel:
        import paramiko

        name = host if port == 22 else f"[{host}]:{port}"
        known = self._known(name, server)
        key = self._client_key(server)
        sock = tcp_connect(host, port, timeout, server)
        transport = paramiko.Transport(sock)
        transport.banner_timeout = transport.handshake_timeout = timeout
        transport.auth_timeout = timeout
        try:
            # offer only the key types known for this host, as OpenSSH does, so the server
            # cannot pick a type the file does not list
            transport.get_security_options().key_types = list(known)
            transport.start_client(timeout=timeout)
            offered = transport.get_remote_server_key()
            if known.get(offered.get_name()) != offered:
                raise RtrError(
                    server,
                    f"SSH host key {offered.get_name()} {offered.fingerprint} does NOT match "
                    f"the key of {name} in {self.known_hosts}: refused (a changed key can "
                    "mean someone is in the middle; fix the file only if the change is known)",
                )
            transport.auth_publickey(self.user, key)
            channel = transport.open_session(timeout=timeout)
            channel.invoke_subsystem(SSH_SUBSYSTEM)
        except RtrError:
            transport.close()
            raise
        except paramiko.AuthenticationException as exc:
            transport.close()
            raise RtrError(
                server, f"SSH login as {self.user!r} with the key {self.key_file} refused: {exc}"
            ) from None
        except (paramiko.SSHException, OSError, EOFError) as exc:
            transport.close()
            raise RtrError(server, f"SSH failed: {exc or type(exc).__name__}") from None
        return _SshChannel(channel, transport)

    def _known(self, name: str, server: str) -> dict[str, paramiko.PKey]:
        import paramiko

        try:
            keys = paramiko.HostKeys(str(self.known_hosts))
        except (OSError, paramiko.SSHException) as exc:
            raise RtrError(server, f"cannot read the known_hosts file: {exc}") from None
        found = keys.lookup(name)
        if not found:
            raise RtrError(
                server,
                f"no host key for {name} in {self.known_hosts}: add the cache's key "
                f"(ssh-keyscan -p PORT HOST) after checking it, then sync again",
            )
        return {kind: found[kind] for kind in found}

    def _client_key(self, server: str) -> paramiko.PKey:
        import paramiko

        try:
            return paramiko.PKey.from_path(self.key_file)
        except (OSError, paramiko.SSHException, ValueError) as exc:
            raise RtrError(server, f"cannot use the SSH key {self.key_file}: {exc}") from None


class _SshChannel:
    """A paramiko channel that closes its transport with it."""

    def __init__(self, channel: paramiko.Channel, transport: paramiko.Transport) -> None:
        self._channel, self._transport = channel, transport

    def settimeout(self, value: float | None) -> None:
        self._channel.settimeout(value)

    def sendall(self, data: bytes) -> None:
        self._channel.sendall(data)

    def recv(self, size: int) -> bytes:
        data: bytes = self._channel.recv(size)
        return data

    def close(self) -> None:
        self._channel.close()
        self._transport.close()


PLAIN = PlainTcp()
