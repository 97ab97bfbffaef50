"""HTML pages: Jinja2 templates with autoescape on, so every outside string (peer names,
as-sets, form input, what a peering check answers) is escaped wherever it lands."""

from __future__ import annotations

from typing import Any

import jinja2
from fastapi.responses import HTMLResponse

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("routesieve.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(
    template: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """The template rendered as an answer that no cache keeps."""
    html = _ENV.get_template(template).render(**values)
    return HTMLResponse(html, status, {"cache-control": "no-store", **(headers or {})})
