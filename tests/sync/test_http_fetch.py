"""fetch_http against a real HTTP server on loopback serving real data files."""

from __future__ import annotations

from pathlib import Path

import pytest
from http_lab import HttpLab
from sync_helpers import DATA

from routesieve import __version__
from routesieve.sources.fetched import FetchError
from routesieve.sources.http_fetch import fetch_http


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_compressed_file_is_stored_byte_for_byte_as_served(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "rir" / "delegated-afrinic-extended-latest.xz"
    url = lab.file("delegated-afrinic-extended-latest", source)

    got = fetch_http(url, tmp_path / "rir.xz", timeout=5)

    assert got.path.read_bytes() == source.read_bytes()
    assert got.etag and got.last_modified and got.generated
    (seen,) = lab.hits("delegated-afrinic-extended-latest")
    assert seen.headers["User-Agent"].startswith(f"routesieve/{__version__}")
    assert seen.headers["Accept-Encoding"] == "identity"


def test_an_unchanged_file_is_not_downloaded_again_and_the_result_says_so(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    url = lab.file("bogons", shared_data / "bogons" / "teamcymru_fullbogons-ipv4_20240310.txt")
    first = fetch_http(url, tmp_path / "bogons.txt", timeout=5)

    second = fetch_http(url, tmp_path / "other.txt", timeout=5, previous=first)

    assert "304" in second.note and second.path == first.path
    assert not (tmp_path / "other.txt").exists()
    assert lab.hits("bogons")[1].headers["If-None-Match"] == first.etag


def test_a_server_that_does_not_answer_in_time_is_a_timeout_naming_the_url(
    lab: HttpLab, tmp_path: Path
) -> None:
    url = lab.slow("vrps.json", delay=3)

    with pytest.raises(FetchError) as caught:
        fetch_http(url, tmp_path / "vrps.json", timeout=0.5)

    assert caught.value.location == url and "timed out" in caught.value.message
    assert not (tmp_path / "vrps.json").exists() and leftovers(tmp_path) == []


def test_a_truncated_body_leaves_the_previous_copy_untouched(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "route6.gz"
    dest.write_bytes(b"the last good copy")
    url = lab.truncated("route6.gz", shared_data / "irr" / "ripe-nonauth.db.route6.gz", 10_000)

    with pytest.raises(FetchError) as caught:
        fetch_http(url, dest, timeout=5)

    assert "truncated" in str(caught.value) or "broke off" in str(caught.value)
    assert dest.read_bytes() == b"the last good copy" and leftovers(tmp_path) == []


@pytest.mark.parametrize("code", [404, 500])
def test_an_error_status_is_a_fetch_error_with_the_status(
    lab: HttpLab, tmp_path: Path, code: int
) -> None:
    url = lab.status("x.csv", code)

    with pytest.raises(FetchError, match=f"HTTP {code}"):
        fetch_http(url, tmp_path / "x.csv", timeout=5)


def test_a_redirect_loop_is_reported_as_one(lab: HttpLab, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="redirect loop"):
        fetch_http(lab.loop("loop"), tmp_path / "x", timeout=5)


def test_a_file_over_the_size_limit_is_refused(lab: HttpLab, tmp_path: Path) -> None:
    url = lab.file("v6.csv", DATA / "iana-ipv6-special-registry-excerpt.csv")

    with pytest.raises(FetchError, match="over the limit of 100 bytes"):
        fetch_http(url, tmp_path / "v6.csv", timeout=5, max_bytes=100)
    assert not (tmp_path / "v6.csv").exists()


def test_nothing_listening_is_a_connect_error(tmp_path: Path) -> None:
    from daemon_lab import free_port

    url = f"http://127.0.0.1:{free_port()}/vrps.json"

    with pytest.raises(FetchError, match="cannot connect"):
        fetch_http(url, tmp_path / "vrps.json", timeout=2)
