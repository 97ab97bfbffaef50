"""The shape of the policy page: sections of items, each a run of spans.

Plain data, so that one document renders as Markdown and as HTML by two templates, each
escaping the text its own way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of text; ``href`` makes it a link, ``code`` a literal (prefix, command)."""

    text: str
    href: str | None = None
    code: bool = False


Text = tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a list: ``code`` is its rule number (``3.3``) or a label, may be
    empty; ``title`` a short bold lead; ``body`` the text; ``sub`` nested items."""

    code: str
    title: str
    body: Text
    sub: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """A heading, an optional lead paragraph and its items; ``numbered`` lists are
    ordered lists (``<ol>``)."""

    anchor: str
    title: str
    lead: Text
    items: tuple[Item, ...]
    numbered: bool = False


def t(*parts: str | Span) -> Text:
    """A text from strings and spans."""
    return tuple(Span(p) if isinstance(p, str) else p for p in parts)


def link(text: str, href: str) -> Span:
    return Span(text, href)


def code(text: str) -> Span:
    return Span(text, code=True)


def families_phrase(families: tuple[str, ...]) -> str:
    names = ["IPv4" if f == "ipv4" else "IPv6" for f in sorted(families)]
    return " and ".join(names)
