"""The policy page as Markdown (for Hugo, with YAML front matter) or as a standalone HTML
page (inline CSS, no external resource), from the templates in ``templates/``.

Escaping is the templates' job, with the filters defined here: in Markdown every text is
backslash-escaped where CommonMark would read it as markup, and raw HTML is written as
entities; front matter values are JSON strings, which YAML reads as double-quoted
scalars; in HTML Jinja's autoescape is on.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import jinja2

from routesieve.config import Config
from routesieve.policy_page.content import PageOptions, build_page

FORMATS = ("markdown", "html")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~<>&])")


def md(text: str) -> str:
    """Inline text that CommonMark shows as written: the punctuation that could open
    emphasis, code, a link, raw HTML, an entity or a table cell is backslash-escaped
    (the page never puts such text at the start of a line)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(text: str) -> str:
    """A code span that holds ``text`` whatever backquotes it has."""
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_url(url: str) -> str:
    """A link target with spaces, parentheses and the like percent-encoded."""
    return quote(url, safe=":/?#=&@%+~-_.,;!$'*")


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("routesieve.policy_page", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md, md_code=md_code, md_url=md_url, yaml=yaml_string)
    return env


def render_policy(config: Config, fmt: str, options: PageOptions | None = None) -> str:
    """The policy page of ``config`` in ``fmt`` (``markdown`` or ``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    page = build_page(config, options or PageOptions())
    name = "policy.md.j2" if fmt == "markdown" else "policy.html.j2"
    text = _environment().get_template(name).render(page=page)
    return re.sub(r"\n{3,}", "\n\n", text)
