"""The sections of the configuration file as frozen pydantic models.

Field names are the TOML keys. Checks that compare several keys, or sections with each
other, live in :mod:`routesieve.config.crosscheck` so that they run even when some
other part of the file is wrong.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainValidator,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from routesieve.config.fields import (
    Address,
    Asn,
    AsnNumber,
    AsSetName,
    Family,
    Flag,
    Length4,
    Length6,
    Positive,
    PrefixValue,
    Section,
    SessionName,
    SourcePath,
    Text,
    defaults,
    one_or_many,
)
from routesieve.config.run_settings import RunSettings
from routesieve.config.serve_settings import ClusterSettings, ServeSettings
from routesieve.config.urls import (
    FILE_SCHEMES,
    RTR_SCHEMES,
    Location,
    SourceUrl,
    location_checker,
)
from routesieve.numbers import is_digits


class LocalSettings(Section):
    """``[local]``: the network whose import policy this is."""

    asn: Asn
    name: Text | None = None
    families: tuple[Family, ...] = Field(default=("ipv4", "ipv6"), min_length=1)

    @field_validator("families")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({f for f in value if value.count(f) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is listed more than once")
        return value


class CheckSettings(Section):
    """``[policy.checks]``: the X- checks that may be switched (X-MALFORMED may not)."""

    afi: Flag = True
    first_as: Flag = False
    bogon_asn: Flag = False
    aspa: Flag = False


class PolicySettings(Section):
    """``[policy]``: the limits of step 3 and the switches of the X- checks."""

    ipv4_min_length: Length4 = 8
    ipv4_max_length: Length4 = 24
    ipv6_min_length: Length6 = 16
    ipv6_max_length: Length6 = 48
    max_hops: Positive = 50
    unallocated_asn_first: AsnNumber = 1_000_000
    unallocated_asn_last: AsnNumber = 4_199_999_999
    irr_strict_origin: Flag = False
    as_set_max_depth: Positive = 10
    as_set_max_members: Positive = 100_000
    checks: CheckSettings = Field(default_factory=defaults(CheckSettings))


class ExchangeSettings(Section):
    """One ``[[exchanges]]`` entry: an exchange the local network is connected to."""

    name: Text
    peeringdb_ix: Positive | None = None
    prefixes: tuple[PrefixValue, ...] = ()
    local_addresses: tuple[Address, ...] = ()


class SessionSettings(Section):
    """One ``[[peers.sessions]]`` entry: a BGP session with the peer."""

    name: SessionName
    route_server: Flag = False
    exchange: Text | None = None
    neighbor: Address | None = None
    role: Literal["peer", "customer", "provider"] = "peer"


class PeerSettings(Section):
    """One ``[[peers]]`` entry: a neighbour AS and what it asked for."""

    asn: Asn
    name: Text | None = None
    as_sets: tuple[AsSetName, ...] = ()
    max_prefix: Positive | None = None
    sessions: tuple[SessionSettings, ...] = ()

    @field_validator("as_sets")
    @classmethod
    def _no_repeated_sets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        upper = [name.upper() for name in value]
        repeated = sorted({n for n in upper if upper.count(n) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is listed more than once")
        return value


class RouterSettings(Section):
    """One ``[[routers]]`` entry: where ``collect`` reads the received routes from."""

    name: SessionName
    kind: Literal["bird", "bmp", "mrt", "frr", "openbgpd"]
    socket: SourcePath | None = None
    listen: Text | None = None
    path: SourcePath | None = None
    vtysh: Text | None = None
    vty_socket: SourcePath | None = None

    @model_validator(mode="after")
    def _where(self) -> RouterSettings:
        needs, takes = _ROUTER_KEYS[self.kind]
        given = {k for k in _ALL_ROUTER_KEYS if getattr(self, k) is not None}
        if needs and needs not in given:
            raise ValueError(f"a {self.kind!r} router needs {needs!r}")
        if given - takes:
            extra = ", ".join(sorted(given - takes))
            allowed = " or ".join(repr(k) for k in sorted(takes)) or "none of these"
            raise ValueError(f"a {self.kind!r} router takes {allowed}, not {extra}")
        if self.listen is not None:
            host, sep, port = self.listen.rpartition(":")
            if not sep or not host or not is_digits(port, 5) or not 0 < int(port) < 65536:
                raise ValueError('listen must be host:port, e.g. "[::1]:11019"')
        if self.vtysh is not None:
            try:
                words = shlex.split(self.vtysh)
            except ValueError as exc:
                raise ValueError(f"vtysh cannot be split into words: {exc}") from None
            if not words:
                raise ValueError('vtysh must name a command, e.g. "vtysh"')
        return self


# per kind: the key it needs (None: none) and the keys it takes
_ROUTER_KEYS: dict[str, tuple[str | None, set[str]]] = {
    "bird": ("socket", {"socket"}),
    "bmp": ("listen", {"listen"}),
    "mrt": ("path", {"path"}),
    "frr": (None, {"vtysh", "vty_socket"}),
    "openbgpd": (None, {"socket"}),
}
_ALL_ROUTER_KEYS = ("socket", "listen", "path", "vtysh", "vty_socket")


class CollectSettings(Section):
    """``[collect]``: where collected routes are stored."""

    folder: SourcePath = Path("collected")
    keep: Positive = 30


_FILE = location_checker(FILE_SCHEMES)


FileLocation = Annotated[Location, PlainValidator(_FILE)]
FileLocations = Annotated[tuple[FileLocation, ...], BeforeValidator(one_or_many)]
RpkiLocations = Annotated[
    tuple[
        Annotated[Location, PlainValidator(location_checker((*FILE_SCHEMES, *RTR_SCHEMES)))], ...
    ],
    BeforeValidator(one_or_many),
]
IrrLocations = Annotated[
    tuple[Annotated[Location, PlainValidator(location_checker((*FILE_SCHEMES, "whois")))], ...],
    BeforeValidator(one_or_many),
]
ApiUrl = Annotated[Location, PlainValidator(location_checker(FILE_SCHEMES, path_allowed=False))]
RtrUrl = Annotated[
    Location,
    PlainValidator(location_checker(("rtr",), path_allowed=False, example="rtr://[::1]:8282")),
]


class SourceSettings(Section):
    """``[sources]``: outside data, each a local file or a URL (see ``config.urls``)."""

    rpki: RpkiLocations = ()
    irr: IrrLocations = ()
    rir: FileLocations = ()
    iana_asn: FileLocations = ()
    iana_special: FileLocations = ()
    bogons: FileLocation | None = None
    full_bogons: FileLocations = ()
    peeringdb_ixpfx: FileLocations = ()
    peeringdb_ixlan: FileLocations = ()
    peeringdb: ApiUrl | None = None

    def entries(self) -> tuple[tuple[str, Location], ...]:
        """Every configured source as ``(key, location)``, in key order."""
        out: list[tuple[str, Location]] = []
        for key in type(self).model_fields:
            value = getattr(self, key)
            for item in value if isinstance(value, tuple) else (value,):
                if item is not None:
                    out.append((key, item))
        return tuple(out)

    def all_paths(self) -> tuple[Path, ...]:
        """Every local file named in this section, in key order (URLs left out)."""
        return tuple(loc for _, loc in self.entries() if isinstance(loc, Path))

    def urls(self) -> tuple[tuple[str, SourceUrl], ...]:
        """Every source given as a URL, as ``(key, url)``."""
        return tuple((k, loc) for k, loc in self.entries() if isinstance(loc, SourceUrl))


class MaxAgeSettings(Section):
    """``[sync.max_age_hours]``: how old a synced copy may get, per kind of data."""

    rpki: Positive = 24
    irr: Positive = 48
    rir: Positive = 72
    iana: Positive = 2160
    bogons: Positive = 168
    peeringdb: Positive = 168


#: the limit group of [sync.max_age_hours] that applies to each [sources] key
AGE_GROUP = {
    "rpki": "rpki",
    "irr": "irr",
    "rir": "rir",
    "iana_asn": "iana",
    "iana_special": "iana",
    "bogons": "bogons",
    "full_bogons": "bogons",
    "peeringdb_ixpfx": "peeringdb",
    "peeringdb_ixlan": "peeringdb",
    "peeringdb": "peeringdb",
}


class RtrSettings(Section):
    """``[sync.rtr]``: what ``rtrs://`` (TLS) and ``rtr+ssh://`` (SSH) RTR sources need."""

    tls_ca_file: SourcePath | None = None
    ssh_known_hosts: SourcePath | None = None
    ssh_key: SourcePath | None = None
    ssh_user: Text = "rpki"


class SyncSettings(Section):
    """``[sync]``: where ``routesieve sync`` keeps fetched copies and snapshots."""

    folder: SourcePath = Path("state")
    keep: Positive = 10
    timeout_seconds: Positive = 60
    max_megabytes: Positive = 4096
    max_age_hours: MaxAgeSettings = Field(default_factory=defaults(MaxAgeSettings))
    rtr: RtrSettings = Field(default_factory=defaults(RtrSettings))


class PeeringSettings(Section):
    """``[peering]``: how ``peering request`` decides and ``peering accept`` replies."""

    direct: Flag = False
    max_prefix_margin: Annotated[StrictFloat, Field(ge=1.0, le=100.0)] = 1.2
    max_prefix_min: Positive = 10
    email: Text | None = None
    reply_template: SourcePath | None = None

    @field_validator("email")
    @classmethod
    def _plain_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
            raise ValueError(f"not an email address: {value!r}; write e.g. peering@example.net")
        return value


class RtrCacheSettings(Section):
    """One ``[[render.rtr_caches]]`` entry: an RTR cache the routers validate against."""

    url: RtrUrl
    preference: Annotated[StrictInt, Field(ge=1, le=255)] = 1


class RenderSettings(Section):
    """``[render]``: how ``routesieve render`` writes rule 3.10 into router configuration.

    ``rpki`` left out means ``"rtr"`` when a cache is known (``rtr_caches``, or an
    ``rtr://`` URL among ``[sources] rpki``), else ``"static"``."""

    rpki: Literal["rtr", "static"] | None = None
    rtr_caches: tuple[RtrCacheSettings, ...] = ()
    rtr_refresh_seconds: Annotated[StrictInt, Field(ge=1, le=86400)] = 300
    rtr_retry_seconds: Annotated[StrictInt, Field(ge=1, le=7200)] = 60
    rtr_expire_seconds: Annotated[StrictInt, Field(ge=600, le=172800)] = 7200

    @model_validator(mode="after")
    def _expire_last(self) -> RenderSettings:
        longest = max(self.rtr_refresh_seconds, self.rtr_retry_seconds)
        if self.rtr_expire_seconds <= longest:
            raise ValueError(
                f"rtr_expire_seconds ({self.rtr_expire_seconds}) must be longer than "
                f"rtr_refresh_seconds and rtr_retry_seconds ({longest}), RFC 8210 section 6"
            )
        return self


class ConfigFile(Section):
    """The whole file, as validated before the cross-section checks."""

    local: LocalSettings
    policy: PolicySettings = Field(default_factory=defaults(PolicySettings))
    exchanges: tuple[ExchangeSettings, ...] = ()
    peers: tuple[PeerSettings, ...] = ()
    sources: SourceSettings = Field(default_factory=defaults(SourceSettings))
    routers: tuple[RouterSettings, ...] = ()
    collect: CollectSettings = Field(default_factory=defaults(CollectSettings))
    peering: PeeringSettings = Field(default_factory=defaults(PeeringSettings))
    sync: SyncSettings = Field(default_factory=defaults(SyncSettings))
    render: RenderSettings = Field(default_factory=defaults(RenderSettings))
    run: RunSettings = Field(default_factory=defaults(RunSettings))
    serve: ServeSettings = Field(default_factory=defaults(ServeSettings))
    cluster: ClusterSettings = Field(default_factory=defaults(ClusterSettings))
