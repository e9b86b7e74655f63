#!/usr/bin/env bash
# Print the path of a headless-capable Chromium, installing Debian's `chromium` package with
# apt-get when it is missing (as tests/slurm/up.sh installs SLURM). Exit 1 with the reason on
# stderr when it cannot be installed (no root, no apt, no network): the test then skips LOUDLY.
set -euo pipefail
for name in chromium chromium-browser google-chrome; do
  if path=$(command -v "$name"); then echo "$path"; exit 0; fi
done
if ! command -v apt-get >/dev/null; then echo "no chromium and no apt-get to install it" >&2; exit 1; fi
if [ "$(id -u)" != 0 ]; then echo "no chromium, and installing it with apt-get needs root" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; }; then
  echo "apt-get install chromium failed (offline? no Debian mirror?)" >&2; exit 1
fi
command -v chromium
