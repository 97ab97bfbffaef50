"""[render]: whether rule 3.10 is rendered as live RTR sessions or a static ROA table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routesieve.cli.reporting import rtr_validation
from routesieve.config import ConfigError, config_from_toml
from routesieve.outputs.filterspec import RtrCache


def _config(tmp_path: Path, **tables: Any) -> Any:
    raw = {"local": {"asn": 214312}, **tables}
    return config_from_toml(raw, tmp_path / "routesieve.toml")


def _problems(tmp_path: Path, **tables: Any) -> list[str]:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, **tables)
    return [p.split(": ", 1)[1] for p in err.value.problems]  # without the file name


def test_an_rtr_rpki_source_makes_the_routers_validate_live_from_it(tmp_path: Path) -> None:
    config = _config(
        tmp_path, sources={"rpki": ["vrps.json", "rtr://[::1]:8282", "rtr://cache.example:323"]}
    )

    rtr = rtr_validation(config)

    assert rtr is not None
    assert rtr.caches == (RtrCache("::1", 8282, 1), RtrCache("cache.example", 323, 2))
    assert (rtr.refresh, rtr.retry, rtr.expire) == (300, 60, 7200)


def test_file_sources_alone_render_the_static_roa_table(tmp_path: Path) -> None:
    assert rtr_validation(_config(tmp_path, sources={"rpki": "vrps.json"})) is None


def test_static_mode_ignores_an_rtr_source(tmp_path: Path) -> None:
    config = _config(tmp_path, sources={"rpki": "rtr://[::1]:8282"}, render={"rpki": "static"})

    assert rtr_validation(config) is None


def test_listed_caches_replace_the_source_urls_with_their_preference(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        sources={"rpki": "rtr://[::1]:8282"},
        render={
            "rtr_caches": [
                {"url": "rtr://192.0.2.10:3323", "preference": 2},
                {"url": "rtr://192.0.2.11:3323"},
            ],
            "rtr_refresh_seconds": 5,
            "rtr_retry_seconds": 5,
            "rtr_expire_seconds": 600,
        },
    )

    rtr = rtr_validation(config)

    assert rtr is not None
    assert rtr.caches == (RtrCache("192.0.2.10", 3323, 2), RtrCache("192.0.2.11", 3323, 1))
    assert (rtr.refresh, rtr.retry, rtr.expire) == (5, 5, 600)


def test_rtr_mode_without_any_cache_is_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, sources={"rpki": "vrps.json"}, render={"rpki": "rtr"})

    assert problems == [
        'render.rpki: "rtr" needs an RTR cache: list it in [[render.rtr_caches]] or give '
        'an rtr:// URL in [sources] rpki (or write rpki = "static")'
    ]


def test_an_expire_interval_not_longer_than_the_refresh_is_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, render={"rtr_refresh_seconds": 3600, "rtr_expire_seconds": 600})

    assert len(problems) == 1 and "must be longer than" in problems[0]


def test_a_cache_must_be_an_rtr_url(tmp_path: Path) -> None:
    problems = _problems(tmp_path, render={"rtr_caches": [{"url": "https://cache.example/"}]})

    assert len(problems) == 1 and "rtr://" in problems[0]
