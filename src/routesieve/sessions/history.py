"""When each session was first configured-and-seen and last seen Established.

A router tells whether a session is up now, not whether it ever was: BIRD's protocol of a
session that went down looks like one that never came up. So every read records, in
``<folder>/history.json``, the time each session was first seen and the last time it was
seen Established; "never established" means never seen up by any read since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from routesieve.problems import InputError
from routesieve.sources.fetched import write_atomically

FILE = "history.json"


@dataclass
class SeenHistory:
    """``first_seen`` and ``last_up`` (ISO 8601 times) by session key ``AS<asn>/<session>``."""

    first_seen: dict[str, str] = field(default_factory=dict)
    last_up: dict[str, str] = field(default_factory=dict)

    def note(self, key: str, up: bool, when: str) -> None:
        self.first_seen.setdefault(key, when)
        if up:
            self.last_up[key] = when

    def ever_up(self, key: str) -> bool:
        return key in self.last_up


def session_key(asn: int, session: str) -> str:
    return f"AS{asn}/{session}"


def load_history(folder: Path) -> SeenHistory:
    """The history in ``folder`` (empty when there is none yet); InputError naming the
    file when it cannot be read."""
    path = folder / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SeenHistory()
    except (OSError, ValueError) as exc:
        raise InputError.at(str(path), f"session history cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise InputError.at(str(path), "session history: not a JSON object")
    first, last = data.get("first_seen"), data.get("last_up")
    if not isinstance(first, dict) or not isinstance(last, dict):
        raise InputError.at(str(path), "session history: 'first_seen'/'last_up' not objects")
    return SeenHistory(
        {str(k): str(v) for k, v in first.items()}, {str(k): str(v) for k, v in last.items()}
    )


def save_history(folder: Path, history: SeenHistory) -> None:
    body = {"first_seen": history.first_seen, "last_up": history.last_up}
    write_atomically(folder / FILE, [json.dumps(body, indent=1, sort_keys=True).encode()])
