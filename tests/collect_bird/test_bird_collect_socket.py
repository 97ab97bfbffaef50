"""The control-socket client against a scripted fake BIRD on a unix socket: the reply
protocol, errors that name the socket, timeouts and over-long lines."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routesieve.collect import bird_socket
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


# ---- the reply as text against the reply as lines ----

REPLY_LINES = st.one_of(
    st.builds(lambda t: f"1007-{t}", st.text(max_size=30)),
    st.builds(lambda t: f" {t}", st.text(max_size=30)),
    st.builds(lambda n: f"1012-\tBGP.community: {'(1,2) ' * n}", st.integers(0, 12)),
    st.just("+notice"),
    st.sampled_from(["", "HTTP/1.1 400", "12-x", "1007", "10x7-x"]),
)
REPLY_ENDS = st.sampled_from(["0000 ", "0000", "0013 Daemon is up", "8001 Table not found"])


def _client_on(data: bytes) -> BirdClient:
    """A client whose socket has ``data`` waiting, then end of stream."""
    ours, theirs = socket.socketpair()
    theirs.sendall(data)
    theirs.shutdown(socket.SHUT_WR)
    client = BirdClient("fake.ctl", timeout=5, max_line=40)
    client._sock = ours
    return client


def _read(client: BirdClient, as_text: bool) -> tuple[str, object]:
    """What the client makes of its reply: the text and the cut lines, or the error."""
    try:
        if as_text:
            text = "".join(client.texts("show route all"))
        else:
            text = "".join(t + "\n" for _, t in client.lines("show route all"))
    except BirdError as exc:
        return "error", (str(exc), exc.code)
    return text, (client.cut_lines, client._buf)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(REPLY_LINES, max_size=25), end=REPLY_ENDS, chunk=st.integers(1, 64))
def test_reply_as_text_is_the_reply_as_lines(lines: list[str], end: str, chunk: int) -> None:
    """``texts`` (codes taken off a piece at a time) gives the text of ``lines`` (one line
    at a time), with the same cut lines, what is left for the next reply, and errors;
    for any reply read in chunks of any size."""
    data = "".join(line + "\n" for line in [*lines, end, "0000 next reply"]).encode()
    size = bird_socket._CHUNK
    bird_socket._CHUNK = chunk
    try:
        by_text = _read(_client_on(data), as_text=True)
        by_lines = _read(_client_on(data), as_text=False)
    finally:
        bird_socket._CHUNK = size
    assert by_text == by_lines
