"""peering request and peering accept: peering requests checked against the policy.

``request`` looks the network up in PeeringDB and says what the policy gives it (the
sessions to set up, or why not); ``accept`` adds it to the configuration file, shows
what ``render --target bird2`` will add for it, and drafts the reply email.
"""

from __future__ import annotations

import difflib
import json
import os
import time
import tomllib
from pathlib import Path

import click

from routesieve.cli.common import fail, main
from routesieve.config import Config, ConfigError, config_from_toml, load_config
from routesieve.model import ParseError, parse_asn
from routesieve.outputs.filterspec import SessionSpec, router_policy
from routesieve.peering.check import check_request
from routesieve.peering.config_edit import EditError, add_peer, session_names
from routesieve.peering.message import request_asns, sender
from routesieve.peering.proposal import Proposal
from routesieve.peering.reply import TemplateError, reply_email
from routesieve.snapshot import Snapshot
from routesieve.sources.fetched import FetchError, write_atomically
from routesieve.sources.parse_cache import cache_dir
from routesieve.sources.peeringdb.client import DEFAULT_URL

PEERINGDB = click.option(
    "--peeringdb",
    "peeringdb_url",
    default=None,
    help="The PeeringDB API base URL (default: [sources] peeringdb, else "
    f"{DEFAULT_URL}). PEERINGDB_API_KEY is sent when set.",
)
REFRESH = click.option(
    "--refresh",
    is_flag=True,
    help="Ask PeeringDB again even when its cached answers are less than an hour old.",
)
MESSAGE = click.option(
    "--message",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The request email (a saved message or its text): the AS number is taken from it.",
)


@main.group("peering")
def peering_group() -> None:
    """Answer peering requests by the peering policy (IPv6 only, open)."""


def _load(path: Path) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        fail(2, str(exc))


def _asn(
    text: str | None, message: Path | None, local_asn: int
) -> tuple[int, str | None, list[str]]:
    """The AS to check, the requester's address and notes (a mismatch with the email)."""
    given: int | None = None
    if text is not None:
        try:
            given = parse_asn(text)
        except ParseError:
            fail(2, f"not an AS number: {text!r} (write 65001 or AS65001)")
    if message is None:
        if given is None:
            fail(2, "give the AS number, or the request email with --message")
        return given, None, []
    try:
        raw = message.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        fail(1, f"{message}: cannot be read: {err.strerror or err}")
    named = request_asns(raw, local_asn)
    notes: list[str] = []
    if given is None:
        if len(named) != 1:
            what = "no AS number" if not named else f"several ({', '.join(map(str, named))})"
            fail(2, f"{message}: the request names {what}; give the AS number to check")
        given = named[0]
    elif named and given not in named:
        shown = ", ".join(f"AS{a}" for a in named)
        notes.append(f"the request email names {shown}, not AS{given} as given here")
    return given, sender(raw), notes


def _decide(
    config: Config, asn: int, url: str | None, taken: frozenset[str], refresh: bool
) -> Proposal:
    folder = cache_dir()
    try:
        checked = check_request(
            config,
            asn,
            url=url,
            taken=taken,
            cache=folder / "peeringdb" if folder else None,
            refresh=refresh,
        )
    except FetchError as err:
        fail(1, f"PeeringDB: {err}")
    except ValueError as err:
        fail(2, f"PeeringDB URL: {err}")
    for warning in checked.warnings:
        click.echo(f"warning: {warning}", err=True)
    return checked.proposal


def _text(p: Proposal, notes: list[str]) -> str:
    rec = p.record
    lines = [f"AS{p.asn} {p.name}"]
    if rec is not None:
        policy = f"policy {rec.policy_general or 'not given'}"
        lines.append(
            f"  PeeringDB net {rec.net_id}, {policy}"
            + (f", {rec.policy_url}" if rec.policy_url else "")
        )
        count = "not given" if rec.info_prefixes6 is None else rec.info_prefixes6
        lines.append(f"  IPv6 prefixes (PeeringDB): {count}")
        lines.append(f"  as-set published: {' '.join(rec.as_sets) or 'none'}")
        for c in rec.contacts:
            lines.append(f"  contact {c.role}: {c.name} <{c.email or 'no usable address'}>")
    if not p.eligible:
        lines.append("refused:")
        lines += [f"  - {r}" for r in p.reasons]
    elif p.direct:
        lines.append(f"eligible: direct peering (max-prefix {p.max_prefix})")
    else:
        lines.append("eligible: sessions to set up")
        for s in p.sessions:
            lines.append(
                f"  {s.name}: {s.exchange} (ix {s.peeringdb_ix}) ours {s.local_address or '?'} "
                f"theirs {s.peer_address} max-prefix {s.max_prefix}"
            )
    extra = [*notes, *p.notes]
    if extra:
        lines.append("notes:")
        lines += [f"  - {n}" for n in extra]
    return "\n".join(lines)


@peering_group.command("request")
@click.argument("asn", required=False)
@click.option(
    "--config",
    "config_path",
    default=Path("routesieve.toml"),
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The routesieve TOML configuration.",
)
@MESSAGE
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@PEERINGDB
@REFRESH
def request_command(
    asn: str | None,
    config_path: Path,
    message: Path | None,
    fmt: str,
    peeringdb_url: str | None,
    refresh: bool,
) -> None:
    """What the policy gives AS ASN: the sessions to set up, or why not."""
    config = _load(config_path)
    number, _, notes = _asn(asn, message, config.local.asn)
    proposal = _decide(config, number, peeringdb_url, frozenset(), refresh)
    if fmt == "json":
        doc = proposal.to_json()
        doc["notes"] = [*notes, *proposal.notes]
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(_text(proposal, notes))


def _bird_preview(before: Config, after: Config) -> list[str]:
    """The lines ``render --target bird2`` adds or changes for the edit. No routes have
    come from the new peer yet, so none are evaluated: the same empty verdicts and
    snapshot on both sides leave only the configuration's difference."""
    from routesieve.outputs.bird import render_bird2

    snapshot = Snapshot(as_of=int(time.time()))

    def files(config: Config) -> dict[str, str]:
        sessions = {
            peer.asn: tuple(
                SessionSpec(
                    s.name,
                    None if s.neighbor is None else str(s.neighbor),
                    s.exchange,
                    s.route_server,
                )
                for s in peer.sessions
            )
            for peer in config.peers
        }
        limits = {peer.asn: peer.max_prefix for peer in config.peers}
        return render_bird2(router_policy([], config.to_policy(), snapshot, sessions, limits))

    old, new = files(before), files(after)
    lines: list[str] = []
    for name in sorted(new):
        lines += difflib.unified_diff(
            old.get(name, "").splitlines(), new[name].splitlines(), name, name, lineterm="", n=1
        )
    return lines


@peering_group.command("accept")
@click.argument("asn")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The routesieve TOML configuration to add the peer to.",
)
@MESSAGE
@PEERINGDB
@REFRESH
@click.option("--dry-run", is_flag=True, help="Show the change and the reply; write nothing.")
def accept_command(
    asn: str,
    config_path: Path,
    message: Path | None,
    peeringdb_url: str | None,
    refresh: bool,
    dry_run: bool,
) -> None:
    """Add AS ASN and its sessions to the configuration, and draft the reply email."""
    config = _load(config_path)
    number, requester, notes = _asn(asn, message, config.local.asn)
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    text = config_path.read_text(encoding="utf-8")
    proposal = _decide(config, number, peeringdb_url, session_names(text), refresh)
    if not proposal.eligible:
        fail(1, f"AS{number} is refused: " + "; ".join(proposal.reasons))
    source = f"PeeringDB net {proposal.record.net_id}" if proposal.record else "PeeringDB"
    try:
        edited = add_peer(text, proposal, source)
        after = config_from_toml(tomllib.loads(edited), config.path, shown=str(config_path))
    except EditError as err:
        fail(2, f"{config_path}: {err}; nothing written")
    except ConfigError as err:
        fail(2, f"the edited configuration would not load, nothing written:\n{err}")
    try:
        reply = reply_email(
            proposal,
            local_asn=config.local.asn,
            local_name=config.local.name,
            from_address=config.peering.email,
            template=config.peering.reply_template,
            requester=requester,
        )
    except TemplateError as err:
        fail(2, str(err))
    click.echo(
        f"# {config_path}: AS{number} {proposal.name}"
        + (" (dry run, not written)" if dry_run else "")
    )
    diff = difflib.unified_diff(
        text.splitlines(), edited.splitlines(), str(config_path), str(config_path), lineterm="", n=1
    )
    click.echo("\n".join(diff))
    if not dry_run:
        target = config_path.resolve()
        mode = target.stat().st_mode & 0o7777
        write_atomically(target, [edited.encode("utf-8")])
        os.chmod(target, mode)
    click.echo("\n# what 'routesieve render --target bird2' adds (filters without routes yet)")
    click.echo("\n".join(_bird_preview(config, after)))
    for note in proposal.notes:
        click.echo(f"# note: {note}")
    click.echo("\n# reply email (not sent)")
    click.echo(reply.as_string(), nl=False)
