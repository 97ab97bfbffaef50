"""``[cluster] scheduler``: a Dask scheduler address or local:N, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from routesieve.config import ConfigError, config_from_toml

LOCAL = {"asn": 214312}


@pytest.mark.parametrize("value", ["tcp://10.0.0.5:8786", "tls://scheduler.example", "local:2"])
def test_a_scheduler_address_or_local_workers_is_accepted(value: str) -> None:
    config = config_from_toml({"local": LOCAL, "cluster": {"scheduler": value}}, Path("r.toml"))

    assert config.cluster.scheduler == value


@pytest.mark.parametrize("value", ["http://10.0.0.5:8786", "local:0", "local", 8786])
def test_anything_else_is_refused_with_the_key(value: object) -> None:
    with pytest.raises(ConfigError, match=r"cluster\.scheduler: must be a Dask scheduler"):
        config_from_toml({"local": LOCAL, "cluster": {"scheduler": value}}, Path("r.toml"))


def test_without_the_section_there_is_no_cluster() -> None:
    assert config_from_toml({"local": LOCAL}, Path("r.toml")).cluster.scheduler is None
