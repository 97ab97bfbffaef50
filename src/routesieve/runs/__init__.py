"""Stored runs: the verdicts of one ``report`` (or ``evaluate --save-run``), dated, so
that the next report and ``routesieve diff`` can say what changed."""
