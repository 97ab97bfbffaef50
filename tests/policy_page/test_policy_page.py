"""The policy page says what the configuration says: the limits, the families, the
exchanges with their PeeringDB links, the checks switched on; its Markdown front matter is
YAML that Hugo takes; hostile names stay text in Markdown and HTML."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from routesieve.cli import main
from routesieve.config import Config, config_from_toml
from routesieve.policy_page import PageOptions, render_policy

EXAMPLE = Path(__file__).parents[2] / "src" / "routesieve" / "data" / "example" / "routesieve.toml"
DAY = date(2026, 11, 26)


def _config(**policy: Any) -> Config:
    raw = tomllib.loads(EXAMPLE.read_text())
    raw["policy"] = {**raw["policy"], **policy}
    return config_from_toml(raw, EXAMPLE)


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head), body


def test_changed_limits_appear_on_the_page() -> None:
    default = render_policy(_config(), "markdown", PageOptions(page_date=DAY))
    assert "longer than /48" in default and "longer than 50 hops" in default
    changed = render_policy(
        _config(ipv6_max_length=44, max_hops=30, as_set_max_depth=4), "markdown"
    )
    assert "longer than /44" in changed and "/48" not in changed
    assert "longer than 30 hops" in changed and "50 hops" not in changed
    assert "up to 4 levels deep" in changed
    html = render_policy(_config(ipv6_max_length=44), "html")
    assert "longer than /44" in html


def test_checks_switched_off_are_not_promised() -> None:
    on = render_policy(_config(), "markdown")
    assert "X-FIRST-AS" in on and "X-BOGON-ASN" in on
    off = render_policy(_config(checks={"afi": True, "first_as": False}), "markdown")
    assert "X-FIRST-AS" not in off and "X-BOGON-ASN" not in off


def test_x_aspa_is_on_the_page_only_when_it_is_on() -> None:
    on = render_policy(_config(), "markdown")  # the example switches it on
    assert "X-ASPA" in on and "valley-free" in on
    off = render_policy(_config(checks={"afi": True, "aspa": False}), "markdown")
    assert "X-ASPA" not in off and "ASPA" not in off


def test_families_come_from_local_families() -> None:
    v6 = render_policy(_config(), "markdown")
    assert "IPv6-only autonomous system" in v6 and "IPv4 prefixes" not in v6
    raw = tomllib.loads(EXAMPLE.read_text())
    raw["local"]["families"] = ["ipv4", "ipv6"]
    both = render_policy(config_from_toml(raw, EXAMPLE), "markdown")
    assert "IPv6-only" not in both and "IPv4 prefixes shorter than /8 or longer than /24" in both


def test_markdown_front_matter_is_yaml_for_hugo() -> None:
    text = render_policy(_config(), "markdown", PageOptions(page_date=DAY))
    meta, body = _front_matter(text)
    assert meta["title"] == "AS214312 Peering Policy"
    assert meta["date"] == DAY and meta["lastmod"] == DAY
    assert meta["draft"] is False
    assert "IPv6-only" in meta["description"]
    assert body.lstrip().startswith("# AS214312 Peering Policy")


def test_exchanges_link_to_peeringdb_and_the_spec_points_are_there() -> None:
    text = render_policy(_config(), "markdown", PageOptions(email="peering@as214312.de"))
    assert "[BGP.Exchange Düsseldorf](https://www.peeringdb.com/ix/3844)" in text
    assert "[LOCIX Düsseldorf](https://www.peeringdb.com/ix/2730)" in text
    assert "https://www.peeringdb.com/asn/214312" in text
    assert "mailto:peering@as214312.de" in text
    assert "No minimum traffic requirement" in text
    assert "**BGP community support:** No" in text
    assert "AS number" in text and "direct peering" in text and "monitor the BGP session" in text
    for rule in ("3.1", "3.5", "3.10", "4.1", "4.5"):
        assert f"**{rule} " in text


def test_hostile_names_stay_text() -> None:
    raw = tomllib.loads(EXAMPLE.read_text())
    evil = "<script>alert(1)</script> *x* [y](javascript:z) `c` &amp; |t|"
    raw["local"]["name"] = evil
    raw["exchanges"][0]["name"] = "<img src=x onerror=alert(1)>"
    raw["peers"][0]["sessions"][0]["exchange"] = "<img src=x onerror=alert(1)>"
    config = config_from_toml(raw, EXAMPLE)
    html = render_policy(config, "html")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = render_policy(config, "markdown")
    hostile = [line for line in md.splitlines() if "alert" in line]
    assert len(hostile) >= 3
    assert not any(re.search(r"(?<!\\)<", line) for line in hostile)
    assert "\\<script\\>" in md and "\\[y\\](javascript:z)" in md and "\\*x\\*" in md
    meta, _ = _front_matter(md)
    assert meta["title"] == "AS214312 Peering Policy"


def test_cli_writes_the_page_atomically(tmp_path: Path) -> None:
    out = tmp_path / "policy.md"
    result = CliRunner().invoke(
        main,
        ["policy", "--config", str(EXAMPLE), "--date", "2026-11-26", "--output", str(out)],
    )
    assert result.exit_code == 0, result.output
    meta, _ = _front_matter(out.read_text())
    assert meta["date"] == DAY
    assert [p.name for p in tmp_path.iterdir()] == ["policy.md"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not an address"], "--email"),
        (["--date", "26.11.2026"], "--date"),
    ],
)
def test_cli_refuses_bad_options(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["policy", "--config", str(EXAMPLE), *args])
    assert result.exit_code == 2
    assert message in result.output
