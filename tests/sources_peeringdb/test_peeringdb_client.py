"""PeeringDbClient against a local replay of real PeeringDB objects: filters, batches,
rate limits, error pages, timeouts, the answer cache, the API key and User-Agent."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from peeringdb_replay import PeeringDbReplay

from routesieve import __version__
from routesieve.sources.fetched import FetchError
from routesieve.sources.peeringdb import PeeringDbClient, api_url


def client(server: PeeringDbReplay, **kw: object) -> PeeringDbClient:
    kw.setdefault("api_key", "")
    return PeeringDbClient(server.base_url, **kw)  # type: ignore[arg-type]


def test_a_filter_returns_exactly_the_real_objects_that_match(peeringdb: PeeringDbReplay) -> None:
    with client(peeringdb) as c:
        at_linx = c.get("netixlan", ix_id=18)
        he = c.network(6939)

    assert {n["id"] for n in at_linx} == {n["id"] for n in peeringdb.find("netixlan", ix_id=18)}
    assert len(at_linx) == 57
    assert he is not None and he["name"] == "Hurricane Electric" and he["id"] == 291
    assert all(r.param("depth") == "0" for r in peeringdb.requests)


def test_an_unknown_asn_is_none(peeringdb: PeeringDbReplay) -> None:
    with client(peeringdb) as c:
        assert c.network(64511) is None


def test_a_long_id_list_is_sent_in_batches_of_150(peeringdb: PeeringDbReplay) -> None:
    wanted = [*range(1, 401), 5, 6, 7]  # repeats are asked for once
    with client(peeringdb) as c:
        nets = c.get("net", id__in=wanted)

    batches = [r.param("id__in") for r in peeringdb.requests]
    assert len(batches) == 3
    assert [len(b.split(",")) for b in batches if b] == [150, 150, 100]
    assert sorted(n["id"] for n in nets) == sorted(
        n["id"] for n in peeringdb.find("net") if n["id"] <= 400
    )


def test_a_rate_limit_is_waited_out_and_the_query_succeeds(peeringdb: PeeringDbReplay) -> None:
    peeringdb.fail_next("429", count=2, retry_after="0")
    with client(peeringdb) as c:
        assert c.network(6939) is not None
    assert len(peeringdb.requests) == 3


def test_retry_after_is_honoured(peeringdb: PeeringDbReplay) -> None:
    peeringdb.fail_next("429", count=1, retry_after="1")
    started = time.monotonic()
    with client(peeringdb) as c:
        c.network(6939)
    assert time.monotonic() - started >= 0.9


def test_a_rate_limit_that_does_not_end_is_a_clear_error(peeringdb: PeeringDbReplay) -> None:
    peeringdb.fail_next("429", count=10, retry_after="0")
    with client(peeringdb, max_retries=2) as c, pytest.raises(FetchError) as err:
        c.network(6939)
    assert "HTTP 429" in err.value.message and "after 2 retries" in err.value.message
    assert "PEERINGDB_API_KEY" in err.value.message
    assert err.value.location.startswith(peeringdb.base_url + "/net?asn=6939")
    assert len(peeringdb.requests) == 3


def test_a_retry_after_beyond_the_limit_fails_at_once(peeringdb: PeeringDbReplay) -> None:
    peeringdb.fail_next("429", count=1, retry_after="3600")
    with client(peeringdb) as c, pytest.raises(FetchError, match="asks to wait 3600 s"):
        c.network(6939)
    assert len(peeringdb.requests) == 1


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("502", r"HTTP 502: an HTML error page \(502 Bad Gateway\)"),
        ("html200", r"HTTP 200 but an HTML error page \(Login\)"),
        ("truncated", r"not valid JSON .*cut off"),
        ("cut", r"cannot be fetched"),
        ("shape", r'not a PeeringDB answer: no "data" list'),
    ],
)
def test_a_broken_answer_is_a_fetch_error_naming_the_url(
    peeringdb: PeeringDbReplay, fault: str, said: str
) -> None:
    peeringdb.fail_next(fault)
    with client(peeringdb) as c, pytest.raises(FetchError, match=said) as err:
        c.get("netixlan", ix_id=31)
    assert err.value.location == f"{peeringdb.base_url}/netixlan?ix_id=31&depth=0"


def test_a_server_that_hangs_times_out(peeringdb: PeeringDbReplay) -> None:
    peeringdb.fail_next("hang")
    started = time.monotonic()
    with client(peeringdb, timeout=0.5) as c, pytest.raises(FetchError, match="timed out"):
        c.network(6939)
    assert time.monotonic() - started < 5


def test_a_server_that_answers_for_another_network_is_caught(peeringdb: PeeringDbReplay) -> None:
    peeringdb.overlay("net", {"id": 291, "asn": "6939"})  # a string: not AS6939's record
    with client(peeringdb) as c, pytest.raises(FetchError, match="another network"):
        c.network(6939)


def test_a_fresh_cached_answer_is_used_without_asking(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    with client(peeringdb, cache_dir=tmp_path) as c:
        first = c.get("netixlan", ix_id=31)
    with client(peeringdb, cache_dir=tmp_path) as c:
        again = c.get("netixlan", ix_id=31)
    assert again == first and len(peeringdb.requests) == 1


def test_an_old_cached_answer_is_revalidated_with_its_etag(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    with client(peeringdb, cache_dir=tmp_path) as c:
        first = c.get("netixlan", ix_id=31)
    with client(peeringdb, cache_dir=tmp_path, cache_max_age=0) as c:
        again = c.get("netixlan", ix_id=31)
    second = peeringdb.requests[1]
    assert again == first
    assert second.headers.get("If-None-Match", "").startswith('"')


def test_a_down_peeringdb_falls_back_to_the_cache_with_a_warning(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    with client(peeringdb, cache_dir=tmp_path) as c:
        first = c.get("netixlan", ix_id=31)
    peeringdb.fail_next("502")
    with client(peeringdb, cache_dir=tmp_path, cache_max_age=0) as c:
        again = c.get("netixlan", ix_id=31)
        warnings = list(c.warnings)
    assert again == first
    assert len(warnings) == 1 and "HTTP 502" in warnings[0] and "cached" in warnings[0]


def test_the_api_key_is_sent_as_a_header_and_kept_out_of_urls_and_cache(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    with client(peeringdb, api_key="s3cret-key", cache_dir=tmp_path) as c:
        c.network(6939)
    request = peeringdb.requests[0]
    assert request.headers["Authorization"] == "Api-Key s3cret-key"
    assert "s3cret" not in request.path + str(request.params)
    assert all("s3cret" not in f.read_text() for f in tmp_path.iterdir())


def test_the_api_key_comes_from_the_environment(
    peeringdb: PeeringDbReplay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERINGDB_API_KEY", "from-env")
    with PeeringDbClient(peeringdb.base_url) as c:
        c.network(6939)
    monkeypatch.delenv("PEERINGDB_API_KEY")
    with PeeringDbClient(peeringdb.base_url) as c:
        c.network(6939)
    first, second = peeringdb.requests
    assert first.headers["Authorization"] == "Api-Key from-env"
    assert "Authorization" not in second.headers


def test_the_user_agent_names_routesieve_and_its_version(peeringdb: PeeringDbReplay) -> None:
    with client(peeringdb) as c:
        c.network(6939)
    assert peeringdb.requests[0].headers["User-Agent"].startswith(f"routesieve/{__version__} (+")


def test_exchange_lans_gives_the_lans_and_their_prefixes(peeringdb: PeeringDbReplay) -> None:
    with client(peeringdb) as c:
        ixlans, ixpfx = c.exchange_lans([31, 18])
    assert sorted((x["id"], x["ix_id"]) for x in ixlans) == [(18, 18), (31, 31)]
    assert sorted(p["prefix"] for p in ixpfx) == [
        "2001:7f8:4::/64",
        "2001:7f8::/64",
        "80.81.192.0/21",
    ]


def test_base_urls_are_normalised_and_bad_ones_refused() -> None:
    assert api_url("https://www.peeringdb.com") == "https://www.peeringdb.com/api"
    assert api_url("https://www.peeringdb.com/api/") == "https://www.peeringdb.com/api"
    with pytest.raises(ValueError, match="not an http"):
        api_url("ftp://peeringdb.example")
    with pytest.raises(ValueError, match="PEERINGDB_API_KEY"):
        api_url("https://user:key@www.peeringdb.com")
