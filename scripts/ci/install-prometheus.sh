#!/usr/bin/env bash
# Makes `promtool` and `prometheus` available without a system install: downloads Debian's
# `prometheus` package and unpacks it (dpkg -x) into .tools/prometheus (gitignored).
# Idempotent: does nothing when the binaries are already there. Prints the bin directory.
#
# Usage: scripts/ci/install-prometheus.sh        (from anywhere inside the repo)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="${repo_root}/.tools/prometheus"
bin_dir="${dest}/usr/bin"

if [[ -x "${bin_dir}/promtool" && -x "${bin_dir}/prometheus" ]]; then
  echo "${bin_dir}"
  exit 0
fi

# apt-get download needs a package index; another apt process (an install in progress) may
# hold the lock, so wait for it instead of failing.
apt_get() {
  local attempt
  for attempt in $(seq 1 60); do
    if apt-get -o DPkg::Lock::Timeout=60 "$@"; then return 0; fi
    # Only retry while something else holds the lists/dpkg lock.
    if ! fuser /var/lib/apt/lists/lock /var/lib/dpkg/lock-frontend >/dev/null 2>&1; then return 1; fi
    echo "install-prometheus: apt is busy, waiting (${attempt}/60)" >&2
    sleep 5
  done
  return 1
}

work_dir="$(mktemp -d)"
trap 'rm -rf "${work_dir}"' EXIT
cd "${work_dir}"

# As root, apt would drop to its _apt sandbox user, which cannot write into our private temp
# dir; it then falls back to root with a warning. Say so up front instead.
download_opts=()
if [[ "$(id -u)" == "0" ]]; then download_opts=(-o APT::Sandbox::User=root); fi

if ! apt_get "${download_opts[@]}" download prometheus >&2; then
  echo "install-prometheus: download failed, refreshing the package index" >&2
  if [[ "$(id -u)" == "0" ]]; then apt_get update >&2; else sudo apt-get update >&2; fi
  apt_get "${download_opts[@]}" download prometheus >&2
fi

deb="$(ls -1 prometheus_*.deb | head -n 1)"
mkdir -p "${dest}"
dpkg -x "${deb}" "${dest}"

for tool in promtool prometheus; do
  if [[ ! -x "${bin_dir}/${tool}" ]]; then
    echo "install-prometheus: ${tool} missing after unpacking ${deb}" >&2
    exit 1
  fi
done
echo "${bin_dir}"
