#!/usr/bin/env bash
# Lets the local PostgreSQL accept replication connections from 127.0.0.1, which the read
# replica tests need to take a base backup (testing/replica.ts). Idempotent: the line
# is added once, then the server reloads its configuration.
set -euo pipefail
line='host replication all 127.0.0.1/32 trust'
hba="$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW hba_file')"
if ! grep -qxF "$line" "$hba"; then
  printf '%s\n' "$line" >>"$hba"
  psql -h 127.0.0.1 -U postgres -Atc 'SELECT pg_reload_conf()' >/dev/null
  echo "replication from 127.0.0.1 allowed in $hba"
fi
