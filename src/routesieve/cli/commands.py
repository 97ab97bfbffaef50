"""The commands of ``routesieve``: which module of ``routesieve.cli`` registers each, and
the summary ``routesieve --help`` lists for it.

A command's module is imported only when that command runs, so that ``evaluate`` does
not pay for the web stack, the peering workflow or the RTR client, and the list of
commands (``--help``) for none of them: ``common.GuardedGroup`` reads this table.
"""

#: Each command: its module, and the first paragraph of its help, which ``--help``
#: lists (``tests/cli/test_startup_imports.py`` keeps each equal to the command's own).
COMMANDS: dict[str, tuple[str, str]] = {
    "collect": (
        "collecting",
        "Read the received routes from the routers of [[routers]] into a dated snapshot.",
    ),
    "peering": ("peering", "Answer peering requests by the peering policy (IPv6 only, open)."),
    "policy": (
        "policy_page",
        "The public peering policy: AS number, families, exchanges, request process and "
        "the route filter algorithm with the limits actually configured.",
    ),
    "report": (
        "reporting",
        "A static HTML report: every peer, every route, why, and what changed.",
    ),
    "diff": (
        "reporting",
        "What changed per peer between two stored runs (or verdict JSON-lines files), or "
        "between the verdicts of the same routes under two stored snapshots (--snapshots).",
    ),
    "render": (
        "routers",
        "Router configuration from the verdicts: guard, ROA table, accept lists, sessions.",
    ),
    "deploy": (
        "routers",
        "Render, compare with what is deployed, check with BIRD, then reload it.",
    ),
    "rollback": (
        "routers",
        "Put back the files the last deploy replaced, check them and reload BIRD.",
    ),
    "run": (
        "running",
        "Keep the verdicts current and the router deployed: RTR, sources, routers, metrics.",
    ),
    "serve": (
        "serving",
        "Evaluate once, then serve the verdicts read-only over HTTP (JSON API under /api/v1).",
    ),
    "sessions": (
        "sessions",
        "The state of every configured session: up or down since when, routes received, "
        "accepted and filtered, the last error, and flags (never established, missing).",
    ),
    "sync": (
        "syncing",
        "Fetch every source of [sources] (files, https://, rtr://, whois://, PeeringDB), "
        "keep the last good copy of each, and store a snapshot for the other commands.",
    ),
    "evaluate": (
        "verdicts",
        "A verdict for every received route: accept or reject, rule, reason, evidence.",
    ),
    "explain": (
        "verdicts",
        "Every rule, pass or fail, with its evidence, for each route of one prefix.",
    ),
    "demo": ("verdicts", "Evaluate the bundled AS214312 example (every rule code appears)."),
}
COMMAND_MODULES = {name: module for name, (module, _) in COMMANDS.items()}
"""Which module of ``routesieve.cli`` registers each command."""
