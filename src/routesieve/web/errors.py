"""Error answers: always JSON with a sentence naming the parameter, never a traceback.

FastAPI's validation errors (422) are reworded as ``<parameter>: <what is wrong>``;
``ApiError`` carries a status, a message and the parameter; Starlette's own HTTP errors
(404 for an unknown path, 405) keep their status; anything unexpected is logged with its
traceback on the server and answered with a plain 500 sentence.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

log = logging.getLogger("routesieve.web")


class ApiError(Exception):
    """An answer other than 200: ``status``, a sentence, and the parameter at fault."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def error_response(
    status: int,
    message: str,
    parameter: str | None = None,
    problems: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"error": message, "parameter": parameter, "problems": problems or []}
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def _parameter(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("query", "limit")`` -> ``limit``; a body field keeps its path."""
    parts = [str(p) for p in loc if p not in ("query", "path", "body", "header", "cookie")]
    return ".".join(parts) or "request"


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid"))
    if err.get("type") == "enum" and "expected" in err.get("ctx", {}):
        msg = f"must be one of {err['ctx']['expected']}"
    got = err.get("input")
    if isinstance(got, str | int | float) and not isinstance(got, bool):
        msg += f" (got {str(got)[:60]!r})"
    return msg


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"parameter": _parameter(e.get("loc", ())), "message": _message(e)}
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"parameter": "request", "message": "invalid"}
        return error_response(
            422, f"{first['parameter']}: {first['message']}", first["parameter"], problems
        )

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        named = f"{exc.parameter}: {exc.message}" if exc.parameter else exc.message
        return error_response(exc.status, named, exc.parameter)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = {404: f"no such page: {request.url.path}"}.get(exc.status_code, exc.detail)
        return error_response(exc.status_code, str(message), None, None, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("error answering %s %s", request.method, request.url.path)
        return error_response(500, "internal error; the server log has the details")
