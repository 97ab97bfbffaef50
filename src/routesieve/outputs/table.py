"""The terminal report: per peer, a summary and every route, as HE's per-peer page shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import IO

from routesieve.engine.explain import Explanation
from routesieve.model import Action, Verdict
from routesieve.policy import Policy
from routesieve.snapshot import Provenance

COLUMNS = ("PREFIX", "AS PATH", "VERDICT", "RULE", "RPKI", "REASON")
MAX_PATH = 40


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def write_table(
    verdicts: Iterable[Verdict],
    policy: Policy,
    provenance: Sequence[Provenance],
    out: IO[str],
    when: str,
) -> int:
    by_peer: dict[int, list[Verdict]] = {}
    for v in verdicts:
        by_peer.setdefault(v.peer_asn, []).append(v)
    total = sum(len(vs) for vs in by_peer.values())
    out.write(
        f"routesieve for AS{policy.local_asn}: {total} routes from {len(by_peer)} peers, {when}\n"
    )
    for p in provenance:
        date = f", dated {p.generated}" if p.generated else ""
        out.write(f"  data: {p.kind} {p.location}: {p.count} items{date}\n")
    for peer in sorted(by_peer):
        vs = by_peer[peer]
        conf = policy.peers.get(peer)
        name = f" ({conf.name})" if conf and conf.name else ""
        accepted = sum(1 for v in vs if v.action is Action.ACCEPT)
        sessions = sorted({s for v in vs for s in v.sessions})
        out.write(f"\nPeer AS{peer}{name}\n")
        if sessions:
            out.write(f"  sessions: {', '.join(sessions)}\n")
        sets = conf.as_sets if conf else ()
        out.write(f"  as-set: {', '.join(sets) if sets else 'none used (rule 1.1: on request)'}\n")
        out.write(f"  received {len(vs)}, accepted {accepted}, rejected {len(vs) - accepted}\n")
        rules = Counter(v.rule for v in vs)
        out.write("  by rule: " + ", ".join(f"{r} {n}" for r, n in sorted(rules.items())) + "\n")
        states = Counter(v.rpki.value if v.rpki else "-" for v in vs)
        out.write("  by RPKI: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items())) + "\n")
        rows = [
            (
                v.prefix,
                _clip(v.as_path, MAX_PATH),
                v.action.value,
                v.rule,
                v.rpki.value if v.rpki else "-",
                v.reason,
            )
            for v in vs
        ]
        widths = [max(len(COLUMNS[i]), *(len(r[i]) for r in rows)) for i in range(5)]
        line = "  " + "  ".join(f"{{:<{w}}}" for w in widths) + "  {}\n"
        out.write(line.format(*COLUMNS))
        for r in rows:
            out.write(line.format(*r))
    return total


def write_explanation(e: Explanation, out: IO[str]) -> None:
    v = e.verdict
    sessions = f" on {', '.join(v.sessions)}" if v.sessions else ""
    out.write(f"{v.prefix} from AS{v.peer_asn}{sessions}, path {v.as_path}\n")
    out.write(f"  verdict: {v.action.value.upper()} by rule {v.rule}: {v.reason}\n")
    for s in e.steps:
        out.write(f"  {s.rule:<12} {s.outcome:<22} {s.title}: {s.detail}\n")
        for line in s.evidence.get("hops", ()):  # X-ASPA: one line per pair of ASes
            out.write(f"  {'':<12} {'':<22}   {line}\n")
    out.write("\n")
