"""RPSL dumps: splitting objects, and route/as-set/aut-num/inetnum/organisation reading."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from routesieve.model import AsSet, OrgHandle, Prefix, RouteObject
from routesieve.problems import InputError
from routesieve.sources.rpsl import iter_objects, read_rpsl


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "db.txt"
    f.write_text(text)
    return f


@pytest.mark.slow
def test_ripe_as_set_dump_has_25174_as_sets(shared_data: Path) -> None:
    data = read_rpsl(shared_data / "irr" / "ripe.db.as-set.gz")
    assert len(data.as_sets) == 25174
    assert data.problems == ()
    assert data.provenance.kind == "irr"
    assert data.provenance.count == 25174
    first = data.as_sets[0]
    assert first == AsSet(
        "AS-RESTENA", ("AS2602", "AS42909", "AS51966", "AS-LXP", "AS-VDL"), "RIPE"
    )
    by_name = {s.name: s for s in data.as_sets}
    tmp = by_name["AS-TMPEBONECWIX"].members
    assert tmp[:3] == ("AS3727", "AS4445", "AS4610") and len(tmp) == 24
    assert "2023-11-28" in data.provenance.note


@pytest.mark.slow
def test_ripe_nonauth_route_dump_has_52082_route_objects(shared_data: Path) -> None:
    data = read_rpsl(shared_data / "irr" / "ripe-nonauth.db.route.gz")
    assert len(data.route_objects) == 52082
    assert data.problems == ()
    assert data.route_objects[0] == RouteObject(
        Prefix.parse("63.105.192.0/20"), 4663, "RIPE-NONAUTH"
    )


def test_ripe_nonauth_route6_dump_has_1356_route6_objects(shared_data: Path) -> None:
    data = read_rpsl(shared_data / "irr" / "ripe-nonauth.db.route6.gz")
    assert len(data.route_objects) == 1356
    assert all(r.prefix.version == 6 for r in data.route_objects)


def test_aut_num_dump_gives_org_handles_of_its_2109_aut_nums(shared_data: Path) -> None:
    path = shared_data / "irr" / "ripe-nonauth.db.aut-num.gz"
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        objects = list(iter_objects(fh))
    assert sum(1 for o in objects if o.attributes and o.cls == "aut-num") == 2109
    data = read_rpsl(path)
    assert data.problems == ()
    assert data.org_handles and all(
        h.asn is not None and h.prefixes == () for h in data.org_handles
    )
    assert (
        OrgHandle("ORG-NSS1-RIPE", "RIPE-NONAUTH", asn=data.org_handles[0].asn) in data.org_handles
    )


def test_other_classes_are_skipped_without_problems(shared_data: Path) -> None:
    data = read_rpsl(shared_data / "irr" / "ripe.db.filter-set.gz")
    assert data.problems == () and data.provenance.count == 0


def test_continuations_comments_and_case_are_handled(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        "% comment\n"
        "AS-SET:  as-foo  # the set\n"
        "Members: AS1, as2 # first\n"
        "         AS3,AS-BAR:AS-BAZ\n"
        "+        AS4\n"
        "\tAS5 # tab continuation\n"
        "members: AS6\n"
        "mbrs-by-ref: ANY\n"
        "source:  ripe # lower\n"
        "\n"
        "route6:  2001:db8::/32\n"
        "origin:  as65001\n"
        "source:  TEST\n",
    )
    data = read_rpsl(f)
    assert data.as_sets == (
        AsSet("AS-FOO", ("AS1", "AS2", "AS3", "AS-BAR:AS-BAZ", "AS4", "AS5", "AS6"), "RIPE"),
    )
    assert data.route_objects == (RouteObject(Prefix.parse("2001:db8::/32"), 65001, "TEST"),)


def test_inetnum_ranges_become_prefixes_and_organisations_are_named(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        "inetnum: 192.0.2.0 - 192.0.3.127\norg: org-ex1-test\nsource: TEST\n\n"
        "inet6num: 2001:db8::/32\norg: ORG-EX1-TEST\nsource: TEST\n\n"
        "inetnum: 198.51.100.0 - 198.51.100.255\nsource: TEST\n\n"
        "organisation: ORG-EX1-TEST\norg-name: Example Networks\nsource: TEST\n",
    )
    data = read_rpsl(f)
    v4, v6 = data.org_handles
    assert v4 == OrgHandle(
        "ORG-EX1-TEST", "TEST", (Prefix.parse("192.0.2.0/24"), Prefix.parse("192.0.3.0/25"))
    )
    assert v6.prefixes == (Prefix.parse("2001:db8::/32"),)
    assert data.organisations == {"ORG-EX1-TEST": "Example Networks"}


def test_malformed_objects_are_problems_with_their_line(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        "route: 192.0.2.0/24\norigin: AS65001\n\n"  # 1-2 fine
        "route: 192.0.2.300/24\norigin: AS65002\n\n"  # 4 bad prefix
        "route: 2001:db8::/32\norigin: AS65003\n\n"  # 7 wrong family
        "route: 198.51.100.0/24\ndescr: no origin\n\n"  # 10 no origin
        "route6: 2001:db8::/48\norigin: 65004\n\n"  # 13: origin without AS
        "inetnum: 10.0.0.9 - 10.0.0.1\norg: ORG-X\n\n"  # 16 reversed range
        "aut-num: ASfoo\norg: ORG-X\n\n"  # 19 bad asn
        "as-set: AS-OK\nthis line is junk\nmembers: AS1\n",  # 22, junk on 23
    )
    data = read_rpsl(f)
    assert len(data.route_objects) == 1
    assert [p.line for p in data.problems] == [4, 7, 10, 14, 16, 19, 23]
    assert "192.0.2.300/24" in data.problems[0].message
    assert data.as_sets == (AsSet("AS-OK", ("AS1",)),)


def test_hostile_strings_stay_data(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        "as-set: AS-EVIL\nmembers: AS1;rm, $(reboot) <script>\n\n"
        "route: \x1b[31m192.0.2.0/24\norigin: AS1\n",
    )
    data = read_rpsl(f)
    assert data.as_sets[0].members == ("AS1;RM", "$(REBOOT)", "<SCRIPT>")
    (problem,) = data.problems
    assert "\x1b" not in str(problem) and "\\x1b" in str(problem)


def test_text_with_no_rpsl_at_all_is_refused(tmp_path: Path) -> None:
    f = write(tmp_path, "<html>\n<body>Not found</body>\n</html>\n")
    with pytest.raises(InputError, match="not a RPSL file"):
        read_rpsl(f)


def test_truncated_gzip_dump_is_refused_naming_the_file(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / "irr" / "ripe-nonauth.db.route6.gz").read_bytes()
    f = tmp_path / "cut.gz"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        read_rpsl(f)
    assert err.value.problems[0].file == str(f)
