"""The read-only web layer: a JSON API over one evaluation (``/api/v1``), a peering
request form, and the static report pages. ``routesieve serve`` runs it with Hypercorn
(``server``).

Modules: ``data`` (the evaluation indexed per peer), ``schemas`` (the answers' shapes),
``api`` (the endpoints), ``errors`` (JSON error answers), ``security`` (headers, Host and
proxy checks, limits, CSRF, rate limits), ``limits`` (what one server allows, ``[serve]``),
``pages`` (templates), ``peering`` (the form), ``app`` (``create_app``), ``server`` (the
connection cap and Hypercorn).
"""

from routesieve.web.app import create_app
from routesieve.web.data import ServeData, evaluate_for_serving, serve_data, verdict_serve_data
from routesieve.web.peering import PeeringCheck

__all__ = [
    "PeeringCheck",
    "ServeData",
    "create_app",
    "evaluate_for_serving",
    "serve_data",
    "verdict_serve_data",
]
