"""``evaluate --cluster``: the verdicts decided on Dask, partitioned by effective peer.

Imported only when a cluster is asked for, so that Dask (the optional extra
``routesieve[cluster]``) is never loaded otherwise. The snapshot is the stored one
(``routesieve sync``) or, when the configuration reads local files, a copy stored for
the run beside the output; either way the workers read it from a path they share with
the driver, as they share the output folder (docs/scale.md).
"""

from __future__ import annotations

import gc
import shutil
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import click

from routesieve.cli.common import (
    SHOWN_PROBLEMS,
    fail,
    read_route_files,
    stored_snapshot,
    warn_problems,
)
from routesieve.config import ConfigError, load_config
from routesieve.engine.rules import ALL_RULES
from routesieve.problems import InputError
from routesieve.sources.load import load_snapshot
from routesieve.store.snapshot_file import save_snapshot


def run_cluster_evaluate(
    config_path: Path,
    route_paths: Sequence[Path],
    output: Path | None,
    offline: bool,
    cluster: str | None,
) -> None:
    try:
        from routesieve.cluster.connect import open_client, parse_cluster
        from routesieve.cluster.driver import PartitionFailed, check_output, evaluate_on_cluster
        from routesieve.cluster.partition import route_files
        from routesieve.cluster.worker_cache import SnapshotRef, file_sha256
    except ImportError as exc:
        fail(2, f"--cluster needs Dask: pip install 'routesieve[cluster]' ({exc})")
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    chosen = cluster or config.cluster.scheduler
    assert chosen is not None
    try:
        spec = parse_cluster(chosen)
    except ValueError as exc:
        fail(2, f"--cluster: {exc}")
    if output is None:
        fail(2, "--cluster writes a Parquet dataset: give the folder with --output DIR")
    try:
        check_output(output)
    except ValueError as exc:
        fail(2, f"--output: {exc}")
    folders = [p for p in route_paths if p.is_dir()]
    if folders and len(route_paths) > 1:
        fail(2, "--routes: a partitioned folder is given alone (each file is a partition)")

    gc.disable()
    scratch: Path | None = None
    try:
        with ExitStack() as stack:
            try:  # first: the local cluster starts while the driver reads
                client = stack.enter_context(open_client(spec))
            except OSError as exc:
                fail(1, f"cluster {spec}: {exc}")
            found = stored_snapshot(config, offline)
            if found is None:  # local files: store a copy the workers can read
                now = int(time.time())
                loaded = load_snapshot(config, now)
                warn_problems(
                    loaded.problems, "the data files (those lines or objects were skipped)"
                )
                scratch = output.with_name(f".{output.name}.data-{uuid.uuid4().hex[:12]}")
                scratch.mkdir()
                path = save_snapshot(loaded.snapshot, scratch / "snapshot.npz")
                del loaded
            else:
                path, now = found[0], found[1].as_of
            del found
            gc.collect()
            ref = SnapshotRef(str(path.resolve()), file_sha256(path), now)
            if folders:
                files = route_files(folders[0])
                if not files:
                    fail(1, f"{folders[0]}: no route files in the folder")
                routes = None
            else:
                files, routes = [], read_route_files(config, route_paths)
            gc.enable()
            run = evaluate_on_cluster(
                client, config.to_policy(), ref, output, routes=routes, files=files
            )
    except InputError as exc:
        fail(1, str(exc))
    except PartitionFailed as exc:
        fail(1, f"cluster run failed, nothing written: {exc}")
    except OSError as exc:
        fail(1, f"cluster run on {spec} failed, nothing written: {exc}")
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    problems = [p for r in run.results for p in r.problems]
    for r in run.results:
        for line in r.read:
            click.echo(f"read: {line}", err=True)
    total = sum(r.problem_count for r in run.results)
    if total:
        click.echo(f"warning: {total} problems reading the route files:", err=True)
        for p in problems[:SHOWN_PROBLEMS]:
            click.echo(f"  {p}", err=True)
    for w in run.warnings:
        click.echo(f"warning: {w}", err=True)
    order = {rule.value: i for i, rule in enumerate(ALL_RULES)}
    by_rule = sorted(run.rules.items(), key=lambda item: order.get(item[0], len(order)))
    peers = sum(len(r.peers) for r in run.results)
    click.echo(
        f"routesieve for AS{config.local.asn}: {run.routes_in} routes received from "
        f"{peers} peers, {run.verdicts} verdicts: {run.accepted} accepted, "
        f"{run.verdicts - run.accepted} rejected"
    )
    click.echo("  by rule: " + ", ".join(f"{rule} {n}" for rule, n in by_rule))
    click.echo(
        f"  written: {output} ({len(run.results)} Parquet partitions, decided on "
        f"{run.workers} workers of {spec})"
    )
