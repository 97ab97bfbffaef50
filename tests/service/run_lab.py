"""A lab for ``routesieve run``: a real StayRTR, a real BIRD 2 with one GoBGP peer that
announces routes, and the service as a subprocess on them.

Used by tests/service/test_run_e2e.py and bench/bench_run_roa_to_bird.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import bird_harness as h
import httpx
from daemon_lab import free_port, start_bird, wait_until
from prometheus_client.parser import text_string_to_metric_families
from rtr_lab import StayRtr, require_stayrtr, write_cache

from routesieve.model import AsPath

PEER = 65010
LOCAL = 214312
WAIT = 120  # generous: other work loads the machine

ROUTE = re.compile(r"^([0-9a-fA-F:.]+/\d+)\s")

Metrics = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def roa(prefix: str) -> dict[str, object]:
    return {"prefix": prefix, "maxLength": 48, "asn": f"AS{PEER}", "ta": "lab"}


def head(root: Path, rtr: str) -> str:
    """[local], the one peer, the RTR source and the state folder of a service lab."""
    return f"""
[local]
asn = {LOCAL}
families = ["ipv6"]

[[peers]]
asn = {PEER}
sessions = [{{ name = "peer1" }}]

[sources]
rpki = "{rtr}"

[sync]
folder = "{root / "state"}"
"""


def config_text(root: Path, rtr: str, bird_sock: Path, metrics: int, web: int | None = None) -> str:
    writer = (
        f"import sys; open({str(root / 'notify.jsonl')!r}, 'a').write(sys.stdin.read() + '\\n')"
    )
    notify = [sys.executable, "-c", writer]
    return f"""{head(root, rtr)}
[[routers]]
name = "edge"
kind = "bird"
socket = "{bird_sock}"

[run]
listen_metrics = "127.0.0.1:{metrics}"
{"" if web is None else f'listen_web = "127.0.0.1:{web}"'}
poll_seconds = 1
jitter = 0.0
deploy_min_interval = 1
rtr_retry_seconds = 2
bird_dir = "{root / "bird"}"
bird_config = "{root / "bird" / "bird.conf"}"
bird_socket = "{bird_sock}"
max_shrink = 0.6
full_check_seconds = 2

[[run.notify]]
command = {json.dumps(notify)}
"""


@dataclass
class Lab:
    root: Path
    cache: Path
    stay: StayRtr
    speaker: h.Speaker
    sock: Path
    conf: Path
    port: int  # the service's metrics
    procs: h.Processes

    def start_run(self, log: str = "run.log") -> Popen[bytes]:
        return start_run(self.procs, self.conf, self.root / log)

    def accepted(self) -> set[str]:
        return self._routes(filtered=False)

    def received(self) -> set[str]:
        return self.accepted() | self._routes(filtered=True)

    def _routes(self, filtered: bool) -> set[str]:
        """``birdc show route [filtered] protocol peer1``, asked again while BIRD answers
        that a reconfiguration (the service's deploy) interrupted the query."""
        words = ["show", "route", *(["filtered"] if filtered else []), "protocol", "peer1"]
        for _ in range(50):
            done = subprocess.run(
                ["birdc", "-s", str(self.sock), *words], capture_output=True, text=True, timeout=60
            )
            if done.returncode == 0 and "Stopped due to reconfiguration" not in done.stdout:
                return {m.group(1) for line in done.stdout.splitlines() if (m := ROUTE.match(line))}
            time.sleep(0.1)
        raise AssertionError(f"birdc {' '.join(words)} kept failing: {done.stdout}{done.stderr}")

    def announce(self, prefix: str) -> None:
        h.announce(self.speaker, prefix, AsPath.sequence([PEER]))

    def set_roas(self, prefixes: list[str]) -> None:
        write_cache(self.cache, [roa(p) for p in prefixes])

    def metrics(self) -> Metrics:
        return metrics_at(self.port)

    def metrics_or_none(self) -> Metrics | None:
        try:
            return self.metrics()
        except httpx.HTTPError:
            return None


def start_run(procs: h.Processes, conf: Path, log: Path) -> Popen[bytes]:
    """``routesieve run --config conf`` as a process of the lab, its output in ``log``."""
    return procs.start(
        [str(Path(sys.executable).parent / "routesieve"), "run", "--config", str(conf)], log
    )


def wait_for_refused_check(port: int, timeout: float) -> None:
    """Until the service at metrics ``port`` has counted a deploy the router's check refused."""
    refused = ("routesieve_deploys_refused_total", (("reason", "check_failed"),))
    wait_until("the refused check counted", lambda: metrics_at(port).get(refused, 0) >= 1, timeout)


def metrics_at(port: int) -> Metrics:
    """The samples ``run`` serves at ``127.0.0.1:port/metrics``, by name and labels."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def start_lab(
    procs: h.Processes, root: Path, roas: list[str], routes: list[str], web: int | None = None
) -> Lab:
    """StayRTR serving ``roas`` (refreshing its file every second), BIRD with a filter
    that rejects everything until the first deploy, GoBGP announcing ``routes``; with
    ``web``, the service also serves its web face on that port (``[run] listen_web``)."""
    h.require_daemons()
    require_stayrtr()
    cache = root / "vrps.json"
    write_cache(cache, [roa(p) for p in roas])
    stay = StayRtr(cache, root / "stayrtr.log", args=("-refresh", "1")).start()
    speaker = h.start_speaker(procs, root / "gobgp", PEER, LOCAL, 11)
    bird_dir = root / "bird"
    bird_dir.mkdir()
    (bird_dir / "routesieve-filters.conf").write_text(f"filter peer_as{PEER}_in {{ reject; }}\n")
    bird_port = free_port("::1")
    (bird_dir / "bird.conf").write_text(
        f"""router id 10.255.255.1;
protocol device {{}}
include "{bird_dir / "routesieve-filters.conf"}";
protocol bgp peer1 {{
  local ::1 port {bird_port} as {LOCAL};
  neighbor ::1 port {speaker.port} as {PEER};
  multihop;
  ipv6 {{ import keep filtered on; import filter peer_as{PEER}_in; export none; }};
}}
"""
    )
    sock = start_bird(procs, bird_dir / "bird.conf", root)
    for prefix in routes:
        h.announce(speaker, prefix, AsPath.sequence([PEER]))
    port = free_port()
    conf = root / "routesieve.toml"
    conf.write_text(config_text(root, stay.url, sock, port, web))
    lab = Lab(root, cache, stay, speaker, sock, conf, port, procs)
    wait_until("the routes at BIRD", lambda: set(routes) <= lab.received(), WAIT)
    return lab
