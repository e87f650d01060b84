#!/usr/bin/env bash
# Builds the edge agent's container image (deploy/edge/Containerfile) and checks that it records: the containerised
# agent records GStreamer's RTSP test camera into the local stack and one segment is indexed, its HEALTHCHECK passes,
# it runs as uid 10001 and stops on SIGTERM (test/container/agent-image-check.ts). Not part of `npm test`: the first
# run makes a Debian base image and builds for a few minutes; later runs reuse both (buildah --layers) and take ~1 min.
#
# Usage: sudo scripts/container-check.sh            (root: buildah and podman keep their images in /var/lib/containers)
# Needs: buildah, podman, debootstrap (apt-get install buildah podman debootstrap), the test dependencies
#        (scripts/install-test-deps.sh), npm ci, and the Debian mirror and npm registry reachable for the build.
# Environment (all optional):
#   KEEPWATCH_BASE_IMAGE   the image FROM takes (default localhost/keepwatch-base:trixie-minbase: made here when
#                          missing by debootstrap --variant=minbase trixie + podman import; no registry needed)
#   KEEPWATCH_IMAGE        the tag to build (default localhost/keepwatch-agent:{package version})
#   DEBIAN_MIRROR          debootstrap's mirror (default http://deb.debian.org/debian)
#   NODE_EXTRA_CA_CERTS    a CA bundle npm needs behind a TLS-intercepting proxy; passed to the build as the secret
#                          npm-ca (mounted for the npm step only, never stored in the image)
# Exit 0 when the image built and every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in buildah podman debootstrap; do
  command -v "$tool" > /dev/null || { echo "container-check: $tool is missing: apt-get install buildah podman debootstrap" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "container-check: run as root (sudo scripts/container-check.sh)" >&2; exit 1; }

version=$(node -p 'require("./package.json").version')
base=${KEEPWATCH_BASE_IMAGE:-localhost/keepwatch-base:trixie-minbase}
image=${KEEPWATCH_IMAGE:-localhost/keepwatch-agent:$version}

if ! podman image exists "$base"; then
  rootfs=$(mktemp -d /var/tmp/keepwatch-base.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  echo "container-check: making $base: debootstrap --variant=minbase trixie (about a minute)"
  debootstrap --variant=minbase trixie "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" > "$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; exit 1; }
  tar -C "$rootfs" -c . | podman import - "$base"
  rm -rf "$rootfs" "$rootfs.log"
  trap - EXIT
fi

npm run build --silent
context=dist/image-context
rm -rf "$context"
node scripts/pack-agent.mjs --out "$context" | tail -1

secret=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ]; then secret=(--secret "id=npm-ca,src=$NODE_EXTRA_CA_CERTS"); fi
echo "container-check: building $image FROM $base"
start=$(date +%s)
buildah build --layers --format docker --isolation chroot --network host "${secret[@]}" \
  --build-arg "BASE=$base" -f deploy/edge/Containerfile -t "$image" "$context"
echo "container-check: built in $(( $(date +%s) - start )) s: $(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec) bytes"

node dist/test/container/agent-image-check.js --image "$image"
