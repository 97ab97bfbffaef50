"""Answering peering requests by AS214312's peering policy.

``record`` (PeeringDB's view of the requesting network, cleaned by ``sanitize``),
``proposal`` (the decision: sessions or the policy's reason, pure), ``lookup`` (the
PeeringDB queries behind it), ``message`` (the AS number a request email names),
``config_edit`` (the new ``[[peers]]`` entry, keeping the file's comments) and
``reply`` (the email drafted from a Jinja2 template). The commands are in
:mod:`routesieve.cli.peering`; the workflow is described in docs/peering.md.
"""
