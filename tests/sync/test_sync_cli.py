"""``routesieve sync`` and the commands that use what it stores, end to end over HTTP."""

from __future__ import annotations

import os
import shutil
import time
from importlib import resources
from pathlib import Path

from http_lab import HttpLab
from sync_helpers import run

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
ROUTES = str(EXAMPLE / "routes.jsonl")
GENEROUS = (
    "\n[sync.max_age_hours]\nrpki = 1000000\nirr = 1000000\nrir = 1000000\n"
    "iana = 1000000\nbogons = 1000000\npeeringdb = 1000000\n"
)


def example_with(folder: Path, sources: str, extra: str = "") -> Path:
    """The bundled example configuration with its [sources] table replaced."""
    text = (EXAMPLE / "routesieve.toml").read_text(encoding="utf-8")
    head = text.split("[sources]", 1)[0]
    path = folder / "routesieve.toml"
    path.write_text(f"{head}[sources]\n{sources}\n{extra}", encoding="utf-8")
    return path


def served_example(lab: HttpLab, rpki: Path | None = None) -> str:
    """The example's data files on the lab server, as a [sources] table of URLs."""
    names = {
        "rpki": rpki or EXAMPLE / "vrps.json",
        "irr": EXAMPLE / "irr.db",
        "rir": EXAMPLE / "delegated-ripencc-extended-excerpt",
        "peeringdb_ixpfx": EXAMPLE / "ixpfx.json",
    }
    return "\n".join(f'{k} = "{lab.file(k, path)}"' for k, path in names.items())


def test_sync_then_evaluate_gives_the_verdicts_of_the_same_data_read_from_files(
    lab: HttpLab, tmp_path: Path
) -> None:
    config = example_with(tmp_path, served_example(lab), GENEROUS)
    _, expected, _ = run(
        "evaluate", "--config", str(EXAMPLE / "routesieve.toml"), "--routes", ROUTES,
        "--format", "jsonl",
    )  # fmt: skip

    code, out, err = run("sync", "--config", str(config))
    assert code == 0, err
    assert "snapshot: " in out and "[4/4] peeringdb_ixpfx" in err and "4 ok" in err

    code, verdicts, err = run("evaluate", "--config", str(config), "--routes", ROUTES)
    assert code == 0, err
    assert "data: " in err and ".arrow (synced " in err
    assert verdicts == expected and verdicts.count("\n") == 31


def test_url_sources_without_a_stored_snapshot_say_run_sync_first(
    lab: HttpLab, tmp_path: Path
) -> None:
    config = example_with(tmp_path, served_example(lab))

    code, _, err = run("evaluate", "--config", str(config), "--routes", ROUTES)

    assert code == 1 and "run 'routesieve sync --config" in err and "sources.rpki" in err


def test_offline_uses_only_the_stored_snapshot_and_fails_clearly_without_one(
    tmp_path: Path,
) -> None:
    for name in ("vrps.json", "irr.db", "delegated-ripencc-extended-excerpt", "ixpfx.json"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    config = str(example_with(tmp_path, (EXAMPLE / "routesieve.toml").read_text().split(
        "[sources]", 1)[1]))  # fmt: skip

    code, _, err = run("evaluate", "--config", config, "--routes", ROUTES, "--offline")
    assert code == 1 and "--offline: no stored snapshot for this configuration" in err

    assert run("sync", "--config", config)[0] == 0
    code, out, err = run("evaluate", "--config", config, "--routes", ROUTES, "--offline")
    assert code == 0 and "data: " in err and out.count("\n") == 31


def test_local_files_newer_than_the_stored_snapshot_are_read_instead(tmp_path: Path) -> None:
    for name in ("vrps.json", "irr.db"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    config = str(example_with(tmp_path, 'rpki = "vrps.json"\nirr = "irr.db"'))
    assert run("sync", "--config", config)[0] == 0
    assert "data: " in run("evaluate", "--config", config, "--routes", ROUTES)[2]

    later = time.time() + 60
    os.utime(tmp_path / "vrps.json", (later, later))
    code, _, err = run("evaluate", "--config", config, "--routes", ROUTES)

    assert code == 0 and "data: " not in err


def test_a_stale_rpki_copy_is_warned_by_evaluate_and_refused_by_render_without_force(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    old = shared_data / "rpki" / "stayrtr_test.rpki.json"  # rpki-client buildtime 2023-07-27
    limits = GENEROUS.replace("rpki = 1000000", "rpki = 24")
    config = str(example_with(tmp_path, served_example(lab, rpki=old), limits))

    code, _, err = run("sync", "--config", config)
    assert code == 0 and "warning: stale data: sources.rpki" in err

    code, _, err = run("evaluate", "--config", config, "--routes", ROUTES)
    assert code == 0 and "warning: stale data: sources.rpki" in err and "limit is 24 hours" in err

    out_dir = tmp_path / "bird"
    render = ["render", "--config", config, "--routes", ROUTES, "--target", "bird2"]
    code, _, err = run(*render, "--output", str(out_dir))
    assert code == 1 and "nothing done (use --force to override)" in err
    assert not out_dir.exists()

    code, _, err = run(*render, "--output", str(out_dir), "--force")
    assert code == 0 and "using it anyway" in err and any(out_dir.iterdir())


def test_sync_says_when_it_keeps_the_last_good_copy_after_a_truncated_download(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    route6 = shared_data / "irr" / "ripe-nonauth.db.route6.gz"
    config = str(example_with(tmp_path, f'irr = "{lab.file("route6.gz", route6)}"', GENEROUS))
    assert run("sync", "--config", config)[0] == 0
    lab.truncated("route6.gz", route6, sent=4096)

    code, out, err = run("sync", "--config", config)

    assert code == 0 and "snapshot: " in out
    assert "KEPT LAST GOOD COPY" in err and "truncated" in err and "1 kept-last-good" in err


def test_sync_exits_1_and_stores_nothing_when_a_source_has_no_copy(
    lab: HttpLab, tmp_path: Path
) -> None:
    config = str(example_with(tmp_path, f'rpki = "{lab.status("vrps.json", 404)}"'))

    code, _, err = run("sync", "--config", config)

    assert code == 1 and "FAILED rpki" in err and "HTTP 404" in err
    assert "no snapshot stored: no usable copy of rpki" in err


def test_sync_refuses_a_bad_url_in_the_configuration_naming_the_key(tmp_path: Path) -> None:
    config = str(example_with(tmp_path, 'irr = ["irr.db", "rtr://rtr.example:8282"]'))

    code, _, err = run("sync", "--config", config)

    assert code == 2 and "sources.irr[1]: 'rtr://rtr.example:8282': this key takes" in err
