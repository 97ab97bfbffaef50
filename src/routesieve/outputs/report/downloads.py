"""A peer's accept list in each router syntax, for the report's download links. Pure.

The lists come from ``filterspec.router_policy`` (the same ``PeerFilter`` that ``render``
uses) and are written with the renderers' own helpers: set and prefix-list names are the
ones ``render`` gives, so a downloaded file matches the full configuration. Only the
accept lists are written (no guard, no ROA table): the download is for a peer to check
what is accepted, or for an operator to paste one list.
"""

from __future__ import annotations

from collections.abc import Sequence

from routesieve.model import Prefix
from routesieve.outputs.bird import _prefix_sets, bird_comment
from routesieve.outputs.filterspec import PeerFilter
from routesieve.outputs.frr import _plist_lines, safe_text

FORMATS: dict[str, tuple[str, str]] = {
    "txt": ("plain text", "txt"),
    "bird2": ("BIRD 2", "conf"),
    "frr": ("FRR", "conf"),
    "openbgpd": ("OpenBGPD", "conf"),
}


def _lists(peer: PeerFilter) -> list[tuple[str, str, Sequence[Prefix]]]:
    """(what, name stem, prefixes): the accept list, then each route-server member's."""
    out: list[tuple[str, str, Sequence[Prefix]]] = [
        ("accept list", f"peer_as{peer.asn}_accept", peer.accept)
    ]
    out += [
        (f"route-server member AS{m}", f"peer_as{peer.asn}_member_as{m}", ps)
        for m, ps in peer.members
    ]
    return out


def _bird2(peer: PeerFilter, families: frozenset[int]) -> str:
    lines = [f"# AS{peer.asn} {bird_comment(peer.name)}: accepted prefixes (exact match)"]
    stems = [("accept list", f"ROUTESIEVE_AS{peer.asn}", peer.accept)]
    stems += [
        (f"route-server member AS{m}", f"ROUTESIEVE_AS{peer.asn}_M{m}", ps)
        for m, ps in peer.members
    ]
    for what, stem, prefixes in stems:
        lines.append(f"# {what}")
        sets = _prefix_sets(stem, prefixes, families)
        if not sets:
            lines.append("#   (empty: nothing accepted)")
        for s in sets:
            lines.append(f"define {s.name} = [")
            lines.extend(
                f"  {p}{',' if i < len(s.prefixes) - 1 else ''}" for i, p in enumerate(s.prefixes)
            )
            lines.append("];")
    return "\n".join(lines) + "\n"


def _frr(peer: PeerFilter, families: frozenset[int]) -> str:
    lines = [f"! AS{peer.asn} {safe_text(peer.name)}: accepted prefixes (exact match)"]
    for what, stem, prefixes in _lists(peer):
        lines.append(f"! {what}")
        for version in sorted(families):
            chosen = [p for p in prefixes if p.version == version]
            lines.extend(_plist_lines(f"{stem}_v{version}", chosen, False))
    return "\n".join(lines) + "\n"


def _openbgpd(peer: PeerFilter) -> str:
    lines = [f"# AS{peer.asn} {safe_text(peer.name)}: accepted prefixes (exact match)"]
    for what, name, prefixes in _lists(peer):
        lines.append(f"# {what}")
        if not prefixes:
            lines.append("#   (empty: nothing accepted)")
            continue
        lines.append(f"prefix-set {name} {{")
        lines.extend(f"\t{p}" for p in prefixes)
        lines.append("}")
    return "\n".join(lines) + "\n"


def _text(peer: PeerFilter) -> str:
    lines = [str(p) for p in peer.accept]
    for m, ps in peer.members:
        lines.append(f"# route-server member AS{m}")
        lines.extend(str(p) for p in ps)
    return "\n".join(lines) + ("\n" if lines else "")


def accept_list_files(peer: PeerFilter, families: frozenset[int]) -> dict[str, str]:
    """Format key (``FORMATS``) -> file content of the peer's accept list."""
    return {
        "txt": _text(peer),
        "bird2": _bird2(peer, families),
        "frr": _frr(peer, families),
        "openbgpd": _openbgpd(peer),
    }
