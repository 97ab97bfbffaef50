"""The shapes of the API's answers, as pydantic models: FastAPI turns them into the OpenAPI
description at ``/api/v1/openapi.json``, and the tests check every answer against them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ParameterProblem(BaseModel):
    parameter: str = Field(description="The parameter (query, path or form field) at fault.")
    message: str


class ErrorOut(BaseModel):
    """Every 4xx/5xx answer: a sentence naming what was wrong, and the parameter if any."""

    error: str
    parameter: str | None = None
    problems: list[ParameterProblem] = []


class PeerOut(BaseModel):
    asn: int
    name: str = Field(description="As configured; empty for a peer not in the configuration.")
    as_sets: list[str]
    sessions: list[str] = Field(description="Sessions its routes were received on.")
    configured: bool
    received: int = Field(description="Routes after merging equal routes of several sessions.")
    accepted: int
    filtered: int
    by_rule: dict[str, int] = Field(description="Routes per deciding rule code.")
    by_rpki: dict[str, int] = Field(description="Routes per RFC 6811 state.")
    routes: str = Field(description="Link to the peer's routes.")


class PeersOut(BaseModel):
    total: int
    peers: list[PeerOut]


class RouteOut(BaseModel):
    route_id: int = Field(
        description="Stable within one run of the server (an engine row; with --verdicts "
        "the place of the route in the same prefix order)."
    )
    peer_asn: int
    prefix: str
    as_path: str
    origin_asn: int | None
    action: Literal["accept", "reject"]
    rule: str
    rule_title: str
    reason: str
    rpki: Literal["VALID", "INVALID_ASN", "INVALID_LENGTH", "UNKNOWN"] | None
    sessions: list[str]
    communities: list[str] | None = Field(
        description="Null when the server reads verdicts already decided (serve "
        "--verdicts): the verdict table does not hold communities."
    )
    evidence: dict[str, Any]


class RoutePage(BaseModel):
    peer_asn: int
    total: int = Field(description="Routes that pass the filters, over every page.")
    offset: int
    limit: int
    next: str | None = Field(description="Link to the next page, null on the last one.")
    routes: list[RouteOut]


class StepOut(BaseModel):
    rule: str
    title: str
    outcome: str = Field(
        description="pass, fail, match, no match, off, or one of these + ' (not reached)'."
    )
    detail: str
    evidence: dict[str, Any]


class ExplanationOut(BaseModel):
    route: RouteOut
    steps: list[StepOut]


class SourceOut(BaseModel):
    kind: str
    location: str
    generated: str | None = Field(description="The source's own date, as it gives it.")
    count: int
    note: str
    age_hours: float | None = Field(description="Hours between generated and the run.")
    stale: bool = Field(description="Older than max_age_hours.")


class SourcesOut(BaseModel):
    max_age_hours: float
    sources: list[SourceOut]


class RunOut(BaseModel):
    evaluated_at: str = Field(description="When the server evaluated the routes (UTC).")
    as_of: int = Field(description="The Unix time the data snapshot stands for.")
    local_asn: int
    config: str
    route_files: list[str]
    received: int = Field(description="Routes read, before merging.")
    merged: int
    accepted: int
    rejected: int
    peers: int
    by_rule: dict[str, int]
    by_rpki: dict[str, int]
    warnings: list[str]
