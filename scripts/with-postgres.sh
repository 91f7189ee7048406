#!/usr/bin/env bash
# Runs a command beside a throw-away PostgreSQL cluster, made and dropped by
# pg_virtualenv (Debian's postgresql-common; scripts/setup.sh installs it):
# the office's storage conformance suite and its several-process tests run
# against SQLite and against this PostgreSQL. pg_virtualenv exports PGHOST,
# PGPORT, PGUSER, PGPASSWORD and PGDATABASE; ROUNDS_REQUIRE_POSTGRES=1 makes
# a test that finds no server fail instead of leaving PostgreSQL out.
set -euo pipefail
export ROUNDS_REQUIRE_POSTGRES=1
# -t: the cluster lives in a temporary directory even when run as root.
# max_connections: every office process (and every test's database
# handle) keeps a pool of up to 16 connections.
exec pg_virtualenv -t -o max_connections=300 -o fsync=off "$@"
