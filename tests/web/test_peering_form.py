"""The peering request form over real HTTP: token and cookie, cross-site posts refused,
rate limit, body limit, the check's answer stored for the operator and shown escaped."""

from __future__ import annotations

import json
import re
from contextlib import closing
from pathlib import Path

import httpx
from web_lab import HOSTILE_NAME, CheckCalls, ServerFactory

from routesieve.web import ServeData
from routesieve.web.limits import Limits

FORM = "/peering/request"


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page)
    assert found, "the form carries a token"
    return found.group(1)


def fields(token: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "asn": "AS64500",
        "name": "<b>Example</b> Net",
        "contact": "noc@example.net",
        "message": "hello <script>x</script>",
        **extra,
    }


def opened(url: str) -> tuple[httpx.Client, str]:
    """A client that has loaded the form (so holds its cookie) and the form's token."""
    c = httpx.Client(base_url=url, timeout=10, headers={"origin": url})
    r = c.get(FORM)
    assert r.status_code == 200
    return c, token_of(r.text)


def test_form_gives_a_token_bound_to_a_strict_cookie(
    serve: ServerFactory, example_data: ServeData
) -> None:
    url = serve(example_data, peering_check=CheckCalls())
    r = httpx.get(url + FORM, timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("routesieve_csrf=")
    assert "samesite=strict" in cookie.lower() and "httponly" in cookie.lower()
    assert "Path=/peering" in cookie
    token_of(r.text)
    assert "not configured" not in r.text


def test_a_good_post_runs_the_check_stores_the_request_and_shows_it_escaped(
    serve: ServerFactory, example_data: ServeData, tmp_path: Path
) -> None:
    check = CheckCalls()
    url = serve(example_data, peering_check=check, state_dir=tmp_path / "state")
    c, token = opened(url)
    with closing(c):
        r = c.post(FORM, data=fields(token))
    assert r.status_code == 200, r.text
    assert check.asked == [64500]
    assert "<script>" not in r.text and "<b>" not in r.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in r.text
    assert "&lt;as-set&gt; missing" in r.text
    assert "&lt;b&gt;Example&lt;/b&gt; Net" in r.text
    stored = list((tmp_path / "state" / "peering-requests").glob("*.json"))
    assert len(stored) == 1
    record = json.loads(stored[0].read_text(encoding="utf-8"))
    assert record["asn"] == 64500
    assert record["contact"] == "noc@example.net"
    assert record["message"] == "hello <script>x</script>"
    assert record["check"]["peeringdb_name"] == HOSTILE_NAME
    assert record["client"] == "127.0.0.1"
    assert record["id"] in r.text and stored[0].name == f"{record['id']}.json"


def test_posts_without_token_or_from_another_site_are_refused(
    serve: ServerFactory, example_data: ServeData, tmp_path: Path
) -> None:
    check = CheckCalls()
    url = serve(
        example_data,
        peering_check=check,
        state_dir=tmp_path / "state",
        limits=Limits(form_posts_per_hour=50, form_refusals_per_hour=50),
    )
    c, token = opened(url)
    with closing(c):
        no_token = c.post(FORM, data=fields(""))
        assert no_token.status_code == 403 and "token" in no_token.text
        wrong_token = c.post(FORM, data=fields("0" * 64))
        assert wrong_token.status_code == 403
        other_site = c.post(FORM, data=fields(token), headers={"origin": "https://evil.example"})
        assert other_site.status_code == 403 and "another site" in other_site.text
        other_referer = c.post(
            FORM, data=fields(token), headers={"origin": "", "referer": "http://evil.example/x"}
        )
        assert other_referer.status_code == 403
    # a token without the cookie it was made for (another browser) fails too
    with httpx.Client(base_url=url, timeout=10, headers={"origin": url}) as stranger:
        assert stranger.post(FORM, data=fields(token)).status_code == 403
    # neither Origin nor Referer
    bare = httpx.post(url + FORM, data=fields(token), cookies=c.cookies, timeout=10)
    assert bare.status_code == 403
    assert check.asked == []
    assert not (tmp_path / "state" / "peering-requests").exists()


def test_invalid_fields_show_the_form_again_with_every_problem(
    serve: ServerFactory, example_data: ServeData
) -> None:
    check = CheckCalls()
    url = serve(example_data, peering_check=check)
    c, token = opened(url)
    with closing(c):
        r = c.post(FORM, data=fields(token, asn="<x>", contact="nobody", message="m" * 2001))
    assert r.status_code == 400
    assert "asn: not an AS number" in r.text
    assert "contact: one e-mail address" in r.text
    assert "message: at most 2000 characters" in r.text
    assert 'value="&lt;x&gt;"' in r.text
    assert check.asked == []


def test_the_rate_limit_answers_429_with_retry_after(
    serve: ServerFactory, example_data: ServeData
) -> None:
    url = serve(example_data, peering_check=CheckCalls(), limits=Limits(form_posts_per_hour=3))
    c, token = opened(url)
    with closing(c):
        statuses = [c.post(FORM, data=fields(token)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        last = c.post(FORM, data=fields(token))
    assert last.status_code == 429
    assert 1000 < int(last.headers["retry-after"]) <= 1201


def test_oversized_and_non_form_bodies_are_refused(
    serve: ServerFactory, example_data: ServeData
) -> None:
    url = serve(
        example_data,
        peering_check=CheckCalls(),
        limits=Limits(form_posts_per_hour=50, form_refusals_per_hour=50),
    )
    c, token = opened(url)
    with closing(c):
        big = c.post(FORM, data=fields(token, message="m" * 20_000))
        assert big.status_code == 413
        assert big.headers["content-type"].startswith("text/html"), "the form gets a page"
        assert "request body too large" in big.text

        def chunks() -> object:
            yield b"csrf_token=" + token.encode() + b"&message="
            for _ in range(40):
                yield b"m" * 1000

        streamed = c.post(
            FORM,
            content=chunks(),  # type: ignore[arg-type]
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert streamed.status_code == 413
        as_json = c.post(FORM, json={"asn": 64500})
        assert as_json.status_code == 415


def test_without_a_check_the_post_answers_503(
    serve: ServerFactory, example_data: ServeData, tmp_path: Path
) -> None:
    url = serve(example_data, state_dir=tmp_path / "state")
    c, token = opened(url)
    with closing(c):
        form = c.get(FORM)
        assert "Peering checks are not configured" in form.text
        r = c.post(FORM, data=fields(token))
    assert r.status_code == 503
    assert "peering checks not configured" in r.text
    assert not (tmp_path / "state").exists()


def test_a_failing_check_is_a_clear_502_without_traceback(
    serve: ServerFactory, example_data: ServeData
) -> None:
    def broken(asn: int) -> dict[str, object]:
        raise RuntimeError("PeeringDB unreachable")

    url = serve(example_data, peering_check=broken)
    c, token = opened(url)
    with closing(c):
        r = c.post(FORM, data=fields(token))
    assert r.status_code == 502
    assert "peering check failed" in r.text
    assert "Traceback" not in r.text and "unreachable" not in r.text


def test_the_form_runs_the_real_peering_check_against_peeringdb(
    serve: ServerFactory, example_data: ServeData, tmp_path: Path, shared_data: Path
) -> None:
    """``serve`` wires the same check as ``peering request``: PeeringDB (here the local
    replay of real answers) and the policy decide, and the stored request keeps it."""
    from peeringdb_replay import PeeringDbReplay

    from routesieve.cli.serving import peering_check_for
    from routesieve.config import load_config

    config = load_config(Path(__file__).parents[1] / "peering" / "data" / "routesieve.toml")
    with PeeringDbReplay(shared_data / "peeringdb") as replay:
        check = peering_check_for(config, offline=False, url=replay.base_url)
        assert check is not None
        url = serve(example_data, peering_check=check, state_dir=tmp_path / "state")
        c, token = opened(url)
        with closing(c):
            r = c.post(FORM, data=fields(token, asn="AS8560"))
    assert r.status_code == 200, r.text
    stored = next((tmp_path / "state" / "peering-requests").glob("*.json"))
    record = json.loads(stored.read_text(encoding="utf-8"))
    assert record["check"]["eligible"] is True
    assert record["check"]["sessions"], "IONOS is at both exchanges of the test config"


def test_refused_posts_leave_the_valid_client_its_posts(
    serve: ServerFactory, example_data: ServeData, tmp_path: Path
) -> None:
    """Issue 14, finding 6: four 403s and a valid post used to lock the client out."""
    check = CheckCalls()
    limits = Limits(form_posts_per_hour=2, form_refusals_per_hour=6)
    url = serve(example_data, peering_check=check, limits=limits)
    c, token = opened(url)
    with closing(c):
        refused = [c.post(FORM, data=fields("")).status_code for _ in range(4)]
        assert refused == [403] * 4
        accepted = [c.post(FORM, data=fields(token)).status_code for _ in range(2)]
        assert accepted == [200, 200], "refusals do not use up the accepted posts"
        third = c.post(FORM, data=fields(token))
        assert third.status_code == 429 and "retry-after" in third.headers
    assert check.asked == [64500, 64500]


def test_refused_posts_have_their_own_limit_per_real_client_behind_a_proxy(
    serve: ServerFactory, example_data: ServeData
) -> None:
    """Finding 6: behind the trusted proxy each client has its own buckets."""
    limits = Limits(form_refusals_per_hour=3, trusted_proxies=("127.0.0.1",))
    url = serve(example_data, peering_check=CheckCalls(), limits=limits)
    c, token = opened(url)
    with closing(c):
        attacker = {"x-forwarded-for": "203.0.113.66"}
        statuses = [c.post(FORM, data=fields(""), headers=attacker).status_code for _ in range(4)]
        assert statuses == [403, 403, 403, 429]
        honest = c.post(FORM, data=fields(token), headers={"x-forwarded-for": "198.51.100.7"})
        assert honest.status_code == 200, "another client behind the same proxy may post"


def test_contacts_must_be_exactly_one_plain_address(
    serve: ServerFactory, example_data: ServeData, tmp_path: Path
) -> None:
    """Finding 9: a list of addresses or markup is not a contact."""
    check = CheckCalls()
    limits = Limits(form_refusals_per_hour=50)
    url = serve(example_data, peering_check=check, state_dir=tmp_path / "state", limits=limits)
    c, token = opened(url)
    with closing(c):
        for contact in (
            "a@b.example,evil@attacker.example",
            '"><svg/onload=alert(3)>@x.example',
            "noc@example.net evil@attacker.example",
            "Peering <noc@example.net>",
            "noc@localhost",
            "noc@@example.net",
        ):
            r = c.post(FORM, data=fields(token, contact=contact))
            assert r.status_code == 400, contact
            assert "contact: one e-mail address" in r.text
            assert "<svg" not in r.text
        ok = c.post(FORM, data=fields(token, contact="peering+as64500@noc.example-net.org"))
    assert ok.status_code == 200
    assert check.asked == [64500]
    assert len(list((tmp_path / "state" / "peering-requests").glob("*.json"))) == 1
