#!/usr/bin/env bash
# Stops what deploy/local/up.sh started (by recorded PIDs) and the private PostgreSQL cluster.
# Data stays in .local unless --purge is given.
set -euo pipefail
cd "$(dirname "$0")/../.."
local_dir="$(pwd)/.local"

for name in signpeer-gateway signpeer-keybindings signpeer-renewal; do
  pid_file="$local_dir/run/$name.pid"
  [ -f "$pid_file" ] || continue
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped $name"
  fi
  rm -f "$pid_file"
done

pg_dir=$(readlink -f "$local_dir/pg" 2>/dev/null || true)
if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/PG_VERSION" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  as_pg=(); [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
  if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null
    echo "stopped PostgreSQL"
  fi
fi

if [ "${1:-}" = "--purge" ]; then
  # .local/pg may be a link to a cluster kept outside an unreadable checkout.
  [ -L "$local_dir/pg" ] && rm -rf "$(dirname "$(readlink -f "$local_dir/pg")")"
  rm -rf "$local_dir"
  echo "removed .local"
fi
