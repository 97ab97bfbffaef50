"""``routesieve run``: the always-on filter service (see docs/service.md).

Modules: ``metrics`` (the Prometheus registry), ``notify`` (webhooks and commands),
``rtr_feed`` (the RTR session thread), ``deployer`` (render, guard, deploy),
``schedule`` (jittered timers), ``loop`` (the service itself).
"""
