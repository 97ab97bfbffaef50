"""``evaluate --format parquet|arrow``: the verdict table, read back by DuckDB and pyarrow."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import orjson
import pytest
from click.testing import CliRunner

from routesieve.cli import main
from routesieve.outputs.verdict_arrow import FORMAT, VERDICT_SCHEMA, read_verdict_table
from routesieve.problems import InputError

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
ARGS = ["--config", str(EXAMPLE / "routesieve.toml"), "--routes", str(EXAMPLE / "routes.jsonl")]


def evaluate(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["evaluate", *ARGS, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]]]:
    folder = tmp_path_factory.mktemp("verdict-table")
    for fmt in ("parquet", "arrow", "jsonl"):
        code, _, err = evaluate("--format", fmt, "--output", str(folder / f"verdicts.{fmt}"))
        assert code == 0, err
    lines = (folder / "verdicts.jsonl").read_text().splitlines()
    return folder, [orjson.loads(line) for line in lines]


def as_json(row: dict[str, object]) -> dict[str, object]:
    """A table row as its JSON line (evidence parsed, keys in the JSON order)."""
    out = dict(row)
    out["evidence"] = orjson.loads(str(out["evidence"]))
    out["sessions"] = list(out["sessions"])  # type: ignore[call-overload]
    return out


def test_duckdb_reads_the_same_verdicts_from_parquet_as_the_json_lines(
    written: tuple[Path, list[dict[str, object]]],
) -> None:
    folder, lines = written
    con = duckdb.connect()
    cursor = con.execute(f"SELECT * FROM read_parquet('{folder / 'verdicts.parquet'}')")
    names = [c[0] for c in cursor.description]
    rows = [as_json(dict(zip(names, r, strict=True))) for r in cursor.fetchall()]
    assert names == VERDICT_SCHEMA.names
    assert rows == [dict(line, evidence=line["evidence"]) for line in lines]
    rejected = con.execute(
        f"SELECT peer_asn, rule, count(*) FROM '{folder / 'verdicts.parquet'}' "
        "WHERE action = 'reject' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert sum(n for _, _, n in rejected) == sum(1 for v in lines if v["action"] == "reject")


@pytest.mark.parametrize("name", ["verdicts.parquet", "verdicts.arrow"])
def test_pyarrow_reads_the_same_verdicts_and_the_metadata(
    written: tuple[Path, list[dict[str, object]]], name: str
) -> None:
    folder, lines = written
    table = read_verdict_table(folder / name)
    assert table.schema.remove_metadata() == VERDICT_SCHEMA
    assert [as_json(r) for r in table.to_pylist()] == lines
    meta = table.schema.metadata
    assert meta[b"routesieve.format"] == FORMAT.encode()
    assert int(meta[b"routesieve.as_of"]) > 0
    assert isinstance(orjson.loads(meta[b"routesieve.warnings"]), list)


def test_parquet_without_an_output_file_is_a_usage_error() -> None:
    code, out, err = evaluate("--format", "parquet")
    assert code == 2
    assert "--output" in err and out == ""


def test_a_file_that_is_no_verdict_table_is_refused_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "notes.parquet"
    bad.write_text("not a table\n")
    with pytest.raises(InputError, match=r"notes\.parquet"):
        read_verdict_table(bad)
