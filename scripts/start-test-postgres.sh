#!/usr/bin/env bash
# A PostgreSQL cluster for the journal tests on loopback (127.0.0.1:5432), a database and a
# user that owns it (the tests make and drop a schema each). Debian's `postgresql` package
# (scripts/install-system-deps.sh) must be installed; run as root. Idempotent: a cluster that
# runs already is kept. Prints the URL to export as PEENMARK_TEST_PG.
#
# The cluster is a throwaway for tests: fsync, synchronous_commit and full_page_writes are off
# (a crash of the test machine loses the test database, nothing else). A registry a station
# writes to is set up as docs/REGISTRY.md says, with all three on.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "start-test-postgres.sh: run it as root (it starts the cluster as the postgres user)" >&2
  exit 1
fi
DB=${PEENMARK_TEST_DB:-peenmark_test}
ROLE=${PEENMARK_TEST_ROLE:-peenmark_test}
PASSWORD=${PEENMARK_TEST_PASSWORD:-peenmark_test}
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
if [ -z "$VERSION" ]; then
  echo "start-test-postgres.sh: no PostgreSQL under /usr/lib/postgresql: apt-get install postgresql" >&2
  exit 1
fi
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION main"; then
  pg_createcluster "$VERSION" main >&2
fi
CONF=/etc/postgresql/$VERSION/main/conf.d/peenmark-tests.conf
mkdir -p "$(dirname "$CONF")"
cat >"$CONF" <<CONFEOF
listen_addresses = '127.0.0.1'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONFEOF
if pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $4}' | grep -q online; then
  # listen_addresses and max_connections take a restart, not a reload
  pg_ctlcluster "$VERSION" main restart >&2
else
  pg_ctlcluster "$VERSION" main start >&2
fi
psql_postgres() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ -z "$(psql_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" ]; then
  psql_postgres -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
fi
if [ -z "$(psql_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  psql_postgres -c "CREATE DATABASE $DB OWNER $ROLE"
else
  psql_postgres -c "ALTER DATABASE $DB OWNER TO $ROLE"
fi
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:5432/$DB"
