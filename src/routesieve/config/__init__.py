"""The configuration file: TOML, checked at load, every problem reported at once.

``load_config(path)`` returns a frozen :class:`Config`; ``Config.to_policy()`` gives the
engine's :class:`~routesieve.policy.Policy`. A file that cannot be used raises
:class:`ConfigError`, whose ``problems`` each name the file, the key path
(``peers[2].sessions[0].route_server``) and what is wrong. Every key is described in
:data:`CONFIG_REFERENCE`.

Modules: ``fields`` (value types and their checks), ``sections`` (the tables, as pydantic
models), ``crosscheck`` (rules between keys), ``errors`` (wording), ``load`` (reading),
``reference`` (the key table), ``urls`` (source URLs), ``run_settings`` and
``serve_settings`` (the sections of the long-running commands).
"""

from routesieve.config.errors import ConfigError
from routesieve.config.load import Config, config_from_toml, load_config
from routesieve.config.reference import CONFIG_REFERENCE
from routesieve.config.sections import (
    CheckSettings,
    CollectSettings,
    ExchangeSettings,
    LocalSettings,
    PeeringSettings,
    PeerSettings,
    PolicySettings,
    RenderSettings,
    RouterSettings,
    RtrCacheSettings,
    SessionSettings,
    SourceSettings,
    SyncSettings,
)
from routesieve.config.serve_settings import ClusterSettings, ServeSettings
from routesieve.config.urls import Location, SourceUrl

__all__ = [
    "CONFIG_REFERENCE",
    "CheckSettings",
    "ClusterSettings",
    "CollectSettings",
    "Config",
    "ConfigError",
    "ExchangeSettings",
    "LocalSettings",
    "Location",
    "PeerSettings",
    "PeeringSettings",
    "PolicySettings",
    "RenderSettings",
    "RouterSettings",
    "RtrCacheSettings",
    "ServeSettings",
    "SessionSettings",
    "SourceSettings",
    "SourceUrl",
    "SyncSettings",
    "config_from_toml",
    "load_config",
]
