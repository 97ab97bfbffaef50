"""A Dask client for ``--cluster``: a running scheduler (``tcp://host:port``) or a
``LocalCluster`` of N worker processes started for the run (``local:N``)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import dask
from distributed import Client, LocalCluster

CONNECT_TIMEOUT_SECONDS = 30
_LOCAL = re.compile(r"local:([1-9][0-9]{0,3})")
_REMOTE = re.compile(r"(tcp|tls)://[^\s/:]+(:[0-9]{1,5})?")


@dataclass(frozen=True)
class ClusterSpec:
    """Where to run: ``address`` of a scheduler, or ``local_workers`` processes here."""

    address: str | None = None
    local_workers: int = 0

    def __str__(self) -> str:
        return self.address or f"local:{self.local_workers}"


def parse_cluster(text: str) -> ClusterSpec:
    """``tcp://host:port``, ``tls://host:port`` or ``local:N``; ``ValueError`` otherwise."""
    local = _LOCAL.fullmatch(text)
    if local:
        return ClusterSpec(local_workers=int(local.group(1)))
    if _REMOTE.fullmatch(text):
        return ClusterSpec(address=text)
    raise ValueError(
        f"{text!r} is not a cluster: give a scheduler as tcp://host:port (or tls://) "
        "or local:N for N worker processes on this machine"
    )


_SPAWN_ENVIRON = "distributed.nanny.pre-spawn-environ"


def worker_environ() -> dict[str, object]:
    """What the local workers are started with: Dask's, without ``MALLOC_TRIM_THRESHOLD_``.

    Set at all, that variable stops glibc from raising its mmap threshold as a program
    frees large blocks, so every numpy array over 128 kB is mapped and unmapped again:
    a partition then took 1.7 times as long (bench/README.md, issue 16)."""
    found = dask.config.get(_SPAWN_ENVIRON, default={}) or {}
    return {k: v for k, v in dict(found).items() if k != "MALLOC_TRIM_THRESHOLD_"}


@contextmanager
def open_client(spec: ClusterSpec) -> Iterator[Client]:
    """A connected client; a local cluster is stopped when the block ends.

    Raises ``OSError`` (a ``TimeoutError`` among them) when the scheduler cannot be
    reached within :data:`CONNECT_TIMEOUT_SECONDS`.
    """
    if spec.address is not None:
        with Client(spec.address, timeout=CONNECT_TIMEOUT_SECONDS) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    with (
        dask.config.set({_SPAWN_ENVIRON: worker_environ()}),
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=spec.local_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # loopback only: the cluster lives for one run on this machine
            dashboard_address="127.0.0.1:0",  # no fixed port (8787 may be taken)
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, timeout=CONNECT_TIMEOUT_SECONDS) as client,  # type: ignore[no-untyped-call]
    ):
        yield client
