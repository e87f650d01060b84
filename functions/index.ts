/**
 * The Functions app entry (package.json `main`: dist/functions/index.js): importing each function file registers it
 * with the host (`app.*`) and with the registry the local host mounts (functions/app.ts).
 */
import './setup'; // first: host options (HTTP streaming) must be set before any registration
import './health';
import './cameras-list';
import './playback';
import './playlist';
import './export-mp4';
import './ingest';
import './available-media';
import './openapi-json';
import './viewer-page';
import './viewer-asset';
import './gaps-list';
import './camera-policy-get';
import './camera-policy-put';
import './holds-create';
import './holds-list';
import './holds-delete';
import './signals-create';
import './retention';
// Recordings API
import './recordings-list';
import './recording-get';
import './recording-playback';
import './recording-hold-create';
import './recording-hold-delete';
// Devices: provisioning and upload URLs (docs/devices.md)
import './devices-create';
import './devices-list';
import './device-get';
import './device-delete';
import './device-secret-rotate';
import './device-upload-urls';
// AVA pipeline topologies and live pipelines
import './pipeline-topologies-list';
import './pipeline-topology-get';
import './pipeline-topology-put';
import './pipeline-topology-delete';
import './live-pipelines-list';
import './live-pipeline-get';
import './live-pipeline-put';
import './live-pipeline-delete';
import './live-pipeline-activate';
import './live-pipeline-deactivate';
