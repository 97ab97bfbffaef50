"""Reading the configuration file: TOML, then field checks, then cross checks, at once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from routesieve.config.crosscheck import cross_check
from routesieve.config.errors import ConfigError, Loc, from_pydantic, problem
from routesieve.config.fields import FAMILY_VERSION
from routesieve.config.run_settings import RunSettings
from routesieve.config.sections import (
    ConfigFile,
    ExchangeSettings,
    LocalSettings,
    PeeringSettings,
    PeerSettings,
    PolicySettings,
    RenderSettings,
    RouterSettings,
    RtrCacheSettings,
    SourceSettings,
    SyncSettings,
)
from routesieve.config.serve_settings import ClusterSettings, ServeSettings
from routesieve.config.urls import SourceUrl
from routesieve.model import ExchangePrefix
from routesieve.policy import PeerPolicy, Policy

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_SECTIONS = list(ConfigFile.model_fields)


@dataclass(frozen=True)
class Config:
    """A configuration that passed every check. ``path`` is the file, made absolute.

    ``policy_settings`` is the ``[policy]`` table as written; :meth:`to_policy` turns the
    whole file into the values the engine uses.
    """

    path: Path
    local: LocalSettings
    policy_settings: PolicySettings
    exchanges: tuple[ExchangeSettings, ...]
    peers: tuple[PeerSettings, ...]
    sources: SourceSettings
    routers: tuple[RouterSettings, ...] = ()
    collect_folder: Path | None = None
    collect_keep: int = 30
    peering: PeeringSettings = field(default_factory=PeeringSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    render: RenderSettings = field(default_factory=RenderSettings)
    run: RunSettings = field(default_factory=RunSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)

    def to_policy(self) -> Policy:
        settings = self.policy_settings
        return Policy(
            local_asn=self.local.asn,
            families=frozenset(FAMILY_VERSION[f] for f in self.local.families),
            ipv4_min_length=settings.ipv4_min_length,
            ipv4_max_length=settings.ipv4_max_length,
            ipv6_min_length=settings.ipv6_min_length,
            ipv6_max_length=settings.ipv6_max_length,
            max_hops=settings.max_hops,
            unallocated_asn_first=settings.unallocated_asn_first,
            unallocated_asn_last=settings.unallocated_asn_last,
            check_afi=settings.checks.afi,
            check_first_as=settings.checks.first_as,
            check_bogon_asn=settings.checks.bogon_asn,
            check_aspa=settings.checks.aspa,
            irr_strict_origin=settings.irr_strict_origin,
            as_set_max_depth=settings.as_set_max_depth,
            as_set_max_members=settings.as_set_max_members,
            peers={
                peer.asn: PeerPolicy(peer.asn, peer.name or "", peer.as_sets) for peer in self.peers
            },
            route_server_sessions=frozenset(
                session.name
                for peer in self.peers
                for session in peer.sessions
                if session.route_server
            ),
            customer_sessions=frozenset(
                session.name
                for peer in self.peers
                for session in peer.sessions
                if session.role == "customer"
            ),
            exchange_prefixes=tuple(
                ExchangePrefix(prefix, exchange.name, exchange.peeringdb_ix)
                for exchange in self.exchanges
                for prefix in exchange.prefixes
            ),
        )

    @property
    def collect_dir(self) -> Path:
        """Where ``collect`` stores dated route snapshots (relative to this file)."""
        folder = self.collect_folder or Path("collected")
        return folder if folder.is_absolute() else self.path.parent / folder

    @property
    def state_dir(self) -> Path:
        """Where ``sync`` keeps fetched copies and snapshots (relative to this file)."""
        folder = self.sync.folder
        return folder if folder.is_absolute() else self.path.parent / folder

    def peeringdb_ix_ids(self) -> frozenset[int]:
        """The PeeringDB ix ids of the configured exchanges (their LANs feed rule 3.5)."""
        return frozenset(e.peeringdb_ix for e in self.exchanges if e.peeringdb_ix is not None)

    def rtr_caches(self) -> tuple[RtrCacheSettings, ...]:
        """The RTR caches routers validate against when ``[render] rpki`` is ``"rtr"``:
        ``[[render.rtr_caches]]``, or else every ``rtr://`` URL of ``[sources] rpki`` in
        order, preferred in that order (1, 2, ...). Empty in ``"static"`` mode."""
        if self.render.rpki == "static":
            return ()
        if self.render.rtr_caches:
            return self.render.rtr_caches
        urls = [u for u in self.sources.rpki if isinstance(u, SourceUrl) and u.scheme == "rtr"]
        return tuple(
            RtrCacheSettings.model_construct(url=u, preference=i)  # already checked
            for i, u in enumerate(urls, start=1)
        )

    def peer(self, asn: int) -> PeerSettings | None:
        return next((p for p in self.peers if p.asn == asn), None)


def load_config(path: str | Path) -> Config:
    """Read and check the TOML file at ``path``; raise :class:`ConfigError` listing
    every problem found. Data files named under ``[sources]`` are not opened here."""
    file = Path(path)
    shown = str(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError([f"{shown}: the configuration file does not exist"]) from None
    except OSError as err:
        raise ConfigError([f"{shown}: cannot be read: {err.strerror or err}"]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ConfigError(
            [f"{shown}: line {line}: not UTF-8 text (TOML files are UTF-8)"]
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError([_syntax_problem(shown, str(err))]) from None
    except RecursionError:
        raise ConfigError([f"{shown}: arrays or tables nested too deeply to read"]) from None
    except ValueError as err:  # Python's limit on the digits of an integer
        raise ConfigError([f"{shown}: a number that cannot be read: {err}"]) from None
    if _depth(raw) > MAX_DEPTH:
        raise ConfigError(
            [
                f"{shown}: arrays or tables nested more than {MAX_DEPTH} deep "
                "(no key of a configuration needs that)"
            ]
        )
    return config_from_toml(raw, file.absolute(), shown=shown)


#: No key of the configuration nests deeper than this (tables, arrays, inline tables).
MAX_DEPTH = 16


def _depth(value: Any) -> int:
    """How deep arrays and tables nest in ``value`` (counted up to MAX_DEPTH + 1),
    found without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in children)
    return deepest


def config_from_toml(raw: dict[str, Any], path: Path, *, shown: str | None = None) -> Config:
    """Check already-parsed TOML data as if read from ``path`` (relative paths in it are
    taken from ``path``'s folder); ``shown`` is the file name used in messages."""
    shown = shown if shown is not None else str(path)
    found: list[tuple[Loc, str]] = []
    parsed: ConfigFile | None = None
    try:
        parsed = ConfigFile.model_validate(raw, context={"base": path.absolute().parent})
    except ValidationError as err:
        found += from_pydantic(err.errors(), raw, ConfigFile)
    found += cross_check(raw)
    if found or parsed is None:
        found.sort(key=_order)
        raise ConfigError(problem(shown, loc, message) for loc, message in found)
    return Config(
        path=path,
        local=parsed.local,
        policy_settings=parsed.policy,
        exchanges=parsed.exchanges,
        peers=parsed.peers,
        sources=parsed.sources,
        routers=parsed.routers,
        collect_folder=parsed.collect.folder,
        collect_keep=parsed.collect.keep,
        peering=parsed.peering,
        sync=parsed.sync,
        render=parsed.render,
        run=parsed.run,
        serve=parsed.serve,
        cluster=parsed.cluster,
    )


def _order(item: tuple[Loc, str]) -> tuple[int, int]:
    """Problems by section in file order, then by array entry; otherwise as found."""
    loc = item[0]
    head = loc[0] if loc else ""
    section = _SECTIONS.index(head) if head in _SECTIONS else len(_SECTIONS)
    entry = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
    return section, entry


def _syntax_problem(shown: str, message: str) -> str:
    at = _AT.search(message)
    if at:
        line, column = at.groups()
        what = message[: at.start()]
        return f"{shown}: line {line}, column {column}: TOML syntax error: {what}"
    return f"{shown}: TOML syntax error: {message}"
