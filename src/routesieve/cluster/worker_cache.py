"""The policy, the snapshot and its index, loaded and built once per worker process.

A worker runs many partitions of one run; loading the stored snapshot and building the
look-up index costs about a second at full size, and unpickling the policy of 10,000
peers a fifth of one, so it is done for the first partition only (each task carries the
policy as pickled bytes, which cost nothing to pass along). The key is the snapshot's
path and SHA-256 (checked against the file the worker reads: storage that is not the
same everywhere is an error, not a wrong answer), the evaluation time and the policy's
key. One entry is kept: a worker serves one run at a time.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from routesieve.engine.index import SnapshotIndex, build_index
from routesieve.policy import Policy
from routesieve.problems import InputError
from routesieve.snapshot import Snapshot
from routesieve.store.snapshot_file import load_stored_snapshot


@dataclass(frozen=True)
class SnapshotRef:
    """A stored snapshot every worker can read at ``path``, and the time to judge at."""

    path: str
    sha256: str
    as_of: int


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_lock = threading.Lock()
Prepared = tuple[Policy, Snapshot, SnapshotIndex]
_kept: dict[tuple[str, str, int, str], Prepared] = {}


def pack_policy(policy: Policy) -> tuple[bytes, str]:
    """The policy as a task carries it, and its key (the SHA-256 of those bytes)."""
    packed = pickle.dumps(policy, protocol=5)
    return packed, hashlib.sha256(packed).hexdigest()


def prepared(ref: SnapshotRef, packed_policy: bytes, policy_key: str) -> Prepared:
    """The policy, the snapshot of ``ref`` (at ``ref.as_of``) and its index.

    Raises ``InputError`` naming the file when it cannot be read or is not the file the
    driver chose (another SHA-256).
    """
    key = (ref.path, ref.sha256, ref.as_of, policy_key)
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            return kept
        _kept.clear()
        path = Path(ref.path)
        try:
            found = file_sha256(path)
        except OSError as exc:
            raise InputError.at(ref.path, f"cannot read the stored snapshot: {exc}") from None
        if found != ref.sha256:
            raise InputError.at(
                ref.path,
                f"this worker reads another file than the driver (SHA-256 {found[:12]}…, "
                f"expected {ref.sha256[:12]}…): the snapshot must be on storage every "
                "worker sees at the same path",
            )
        policy: Policy = pickle.loads(packed_policy)
        snapshot = replace(load_stored_snapshot(path), as_of=ref.as_of)
        kept = (policy, snapshot, build_index(snapshot, policy))
        _kept[key] = kept
        return kept


def cached_keys() -> list[tuple[str, str, int, str]]:
    """What this process holds (for tests and the benchmark)."""
    with _lock:
        return list(_kept)
