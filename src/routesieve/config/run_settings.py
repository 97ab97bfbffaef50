"""``[run]`` and ``[[run.notify]]``: how ``routesieve run`` schedules, deploys and tells."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import (
    Field,
    StrictFloat,
    StrictStr,
    field_validator,
    model_validator,
)

from routesieve.config.fields import Positive, Section, SourcePath, Text, defaults
from routesieve.numbers import is_digits

Share = Annotated[StrictFloat, Field(ge=0.0, le=1.0)]
Seconds = Annotated[StrictFloat | int, Field(gt=0)]
Argument = Annotated[StrictStr, Field(min_length=1, max_length=4096)]  # any text: argv


class NotifySettings(Section):
    """One ``[[run.notify]]``: a webhook that gets JSON, and/or a command given it on stdin."""

    url: Argument | None = None
    command: tuple[Argument, ...] = ()
    timeout_seconds: Positive = 10

    @field_validator("url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"not an http:// or https:// URL: {value!r}")
        return value


class IntervalSettings(Section):
    """``[run.intervals]``: how often ``run`` fetches each kind of ``[sources]``, in
    seconds (an ``rtr://`` RPKI source is a live session and is never refetched)."""

    rpki: Seconds = 600
    irr: Seconds = 3600
    rir: Seconds = 86400
    iana_asn: Seconds = 86400
    iana_special: Seconds = 86400
    bogons: Seconds = 86400
    full_bogons: Seconds = 14400
    peeringdb_ixpfx: Seconds = 86400
    peeringdb_ixlan: Seconds = 86400
    peeringdb: Seconds = 21600


class RunSettings(Section):
    """``[run]``: the always-on service."""

    listen_metrics: Text = "127.0.0.1:9324"
    listen_web: Text | None = None
    poll_seconds: Seconds = 30
    jitter: Share = 0.1
    full_check_seconds: Seconds = 3600
    deploy_min_interval: Seconds = 10
    rtr_retry_seconds: Seconds = 30
    bird_dir: SourcePath | None = None
    bird_config: SourcePath | None = None
    bird_socket: SourcePath | None = None
    openbgpd_dir: SourcePath | None = None
    openbgpd_config: SourcePath | None = None
    openbgpd_socket: SourcePath | None = None
    frr_config: SourcePath | None = None
    frr_vty_socket: SourcePath | None = None
    frr_reload: SourcePath = Path("/usr/lib/frr/frr-reload.py")
    max_shrink: Share = 0.25
    max_age_hours: Seconds = 48
    intervals: IntervalSettings = Field(default_factory=defaults(IntervalSettings))
    notify: tuple[NotifySettings, ...] = ()

    @model_validator(mode="after")
    def _bird_together(self) -> RunSettings:
        if self.bird_dir is not None and self.bird_config is None:
            raise ValueError("bird_dir needs bird_config (BIRD's main file, for bird -p)")
        if self.openbgpd_dir is not None and self.openbgpd_config is None:
            raise ValueError("openbgpd_dir needs openbgpd_config (bgpd's main file, for bgpd -n)")
        return self

    @field_validator("listen_metrics", "listen_web")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is None:
            return None
        host, sep, port = value.rpartition(":")
        if not sep or not host or not is_digits(port, 5) or not 0 < int(port) < 65536:
            raise ValueError(f"not host:port: {value!r}; write e.g. 127.0.0.1:9324")
        return value


def resolve(path: Path | None, base: Path) -> Path | None:
    """A path of ``[run]`` taken from the folder of the configuration file."""
    if path is None:
        return None
    return path if path.is_absolute() else base / path
