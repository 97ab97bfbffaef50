"""How the application is run: uvicorn settings shared by ``routesieve serve`` and the tests.

No ``Server`` header; ``X-Forwarded-For`` is not trusted (the rate limit of the peering
form counts the address that connected: behind a reverse proxy every client shares it).
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI


def server_config(app: FastAPI, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
    )
