"""``[serve]`` (what the web server answers to, and its limits) and ``[cluster]`` (where
``evaluate`` runs partitioned)."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import PlainValidator

from routesieve.config.fields import Positive, Section


def _cluster_address(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(
        r"local:[1-9][0-9]{0,3}|(tcp|tls)://[^\s/:]+(:[0-9]{1,5})?", value
    ):
        raise ValueError(
            f"must be a Dask scheduler as tcp://host:port (or tls://) or local:N, not {value!r}"
        )
    return value


ClusterAddress = Annotated[str, PlainValidator(_cluster_address)]


def _host_name(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a host name or address as text, not {value!r}")
    name = value.strip().lower()
    try:
        ipaddress.ip_address(name.strip("[]"))
        return name.strip("[]")
    except ValueError:
        pass
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*\.?", name):
        raise ValueError(f"not a host name or address: {value!r}; write e.g. routes.example.net")
    return name.rstrip(".")


def _network(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be an address or network as text, not {value!r}")
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise ValueError(
            f"not an address or network: {value!r}; write e.g. 127.0.0.1 or 10.0.0.0/8"
        ) from None


HostName = Annotated[str, PlainValidator(_host_name)]
Network = Annotated[str, PlainValidator(_network)]


class ServeSettings(Section):
    """``[serve]``: what ``routesieve serve`` answers to, and its limits (docs/api.md)."""

    hosts: tuple[HostName, ...] = ()
    trusted_proxies: tuple[Network, ...] = ()
    header_timeout_seconds: Positive = 10
    body_timeout_seconds: Positive = 20
    max_connections: Positive = 1000
    max_connections_per_client: Positive = 50
    heavy_requests: Positive = 1
    heavy_queue: Positive = 16
    api_requests_per_minute: Positive = 120
    form_posts_per_hour: Positive = 5
    form_refusals_per_hour: Positive = 30


class ClusterSettings(Section):
    """``[cluster]``: where ``evaluate --format parquet`` runs partitioned (docs/scale.md)."""

    scheduler: ClusterAddress | None = None
