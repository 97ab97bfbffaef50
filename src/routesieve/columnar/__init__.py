"""Column-backed sequences of the big data sets of a snapshot (VRPs, route objects, ...).

A full snapshot holds about two million VRPs, route objects, delegations and bogons.
As Python objects they take seconds to build or unpickle; as numpy columns they load in
a fraction of a second and the engine indexes them without a Python loop. The tables
here are ``Sequence``\\ s of the ordinary model types (:class:`~routesieve.model.Vrp`, ...):
an item is built only when it is indexed or iterated, so code that reads
``snapshot.vrps`` one item at a time works unchanged.

Only numpy and the model modules are imported: the engine and the stored-snapshot files
(:mod:`routesieve.store`) both build on this package.
"""

from routesieve.columnar.arrays import NO_EXPIRY, ColumnTable, PrefixArray, StringColumn
from routesieve.columnar.tables import (
    AsnDelegationTable,
    BogonTable,
    IpDelegationTable,
    RouteObjectTable,
    VrpTable,
)

__all__ = [
    "NO_EXPIRY",
    "AsnDelegationTable",
    "BogonTable",
    "ColumnTable",
    "IpDelegationTable",
    "PrefixArray",
    "RouteObjectTable",
    "StringColumn",
    "VrpTable",
]
