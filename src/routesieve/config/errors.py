"""``ConfigError`` and the wording of its problems: file, key path, what is wrong."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from routesieve.config.fields import describe

Loc = tuple[str | int, ...]
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

MALFORMED_FIXED = (
    "X-MALFORMED cannot be switched off: a route whose prefix or path cannot be read "
    "has nothing the other checks could judge, so it is always rejected and reported"
)

_TYPE_WORDS = {
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be an integer",
    "int_from_float": "must be an integer",
    "string_type": "must be a string",
    "list_type": "must be an array",
    "tuple_type": "must be an array",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "dict_type": "must be a table",
}


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` lists every reason, one per line.

    Each problem reads ``<file>: <key path>: <what is wrong>``, for example
    ``routesieve.toml: peers[2].sessions[0].route_server: must be true or false, not a
    string ('yes')``. Array indexes count from 0.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        return f"{head} in the configuration:\n" + "\n".join(f"  {p}" for p in self.problems)


def key_path(loc: Loc) -> str:
    """``("peers", 2, "sessions", 0, "name")`` -> ``peers[2].sessions[0].name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if _BARE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
            out += f".{key}" if out else key
    return out or "(top level)"


def problem(file: str, loc: Loc, message: str) -> str:
    return f"{file}: {key_path(loc)}: {message}"


def from_pydantic(
    errors: Sequence[ErrorDetails], raw: Any, root: type[BaseModel]
) -> list[tuple[Loc, str]]:
    """Pydantic's errors as (key path, message), worded for the person editing the file."""
    out: list[tuple[Loc, str]] = []
    for err in errors:
        loc = _as_given(tuple(err["loc"]), raw)
        out.append((loc, _message(err, loc, root)))
    return out


def _as_given(loc: Loc, raw: Any) -> Loc:
    """Drop an index the file did not write (a single string given for a list of paths)."""
    kept: list[str | int] = []
    node = raw
    for part in loc:
        if isinstance(part, int) and not isinstance(node, list):
            continue
        kept.append(part)
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(kept)


def _message(err: ErrorDetails, loc: Loc, root: type[BaseModel]) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        name = loc[-1] if loc else "?"
        if loc[-2:] == ("checks", "malformed"):
            return f"unknown key 'malformed': {MALFORMED_FIXED}"
        allowed = _allowed_keys(root, loc[:-1])
        hint = f" (allowed here: {', '.join(allowed)})" if allowed else ""
        return f"unknown key {name!r}{hint}"
    if kind in _TYPE_WORDS:
        return f"{_TYPE_WORDS[kind]}, not {describe(value)}"
    if kind == "value_error":
        ctx = err.get("ctx") or {}
        return str(ctx.get("error", err["msg"]))
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{_lower_first(err['msg'])}, not {value!r}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "literal_error":
        return f"{_lower_first(err['msg'])}, not {describe(value)}"
    return err["msg"]


def _lower_first(text: str) -> str:
    return text.replace("Input should be", "must be", 1)


def _allowed_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the model at ``loc`` accepts, found by walking the field annotations."""
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (tuple, list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
