# ruff: noqa: E501  (markdown table rows are kept on one line each)
"""Every key of the configuration file, as the README quotes it.

``tests/config/test_config_reference.py`` checks that each key the models accept is
listed here, so the table cannot fall behind the code.
"""

CONFIG_REFERENCE = """\
# Configuration reference

The configuration is one TOML file (UTF-8), given with `--config`. It is checked as a
whole when it is loaded: every problem is listed at once, each as
`<file>: <key path>: <what is wrong>`, e.g.
`routesieve.toml: peers[2].sessions[0].route_server: must be true or false, not a
string ('yes')` (array entries count from 0). Unknown keys are errors. Values are never
converted between TOML types: `8` is an integer, `"8"` is a string and is refused where
an integer is expected (AS numbers excepted: `214312` and `"AS214312"` both work).
Relative file paths are taken from the folder of the configuration file; `~` is the
home folder.

## `[local]`: the network whose import policy this is (required)

| key | type | default | meaning |
|---|---|---|---|
| `asn` | AS number | required | the local AS: `214312`, `"AS214312"` or asdot `"3.17704"` (not 0, not 23456) |
| `name` | text | none | a name for reports |
| `families` | array of `"ipv4"`, `"ipv6"` | both | the address families the network routes; routes of other families get X-AFI. Not empty, no repeats. A session `neighbor` must be of an enabled family |

## `[policy]`: the limits of the algorithm

| key | type | default | meaning |
|---|---|---|---|
| `ipv4_min_length` | integer 0..32 | `8` | rule 3.3: shortest IPv4 prefix accepted |
| `ipv4_max_length` | integer 0..32 | `24` | rule 3.3: longest IPv4 prefix accepted (not below the minimum) |
| `ipv6_min_length` | integer 0..128 | `16` | rule 3.3: shortest IPv6 prefix accepted |
| `ipv6_max_length` | integer 0..128 | `48` | rule 3.3: longest IPv6 prefix accepted (not below the minimum) |
| `max_hops` | integer > 0 | `50` | rule 3.6: most AS hops in a path (prepends count; a set counts one) |
| `unallocated_asn_first` | integer | `1000000` | rule 3.7: first AS number checked against the IANA registry |
| `unallocated_asn_last` | integer | `4199999999` | rule 3.7: last AS number checked (not below the first) |
| `irr_strict_origin` | boolean | `false` | rule 4.4: also require the announced origin to be the route object's origin |
| `as_set_max_depth` | integer > 0 | `10` | step 1: deepest as-set nesting expanded (the peer's own set is level 1) |
| `as_set_max_members` | integer > 0 | `100000` | step 1: most AS numbers collected from a peer's as-sets |

## `[policy.checks]`: the checks beyond the algorithm

| key | type | default | meaning |
|---|---|---|---|
| `afi` | boolean | `true` | X-AFI: reject routes of a family not in `local.families` |
| `first_as` | boolean | `false` | X-FIRST-AS: reject a path whose first AS is not the peer (never on route-server sessions) |
| `bogon_asn` | boolean | `false` | X-BOGON-ASN: reject paths with private, reserved or documentation AS numbers |
| `aspa` | boolean | `false` | X-ASPA: reject paths that ASPA verification finds Invalid (a route leak); needs ASPA records in `sources.rpki` |

X-MALFORMED (empty path, unreadable prefix or path) is always on: a `malformed` key is
refused, because a route that cannot be read has nothing the other checks could judge.

## `[[exchanges]]`: exchanges the network is connected to (any number)

| key | type | default | meaning |
|---|---|---|---|
| `name` | text | required | the exchange's name, unique; sessions refer to it |
| `peeringdb_ix` | integer > 0 | none | its PeeringDB ix id, unique; its LAN prefixes (from `sources.peeringdb_ixpfx` or `sources.peeringdb`) feed rule 3.5 |
| `prefixes` | array of prefixes | `[]` | LAN prefixes given by hand for rule 3.5, e.g. `"2001:db8:1::/64"` (length required, no host bits) |
| `local_addresses` | array of addresses | `[]` | the local network's addresses on the exchange LAN |

## `[[peers]]`: neighbour ASes (any number)

| key | type | default | meaning |
|---|---|---|---|
| `asn` | AS number | required | the peer AS, as in `local.asn`; one entry per AS |
| `name` | text | none | a name for reports and router configuration |
| `as_sets` | array of as-set names | `[]` | step 1.1: the as-sets the peer asked for; none means its AS alone. `AS-FOO`, `SOURCE::AS-FOO`, `AS65001:AS-FOO` or `AS65001`; letters, digits, `-`, `_`, `:` only (copied into router configuration) |
| `max_prefix` | integer > 0 | none | the most prefixes to accept from the peer, for the router's session limit |
| `sessions` | array of tables | `[]` | the BGP sessions with the peer, below |

### `[[peers.sessions]]`

| key | type | default | meaning |
|---|---|---|---|
| `name` | `[A-Za-z0-9_.:-]{1,64}` | required | the session's name as routes are collected under it; unique in the whole file |
| `route_server` | boolean | `false` | a route-server session: the peer AS of each route is the first AS of its path |
| `exchange` | text | none | the `[[exchanges]]` entry the session runs over (must be configured) |
| `neighbor` | address | none | the neighbour's address; its family must be in `local.families` |
| `role` | `"peer"`, `"customer"` or `"provider"` | `"peer"` | the local network's role on the session (RFC 9234 names): `"customer"` when the neighbour is its transit provider, so X-ASPA verifies downstream; upstream otherwise |

## `[sources]`: outside data, as local files or URLs

Each value is a local file path or a URL whose scheme says how to reach it; the lists
also take a single string. `https://` and `http://` work for every key (the file is
downloaded by `routesieve sync`); `rtr://host:port` (an RTR server) only in `rpki`;
`whois://host:port?sources=A,B` (an IRR whois server, asked for the peers' as-sets and
AS numbers) only in `irr`. A URL with the wrong scheme for its key, no host, a bad port,
a user name or password, or spaces is refused. When any source is a URL, the other
commands use the snapshot `routesieve sync` stored (run it first). Local files are
opened by the data loaders, which report a missing or unreadable file with its name; the
configuration check does not. Every source and its public URLs: docs/sources.md.

| key | type | default | meaning |
|---|---|---|---|
| `rpki` | paths or URLs (`https`, `http`, `rtr`, `rtrs`, `rtr+ssh`) | `[]` | validated ROA payloads: rpki-client / Routinator JSON, or an RTR server over TCP (`rtr://`), TLS (`rtrs://`) or SSH (`rtr+ssh://`, needs `[sync.rtr]`) (rule 3.10, 4.1, 4.5) |
| `irr` | paths or URLs (`https`, `http`, `whois`) | `[]` | IRR dumps (RPSL): route/route6 objects, as-sets, org handles (steps 1, 4.3, 4.4), or an IRR whois server |
| `rir` | paths or URLs | `[]` | RIR delegated-extended statistics files (rule 4.3, 4.5) |
| `iana_asn` | paths or URLs | built-in copy | the IANA AS-number registry CSVs, as-numbers-1.csv and -2.csv (rule 3.7) |
| `iana_special` | paths or URLs | none | the IANA special-purpose address registry CSVs (IPv4, IPv6): their not globally reachable blocks are added to the bogons (rule 3.4) |
| `bogons` | path or URL | built-in list | the bogon prefix list that replaces the built-in one (rule 3.4) |
| `full_bogons` | paths or URLs | `[]` | full-bogon lists (e.g. Team Cymru), added to the bogons (rule 3.4) |
| `peeringdb_ixpfx` | paths or URLs | `[]` | PeeringDB `ixpfx` JSON: exchange LAN prefixes (rule 3.5) |
| `peeringdb_ixlan` | paths or URLs | `[]` | PeeringDB `ixlan` JSON: which exchange each LAN belongs to (rule 3.5) |
| `peeringdb` | URL | none | the PeeringDB API, e.g. `"https://www.peeringdb.com/api"`: `sync` fetches the LANs of the configured `peeringdb_ix` exchanges from it (rule 3.5) |

## `[run]`: the always-on service, `routesieve run`

| key | type | default | meaning |
|---|---|---|---|
| `listen_metrics` | `host:port` | `127.0.0.1:9324` | where the Prometheus metrics are served (`/metrics`) |
| `listen_web` | `host:port` | none (off) | where `run` serves the live report, the API (`/api/v1/`) and the peering request form, as `routesieve serve` does (with the `[serve]` limits), refreshed when verdicts change; `[::1]:8080` for IPv6 |
| `poll_seconds` | number > 0 | `30` | how often the BIRD routers of `[[routers]]` are read (BMP stations stay open) |
| `jitter` | number 0..1 | `0.1` | each wait (of every timer, each kind of `[run.intervals]` on its own) is lengthened by up to this share, at random, so that many services do not fetch at once |
| `full_check_seconds` | number > 0 | `3600` | how often a full evaluation checks the incremental verdicts (a difference is logged and counted) |
| `deploy_min_interval` | number > 0 | `10` | the fewest seconds between two deploys; changes in between are deployed together |
| `rtr_retry_seconds` | number > 0 | `30` | how long to wait before opening a failed RTR session again (the last good VRPs are kept) |
| `bird_dir` | path | none | the folder BIRD includes the rendered files from; without it nothing is deployed |
| `bird_config` | path | none | BIRD's main configuration, for `bird -p` (required with `bird_dir`) |
| `bird_socket` | path | none | BIRD's control socket, for `birdc configure` |
| `openbgpd_dir` | path | none | the folder OpenBGPD's main configuration includes the rendered `sets.conf`, `sessions.conf` and `filters.conf` from (in that order); without it nothing is deployed to OpenBGPD |
| `openbgpd_config` | path | none | bgpd's main configuration, for `bgpd -n -f` (required with `openbgpd_dir`) |
| `openbgpd_socket` | path | none | bgpd's control socket, for `bgpctl -s SOCKET reload` |
| `frr_config` | path | none | the whole `frr.conf` deployed to FRR: `frr.local.conf` beside it (the operator's own lines, if any), then the rendered filters and sessions; checked with `frr-reload.py --test`, applied with `frr-reload.py --reload`; without it nothing is deployed to FRR |
| `frr_vty_socket` | path | none (FRR's default) | the folder of FRR's vty sockets, passed to `frr-reload.py --vty_socket` |
| `frr_reload` | path | `/usr/lib/frr/frr-reload.py` | FRR's `frr-reload.py` (package `frr-pythontools`) |
| `max_shrink` | number 0..1 | `0.25` | refuse a deploy when a peer's accept list would lose more than this share |
| `max_age_hours` | number > 0 | `48` | refuse a deploy when a data source is older than this |

### `[run.intervals]`: how often `run` fetches each kind of source

One key per `[sources]` key, in seconds (each wait lengthened by up to `jitter`). When
kinds fall due, only those are fetched, as `routesieve sync` fetches them (a failing one
keeps its last good copy, and says so); the others are read from their copy in place,
and local files are read again, and one new snapshot is stored. An `rtr://` RPKI source
is a live session (serial updates as they come) and is never refetched; `rpki` applies
to VRP files over `https://`, `rtrs://` and `rtr+ssh://`. A source with no copy yet is
fetched whatever its interval.

| key | type | default | meaning |
|---|---|---|---|
| `rpki` | number > 0 | `600` | VRP exports (rpki-client / Routinator JSON) and RTR over TLS or SSH; validators publish every few minutes |
| `irr` | number > 0 | `3600` | IRR dumps and whois queries (route objects and as-sets change during the day) |
| `rir` | number > 0 | `86400` | RIR delegated statistics (published daily) |
| `iana_asn` | number > 0 | `86400` | the IANA AS-number registry (changes rarely) |
| `iana_special` | number > 0 | `86400` | the IANA special-purpose registries (change rarely) |
| `bogons` | number > 0 | `86400` | the bogon list (changes rarely) |
| `full_bogons` | number > 0 | `14400` | full-bogon lists (Team Cymru publishes every 4 hours) |
| `peeringdb_ixpfx` | number > 0 | `86400` | PeeringDB `ixpfx` JSON |
| `peeringdb_ixlan` | number > 0 | `86400` | PeeringDB `ixlan` JSON |
| `peeringdb` | number > 0 | `21600` | the PeeringDB API (exchange LANs) |

## `[[run.notify]]`: who is told about changes (any number)

| key | type | default | meaning |
|---|---|---|---|
| `url` | `http://` or `https://` URL | none | a webhook that gets each event as a JSON POST |
| `command` | array of text | none | a command run with each event as JSON on its standard input |
| `timeout_seconds` | integer > 0 | `10` | the longest a webhook call or a command may take |

## `[sync]`: where `routesieve sync` keeps fetched data

| key | type | default | meaning |
|---|---|---|---|
| `folder` | path | `state` | the state folder: `sources/<key>/<url slug>/` holds each source's last good copy and its `record.json`; `snapshots/` the stored snapshots and their manifests |
| `keep` | integer > 0 | `10` | how many stored snapshots to keep; older ones are deleted |
| `timeout_seconds` | integer > 0 | `60` | per source: the longest wait to connect or for more data |
| `max_megabytes` | integer > 0 | `4096` | per file: a larger download is refused |
| `max_age_hours` | table | below | how old a source's copy may be |
| `rtr` | table | below | what RTR over TLS and SSH needs |

### `[sync.max_age_hours]`

A copy's age is the larger of the time since it was fetched (or confirmed unchanged)
and the time since the date its data gives itself (rpki-client `buildtime`, RIR file
date, PeeringDB `generated`). Older than its limit: `evaluate` and `explain` warn,
`render` and `deploy` refuse unless `--force`, `sync` exits 1 if it had to keep such a
copy. Local files have no limit.

| key | type | default | meaning |
|---|---|---|---|
| `rpki` | integer > 0 | `24` | hours, for `rpki` |
| `irr` | integer > 0 | `48` | hours, for `irr` |
| `rir` | integer > 0 | `72` | hours, for `rir` |
| `iana` | integer > 0 | `2160` | hours, for `iana_asn` and `iana_special` (IANA registries change rarely) |
| `bogons` | integer > 0 | `168` | hours, for `bogons` and `full_bogons` |
| `peeringdb` | integer > 0 | `168` | hours, for `peeringdb`, `peeringdb_ixpfx` and `peeringdb_ixlan` |

### `[sync.rtr]`

For `rpki` sources over TLS (`rtrs://`) and SSH (`rtr+ssh://`), docs/rtr.md.

| key | type | default | meaning |
|---|---|---|---|
| `tls_ca_file` | path | the system's CAs | the CA certificates (PEM) an `rtrs://` cache's certificate must chain to; the host name is always verified |
| `ssh_known_hosts` | path | none (needed by `rtr+ssh://`) | an OpenSSH known_hosts file: the cache's host key must be in it under `HOST` or `[HOST]:PORT` |
| `ssh_key` | path | none (needed by `rtr+ssh://`) | the private key `routesieve sync` logs in with (OpenSSH or PEM, no passphrase) |
| `ssh_user` | text | `rpki` | the SSH user name (StayRTR's default) |

## `[[routers]]`: where `collect` reads received routes (any number)

| key | type | default | meaning |
|---|---|---|---|
| `name` | `[A-Za-z0-9_.:-]{1,64}` | required | the router's name, unique; collected sessions are named after it where the router does not name them |
| `kind` | `"bird"`, `"frr"`, `"openbgpd"`, `"bmp"` or `"mrt"` | required | BIRD 2 over its control socket; FRR through `vtysh`; OpenBGPD through `bgpctl`; a BMP station routers connect to; an MRT file (table dump or updates) |
| `socket` | path | none (`openbgpd`: `/var/run/bgpd.sock`) | `kind = "bird"`: BIRD's control socket, e.g. `/run/bird/bird.ctl`; `kind = "openbgpd"`: bgpd's control socket (`bgpctl -s`) |
| `listen` | `host:port` | none | `kind = "bmp"`: where the BMP station listens, e.g. `"[::]:11019"` |
| `path` | path | none | `kind = "mrt"`: the MRT file (compressed or not) |
| `vtysh` | command | `vtysh` | `kind = "frr"`: the vtysh command, split as a shell would (e.g. `"sudo -n vtysh"`) |
| `vty_socket` | path | none | `kind = "frr"`: the folder of FRR's vty sockets (`vtysh --vty_socket DIR`); by default vtysh's own |

## `[collect]`: where collected routes are kept

| key | type | default | meaning |
|---|---|---|---|
| `folder` | path | `collected` | the folder for dated snapshots of received routes; `evaluate` without `--routes` reads the newest |
| `keep` | integer > 0 | `30` | how many snapshots to keep; older ones are deleted |

## `[peering]`: answering peering requests

Used by `routesieve peering request` and `routesieve peering accept` (docs/peering.md).

| key | type | default | meaning |
|---|---|---|---|
| `direct` | boolean | `false` | offer direct peering to a network that is on none of our exchanges (with IPv6); otherwise such a request is refused |
| `max_prefix_margin` | number 1..100 | `1.2` | a new peer's max-prefix is its PeeringDB IPv6 prefix count times this |
| `max_prefix_min` | integer > 0 | `10` | the smallest max-prefix proposed (also when PeeringDB gives no count) |
| `email` | email address | none | our peering address: the reply's `From`, and named when a request is refused |
| `reply_template` | path | built-in | a Jinja2 template for the reply email's body, replacing the built-in one |

## `[render]`: how `routesieve render` writes RPKI (rule 3.10)

Routers can check RPKI themselves against an RTR cache (BIRD's `protocol rpki`, FRR's
`rpki` block, OpenBGPD's `rtr`), which they keep up to date on their own; or
routesieve writes its VRP snapshot into the configuration as a fixed ROA table. See
docs/routers.md, "RPKI".

| key | type | default | meaning |
|---|---|---|---|
| `rpki` | `"rtr"` or `"static"` | `"rtr"` when a cache is known, else `"static"` | `"rtr"`: the rendered configuration keeps RTR sessions to the caches and validates live; `"static"`: the VRP snapshot as a ROA table, frozen at render time. A cache is known when `rtr_caches` lists one or `sources.rpki` has an `rtr://` URL |
| `rtr_caches` | array of tables | the `rtr://` URLs of `sources.rpki`, preferred in order | the caches the routers connect to, below; give them when the routers reach the caches at other addresses than routesieve does |
| `rtr_refresh_seconds` | integer 1..86400 | `300` | how often BIRD and FRR ask a cache for changes (besides the cache's Serial Notify); OpenBGPD uses the cache's own interval |
| `rtr_retry_seconds` | integer 1..7200 | `60` | how soon BIRD and FRR try again after a failed connection or refresh |
| `rtr_expire_seconds` | integer 600..172800 | `7200` | how long BIRD and FRR keep a cache's VRPs when it cannot be reached; longer than the refresh and retry intervals |

### `[[render.rtr_caches]]`

| key | type | default | meaning |
|---|---|---|---|
| `url` | `rtr://host:port` URL | required | the cache as the routers reach it (plain TCP; OpenBGPD needs an IP address) |
| `preference` | integer 1..255 | `1` | FRR uses the caches of the lowest preference and fails over to the next; BIRD and OpenBGPD use the union of all caches |
## `[serve]`: what `routesieve serve` answers to, and its limits

`serve` faces the Internet (docs/api.md): these bound what one client, or many, can make
it hold. The defaults keep a small request under a second while 200 heavy API requests
arrive at once on two cores (bench/bench_serve_load.py).

| key | type | default | meaning |
|---|---|---|---|
| `hosts` | array of host names or addresses | the listen address and `localhost` | the names in `Host` the server answers to (421 for any other, against DNS rebinding); the form's `Origin` must name one of them. Behind a proxy, the public name |
| `trusted_proxies` | array of addresses or networks | `[]` | reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (the client address for the rate limits, `https` for the `Secure` cookie and HSTS); from any other address they are ignored |
| `header_timeout_seconds` | integer > 0 | `10` | from a connection's opening (or its previous answer) to the end of its request's headers; an idle keep-alive connection is closed after it too |
| `body_timeout_seconds` | integer > 0 | `20` | a request's whole body must arrive within this (408 otherwise); also the longest silence while reading |
| `max_connections` | integer > 0 | `1000` | open connections at most; one more is answered 503 and closed (`serve` raises its open-files limit to fit) |
| `max_connections_per_client` | integer > 0 | `50` | open connections from one address at most (a trusted proxy excepted); one more is answered 503 and closed |
| `heavy_requests` | integer > 0 | `1` | routes listings and explanations computed at once (they hold Python's interpreter lock: more at once is not faster, only slower for everything else) |
| `heavy_queue` | integer > 0 | `16` | heavy requests waiting for their turn; more are answered 503 with `Retry-After` |
| `api_requests_per_minute` | integer > 0 | `120` | API requests per client (token bucket, this many at once at most); more get 429 with `Retry-After` |
| `form_posts_per_hour` | integer > 0 | `5` | accepted peering-request posts per client |
| `form_refusals_per_hour` | integer > 0 | `30` | refused posts per client (bad token, foreign origin, invalid fields...), counted apart so they never use up the accepted ones |

## `[cluster]`: evaluation partitioned by peer on Dask

`evaluate --format parquet --output DIR` runs on this cluster when the key is set (the
command's `--cluster` overrides it); the other formats and commands run in one process.
Needs the optional extra `routesieve[cluster]`. How to run workers, and the storage they
must share with the driver: docs/scale.md.

| key | type | default | meaning |
|---|---|---|---|
| `scheduler` | `tcp://host:port`, `tls://host:port` or `local:N` | none (one process) | the Dask scheduler to submit the partitions to, or `local:N` for a cluster of N worker processes started on this machine for the run |

## Example

```toml
[local]
asn = "AS214312"
families = ["ipv6"]

[[exchanges]]
name = "BGP.Exchange"
peeringdb_ix = 3844

[[peers]]
asn = 65001
name = "Example Net"
as_sets = ["RIPE::AS-EXAMPLE"]
max_prefix = 100
sessions = [{ name = "bgpx-65001", exchange = "BGP.Exchange", neighbor = "2001:db8::1" }]

[sources]
rpki = "data/vrps.json"
peeringdb_ixpfx = ["data/ixpfx.json"]
peeringdb_ixlan = ["data/ixlan.json"]
```
"""
