"""Keeping outside data current: ``routesieve sync`` and the snapshots it stores.

Modules: ``plan`` (one entry per configured source, cache folders, the sources
fingerprint), ``fetchers`` (the table of fetchers by URL scheme), ``one_source`` (fetch,
check, keep the last good copy), ``records`` (the JSON records and manifests), ``run``
(the whole sync: sources, snapshot, pruning), ``stored`` (which stored snapshot a command
uses, and which sources are stale).
"""
