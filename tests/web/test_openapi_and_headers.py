"""The OpenAPI description is valid and complete, no page loads anything from elsewhere,
every answer carries the security headers, and strings a peer controls come back intact
in JSON and escaped in HTML."""

from __future__ import annotations

import re

import httpx
import pytest
from openapi_spec_validator import validate
from web_lab import HOSTILE_COMMUNITY, HOSTILE_NAME, HOSTILE_SESSION, ServerFactory

from routesieve.web import ServeData

SECURITY = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'self'",
    "x-frame-options": "DENY",
}


def test_openapi_description_is_valid_and_names_every_endpoint(client: httpx.Client) -> None:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    validate(spec)
    assert set(spec["paths"]) == {
        "/api/v1/peers",
        "/api/v1/peers/{asn}/routes",
        "/api/v1/peers/{asn}/routes/{route_id}",
        "/api/v1/peers/{asn}/routes/{route_id}/explanation",
        "/api/v1/sources",
        "/api/v1/run",
    }
    routes = spec["paths"]["/api/v1/peers/{asn}/routes"]["get"]
    params = {p["name"]: p for p in routes["parameters"]}
    assert set(params) == {"asn", "verdict", "rule", "q", "offset", "limit"}
    assert params["limit"]["schema"]["maximum"] == 1000
    assert "RoutePage" in spec["components"]["schemas"]
    assert "404" in routes["responses"] and "422" in routes["responses"]


def test_no_documentation_page_that_would_load_a_cdn(client: httpx.Client) -> None:
    for path in ("/docs", "/redoc", "/api/v1/docs"):
        assert client.get(path).status_code == 404
    for path in ("/", "/peering/request"):
        html = client.get(path).text
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path


@pytest.mark.parametrize(
    "path", ["/api/v1/peers", "/api/v1/peers/1/routes", "/api/v1/openapi.json", "/", "/nothing"]
)
def test_every_answer_carries_the_security_headers(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    for name, value in SECURITY.items():
        assert value in r.headers.get(name, ""), (path, name)
    assert "server" not in r.headers


def test_peer_strings_come_back_intact_in_json(
    serve: ServerFactory, hostile_data: ServeData
) -> None:
    url = serve(hostile_data)
    with httpx.Client(base_url=url, timeout=10) as c:
        peers = c.get("/api/v1/peers").json()["peers"]
        assert next(p for p in peers if p["asn"] == 209001)["name"] == HOSTILE_NAME
        found = c.get("/api/v1/peers/209001/routes", params={"q": "2a0e:8a01:30::"}).json()
        (route,) = found["routes"]
        assert route["sessions"] == [HOSTILE_SESSION]
        assert route["communities"] == [HOSTILE_COMMUNITY]
        one = c.get(f"/api/v1/peers/209001/routes/{route['route_id']}")
        assert one.headers["content-type"] == "application/json"
        assert one.json()["communities"] == [HOSTILE_COMMUNITY]


def test_peer_names_are_escaped_in_html(serve: ServerFactory, hostile_data: ServeData) -> None:
    url = serve(hostile_data)
    with httpx.Client(base_url=url, timeout=10) as c:
        r = c.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text and "<b>Nordwind" not in r.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;Nordwind" in r.text


def test_a_report_folder_is_served_at_the_root_beside_the_api(
    serve: ServerFactory, example_data: ServeData, tmp_path: pytest.TempPathFactory
) -> None:
    site = tmp_path / "site"  # type: ignore[operator]
    (site / "peers").mkdir(parents=True)
    (site / "index.html").write_text("<!DOCTYPE html><title>report</title>", encoding="utf-8")
    (site / "peers" / "209001.html").write_text("peer page", encoding="utf-8")
    url = serve(example_data, site_dir=site)
    with httpx.Client(base_url=url, timeout=10) as c:
        index = c.get("/")
        assert index.text.startswith("<!DOCTYPE html><title>report")
        for name, value in SECURITY.items():
            assert value in index.headers[name]
        assert c.get("/peers/209001.html").text == "peer page"
        assert c.get("/peers/missing.html").status_code == 404
        assert c.get("/../etc/passwd").status_code == 404
        assert c.get("/api/v1/run").json()["local_asn"] == 214312
        assert c.get("/peering/request").status_code == 200
