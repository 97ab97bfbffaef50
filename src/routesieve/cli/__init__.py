"""The command line, installed as ``routesieve``: parse arguments, call the layers, map
errors to exit codes (0 success, 1 an input file could not be used, 2 bad usage or
configuration, 3 an internal error, logged to a file). Each module registers its
commands on the one click group."""

from routesieve.cli import (
    collecting,
    peering,
    policy_page,
    reporting,
    routers,
    running,
    serving,
    sessions,
    syncing,
    verdicts,
)
from routesieve.cli.common import main

__all__ = [
    "collecting",
    "main",
    "peering",
    "policy_page",
    "reporting",
    "routers",
    "running",
    "serving",
    "sessions",
    "syncing",
    "verdicts",
]
