"""The per-row values a reason or the evidence may hold (``Slot``), and the texts of
snapshot entries they are written with. A wording reads a row's values through a
``Texts`` function: the real texts of one row, or each slot's marker (``markers``) when
``engine.templates`` makes a template of it."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from routesieve.engine.index import HandleIndex
from routesieve.engine.table import RouteTable
from routesieve.model import Vrp

FAMILY = {4: "IPv4", 6: "IPv6"}
I64 = npt.NDArray[np.int64]


def vrp_json(v: Vrp) -> dict[str, Any]:
    return {"prefix": str(v.prefix), "max_length": v.max_length, "asn": v.asn, "ta": v.ta}


def handle_json(h: HandleIndex, entry: int) -> dict[str, Any]:
    handle = h.handles[int(h.code[entry])]
    return {"source": handle.source, "id": handle.handle, "prefix": str(h.entries[entry])}


def row_prefix_text(table: RouteTable, row: int) -> str:
    """The prefix of a row as written in verdicts (the text as read when it had none)."""
    return table.first[row].prefix_text


class Slot(enum.Enum):
    """A per-row value of a reason or of the evidence, filled in after grouping.

    ``raw`` slots stand for a whole JSON value in the evidence (a number, an object);
    the others for text inside a JSON string."""

    PREFIX = "prefix"  # the route's prefix text
    LENGTH = "length"  # the route's prefix length
    PATH = "path"  # the route's AS path text
    PEER = "peer"  # the effective peer AS
    ORIGIN = "origin"  # the origin AS of the path
    PROBLEM = "problem"  # why a malformed route could not be read
    VRP_PREFIX = "vrp_prefix"  # the deciding VRP (``Decisions.rpki_vrp``)
    VRP_ASN = "vrp_asn"
    VRP_MAX = "vrp_max"
    VRP_JSON = "vrp_json"
    SEED_PREFIX = "seed_prefix"  # the prefix of the row in ``detail`` (rule 4.2)
    RO_PREFIX = "ro_prefix"  # the route object in ``detail`` (rule 4.4)
    RO_ORIGIN = "ro_origin"
    RO_ORIGIN_JSON = "ro_origin_json"

    @property
    def raw(self) -> bool:
        return self in (Slot.VRP_JSON, Slot.RO_ORIGIN_JSON)

    @property
    def marker(self) -> str:
        return f"{OPEN}{self.value}{CLOSE}"


OPEN, CLOSE = "\ue000", "\ue001"

Texts = Callable[[Slot], Any]


def markers(slot: Slot) -> Any:
    """The texts of a template: each slot's marker."""
    return slot.marker
