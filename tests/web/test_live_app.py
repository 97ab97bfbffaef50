"""``LiveApp`` (``routesieve run``'s web face): 503 until the first data, then the data
swapped in between requests, while the Guard's API rate limit and the peering form's
CSRF tokens and rate limit live on across a swap. Real server (``web/server.py``)."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
from test_peering_form import FORM, fields, opened
from web_lab import CheckCalls, running

from routesieve.web import ServeData
from routesieve.web.limits import Limits
from routesieve.web.live import LiveApp


def test_starts_with_503_then_serves_each_new_data_in_turn(
    example_data: ServeData, tmp_path: Path
) -> None:
    app = LiveApp(tmp_path, example_data.policy.local_asn, None, limits=Limits())
    with running(app) as url:
        starting = httpx.get(f"{url}/api/v1/run", timeout=10)
        assert starting.status_code == 503 and starting.headers["retry-after"] == "5"

        app.replace(example_data, None)
        first = httpx.get(f"{url}/api/v1/run", timeout=10).json()
        later = replace(example_data, evaluated_at=datetime(2030, 1, 2, tzinfo=UTC))
        app.replace(later, None)
        second = httpx.get(f"{url}/api/v1/run", timeout=10).json()
    assert first["evaluated_at"] == example_data.evaluated_at.isoformat(timespec="seconds")
    assert second["evaluated_at"] == "2030-01-02T00:00:00+00:00"


def test_limits_and_form_tokens_survive_a_swap(example_data: ServeData, tmp_path: Path) -> None:
    limits = Limits(api_per_minute=4, form_posts_per_hour=2)
    app = LiveApp(tmp_path, example_data.policy.local_asn, CheckCalls(), limits=limits)
    app.replace(example_data, None)
    with running(app, limits) as url:
        c, token = opened(url)
        with closing(c):
            assert c.post(FORM, data=fields(token)).status_code == 200
            api = [httpx.get(f"{url}/api/v1/peers", timeout=10).status_code for _ in range(2)]
            app.replace(example_data, None)
            # the token of the page loaded before the swap is still good; the count goes on
            assert c.post(FORM, data=fields(token)).status_code == 200
            assert c.post(FORM, data=fields(token)).status_code == 429
            api += [httpx.get(f"{url}/api/v1/peers", timeout=10).status_code for _ in range(3)]
    assert api == [200, 200, 200, 200, 429]
