"""CONFIG_REFERENCE documents exactly the keys the configuration accepts, and its example loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from routesieve.config import (
    CONFIG_REFERENCE,
    CheckSettings,
    ClusterSettings,
    CollectSettings,
    ExchangeSettings,
    LocalSettings,
    PeeringSettings,
    PeerSettings,
    PolicySettings,
    RenderSettings,
    RouterSettings,
    RtrCacheSettings,
    ServeSettings,
    SessionSettings,
    SourceSettings,
    SyncSettings,
    load_config,
)
from routesieve.config.run_settings import IntervalSettings, NotifySettings, RunSettings
from routesieve.config.sections import MaxAgeSettings

TABLES: dict[str, type[BaseModel]] = {
    "[local]": LocalSettings,
    "[policy]": PolicySettings,
    "[policy.checks]": CheckSettings,
    "[[exchanges]]": ExchangeSettings,
    "[[peers]]": PeerSettings,
    "[[peers.sessions]]": SessionSettings,
    "[sources]": SourceSettings,
    "[[routers]]": RouterSettings,
    "[collect]": CollectSettings,
    "[peering]": PeeringSettings,
    "[sync]": SyncSettings,
    "[sync.max_age_hours]": MaxAgeSettings,
    "[render]": RenderSettings,
    "[[render.rtr_caches]]": RtrCacheSettings,
    "[run]": RunSettings,
    "[run.intervals]": IntervalSettings,
    "[[run.notify]]": NotifySettings,
    "[serve]": ServeSettings,
    "[cluster]": ClusterSettings,
}


def documented_keys() -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    current = ""
    for line in CONFIG_REFERENCE.splitlines():
        heading = re.match(r"#+ `([^`]+)`", line)
        if heading:
            current = heading.group(1)
            keys[current] = set()
        row = re.match(r"\| `([a-z0-9_]+)` \|", line)
        if row and current:
            keys[current].add(row.group(1))
    return keys


@pytest.mark.parametrize("table", list(TABLES))
def test_every_key_of_a_table_is_documented_and_nothing_else(table: str) -> None:
    accepted = set(TABLES[table].model_fields) - {"checks"}
    if table == "[run]":
        accepted -= {"notify", "intervals"}  # the [[run.notify]] and [run.intervals] tables

    assert documented_keys()[table] == accepted


def test_the_example_in_the_reference_loads(tmp_path: Path) -> None:
    example = CONFIG_REFERENCE.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "routesieve.toml"
    path.write_text(example, encoding="utf-8")

    policy = load_config(path).to_policy()

    assert policy.local_asn == 214312 and policy.families == frozenset({6})
    assert policy.peer(65001).as_sets == ("RIPE::AS-EXAMPLE",)
