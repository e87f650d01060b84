/**
 * The Functions app entry (package.json `main`: dist/functions/index.js): importing each function file registers it
 * with the host (`app.*`) and with the registry the local host mounts (functions/app.ts).
 */
import './setup'; // first: host options (HTTP streaming) must be set before any registration
import './http/health';
import './cameras/cameras-list';
import './playback/playback';
import './playback/playlist';
import './playback/live';
import './playback/live-playlist';
import './playback/export-mp4';
import './playback/preview';
import './playback/preview-image';
import './playback/previews-list';
import './exports/exports-create';
import './exports/export-get';
import './exports/exports-resume';
import './ingest/ingest';
import './cameras/available-media';
import './openapi/openapi-json';
import './viewer/viewer-page';
import './viewer/viewer-asset';
import './cameras/gaps-list';
import './cameras/camera-policy-get';
import './cameras/camera-policy-put';
import './holds/holds-create';
import './holds/holds-list';
import './holds/hold-delete';
// Share links (docs/security.md "Share links")
import './shares/shares-create';
import './shares/shares-list';
import './shares/share-delete';
import './shares/share-page';
import './shares/share-playlist';
import './evr/signals-create';
import './evr/signals-list';
import './retention/retention';
// Camera and device health (docs/api.md "Camera health", docs/events.md "Health events")
import './cameras/camera-get';
import './health/health-sweep';
import './erasure/media-delete';
// Asset manifests (docs/contracts.md "Asset manifests")
import './manifests/manifests';
// Recordings API
import './recordings/recordings-list';
import './recordings/recording-get';
import './recordings/recording-playback';
import './recordings/recording-hold-create';
import './recordings/recording-hold-delete';
// Devices: provisioning and upload URLs (docs/devices.md)
import './devices/devices-create';
import './devices/devices-list';
import './devices/device-get';
import './devices/device-delete';
import './devices/device-secret-rotate';
import './devices/device-upload-urls';
// AVA pipeline topologies and live pipelines
import './pipelines/pipeline-topologies-list';
import './pipelines/pipeline-topology-get';
import './pipelines/pipeline-topology-put';
import './pipelines/pipeline-topology-delete';
import './pipelines/live-pipelines-list';
import './pipelines/live-pipeline-get';
import './pipelines/live-pipeline-put';
import './pipelines/live-pipeline-delete';
import './pipelines/live-pipeline-activate';
import './pipelines/live-pipeline-deactivate';
