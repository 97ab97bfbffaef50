"""ASPA AS_PATH verification, with the hop-by-hop evidence behind each outcome.

The procedures are those of draft-ietf-sidrops-aspa-verification-28 (§5): the compressed
path of §5.2, the hop check ``authorized()`` of §5.3 (does the ASPA of the customer list
the provider?), the up-ramp and down-ramp bounds of §5.4, upstream verification (§5.5, for
routes from peers, route servers and customers) and downstream verification (§5.6, for
routes from a provider), each starting with the same three steps: an empty path, a most
recently added AS other than the neighbour, or an AS_SET is Invalid. Pure: no I/O,
no clock (expired ASPAs are dropped by :meth:`AspaIndex.of` at the snapshot's time).

The path is written as received, neighbour first; the draft numbers it the other way:
after prepends are folded, AS(1) is the origin and AS(N) the neighbour. ``up`` holds the
hops (AS(i-1) → AS(i)) for i = 2..N, from the origin upwards; ``down`` the hops
(AS(j+1) → AS(j)) for j = N-1..1, from the neighbour downwards (downstream only).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from routesieve.model import Aspa, AsPath

DRAFT = "draft-ietf-sidrops-aspa-verification-28"


class Hop(enum.Enum):
    """What the customer's ASPA says of one provider (``authorized()``, §5.3)."""

    PROVIDER_PLUS = "Provider+"
    NOT_PROVIDER_PLUS = "Not Provider+"
    NO_ATTESTATION = "No Attestation"


class AspaState(enum.Enum):
    VALID = "Valid"
    INVALID = "Invalid"
    UNKNOWN = "Unknown"


class Direction(enum.Enum):
    UPSTREAM = "upstream"  # from a peer, a route server or a customer (§5.5)
    DOWNSTREAM = "downstream"  # from a provider (§5.6)


@dataclass(frozen=True)
class AspaIndex:
    """The provider set of every customer AS that has an unexpired ASPA."""

    providers: Mapping[int, frozenset[int]]

    @staticmethod
    def of(aspas: Iterable[Aspa], as_of: int) -> AspaIndex:
        """Index the ASPAs still valid at ``as_of``; two records of one customer are merged."""
        merged: dict[int, set[int]] = {}
        for a in aspas:
            if a.expires is None or a.expires >= as_of:
                merged.setdefault(a.customer, set()).update(a.providers)
        return AspaIndex({c: frozenset(p) for c, p in merged.items()})

    def hop(self, customer: int, provider: int) -> Hop:
        spas = self.providers.get(customer)
        if spas is None:
            return Hop.NO_ATTESTATION
        return Hop.PROVIDER_PLUS if provider in spas else Hop.NOT_PROVIDER_PLUS


@dataclass(frozen=True, slots=True)
class HopCheck:
    """One pair: does the ASPA of ``customer`` list ``provider``? ``providers`` is the
    customer's provider set as the ASPA gives it (None: the customer has no ASPA)."""

    customer: int
    provider: int
    hop: Hop
    providers: tuple[int, ...] | None

    def describe(self) -> str:
        if self.providers is None:
            pair = f"AS{self.customer} → AS{self.provider}"
            return f"{pair}: No Attestation (AS{self.customer} has no ASPA)"
        listed = ", ".join(f"AS{p}" for p in self.providers) or "none (AS 0)"
        verb = "lists" if self.hop is Hop.PROVIDER_PLUS else "does not list"
        return (
            f"AS{self.customer} → AS{self.provider}: {self.hop.value} "
            f"(the ASPA of AS{self.customer} {verb} AS{self.provider}; providers: {listed})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "provider": self.provider,
            "hop": self.hop.value,
            "providers": None if self.providers is None else list(self.providers),
        }


@dataclass(frozen=True)
class AspaResult:
    """The outcome and everything it rests on.

    ``path`` is the folded path, neighbour first; ``stop`` is the hop where the path stops
    being valley-free (the first "Not Provider+" above the up-ramp), or None;
    ``precondition`` names the §5.5/§5.6 step that decided before any hop was looked at.
    """

    state: AspaState
    direction: Direction
    path: tuple[int, ...]
    up: tuple[HopCheck, ...] = ()
    down: tuple[HopCheck, ...] = ()
    max_up_ramp: int = 0
    min_up_ramp: int = 0
    max_down_ramp: int = 0
    min_down_ramp: int = 0
    stop: HopCheck | None = None
    precondition: str = ""

    def summary(self) -> str:
        """One sentence for a verdict's reason."""
        head = f"ASPA {self.state.value} ({self.direction.value} verification, {DRAFT})"
        if self.precondition:
            return f"{head}: {self.precondition}"
        n = len(self.path)
        if self.state is AspaState.INVALID and self.stop is not None:
            s = self.stop
            listed = ", ".join(f"AS{p}" for p in s.providers or ()) or "none"
            return (
                f"{head}: the path stops being valley-free at AS{s.customer} → AS{s.provider}: "
                f"AS{s.provider} is not a provider of AS{s.customer} (the ASPA of AS{s.customer} "
                f"lists {listed}), "
                "yet the route was passed on upwards (a route leak)"
            )
        if self.state is AspaState.INVALID:
            return f"{head}: no valley-free reading of the {n}-AS path"
        if self.state is AspaState.UNKNOWN:
            missing = [h.customer for h in (*self.up, *self.down) if h.hop is Hop.NO_ATTESTATION]
            names = ", ".join(f"AS{a}" for a in dict.fromkeys(missing))
            return f"{head}: no ASPA for {names}, so the path cannot be proved valley-free"
        return f"{head}: every hop that matters is Provider+"

    def lines(self) -> list[str]:
        """The hop-by-hop evidence, one line per pair, for explain and the report."""
        out = [f"path (folded, neighbour first): {' '.join(f'AS{a}' for a in self.path)}"]
        if self.precondition:
            out.append(self.precondition)
            return out
        out.append(
            f"up-ramp from the origin: max {self.max_up_ramp}, min {self.min_up_ramp} of "
            f"{len(self.path)}"
            + (
                f"; down-ramp from the neighbour: max {self.max_down_ramp}, "
                f"min {self.min_down_ramp}"
                if self.direction is Direction.DOWNSTREAM
                else ""
            )
        )
        out.extend(f"up {h.describe()}" for h in self.up)
        out.extend(f"down {h.describe()}" for h in self.down)
        if self.stop is not None:
            out.append(
                f"stops being valley-free at AS{self.stop.customer} → AS{self.stop.provider}"
            )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "direction": self.direction.value,
            "procedure": DRAFT,
            "path": list(self.path),
            "up": [h.to_json() for h in self.up],
            "down": [h.to_json() for h in self.down],
            "max_up_ramp": self.max_up_ramp,
            "min_up_ramp": self.min_up_ramp,
            "max_down_ramp": self.max_down_ramp,
            "min_down_ramp": self.min_down_ramp,
            "stops_valley_free_at": None if self.stop is None else self.stop.to_json(),
            "precondition": self.precondition or None,
        }


def verify(
    path: AsPath, neighbour: int | None, direction: Direction, index: AspaIndex
) -> AspaResult:
    """Verify ``path`` as received from ``neighbour`` (None: from a transparent route
    server, whose AS is not in the path: the first AS, the member, is the neighbour)."""
    if path.is_empty:  # step 1
        return AspaResult(AspaState.INVALID, direction, (), precondition="the AS path is empty")
    first = path.first
    if neighbour is not None and first != neighbour:  # step 2 (not from a route server)
        latest = "an AS_SET" if first is None else f"AS{first}"
        return AspaResult(
            AspaState.INVALID,
            direction,
            path.folded or (),
            precondition=f"the most recently added AS, {latest}, is not the neighbour "
            f"AS{neighbour}",
        )
    folded = path.folded
    if folded is None:  # step 3
        return AspaResult(
            AspaState.INVALID, direction, (), precondition="the AS path has an AS_SET segment"
        )
    n = len(folded)
    asn = folded[::-1]  # asn[i - 1] is AS(i): AS(1) the origin, AS(N) the neighbour
    up = tuple(_check(index, asn[i - 2], asn[i - 1]) for i in range(2, n + 1))
    max_up = min_up = n
    for i, h in enumerate(up, start=2):  # h is the hop AS(i-1) -> AS(i)
        if h.hop is not Hop.PROVIDER_PLUS and min_up == n:
            min_up = i - 1
        if h.hop is Hop.NOT_PROVIDER_PLUS:
            max_up = i - 1
            break
    stop = up[max_up - 1] if max_up < n else None
    if direction is Direction.UPSTREAM:
        if max_up < n:
            state = AspaState.INVALID
        elif min_up < n:
            state = AspaState.UNKNOWN
        else:
            state = AspaState.VALID
        return AspaResult(state, direction, folded, up, (), max_up, min_up, 0, 0, stop)
    down = tuple(_check(index, asn[j], asn[j - 1]) for j in range(n - 1, 0, -1))
    max_down = min_down = n
    for k, h in enumerate(down):  # h is the hop AS(j+1) -> AS(j), j = N-1-k
        j = n - 1 - k
        if h.hop is not Hop.PROVIDER_PLUS and min_down == n:
            min_down = n - j
        if h.hop is Hop.NOT_PROVIDER_PLUS:
            max_down = n - j
            break
    if max_up + max_down < n:
        state = AspaState.INVALID
    elif min_up + min_down < n:
        state = AspaState.UNKNOWN
    else:
        state = AspaState.VALID
    if state is not AspaState.INVALID:
        stop = None
    return AspaResult(state, direction, folded, up, down, max_up, min_up, max_down, min_down, stop)


def outcome(
    path: AsPath, neighbour: int | None, direction: Direction, index: AspaIndex
) -> AspaState:
    """The state :func:`verify` gives, without building its evidence: the engine runs it
    on every open row and builds the evidence only for the paths it rejects."""
    if path.is_empty or (neighbour is not None and path.first != neighbour):
        return AspaState.INVALID
    folded = path.folded
    if folded is None:
        return AspaState.INVALID
    n = len(folded)
    providers = index.providers
    # going up from the origin: folded[k] is AS(n - k), so AS(i) -> AS(i + 1) is
    # folded[k] -> folded[k - 1] for k = n - i
    max_up = min_up = n
    for k in range(n - 1, 0, -1):
        spas = providers.get(folded[k])
        if spas is None or folded[k - 1] not in spas:
            if min_up == n:
                min_up = n - k
            if spas is not None:
                max_up = n - k
                break
    if direction is Direction.UPSTREAM:
        if max_up < n:
            return AspaState.INVALID
        return AspaState.UNKNOWN if min_up < n else AspaState.VALID
    # going down from the neighbour: AS(j + 1) -> AS(j) is folded[k] -> folded[k + 1]
    max_down = min_down = n
    for k in range(n - 1):
        spas = providers.get(folded[k])
        if spas is None or folded[k + 1] not in spas:
            if min_down == n:
                min_down = k + 1
            if spas is not None:
                max_down = k + 1
                break
    if max_up + max_down < n:
        return AspaState.INVALID
    return AspaState.UNKNOWN if min_up + min_down < n else AspaState.VALID


def _check(index: AspaIndex, customer: int, provider: int) -> HopCheck:
    spas = index.providers.get(customer)
    return HopCheck(
        customer,
        provider,
        index.hop(customer, provider),
        None if spas is None else tuple(sorted(spas)),
    )
