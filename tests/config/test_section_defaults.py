"""A table left out of the file gets its section's defaults made without validation
(``fields.defaults``): each must be exactly what validating an empty table gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from routesieve.config import load_config
from routesieve.config.fields import Section, defaults
from routesieve.config.sections import ConfigFile


def _sections() -> list[type[Section]]:
    found: list[type[Section]] = []
    todo: list[type[Section]] = [Section]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _made_of_defaults() -> list[type[Section]]:
    """Every section that an empty table validates into."""
    made = []
    for section in _sections():
        try:
            section()
        except ValidationError:
            continue  # it has required keys: never left out
        made.append(section)
    return made


@pytest.mark.parametrize("section", _made_of_defaults(), ids=lambda s: s.__name__)
def test_defaults_without_validation_equal_the_validated_empty_table(
    section: type[Section],
) -> None:
    made = defaults(section)()
    checked = section.model_validate({})
    assert type(made) is section
    assert made == checked
    assert made.model_fields_set == checked.model_fields_set == set()
    assert hash(made) == hash(checked)


def test_every_default_table_of_the_file_is_one_of_those_sections() -> None:
    assert {
        type(info.default_factory())
        for info in ConfigFile.model_fields.values()
        if info.default_factory is not None
    } <= set(_made_of_defaults())


def test_a_file_with_only_local_has_every_other_section_at_its_defaults(tmp_path: Path) -> None:
    path = tmp_path / "routesieve.toml"
    path.write_text("[local]\nasn = 214312\n", encoding="utf-8")
    config = load_config(path)
    for name, value in (
        ("peering", config.peering),
        ("sync", config.sync),
        ("render", config.render),
        ("run", config.run),
        ("serve", config.serve),
        ("cluster", config.cluster),
        ("policy", config.policy_settings),
    ):
        assert value == type(value).model_validate({}), name
