"""``report --verdicts``: the site from verdicts already decided (a cluster run's dataset
or one verdict file) is the site of the same routes decided here, the listing of every
rule aside; damaged or incomplete input is refused naming the file."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import Result
from verdict_runs import cluster_dataset, evaluate_to

from report.example_data import example_copy, run_cli
from routesieve.outputs.verdict_dataset import MARKER, read_verdicts
from routesieve.problems import InputError
from routesieve.runs.store import list_runs, read_run

pytest.importorskip("distributed")

TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
NOTE = re.compile(r'<p class="muted" id="explain-note">[^\n]*</p>\n')


@dataclass(frozen=True)
class Decided:
    example: Path  # a copy of the bundled example (its configuration and routes)
    dataset: Path  # evaluate --cluster local:2 --output
    parquet: Path  # evaluate --format parquet
    arrow: Path  # evaluate --format arrow

    @property
    def config(self) -> Path:
        return self.example / "routesieve.toml"

    @property
    def routes(self) -> Path:
        return self.example / "routes.jsonl"


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> Decided:
    base = tmp_path_factory.mktemp("decided")
    example = example_copy(base / "example")
    config, routes = example / "routesieve.toml", example / "routes.jsonl"
    return Decided(
        example,
        cluster_dataset(config, routes, base / "dataset"),
        evaluate_to(config, routes, base / "verdicts.parquet", "--format", "parquet"),
        evaluate_to(config, routes, base / "verdicts.arrow", "--format", "arrow"),
    )


def report(config: Path, html: Path, *source: str) -> str:
    result = run_cli("report", "--config", str(config), "--html", str(html), *source)
    assert result.exit_code == 0, result.output
    return result.output


def site_files(site: Path) -> dict[str, str]:
    """Every file of a site, the run's time taken out (the two reports ran apart)."""
    return {
        str(p.relative_to(site)): TIME.sub("TIME", p.read_text(encoding="utf-8"))
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("source", ["dataset", "parquet", "arrow"])
def test_the_report_of_verdicts_read_back_is_the_report_of_the_routes_decided_here(
    decided: Decided, tmp_path: Path, source: str
) -> None:
    decided_here = tmp_path / "decided-here"
    read_back = tmp_path / "read-back"
    here = ("--routes", str(decided.routes), "--explain-limit", "0", "--no-save-run")
    report(decided.config, decided_here, *here)
    verdicts = getattr(decided, source)

    said = report(decided.config, read_back, "--verdicts", str(verdicts), "--no-save-run")

    assert "note: the listing of every rule is not in this report" in said
    want, got = site_files(decided_here), site_files(read_back)
    assert sorted(got) == sorted(want)
    peer_pages = [name for name in got if name.startswith("peers/")]
    assert len(peer_pages) == 6
    for name in peer_pages:  # the pages say why no route has the listing of every rule
        assert NOTE.search(got[name])
        note = '"explain_note":"the listing of every rule is not in this report'
        assert note in got[name]
        got[name] = re.sub(
            r'"explain_note":"[^"]*"', '"explain_note":null', NOTE.sub("", got[name])
        )
    assert got == want  # index, peer pages, route and detail data, accept-list downloads


def test_a_report_of_verdicts_read_back_stores_the_run_of_the_same_verdicts(
    decided: Decided, tmp_path: Path
) -> None:
    here = example_copy(tmp_path / "here")
    there = example_copy(tmp_path / "there")
    report(here / "routesieve.toml", tmp_path / "a", "--routes", str(here / "routes.jsonl"))

    report(there / "routesieve.toml", tmp_path / "b", "--verdicts", str(decided.dataset))

    [decided_run] = list_runs(_runs(here))
    [read_run_] = list_runs(_runs(there))
    stored = read_run(read_run_)
    assert sorted(stored.routes) == sorted(read_run(decided_run).routes)
    assert stored.header is not None and stored.header["routes"] == [str(decided.dataset)]


def _runs(example: Path) -> Path:
    found = [p.parent for p in example.rglob("run-*.jsonl.gz")]
    assert found, f"no stored run under {example}"
    return found[0]


def report_verdicts(decided: Decided, tmp_path: Path, verdicts: Path, *more: str) -> Result:
    html = ("--html", str(tmp_path / "site"))
    return run_cli(
        "report", "--config", str(decided.config), *html, "--verdicts", str(verdicts), *more
    )


def test_verdicts_and_routes_together_are_a_usage_error(decided: Decided, tmp_path: Path) -> None:
    result = report_verdicts(decided, tmp_path, decided.dataset, "--routes", str(decided.routes))
    assert result.exit_code == 2
    assert "--verdicts and --routes exclude each other" in result.output


def test_explain_options_with_verdicts_are_said_to_have_no_effect(
    decided: Decided, tmp_path: Path
) -> None:
    result = report_verdicts(decided, tmp_path, decided.dataset, "--explain-limit", "5")
    assert result.exit_code == 0, result.output
    assert "warning: --explain-limit has no effect with --verdicts" in result.output
    assert "--explain-seconds" not in result.output  # not given: nothing said


def test_the_dataset_reads_back_as_the_single_process_verdicts_by_peer(decided: Decided) -> None:
    from_cluster = read_verdicts(decided.dataset)
    from_file = read_verdicts(decided.parquet)
    partitions = json.loads((decided.dataset / MARKER).read_text())["partitions"]
    assert len(from_cluster.files) == partitions > 1
    by_peer = sorted(from_file.verdicts, key=lambda v: v.peer_asn)
    assert list(from_cluster.verdicts) == by_peer  # partitions keep each peer's order
    assert from_cluster.warnings == from_file.warnings
    assert from_cluster.routes == 32 and from_file.routes is None


# ---- damaged or incomplete input: exit 1, the file named, no traceback ----


def refused(decided: Decided, tmp_path: Path, verdicts: Path) -> str:
    result = report_verdicts(decided, tmp_path, verdicts, "--no-save-run")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()
    return result.output


def dataset_copy(decided: Decided, tmp_path: Path) -> Path:
    return Path(shutil.copytree(decided.dataset, tmp_path / "copy"))


def test_a_dataset_without_its_summary_is_refused_as_not_finished(
    decided: Decided, tmp_path: Path
) -> None:
    folder = dataset_copy(decided, tmp_path)
    (folder / MARKER).unlink()  # as a staging folder looks before the run ends
    said = refused(decided, tmp_path, folder)
    assert str(folder) in said and f"no {MARKER}" in said and "did not finish" in said


def test_a_dataset_missing_a_partition_names_the_partition(
    decided: Decided, tmp_path: Path
) -> None:
    folder = dataset_copy(decided, tmp_path)
    (folder / "part-00001.parquet").unlink()
    said = refused(decided, tmp_path, folder)
    assert str(folder) in said and "missing: part-00001.parquet" in said


def test_a_partition_the_summary_does_not_count_is_refused(
    decided: Decided, tmp_path: Path
) -> None:
    folder = dataset_copy(decided, tmp_path)
    shutil.copy(folder / "part-00000.parquet", folder / "part-00099.parquet")
    said = refused(decided, tmp_path, folder)
    assert "part-00099.parquet" in said and "does not count" in said


def test_files_holding_other_counts_than_the_summary_are_refused(
    decided: Decided, tmp_path: Path
) -> None:
    folder = dataset_copy(decided, tmp_path)
    summary = json.loads((folder / MARKER).read_text())
    summary["verdicts"] += 1
    (folder / MARKER).write_text(json.dumps(summary))
    said = refused(decided, tmp_path, folder)
    assert "hold 31 verdicts" in said and "counts 32" in said


def test_a_damaged_summary_is_named(decided: Decided, tmp_path: Path) -> None:
    folder = dataset_copy(decided, tmp_path)
    (folder / MARKER).write_text('{"format": "verdicts/1", "partit')
    said = refused(decided, tmp_path, folder)
    assert str(folder / MARKER) in said


def test_a_truncated_partition_is_named(decided: Decided, tmp_path: Path) -> None:
    folder = dataset_copy(decided, tmp_path)
    part = folder / "part-00002.parquet"
    part.write_bytes(part.read_bytes()[:-200])
    said = refused(decided, tmp_path, folder)
    assert str(part) in said and "not a Parquet or Arrow verdict table" in said


def test_a_truncated_arrow_file_is_named(decided: Decided, tmp_path: Path) -> None:
    cut = tmp_path / "cut.arrow"
    cut.write_bytes(decided.arrow.read_bytes()[:300])
    said = refused(decided, tmp_path, cut)
    assert str(cut) in said


def test_a_file_that_is_not_a_verdict_table_is_named(decided: Decided, tmp_path: Path) -> None:
    said = refused(decided, tmp_path, decided.routes)  # JSON lines of routes
    assert str(decided.routes) in said and "not a Parquet or Arrow" in said


def test_a_table_with_other_columns_is_named(decided: Decided, tmp_path: Path) -> None:
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"peer_asn": [1], "prefix": ["192.0.2.0/24"]}), other)
    said = refused(decided, tmp_path, other)
    assert str(other) in said and "not a verdict table: columns" in said


def test_a_column_of_the_wrong_type_is_named(decided: Decided, tmp_path: Path) -> None:
    table = pq.read_table(decided.parquet)
    at = table.schema.get_field_index("peer_asn")
    wrong = table.set_column(at, "peer_asn", table.column("peer_asn").cast(pa.string()))
    path = tmp_path / "wrong.parquet"
    pq.write_table(wrong, path)
    said = refused(decided, tmp_path, path)
    assert str(path) in said and "peer_asn is string, not int64" in said


def test_a_row_whose_evidence_is_not_json_is_named_with_its_row(
    decided: Decided, tmp_path: Path
) -> None:
    table = pq.read_table(decided.parquet)
    evidence = table.column("evidence").to_pylist()
    evidence[4] = "{not json"
    at = table.schema.get_field_index("evidence")
    path = tmp_path / "broken.parquet"
    pq.write_table(table.set_column(at, "evidence", pa.array(evidence, pa.string())), path)
    said = refused(decided, tmp_path, path)
    assert str(path) in said and "row 5 is not a routesieve verdict" in said


def test_a_row_with_an_unknown_rule_is_named_with_its_row(decided: Decided, tmp_path: Path) -> None:
    table = pq.read_table(decided.parquet)
    rules = table.column("rule").to_pylist()
    rules[0] = "9.9"
    at = table.schema.get_field_index("rule")
    dictionary = pa.array(rules, pa.string()).dictionary_encode()
    dictionary = pa.DictionaryArray.from_arrays(
        dictionary.indices.cast(pa.int8()), dictionary.dictionary
    )
    path = tmp_path / "rule.parquet"
    pq.write_table(table.set_column(at, "rule", dictionary), path)
    said = refused(decided, tmp_path, path)
    assert str(path) in said and "row 1" in said and "'9.9'" in said


def test_a_missing_path_is_named(decided: Decided, tmp_path: Path) -> None:
    gone = tmp_path / "no-such-dataset"
    said = refused(decided, tmp_path, gone)
    assert str(gone) in said and "no such file or folder" in said


def test_the_reader_raises_input_error_naming_the_file(decided: Decided, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_verdicts(decided.routes)
    assert caught.value.problems[0].file == str(decided.routes)


def test_a_table_rewritten_with_plain_string_columns_reads_the_same(
    decided: Decided, tmp_path: Path
) -> None:
    """DuckDB and other tools write the dictionary columns as plain strings."""
    table = pq.read_table(decided.parquet)
    for name in ("action", "rule", "rpki"):
        at = table.schema.get_field_index(name)
        table = table.set_column(at, name, table.column(name).cast(pa.string()))
    plain = tmp_path / "plain.parquet"
    pq.write_table(table, plain)
    assert read_verdicts(plain).verdicts == read_verdicts(decided.parquet).verdicts
