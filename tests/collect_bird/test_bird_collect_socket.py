"""The control-socket client against a scripted fake BIRD on a unix socket: the reply
protocol, errors that name the socket, timeouts and over-long lines."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from routesieve.collect.bird_socket import BirdClient, BirdError

Script = Callable[[socket.socket, str], None]


@pytest.fixture
def fake_bird(tmp_path: Path) -> Iterator[Callable[[dict[str, bytes | Script]], Path]]:
    """A server that greets and answers each command from a table of replies."""
    servers: list[socket.socket] = []

    def start(replies: dict[str, bytes | Script]) -> Path:
        path = tmp_path / f"bird{len(servers)}.ctl"
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(str(path))
        srv.listen(4)
        servers.append(srv)

        def serve() -> None:
            while True:
                try:
                    conn, _ = srv.accept()
                except OSError:
                    return
                with conn:
                    conn.sendall(b"0001 BIRD 2.0.12 ready.\n")
                    reader = conn.makefile("rb")
                    for raw in reader:
                        cmd = raw.decode().strip()
                        answer = replies.get(cmd, b"9001 syntax error\n")
                        try:
                            if callable(answer):
                                answer(conn, cmd)
                            else:
                                conn.sendall(answer)
                        except OSError:
                            break

        threading.Thread(target=serve, daemon=True).start()
        return path

    yield start
    for srv in servers:
        srv.close()


ROUTES = (
    b"1007-Table master6:\n"
    b" 2001:db8::/32        unicast [p1 12:00:00.000] * (100) [i]\n"
    b"1008-\tType: BGP univ\n"
    b"+Asynchronous notice\n"
    b"1012-\tBGP.origin: IGP\n"
    b" \tBGP.as_path: 65001\n"
    b"0000 \n"
)


def test_reply_protocol(fake_bird: Callable[..., Path]) -> None:
    path = fake_bird({"show route all": ROUTES, "show status": b"1000-BIRD 2\n0013 Daemon is up\n"})
    with BirdClient(path) as client:
        assert client.version == "BIRD 2.0.12 ready."
        assert client.command("show route all") == [
            (1007, "Table master6:"),
            (1007, "2001:db8::/32        unicast [p1 12:00:00.000] * (100) [i]"),
            (1008, "\tType: BGP univ"),
            (1012, "\tBGP.origin: IGP"),
            (1012, "\tBGP.as_path: 65001"),
        ]
        assert client.command("show status") == [(1000, "BIRD 2"), (13, "Daemon is up")]
        assert "".join(client.texts("show route all")) == (
            "Table master6:\n"
            "2001:db8::/32        unicast [p1 12:00:00.000] * (100) [i]\n"
            "\tType: BGP univ\n\tBGP.origin: IGP\n\tBGP.as_path: 65001\n"
        )
        with pytest.raises(BirdError) as info:
            client.command("bogus")
        assert info.value.code == 9001 and str(path) in str(info.value)
        assert client.command("show status")[0] == (1000, "BIRD 2")  # still usable


def test_reply_in_many_small_pieces(fake_bird: Callable[..., Path]) -> None:
    def dribble(conn: socket.socket, _: str) -> None:
        for i in range(len(ROUTES)):
            conn.sendall(ROUTES[i : i + 1])

    path = fake_bird({"show route all": dribble})
    with BirdClient(path) as client:
        assert len(client.command("show route all")) == 5


def test_long_line_is_cut_not_held(fake_bird: Callable[..., Path]) -> None:
    long = b"1007-" + b"x" * 300_000 + b"\n"
    path = fake_bird({"big": long + b" after\n0000 \n"})
    with BirdClient(path, max_line=1000) as client:
        lines = client.command("big")
    assert [len(t) for _, t in lines] == [995, 5]
    assert client.cut_lines == [1]


def test_timeout_and_lost_connection(fake_bird: Callable[..., Path]) -> None:
    def silent(conn: socket.socket, _: str) -> None:
        conn.sendall(b"1007-partial\n")

    def hang_up(conn: socket.socket, _: str) -> None:
        conn.sendall(b"1007-partial\n")
        conn.shutdown(socket.SHUT_RDWR)

    path = fake_bird({"silent": silent, "hangup": hang_up})
    with BirdClient(path, timeout=0.3) as client:
        with pytest.raises(BirdError, match=r"no answer .* within 0.3 s") as info:
            client.command("silent")
        assert str(path) in str(info.value)
        with pytest.raises(BirdError, match="connection closed"):
            client.command("hangup")


def test_not_the_bird_protocol(fake_bird: Callable[..., Path]) -> None:
    path = fake_bird({"http": b"HTTP/1.1 400 Bad Request\n"})
    with BirdClient(path) as client, pytest.raises(BirdError, match="not BIRD's protocol"):
        client.command("http")


def test_missing_socket_and_bad_command(tmp_path: Path) -> None:
    missing = tmp_path / "none.ctl"
    with pytest.raises(BirdError, match=f"BIRD control socket {missing}: cannot connect"):
        BirdClient(missing).connect()
    with pytest.raises(BirdError, match="one line"):
        BirdClient(missing).command("show route\nconfigure")
