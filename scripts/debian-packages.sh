#!/usr/bin/env bash
# The real programs the tests run (routing daemons, RTR and IRR servers, bgpq4, a
# headless browser): installed from Debian when missing.
set -euo pipefail
need=()
command -v bird >/dev/null || need+=(bird2)
command -v gobgpd >/dev/null || need+=(gobgpd)
[ -x /usr/lib/frr/bgpd ] || need+=(frr)
# FRR's RPKI module (bgpd -M rpki), for the rendered RTR sessions
compgen -G "/usr/lib/*/frr/modules/bgpd_rpki.so" >/dev/null || need+=(frr-rpki-rtrlib)
# FRR's frr-reload.py, for routesieve run's FRR deploy (applies only the difference)
[ -x /usr/lib/frr/frr-reload.py ] || need+=(frr-pythontools)
command -v bgpctl >/dev/null || need+=(openbgpd)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v stayrtr >/dev/null || need+=(stayrtr)
# the IRR tests: IRRd (from PyPI, tests/sources_irr/irrd_lab.py) needs PostgreSQL and redis;
# bgpq4 is the reference client the fetched as-sets are compared with
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v bgpq4 >/dev/null || need+=(bgpq4)
# RTR over TLS and SSH: the tests make certificates and keys with these
command -v openssl >/dev/null || need+=(openssl)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
# systemd-analyze verify checks packaging/routesieve.service
command -v systemd-analyze >/dev/null || need+=(systemd)
# the reverse proxy in front of 'routesieve serve' (tests/web/test_behind_nginx.py)
[ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing Debian packages: ${need[*]} (install them as root; the tests that run them will fail)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
# the packages start their daemons as services: the tests run their own
for service in bird frr openbgpd stayrtr postgresql redis-server nginx; do
  systemctl stop "$service" >/dev/null 2>&1 || true
done
