#!/usr/bin/env bash
# Install the real servers the tests start: Prometheus (+ promtool), VictoriaMetrics, MariaDB, PostgreSQL, Chromium,
# prometheus-postgres-exporter. Quiet and quick when everything is present; apt-get runs only if not.
set -euo pipefail

missing_packages=()
need() {  # need <package> <description> <test command...>
    local package=$1 what=$2
    shift 2
    if ! "$@" >/dev/null 2>&1; then
        echo "missing: $what (Debian package: $package)" >&2
        case " ${missing_packages[*]-} " in *" $package "*) ;; *) missing_packages+=("$package") ;; esac
    fi
}
have() { command -v "$1"; }
have_postgres_server() { compgen -G '/usr/lib/postgresql/*/bin/initdb' && compgen -G '/usr/lib/postgresql/*/bin/pg_ctl'; }
have_chromium() { [ -x /usr/bin/chromium ] || [ -x /usr/lib/chromium/chromium ]; }

need prometheus "prometheus" have prometheus
need prometheus "promtool" have promtool
need mariadb-server "mariadbd" have mariadbd
need mariadb-server "mariadb-install-db" have mariadb-install-db
need chromium "chromium" have_chromium
need prometheus-postgres-exporter "prometheus-postgres-exporter" have prometheus-postgres-exporter
need victoria-metrics "victoria-metrics" have victoria-metrics
need postgresql "PostgreSQL server binaries (initdb, pg_ctl)" have_postgres_server

if [ ${#missing_packages[@]} -eq 0 ]; then
    exit 0
fi

if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Not a Debian/Ubuntu system: install these with your package manager, then rerun:" >&2
    echo "  ${missing_packages[*]}" >&2
    echo "(Prometheus 2.x with promtool, MariaDB server, Chromium, prometheus-postgres-exporter, PostgreSQL server)" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "Missing test components and no root (or password-less sudo). Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing_packages[*]}" >&2
    exit 1
fi

# The tests start their own servers on free loopback ports. Keep the packages' own services
# (MariaDB, PostgreSQL, Prometheus, the exporter) from starting on their default ports:
# a policy-rc.d that denies service starts is honoured by invoke-rc.d in the packages' scripts.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# added by scripts/install_test_components.sh for the duration of apt-get install\nexit 101\n' \
        | "${as_root[@]}" tee "$policy" >/dev/null
    "${as_root[@]}" chmod 755 "$policy"
    added_policy=true
fi
cleanup() { if $added_policy; then "${as_root[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "Installing test components: ${missing_packages[*]}" >&2
# On a fresh machine apt knows no package until the lists exist: update once, only now.
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing_packages[@]}"

still_missing=()
for check in "have prometheus" "have promtool" "have mariadbd" "have mariadb-install-db" have_chromium \
    "have prometheus-postgres-exporter" have_postgres_server; do
    # shellcheck disable=SC2086
    $check >/dev/null 2>&1 || still_missing+=("$check")
done
if [ ${#still_missing[@]} -ne 0 ]; then
    echo "Still missing after install: ${still_missing[*]}" >&2
    exit 1
fi
