"""The MRT reader says what Debian's ``bgpdump -m`` says about the same real files.

Each pair is an MRT file of /work/shared/data/mrt and the ``bgpdump -m``/``-vm`` text
of it in /work/shared/data/bgpdump-text (see SOURCES.md there). Both are turned into
the same events and compared line by line, in order: timestamp (with microseconds),
announce or withdraw, peer address, peer AS, prefix, ADD-PATH path id and AS path,
the AS path written the same way for both (``str(AsPath)`` of the decoded path and of
``AsPath.parse`` of bgpdump's text).

The one normalisation: bgpdump prints an empty AS path field both for an empty AS_PATH
attribute and for a RIB entry without any AS_PATH attribute (the locally originated
routes of peer ``::``/AS0 in bview.ipv6_unicast_add_path, lines 49 and 51); the MRT
reader tells these apart (``as_path`` None), so None is compared as "".

Known difference not covered by these pairs (see test_bird_addpath_nlri_...): BIRD's
mrtdump writes ADD-PATH NLRI under the plain BGP4MP_MESSAGE_AS4 subtype; bgpdump then
prints bogus ``::/0``/``::/1`` prefixes, the MRT reader retries with path ids.
"""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path

import pytest

from routesieve.collect.bgpdump import iter_bgpdump_events
from routesieve.collect.mrt import iter_mrt_events
from routesieve.collect.replay import ReadStats, RouteEvent
from routesieve.problems import Problem

PAIRS = [
    ("bgp-rs_updates.20190101.0000.gz", "bgp-rs_updates.20190101.0000.bgpdump-m.txt.xz"),
    (
        "ripe-bgpdump_updates.20160811.1600.gz",
        "ripe-bgpdump_expect_updates.20160811.1600.bgpdump-vm.txt.gz",
    ),
    (
        "ripe-bgpdump_updates.20020722.2238.gz",
        "ripe-bgpdump_expect_updates.20020722.2238.bgpdump-vm.txt.gz",
    ),
    (
        "ripe-bgpdump_bview.ipv6_unicast_add_path.gz",
        "ripe-bgpdump_expect_bview.ipv6_unicast_add_path.bgpdump-vm.txt.gz",
    ),
]

# Counts of the bgpdump text (SOURCES.md): announcements, withdrawals, state changes.
COUNTS = {
    "bgp-rs_updates.20190101.0000.gz": (159_948, 2_626, 43),
    "ripe-bgpdump_updates.20160811.1600.gz": (39_256, 1_956, 22),
    "ripe-bgpdump_updates.20020722.2238.gz": (825, 2_419, 93),
    "ripe-bgpdump_bview.ipv6_unicast_add_path.gz": (62, 0, 0),
}

Line = tuple[int, int, str, str, int, str, int | None, str]


def line(event: RouteEvent) -> Line:
    path = "" if event.as_path is None else str(event.as_path)
    return (
        event.timestamp,
        event.microseconds,
        event.kind.value,
        event.peer_ip,
        event.peer_asn,
        event.prefix_text,
        event.path_id,
        path,
    )


@pytest.mark.slow
@pytest.mark.parametrize(("mrt_name", "text_name"), PAIRS, ids=[p[0] for p in PAIRS])
def test_mrt_reader_agrees_with_bgpdump(shared_data: Path, mrt_name: str, text_name: str) -> None:
    mrt_problems: list[Problem] = []
    text_problems: list[Problem] = []
    mrt_stats, text_stats = ReadStats(), ReadStats()
    ours = [
        line(e) for e in iter_mrt_events(shared_data / "mrt" / mrt_name, mrt_problems, mrt_stats)
    ]
    text = shared_data / "bgpdump-text" / text_name
    text_events = list(iter_bgpdump_events(text, text_problems, text_stats))
    theirs = [line(e) for e in text_events]

    assert mrt_problems == [] and text_problems == []
    assert all(e.problem is None for e in text_events)
    for number, (mine, bgpdump) in enumerate(zip_longest(ours, theirs), start=1):
        assert mine == bgpdump, f"event {number} differs"
    counts = (mrt_stats.announcements, mrt_stats.withdrawals, mrt_stats.state_changes)
    assert counts == (text_stats.announcements, text_stats.withdrawals, text_stats.state_changes)
    assert counts == COUNTS[mrt_name]


def test_table_dump_v1_bview_has_every_rib_entry(shared_data: Path) -> None:
    """bgpdump -m prints 115,521 TABLE_DUMP lines for this 2002 RIS bview (SOURCES.md).

    No reference text of it is shipped; checked once by hand against bgpdump 1.6.2:
    all 115,521 lines agree (prefix, peer, AS path, timestamp).
    """
    stats = ReadStats()
    problems: list[Problem] = []
    path = shared_data / "mrt" / "ripe-bgpdump_bview.20020722.2337.gz"
    first = next(iter_mrt_events(path))
    assert line(first) == (
        1027381055,
        0,
        "A",
        "193.203.0.1",
        1853,
        "3.0.0.0/8",
        None,
        "1853 1239 80",
    )
    assert sum(1 for _ in iter_mrt_events(path, problems, stats)) == 115_521
    assert problems == [] and stats.announcements == 115_521


def test_bird_addpath_nlri_in_plain_subtype_read_with_path_ids(shared_data: Path) -> None:
    """A known, deliberate difference from bgpdump.

    BIRD's mrtdump (mrtparse-lab-samples/bird6_bgp) writes updates of an ADD-PATH
    session as BGP4MP_MESSAGE_AS4, not MESSAGE_AS4_ADDPATH. bgpdump 1.6.2 reads the
    path ids as prefixes and prints 32 bogus lines (``::/0``, ``::/1``). The MRT reader
    fails on the plain reading (prefix length 253) and then reads the ids.
    """
    stats = ReadStats()
    path = shared_data / "mrt" / "mrtparse-lab-samples" / "bird6_bgp"
    events = list(iter_mrt_events(path, [], stats))
    assert events and all(e.path_id is not None for e in events)
    assert str(events[0].prefix) == "fd01:1::/64" and events[0].path_id == 1
    assert stats.remarks
