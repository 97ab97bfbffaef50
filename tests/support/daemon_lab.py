"""What every test (and benchmark) that runs real daemons needs: Debian packages, free
ports, bounded waits, and processes that are always ended.

Imported by the harnesses in tests/outputs, tests/collect_bird and tests/collect_bmp
(``tests/conftest.py`` puts this folder on the path).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from routesieve.model import AsPath, SegmentType

INSTALL_TIMEOUT = 900


class LabError(RuntimeError):
    """A daemon could not be installed or started, or did not get where it should."""


def install_debian(packages: Sequence[str], tools: Sequence[str]) -> None:
    """``apt-get install`` the packages when one of the tools is missing (we run as root);
    a failure says which command failed and why, never a silent skip."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", *packages]):
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, env=env
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LabError(
                f"{' '.join(cmd)} failed: {exc} (needed: {', '.join(missing)})"
            ) from None
        if done.returncode != 0:
            raise LabError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-2000:]}")
    still = [t for t in tools if shutil.which(t) is None]
    if still:
        raise LabError(f"installed {', '.join(packages)}, but {', '.join(still)} still not found")


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_until(
    what: str, check: Callable[[], bool], timeout: float = 60, step: float = 0.3
) -> None:
    """Poll ``check`` until it is true; after ``timeout`` seconds, fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(step)
    raise LabError(f"timed out after {timeout:.0f} s waiting for {what}")


def kill_pid(pid: int) -> None:
    """SIGTERM, five seconds of grace, then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@dataclass
class Processes:
    """Processes started by a test; ``stop`` (fixture teardown) ends them all, and the
    daemons that fork into the background (BIRD) by the pid in their pid file."""

    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    pidfiles: list[Path] = field(default_factory=list)

    def start(self, args: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            proc = subprocess.Popen(list(args), stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        for pidfile in self.pidfiles:
            with contextlib.suppress(OSError, ValueError):
                kill_pid(int(pidfile.read_text().strip()))


def gobgp_afis(*families: str) -> str:
    """The ``[[neighbors.afi-safis]]`` blocks of a GoBGP neighbour, e.g. "ipv6-unicast"."""
    return "".join(
        "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n"
        f'      afi-safi-name = "{family}"\n'
        for family in families
    )


def start_gobgpd(
    procs: Processes, folder: Path, name: str, config: str, api: int
) -> subprocess.Popen[bytes]:
    """Write ``<name>.toml`` into ``folder`` and start gobgpd on it, its API on ``api``."""
    conf = folder / f"{name}.toml"
    conf.write_text(config)
    args = ["gobgpd", "-f", str(conf), "-p", f"--api-hosts=127.0.0.1:{api}", "--pprof-disable"]
    return procs.start(args, folder / f"{name}.log")


def start_bird(procs: Processes, conf: Path, folder: Path) -> Path:
    """Start BIRD in the background on ``conf`` with its control socket in ``folder``;
    returns the socket once it exists. BIRD daemonises: ``procs`` ends it by its pidfile."""
    sock, pidfile = folder / "bird.ctl", folder / "bird.pid"
    procs.pidfiles.append(pidfile)
    done = subprocess.run(
        ["bird", "-c", str(conf), "-s", str(sock), "-P", str(pidfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise LabError(f"bird did not start: {done.stderr}{done.stdout}")
    wait_until("the BIRD control socket", sock.exists, 20)
    return sock


def gobgp_path(path: AsPath) -> str:
    """GoBGP's ``aspath`` argument: ``"1 2 {3,4}"``."""
    parts = []
    for seg in path.segments:
        if seg.type is SegmentType.AS_SEQUENCE:
            parts.append(" ".join(map(str, seg.asns)))
        elif seg.type is SegmentType.AS_SET:
            parts.append("{" + ",".join(map(str, seg.asns)) + "}")
        else:
            raise ValueError(f"GoBGP cannot announce confederation segments: {path}")
    return " ".join(parts)


def gobgp_announce(api: int, prefix: str, path: AsPath, nexthop: str) -> None:
    """Originate ``prefix`` with ``path`` at the gobgpd whose API is on ``api``, retrying
    for a minute while that API comes up (longer under load)."""
    family = "ipv6" if ":" in prefix else "ipv4"
    cmd = ["gobgp", "-p", str(api), "global", "rib", "add", "-a", family, prefix]
    cmd += ["aspath", gobgp_path(path), "nexthop", nexthop]
    deadline = time.monotonic() + 60
    while True:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise LabError(f"{' '.join(cmd)} failed: {done.stderr}{done.stdout}")
        time.sleep(0.3)
