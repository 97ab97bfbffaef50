"""Collecting the received routes of every configured router: BIRD, FRR, OpenBGPD, BMP
and MRT.

``Collector`` owns what must live across collections (the BMP stations, listening for
the routers that connect to them); ``collect()`` reads every router once and returns
the routes and the problems, each problem naming the router.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from routesieve.collect.bird_routes import collect_routes, list_sessions
from routesieve.collect.bird_socket import BirdClient, BirdError
from routesieve.collect.bmp_station import BmpStation
from routesieve.collect.bmp_thread import StationThread
from routesieve.collect.command_json import CommandError
from routesieve.collect.frr_routes import DEFAULT_VTYSH, Vtysh
from routesieve.collect.frr_routes import collect_routes as collect_frr
from routesieve.collect.mrt import read_routes_mrt
from routesieve.collect.openbgpd_routes import DEFAULT_SOCKET, Bgpctl
from routesieve.collect.openbgpd_routes import collect_routes as collect_openbgpd
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.config import RouterSettings
from routesieve.model import Route
from routesieve.problems import InputError, Problem, ReadResult

C = TypeVar("C")


def listen_address(listen: str) -> tuple[str, int]:
    """``"[::1]:11019"`` or ``"127.0.0.1:11019"`` as (host, port)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


@dataclass
class Collector:
    routers: Sequence[RouterSettings]
    families: Sequence[str] = ("ipv4", "ipv6")  # what FRR is asked for ([local] families)
    stations: dict[str, tuple[BmpStation, StationThread]] = field(default_factory=dict)

    def start(self) -> None:
        """Open the BMP stations, so that routers can connect before the first read."""
        for router in self.routers:
            if router.kind == "bmp" and router.name not in self.stations:
                assert router.listen is not None
                host, port = listen_address(router.listen)
                station = BmpStation()
                try:
                    running = StationThread(station, host, port).start()
                except RuntimeError as exc:
                    raise InputError.at(f"router {router.name}", str(exc)) from None
                self.stations[router.name] = (station, running)

    def stop(self) -> None:
        for _, running in self.stations.values():
            running.stop()
        self.stations.clear()

    def collect(self) -> tuple[list[Route], list[Problem]]:
        routes: list[Route] = []
        problems: list[Problem] = []
        for router in self.routers:
            got, found = self._one(router)
            routes.extend(got.rows(0, len(got)) if isinstance(got, ReceivedRoutes) else got)
            problems.extend(found)
        return routes, problems

    def collect_columns(self) -> tuple[ReceivedRoutes, list[Problem]]:
        """The same routes as :meth:`collect`, as columns (BIRD's are read so)."""
        parts: list[ReceivedRoutes] = []
        problems: list[Problem] = []
        for router in self.routers:
            got, found = self._one(router)
            parts.append(ReceivedRoutes.of(got))
            problems.extend(found)
        return ReceivedRoutes.concat(parts), problems

    def _one(self, router: RouterSettings) -> tuple[Sequence[Route], Sequence[Problem]]:
        where = f"router {router.name}"
        if router.kind == "mrt":
            assert router.path is not None
            result = read_routes_mrt(router.path, final=True)
            return result.items, result.problems
        if router.kind == "bird":
            assert router.socket is not None
            try:
                with BirdClient(Path(router.socket)) as client:
                    result = collect_routes(client, list_sessions(client))
            except BirdError as exc:
                raise InputError.at(where, f"BIRD at {router.socket}: {exc}") from None
            return result.items, result.problems
        if router.kind == "frr":
            vty = str(router.vty_socket) if router.vty_socket is not None else None
            vtysh = Vtysh(router.vtysh or DEFAULT_VTYSH, vty)
            if vty is not None and not Path(vty).is_dir():
                raise InputError.at(where, f"FRR vty socket folder {vty} not found")

            def read_frr(cli: Vtysh, name: str) -> ReadResult[Route]:
                return collect_frr(cli, name, families=self.families)

            return _run_cli(where, f"FRR through {vtysh.source}", read_frr, vtysh, router.name)
        if router.kind == "openbgpd":
            bgpctl = Bgpctl(str(router.socket) if router.socket is not None else DEFAULT_SOCKET)
            if not Path(bgpctl.socket).exists():
                raise InputError.at(where, f"OpenBGPD control socket {bgpctl.socket} not found")
            what = f"OpenBGPD through {bgpctl.source}"
            return _run_cli(where, what, collect_openbgpd, bgpctl, router.name)
        station, _ = self.stations[router.name]
        return station.routes(), station.problems()


def _run_cli(
    where: str, what: str, read: Callable[[C, str], ReadResult[Route]], cli: C, name: str
) -> tuple[Sequence[Route], Sequence[Problem]]:
    """A collector that runs the router's CLI; its failure names the router."""
    try:
        result = read(cli, name)
    except CommandError as exc:
        raise InputError.at(where, f"{what}: {exc}") from None
    return result.items, result.problems
