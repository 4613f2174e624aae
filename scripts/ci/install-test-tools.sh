#!/usr/bin/env bash
# What the test suite needs besides npm packages, installed only when missing (idempotent, fast
# when everything is there): Debian's Chromium (sidebar browser test), curl, jq and psql (runbook
# command tests), and promtool/prometheus unpacked into .tools/ (alert rules, live scrape test).
# Run by `npm test` before vitest, so a fresh machine needs nothing else.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test tools: missing ${missing[*]}; install them with apt-get (needs root)" >&2
    exit 1
  fi
  echo "test tools: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bash "${repo_root}/scripts/ci/install-prometheus.sh" >/dev/null
