#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, from Debian's packages:
# - GStreamer's RTSP server (gst-rtsp-server through python3-gi) serving test/fixtures/media as real cameras
# - VLC's RTSP server (vlc-bin, vlc-plugin-base): the camera matrix's second, independent camera implementation
#   (test/helpers/vlc-rtsp-server.ts); --no-install-recommends keeps out the GUI and the audio/video outputs
# - Mosquitto, the MQTT 5 broker the transport test talks to (the embedded aedes speaks 3.1.1 only)
# - Chromium (/usr/bin/chromium), driven by playwright-core in the viewer's browser test
# - ffmpeg (Debian's, 5.1 on Debian 12): the suite records and decodes with it, as the agent does by default
#   (shared/ffmpeg/choose-ffmpeg.ts); the 2018 registry build keeps its own lane (scripts/run-tests.mjs)
# - openssl, which makes the certificates of the X.509 broker, HTTPS Azurite and user-delegation SAS tests
# - strace, whose syscall trace of a real agent proves the order of its fsyncs (test/integration/edge-agent/crash-fsync-order.test.ts)
# - systemd, whose systemd-analyze verify checks the agent's unit deploy/edge/keepwatch-agent.service (test/unit/deploy/edge-deploy.test.ts)
# Then the npm dependencies (npm ci). Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  vlc-bin vlc-plugin-base
  mosquitto chromium openssl ffmpeg strace systemd
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts a system-wide mosquitto on port 1883; the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi

npm ci --no-audit --no-fund
