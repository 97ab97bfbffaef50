"""The bundled example, copied and changed on purpose for the report tests."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from click.testing import CliRunner, Result

from routesieve.cli import main

HOSTILE_NAME = "<script>alert(1)</script><b>Hobbynetz</b>"
HOSTILE_SESSION = "</script><img src=x onerror=alert(2)>"


def example_copy(folder: Path) -> Path:
    """A writable copy of src/routesieve/data/example; returns its folder."""
    source = resources.files("routesieve") / "data" / "example"
    with resources.as_file(source) as src:
        shutil.copytree(src, folder)
    return folder


def make_hostile(folder: Path) -> None:
    """Markup in a peer name, an exchange name and a route's session name."""
    toml = folder / "routesieve.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('name = "Hobbynetz"', f'name = "{HOSTILE_NAME}"')
    toml.write_text(text, encoding="utf-8")
    with (folder / "routes.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(
            '{"peer_asn": 209002, "prefix": "2a0e:8a05:200::/48", "as_path": "209002", '
            f'"session": "{HOSTILE_SESSION}"}}\n'
        )


def change_data(folder: Path) -> None:
    """The next day's data: a ROA withdrawn, a route6 object created, one route gone
    and one new."""
    vrps = folder / "vrps.json"
    text = vrps.read_text(encoding="utf-8")
    roa = (
        '\t\t{ "asn": "AS209001", "prefix": "2a0e:8a01::/32", "maxLength": 32, '
        '"ta": "ripe", "expires": 4102444800 },\n'
    )
    assert roa in text
    vrps.write_text(text.replace(roa, ""), encoding="utf-8")
    with (folder / "irr.db").open("a", encoding="utf-8") as fh:
        fh.write("\nroute6:         2a0e:8a04:1::/48\norigin:         AS209002\nsource: RIPE\n")
    routes = folder / "routes.jsonl"
    lines = [ln for ln in routes.read_text().splitlines() if "2a0e:8a20::/32" not in ln]
    lines.append(
        '{"peer_asn": 209002, "prefix": "2a0e:8a07:100::/48", "as_path": "209002", '
        '"session": "locix-2"}'
    )
    routes.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)
