#!/usr/bin/env bash
# The plain uploader of the recording benchmark's baseline (bench/plain-uploader-baseline.ts, docs/benchmarks.md
# "Recording overhead"): reads ffmpeg's segment list (CSV `file,start_s,end_s`, one line per finished segment) and PUTs
# each segment with curl to Blob Storage under the agent's blob name (shared/contracts/blob-naming.ts `segmentBlobName`:
# {camera}/{yyyy}/{MM}/{dd}/{HH}/{startIso}.ts, UTC, ms), create-only (If-None-Match: *), with the agent's content
# type and metadata but no SHA-256 (a plain uploader does not hash). One status line per segment on stdout:
# `{http status} {blob name}` (000 when curl failed).
#
# Usage: plain-uploader.sh [command args...]
#   with a command: runs it with fd 3 (its segment list) piped into the uploader; its stdout, stderr and fd 4 are
#   discarded, its stdin is this script's stdin (ffmpeg stops on `q`, as the agent stops it);
#   without: reads the segment list from stdin.
# Environment: KW_CAMERA (camera id), KW_DIR (folder the listed files are in), KW_SESSION_START_MS (epoch ms of
#   segment time 0), KW_CONTAINER_URL ({blobEndpoint}/{container}), KW_SAS (container SAS, create + write, no `?`),
#   KW_CONTENT_TYPE; TZ=UTC; KW_COMMAND_LOG (optional: the command's stderr goes there instead of /dev/null).
# Spawns nothing but curl: times are formatted with bash's printf '%(...)T'. Exit status: the command's (pipefail).
set -u -o pipefail

# Fixed-point seconds as ffmpeg prints them (%f: `12.345678`, maybe negative) → integer microseconds in REPLY.
us_of() {
  local v=$1 sign=1
  if [ "${v:0:1}" = - ]; then sign=-1; v=${v:1}; fi
  v=${v/./}
  REPLY=$((sign * 10#$v))
}

upload() {
  local file start end start_us ms dur secs frac blob
  while IFS=, read -r file start end; do
    us_of "$start"; start_us=$REPLY; us_of "$end"
    ms=$((KW_SESSION_START_MS + start_us / 1000)); dur=$(((REPLY - start_us) / 1000))
    printf -v secs '%(%Y-%m-%dT%H:%M:%S)T' $((ms / 1000))
    printf -v frac '%03d' $((ms % 1000))
    blob="$KW_CAMERA/${secs:0:4}/${secs:5:2}/${secs:8:2}/${secs:11:2}/$secs.${frac}Z.ts"
    curl -sS -o /dev/null -w "%{http_code} $blob\n" -T "$KW_DIR/$file" \
      -H 'Expect:' -H 'x-ms-blob-type: BlockBlob' -H "x-ms-blob-content-type: $KW_CONTENT_TYPE" -H 'If-None-Match: *' \
      -H "x-ms-meta-cameraid: $KW_CAMERA" -H "x-ms-meta-startms: $ms" -H "x-ms-meta-durationms: $dur" \
      "$KW_CONTAINER_URL/$blob?$KW_SAS" || echo "000 $blob"
  done
}

if [ $# -gt 0 ]; then
  "$@" 3>&1 1>/dev/null 2>>"${KW_COMMAND_LOG:-/dev/null}" 4>/dev/null | upload
else
  upload
fi
