"""Hostile input through the command line: the seven classes of issue 15, each a case.

Whatever a data file holds, ``routesieve`` answers with routes, verdicts and problems
naming the file and the place, or a clear error and exit code 1 or 2: never a traceback,
a hang, or a route lost without a word.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import time
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from routesieve.cli import main
from routesieve.sources import rpsl, rpsl_objects

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
GOOD = '{"peer_asn": 209001, "prefix": "2a0e:8a01::/32", "as_path": "209001", "session": "bgpx-1"}'


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    return result.exit_code, result.stdout, result.stderr


def evaluate(routes: Path, config: Path = EXAMPLE / "routesieve.toml", fmt: str = "jsonl"):  # type: ignore[no-untyped-def]
    return run("evaluate", "--config", str(config), "--routes", str(routes), "--format", fmt)


def verdicts(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def config_with(tmp_path: Path, **sources: Path) -> Path:
    """The example configuration with some ``[sources]`` files replaced."""
    text = (EXAMPLE / "routesieve.toml").read_text()
    files = {
        "rpki": EXAMPLE / "vrps.json",
        "irr": EXAMPLE / "irr.db",
        "rir": EXAMPLE / "delegated-ripencc-extended-excerpt",
        "peeringdb_ixpfx": EXAMPLE / "ixpfx.json",
    }
    files.update(sources)
    head, _, _ = text.partition("[sources]")
    lines = [f'{key} = ["{path}"]' for key, path in files.items()]
    path = tmp_path / "routesieve.toml"
    path.write_text(head + "[sources]\n" + "\n".join(lines) + "\n")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# 1. silent route loss: a field int() refuses stopped the whole file


def test_superscript_and_5000_digit_fields_in_json_lines_become_malformed_routes(
    tmp_path: Path,
) -> None:
    lines = [
        GOOD,
        GOOD.replace("/32", "/³²"),
        GOOD.replace('"as_path": "209001"', '"as_path": "209001 ' + "9" * 5000 + '"'),
        GOOD.replace("209001,", '"²",', 1),
        GOOD.replace("8a01::", "8a02::"),
    ]
    code, out, err = evaluate(write(tmp_path, "r.jsonl", "\n".join(lines) + "\n"))
    assert code == 0
    rules = [(v["prefix"], v["rule"]) for v in verdicts(out)]
    assert ("2a0e:8a01::/³²", "X-MALFORMED") in rules
    assert sum(rule == "X-MALFORMED" for _, rule in rules) == 2
    assert "2a0e:8a02::/32" in [p for p, _ in rules]  # the line after them is read
    assert "r.jsonl:4: unusable peer_asn" in err
    assert "5 lines read, 4 routes (2 malformed" in err and "1 skipped" in err


def test_bgpdump_bad_timestamps_keep_their_routes_and_the_right_line_numbers(
    tmp_path: Path,
) -> None:
    rows = [
        "TABLE_DUMP2|1|B|192.0.2.1|209001|2a0e:8a01::/32|209001|IGP",
        "TABLE_DUMP2|1²|B|192.0.2.1|209001|2a0e:8a01:1::/48|209001|IGP",
        "TABLE_DUMP2|99999999999999999999|B|192.0.2.1|209001|2a0e:8a01:2::/48|209001|IGP",
        "TABLE_DUMP2_AP|1|B|192.0.2.1|209001|2a0e:8a01:3::/48|²|209001|IGP",
        "TABLE_DUMP2|1|B|192.0.2.1|x|2a0e:8a01:4::/48|209001|IGP",
        "TABLE_DUMP2|1|B|192.0.2.1|209001|2a0e:8a01:5::/48|209001|IGP",
    ]
    code, out, err = evaluate(write(tmp_path, "r.txt", "\n".join(rows) + "\n"))
    assert code == 0
    found = {v["prefix"]: v["rule"] for v in verdicts(out)}
    assert len(found) == 5 and "2a0e:8a01:5::/48" in found
    assert [found[f"2a0e:8a01:{i}::/48"] for i in (1, 2, 3)] == ["X-MALFORMED"] * 3
    assert "r.txt:5: unusable peer AS" in err
    assert "6 lines read, 5 routes (3 malformed" in err


# 2. quadratic RPSL continuation lines


def test_rpsl_attribute_with_160000_continuation_lines_is_read_quickly(tmp_path: Path) -> None:
    obj = (
        "route6: 2a0e:8a01::/32\norigin: AS209001\nremarks: x\n"
        + "+ more\n" * 160_000
        + "source: RIPE\n\n"
    )
    irr = tmp_path / "irr.db"
    irr.write_text((EXAMPLE / "irr.db").read_text() + "\n" + obj)
    started = time.monotonic()
    code, out, _ = evaluate(EXAMPLE / "routes.jsonl", config_with(tmp_path, irr=irr))
    assert code == 0 and out
    assert time.monotonic() - started < 10  # was over 25 s (quadratic); linear now


def test_rpsl_object_over_the_size_limit_is_left_out_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rpsl_objects, "MAX_OBJECT_CHARS", 10_000)
    irr = tmp_path / "irr.db"
    big = "route6: 2a0e:8a01::/32\norigin: AS209001\n" + "+ x\n" * 5000 + "\n"
    irr.write_text(big + "route6: 2a0e:8a02::/32\norigin: AS209002\n")
    data = rpsl.read_rpsl(irr)
    assert [str(r.prefix) for r in data.route_objects] == ["2a0e:8a02::/32"]
    # 40 characters in two lines, then 4 a line: the limit is passed on line 2 + 2491
    assert [str(p) for p in data.problems] == [
        f"{irr}:2493: object over 10000 characters: left out"
    ]


# 3. damaged compressed files


@pytest.mark.parametrize(
    ("kind", "pack"),
    [("gzip", gzip.compress), ("bzip2", bz2.compress), ("xz", lzma.compress)],
)
def test_damaged_compressed_route_file_is_named_with_its_byte_offset(
    tmp_path: Path, kind: str, pack: object
) -> None:
    body = ("\n".join([GOOD] * 3000) + "\n").encode()
    packed = pack(body)  # type: ignore[operator]
    damaged = packed[:40] + bytes(b ^ 0x55 for b in packed[40:80]) + packed[80:]
    path = tmp_path / "routes.jsonl.z"
    path.write_bytes(damaged)
    code, _, err = evaluate(path)
    assert code in (0, 1)
    assert f"damaged {kind} file" in err and "routes.jsonl.z" in err and "byte " in err


def test_truncated_gzip_keeps_the_routes_before_the_break(tmp_path: Path) -> None:
    lines = [GOOD.replace("8a01::", f"{i:x}::") for i in range(1, 40000)]
    packed = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "routes.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    code, out, err = evaluate(path)
    assert code == 0
    assert 0 < len(out.splitlines()) < len(lines)
    assert "damaged gzip file" in err and "bytes decompressed" in err


def test_damaged_compressed_data_file_is_an_input_error(tmp_path: Path) -> None:
    packed = gzip.compress((EXAMPLE / "vrps.json").read_bytes())
    bad = tmp_path / "vrps.json.gz"
    bad.write_bytes(packed[: len(packed) - 30])
    code, _, err = evaluate(EXAMPLE / "routes.jsonl", config_with(tmp_path, rpki=bad))
    assert code == 1 and "vrps.json.gz" in err and "damaged gzip file" in err


# 4. Python's integer-string limit and Unicode digits


def test_5000_digit_and_superscript_numbers_in_data_files_are_problems(tmp_path: Path) -> None:
    vrps = write(
        tmp_path,
        "vrps.json",
        '{"roas": [{"asn": 209001, "prefix": "2a0e:8a01::/32", "maxLength": '
        + "9" * 5000
        + ', "ta": "x"}, {"asn": 209001, "prefix": "2a0e:8a01::/32", "maxLength": "²", '
        '"ta": "x", "expires": "²"}, {"asn": 209001, "prefix": "2a0e:8a01::/32", '
        '"maxLength": 48, "ta": "x"}]}',
    )
    irr = write(
        tmp_path,
        "irr.db",
        (EXAMPLE / "irr.db").read_text()
        + "\nroute6: 2a0e:8a09::/32\norigin: AS"
        + "9" * 5000
        + "\nsource: RIPE\n\nroute6: 2a0e:8a09::/"
        + "3" * 5000
        + "\norigin: AS1\nsource: RIPE\n",
    )
    rir_text = (EXAMPLE / "delegated-ripencc-extended-excerpt").read_text()
    rir = write(
        tmp_path,
        "rir",
        rir_text + "ripencc|DE|ipv6|2a0e:8a09::|" + "9" * 5000 + "|20200101|allocated\n"
        "ripencc|DE|asn|²|1|20200101|allocated\n",
    )
    code, out, err = evaluate(
        EXAMPLE / "routes.jsonl", config_with(tmp_path, rpki=vrps, irr=irr, rir=rir)
    )
    assert code == 0 and out
    assert "(roas[0]): maxLength has too many digits (5000)" in err
    assert "(roas[1]): maxLength is not a number: '²'" in err
    assert "irr.db" in err and "rir:" in err


def test_5000_digit_number_in_the_configuration_is_a_configuration_error(tmp_path: Path) -> None:
    text = (
        (EXAMPLE / "routesieve.toml")
        .read_text()
        .replace("max_hops = 50", "max_hops = " + "9" * 5000)
    )
    config = write(tmp_path, "routesieve.toml", text)
    code, _, err = evaluate(EXAMPLE / "routes.jsonl", config)
    assert code == 2 and "routesieve.toml" in err and "number" in err


# 5. out-of-range numbers turned into dates


@pytest.mark.parametrize("generated", ["1e300", "Infinity", "99999999999999", "-5"])
def test_rpki_generated_time_out_of_range_is_no_date_and_no_crash(
    tmp_path: Path, generated: str
) -> None:
    doc = json.loads((EXAMPLE / "vrps.json").read_text())
    text = json.dumps(doc).replace('"metadata": {', f'"metadata": {{"generated": {generated}, ', 1)
    if '"metadata"' not in text:
        text = text.replace("{", f'{{"metadata": {{"generated": {generated}}}, ', 1)
    vrps = write(tmp_path, "vrps.json", text)
    code, out, _ = evaluate(EXAMPLE / "routes.jsonl", config_with(tmp_path, rpki=vrps))
    assert code == 0 and out


def test_bgpdump_timestamp_beyond_the_year_9999_is_a_malformed_route(tmp_path: Path) -> None:
    row = "BGP4MP|253402300800|A|192.0.2.1|209001|2a0e:8a01::/32|209001|IGP"
    code, out, _ = evaluate(write(tmp_path, "r.txt", row + "\n"))
    assert code == 0
    (verdict,) = verdicts(out)
    assert verdict["rule"] == "X-MALFORMED" and "timestamp" in str(verdict["reason"])


# 6. strings that cannot be written


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_lone_surrogates_in_a_route_are_replaced_and_reported(tmp_path: Path, fmt: str) -> None:
    bad = '{"peer_asn": 209001, "prefix": "\\ud800", "as_path": "209001", "session": "\\udc00x"}'
    code, out, err = evaluate(write(tmp_path, "r.jsonl", GOOD + "\n" + bad + "\n"), fmt=fmt)
    assert code == 0
    assert "\ufffd" in out and "X-MALFORMED" in out
    assert "r.jsonl:2: 2 text value(s) with lone surrogates: replaced" in err


# 7. other escapes


def test_csv_line_over_the_field_size_limit_is_one_problem(tmp_path: Path) -> None:
    vrps = write(
        tmp_path,
        "vrps.csv",
        "ASN,IP Prefix,Max Length,Trust Anchor\n"
        f"AS209001,2a0e:8a01::/32,48,{'x' * 140_000}\n"
        "AS209001,2a0e:8a01::/32,48,ripencc\n",
    )
    code, _, err = evaluate(EXAMPLE / "routes.jsonl", config_with(tmp_path, rpki=vrps))
    assert code == 0
    assert "vrps.csv:2: unreadable CSV line: field larger than field limit" in err


def test_nul_inside_an_rir_ipv4_address_is_a_problem(tmp_path: Path) -> None:
    rir_text = (EXAMPLE / "delegated-ripencc-extended-excerpt").read_text()
    rir = write(tmp_path, "rir", rir_text + "ripencc|FR|ipv4|1.0.0\x00.0|256|20100101|allocated\n")
    code, _, err = evaluate(EXAMPLE / "routes.jsonl", config_with(tmp_path, rir=rir))
    assert code == 0 and "bad IPv4 address '1.0.0\\x00.0'" in err


def test_toml_nested_2000_deep_is_a_configuration_error(tmp_path: Path) -> None:
    config = write(tmp_path, "routesieve.toml", "x = " + "[" * 2000 + "]" * 2000 + "\n")
    code, _, err = evaluate(EXAMPLE / "routes.jsonl", config)
    assert code == 2 and "nested too deeply" in err


def test_toml_nested_deeper_than_any_key_needs_is_a_configuration_error(tmp_path: Path) -> None:
    config = write(tmp_path, "routesieve.toml", "x = " + "[" * 40 + "]" * 40 + "\n")
    code, _, err = evaluate(EXAMPLE / "routes.jsonl", config)
    assert code == 2 and "nested more than 16 deep" in err


def test_path_of_an_unknown_user_is_a_configuration_error(tmp_path: Path) -> None:
    config = config_with(tmp_path, rpki=Path("~nosuchuser-routesieve/vrps.json"))
    code, _, err = evaluate(EXAMPLE / "routes.jsonl", config)
    assert code == 2
    assert "sources.rpki[0]" in err and "names no home directory" in err


# the guarantee: an unexpected error is one line, a log file and exit code 3


def test_unexpected_internal_error_exits_3_with_one_line_and_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: object) -> object:
        raise RuntimeError("a bug, not bad input")

    monkeypatch.setattr("routesieve.cli.common.read_routes", broken)
    monkeypatch.setenv("ROUTESIEVE_LOG_DIR", str(tmp_path / "logs"))
    code, _, err = evaluate(EXAMPLE / "routes.jsonl")
    assert code == 3
    (line,) = [x for x in err.splitlines() if x.startswith("error:")]
    assert "internal error (RuntimeError: a bug, not bad input)" in line
    (log,) = (tmp_path / "logs").glob("crash-*.log")
    assert str(log) in line
    assert "Traceback" in log.read_text() and "a bug, not bad input" in log.read_text()
