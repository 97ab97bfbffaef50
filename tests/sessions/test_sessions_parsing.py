"""Reading BIRD's ``show protocols all`` and its times, from a reply recorded from BIRD
2.0.12 (``timeformat protocol iso long``) and from lines in BIRD's default format."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from routesieve.sessions.bird_status import parse_bird_time, parse_protocols_all, server_time

DATA = Path(__file__).parent / "data"


def _wire(name: str) -> list[tuple[int, str]]:
    """A reply as the control socket sends it, as (code, text) like BirdClient.lines."""
    out: list[tuple[int, str]] = []
    code = 0
    for raw in (DATA / name).read_text().splitlines():
        if raw.startswith(" "):
            out.append((code, raw[1:]))
        elif raw[:4].isdigit():
            code = int(raw[:4])
            if raw[5:] or code >= 1000:
                out.append((code, raw[5:]))
    return out


def test_recorded_reply_gives_states_counts_and_errors() -> None:
    up, down = parse_protocols_all(_wire("show-protocols-all-iso-long.txt"))
    assert (up.name, up.state, up.bgp_state, up.established) == (
        "rs_as65010_ix1",
        "up",
        "Established",
        True,
    )
    assert up.since == "2026-11-26 10:52:37" and up.info == "Established"
    assert (up.neighbor_address, up.neighbor_as, up.local_as) == ("::1", 65010, 64999)
    (channel,) = up.channels
    assert (channel.name, channel.imported, channel.filtered, channel.exported) == (
        "ipv6",
        5,
        3,
        0,
    )
    assert (channel.updates_received, channel.updates_filtered) == (8, 3)
    assert channel.keeps_filtered is True
    assert (down.state, down.bgp_state, down.established) == ("start", "Active", False)
    assert down.last_error == "Socket: Connection refused"
    assert down.info == "Active        Socket: Connection refused"
    assert down.channels[0].imported is None


def test_server_time_is_read_from_show_status() -> None:
    assert server_time(_wire("show-status.txt")) == datetime(2026, 11, 26, 10, 52, 38, 862000)


def test_default_time_format_is_placed_on_bird_s_day() -> None:
    now = datetime(2026, 11, 26, 10, 0, 0)
    assert parse_bird_time("09:59:30.123", now) == datetime(2026, 11, 26, 9, 59, 30, 123000)
    # later than BIRD's clock: it was yesterday
    assert parse_bird_time("23:10:00.000", now) == datetime(2026, 11, 25, 23, 10)
    assert parse_bird_time("2026-11-20", now) == datetime(2026, 11, 20)
    assert parse_bird_time("09:59:30", None) is None
    assert parse_bird_time("yesterday", now) is None


def test_odd_lines_change_nothing() -> None:
    lines = [
        (2002, "Name       Proto      Table      State  Since         Info"),
        (1002, "kernel1    Kernel     master6    up     10:00:00.000"),
        (1006, "  Channel ipv6"),
        (1006, "    Routes:         9 imported, 0 exported, 9 preferred"),
        (1002, "p1         BGP        ---        down   10:00:00.000"),
        (1006, "  BGP state:          Down"),
        (1006, "  something without a colon"),
        (1006, "  Channel ipv6"),
        (1006, "    Routes:         garbage"),
        (1002, "x"),
    ]
    (p1,) = parse_protocols_all(lines)
    assert (p1.name, p1.state, p1.info, p1.bgp_state) == ("p1", "down", "", "Down")
    assert p1.channels[0].imported is None and not p1.established
