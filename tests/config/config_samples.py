"""Configuration texts shared by the config tests, and a helper that writes them."""

from __future__ import annotations

from pathlib import Path

# AS214312 as it really peers: IPv6 only, at both Düsseldorf exchanges.
AS214312 = """\
[local]
asn = "AS214312"
name = "AS214312 Düsseldorf"
families = ["ipv6"]

[policy]
max_hops = 40
irr_strict_origin = true

[policy.checks]
first_as = true

[[exchanges]]
name = "BGP.Exchange"
peeringdb_ix = 3844
prefixes = ["2001:db8:3844::/64"]
local_addresses = ["2001:db8:3844::214:312"]

[[exchanges]]
name = "LOCIX"
peeringdb_ix = 2730
prefixes = ["2001:db8:2730::/64", "198.51.100.0/24"]

[[peers]]
asn = 6939
name = "Hurricane Electric"
as_sets = ["RADB::AS-HURRICANE"]
max_prefix = 200000
sessions = [
  { name = "he-bgpx", exchange = "BGP.Exchange", neighbor = "2001:db8:3844::6939" },
  { name = "he-locix", exchange = "LOCIX", neighbor = "2001:db8:2730::6939" },
]

[[peers]]
asn = 65501
name = "LOCIX route servers"

[[peers.sessions]]
name = "locix-rs1"
exchange = "LOCIX"
route_server = true
neighbor = "2001:db8:2730::1"

[[peers]]
asn = "AS65010"
as_sets = ["AS65010:AS-CUSTOMERS", "AS-EXAMPLE"]

[sources]
rpki = ["data/vrps.json"]
irr = ["data/ripe.db.route6.gz", "/srv/irr/radb.db.gz"]
rir = "data/delegated-ripencc-extended-latest"
iana_asn = "data/as-numbers.csv"
peeringdb_ixpfx = ["data/ixpfx.json"]
peeringdb_ixlan = ["data/ixlan.json"]
"""

MINIMAL = """\
[local]
asn = 214312
"""


def write_config(folder: Path, text: str, name: str = "routesieve.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
