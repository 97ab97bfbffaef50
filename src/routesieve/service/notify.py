"""Telling people: each event as JSON to the webhooks and commands of ``[[run.notify]]``.

A notification never stops the service: a failed webhook or command is logged.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Sequence
from typing import Any

import httpx

from routesieve.config.run_settings import NotifySettings

log = logging.getLogger("routesieve.run")


class Notifier:
    def __init__(self, targets: Sequence[NotifySettings]) -> None:
        self.targets = tuple(targets)

    def send(self, event: dict[str, Any]) -> None:
        body = json.dumps(event, sort_keys=True).encode()
        for t in self.targets:
            if t.url is not None:
                try:
                    httpx.post(
                        t.url,
                        content=body,
                        headers={"content-type": "application/json"},
                        timeout=t.timeout_seconds,
                        follow_redirects=False,
                    ).raise_for_status()
                except httpx.HTTPError as exc:
                    log.warning("notify %s: %s", t.url, exc)
            if t.command:
                try:
                    done = subprocess.run(
                        list(t.command),
                        input=body,
                        capture_output=True,
                        timeout=t.timeout_seconds,
                        check=False,
                    )
                except (OSError, subprocess.TimeoutExpired) as exc:
                    log.warning("notify %s: %s", t.command[0], exc)
                    continue
                if done.returncode:
                    log.warning("notify %s: exit %d", t.command[0], done.returncode)
