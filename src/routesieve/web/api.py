"""The JSON API, versioned under ``/api/v1``: peers, their routes, one route, its
explanation, the data sources and the run. Read-only: every answer comes from the
``ServeData`` built at startup.

Handlers build plain dictionaries and return them as ``JsonResponse`` (orjson): the
``response_model`` of each route documents the shape in the OpenAPI description, and the
tests check the answers against those models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from routesieve.engine.explain import explain_row
from routesieve.engine.rules import Rule
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.web.data import I64, PeerIndex, ServeData, totals
from routesieve.web.errors import ApiError
from routesieve.web.schemas import (
    ErrorOut,
    ExplanationOut,
    PeersOut,
    RouteOut,
    RoutePage,
    RunOut,
    SourcesOut,
)

PREFIX = "/api/v1"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_QUERY = 200
#: the largest offset and route id taken (far above any evaluation, and every number in an
#: answer stays a 64-bit integer; above it is a 422 naming the parameter)
MAX_INDEX = 2**31 - 1
SEARCHES_KEPT = 32
EXPLANATIONS_KEPT = 256

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown peer or route."},
    422: {"model": ErrorOut, "description": "A parameter is invalid; the answer names it."},
}

AsnParam = Annotated[int, Path(ge=0, le=4_294_967_295, description="The peer's AS number.")]
RouteIdParam = Annotated[
    int, Path(ge=0, le=MAX_INDEX, description="A route id from a routes listing.")
]


class JsonResponse(Response):
    """``application/json``, encoded by orjson (numpy-free plain values only)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _peer(data: ServeData, asn: int) -> PeerIndex:
    peer = data.peers.get(asn)
    if peer is None:
        raise ApiError(
            404,
            f"AS{asn} is not a peer: no route was received from it and it is not configured",
            "asn",
        )
    return peer


def _peer_json(p: PeerIndex) -> dict[str, Any]:
    return {
        "asn": p.asn,
        "name": p.name,
        "as_sets": list(p.as_sets),
        "sessions": list(p.sessions),
        "configured": p.configured,
        "received": p.received,
        "accepted": p.accepted,
        "filtered": p.received - p.accepted,
        "by_rule": dict(p.by_rule),
        "by_rpki": dict(p.by_rpki),
        "routes": f"{PREFIX}/peers/{p.asn}/routes",
    }


def age_hours(generated: str | None, now: datetime) -> float | None:
    """Hours from a source's own date (ISO 8601 date or time, UTC when no zone) to ``now``;
    None when the source gives no date or one that is not ISO 8601."""
    if not generated:
        return None
    try:
        when = datetime.fromisoformat(generated)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return round((now - when).total_seconds() / 3600, 1)


def api_router(data: ServeData, max_age_hours: float) -> APIRouter:
    """The ``/api/v1`` routes over ``data``."""
    router = APIRouter(prefix=PREFIX, tags=["api"], responses=ERRORS)

    @lru_cache(maxsize=SEARCHES_KEPT)
    def searched(asn: int, verdict: str | None, rule: Rule | None, q: str) -> I64:
        """A text search's rows, kept for the next pages of the same search."""
        rows = data.peers[asn].select(verdict, rule, q)
        rows.flags.writeable = False
        return rows

    @lru_cache(maxsize=EXPLANATIONS_KEPT)
    def explained(row: int) -> list[dict[str, Any]]:
        """The steps of a row (explain_row scans the table: keep the recent ones)."""
        if data.decisions is None or not isinstance(data.builder, VerdictBuilder):
            raise ApiError(
                501,
                "no explanation here: this server reads verdicts already decided "
                "(serve --verdicts), without the engine; run 'routesieve explain'",
                "route_id",
            )
        e = explain_row(data.decisions, row, data.builder)
        return [
            {
                "rule": s.rule,
                "title": s.title,
                "outcome": s.outcome,
                "detail": s.detail,
                "evidence": s.evidence,
            }
            for s in e.steps
        ]

    @router.get("/peers", response_model=PeersOut, response_class=JsonResponse)
    def peers() -> JsonResponse:
        """Every peer: configured ones and any AS routes came from, with counts."""
        out = [_peer_json(p) for p in data.peers.values()]
        return JsonResponse({"total": len(out), "peers": out})

    @router.get("/peers/{asn}/routes", response_model=RoutePage, response_class=JsonResponse)
    def routes(
        request: Request,
        asn: AsnParam,
        verdict: Annotated[Literal["accept", "reject"] | None, Query()] = None,
        rule: Annotated[Rule | None, Query(description="A rule code: 3.4, 4.1, X-AFI, ...")] = None,
        q: Annotated[
            str | None,
            Query(max_length=MAX_QUERY, description="Substring of prefix or AS path."),
        ] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> JsonResponse:
        """The peer's routes in route id order, filtered, one page at a time."""
        peer = _peer(data, asn)
        rows = searched(asn, verdict, rule, q) if q else peer.select(verdict, rule, None)
        page = rows[offset : offset + limit].tolist()
        nxt = None
        if offset + limit < len(rows):
            params = {k: v for k, v in request.query_params.items() if k not in ("offset",)}
            params.update(offset=str(offset + limit), limit=str(limit))
            nxt = f"{PREFIX}/peers/{asn}/routes?{urlencode(params)}"
        return JsonResponse(
            {
                "peer_asn": asn,
                "total": len(rows),
                "offset": offset,
                "limit": limit,
                "next": nxt,
                "routes": [data.route_json(r) for r in page],
            }
        )

    def _row(asn: int, route_id: int) -> int:
        peer = _peer(data, asn)
        if not peer.owns(route_id):
            raise ApiError(404, f"AS{asn} has no route with id {route_id}", "route_id")
        return route_id

    @router.get(
        "/peers/{asn}/routes/{route_id}", response_model=RouteOut, response_class=JsonResponse
    )
    def route(asn: AsnParam, route_id: RouteIdParam) -> JsonResponse:
        """One route's verdict: action, rule, reason, RPKI state and evidence."""
        return JsonResponse(data.route_json(_row(asn, route_id)))

    @router.get(
        "/peers/{asn}/routes/{route_id}/explanation",
        response_model=ExplanationOut,
        response_class=JsonResponse,
        responses={501: {"model": ErrorOut, "description": "Served from verdicts read back."}},
    )
    def explanation(asn: AsnParam, route_id: RouteIdParam) -> JsonResponse:
        """Every rule for the route, in order, pass or fail, with what was looked at."""
        row = _row(asn, route_id)
        return JsonResponse({"route": data.route_json(row), "steps": explained(row)})

    @router.get("/sources", response_model=SourcesOut, response_class=JsonResponse)
    def sources() -> JsonResponse:
        """Where the outside data came from, how old it was at the run, and if too old."""
        out = []
        for p in data.provenance:
            age = age_hours(p.generated, data.evaluated_at)
            out.append(
                {
                    "kind": p.kind,
                    "location": p.location,
                    "generated": p.generated,
                    "count": p.count,
                    "note": p.note,
                    "age_hours": age,
                    "stale": age is not None and age > max_age_hours,
                }
            )
        return JsonResponse({"max_age_hours": max_age_hours, "sources": out})

    @router.get("/run", response_model=RunOut, response_class=JsonResponse)
    def run() -> JsonResponse:
        """When the routes were evaluated, from which files, and the counts."""
        return JsonResponse(
            {
                "evaluated_at": data.evaluated_at.isoformat(timespec="seconds"),
                "as_of": data.as_of,
                "local_asn": data.policy.local_asn,
                "config": data.config_path,
                "route_files": list(data.route_files),
                "received": data.received,
                "peers": len(data.peers),
                "warnings": list(data.warnings),
                **totals(data),
            }
        )

    return router
