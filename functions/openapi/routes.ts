import { route as availableMedia } from '../cameras/available-media';
import { route as cameraPolicyGet } from '../cameras/camera-policy-get';
import { route as cameraPolicyPut } from '../cameras/camera-policy-put';
import { route as camerasList } from '../cameras/cameras-list';
import { route as cameraGet } from '../cameras/camera-get';
import { route as gapsList } from '../cameras/gaps-list';
import { route as deviceDelete } from '../devices/device-delete';
import { route as deviceGet } from '../devices/device-get';
import { route as deviceSecretRotate } from '../devices/device-secret-rotate';
import { route as deviceUploadUrls } from '../devices/device-upload-urls';
import { route as devicesCreate } from '../devices/devices-create';
import { route as devicesList } from '../devices/devices-list';
import { route as signalsCreate } from '../evr/signals-create';
import { route as signalsList } from '../evr/signals-list';
import { route as holdsCreate } from '../holds/holds-create';
import { route as holdDelete } from '../holds/hold-delete';
import { route as holdsList } from '../holds/holds-list';
import { route as sharesCreate } from '../shares/shares-create';
import { route as sharesList } from '../shares/shares-list';
import { route as shareDelete } from '../shares/share-delete';
import { route as sharePage } from '../shares/share-page';
import { route as sharePlaylist } from '../shares/share-playlist';
import { route as health } from '../http/health';
import { route as livePipelineActivate } from '../pipelines/live-pipeline-activate';
import { route as livePipelineDeactivate } from '../pipelines/live-pipeline-deactivate';
import { route as livePipelineDelete } from '../pipelines/live-pipeline-delete';
import { route as livePipelineGet } from '../pipelines/live-pipeline-get';
import { route as livePipelinePut } from '../pipelines/live-pipeline-put';
import { route as livePipelinesList } from '../pipelines/live-pipelines-list';
import { route as pipelineTopologiesList } from '../pipelines/pipeline-topologies-list';
import { route as pipelineTopologyDelete } from '../pipelines/pipeline-topology-delete';
import { route as pipelineTopologyGet } from '../pipelines/pipeline-topology-get';
import { route as pipelineTopologyPut } from '../pipelines/pipeline-topology-put';
import { route as exportMp4 } from '../playback/export-mp4';
import { route as playback } from '../playback/playback';
import { route as playlist } from '../playback/playlist';
import { route as live } from '../playback/live';
import { route as livePlaylist } from '../playback/live-playlist';
import { route as preview } from '../playback/preview';
import { route as previewImage } from '../playback/preview-image';
import { route as previewsList } from '../playback/previews-list';
import { route as mediaDelete } from '../erasure/media-delete';
import { route as exportsCreate } from '../exports/exports-create';
import { route as exportGet } from '../exports/export-get';
import { route as recordingGet } from '../recordings/recording-get';
import { route as recordingHoldCreate } from '../recordings/recording-hold-create';
import { route as recordingHoldDelete } from '../recordings/recording-hold-delete';
import { route as recordingPlayback } from '../recordings/recording-playback';
import { route as recordingsList } from '../recordings/recordings-list';
import { route as viewerAsset } from '../viewer/viewer-asset';
import { route as viewerPage } from '../viewer/viewer-page';
import { route as openapiJson } from './openapi-json';
import type { RouteSpec } from './route-spec';

/**
 * Every HTTP route of the app, in the order of the OpenAPI document's paths: the `route` spec each handler file
 * exports and registers with (`registerHttp(route, handler)`, functions/app.ts). functions/openapi/openapi.ts builds
 * the document from this list; test/integration/functions/openapi/openapi.test.ts checks that it names exactly the
 * registered routes, so a handler file missing here fails the tests.
 */
export const HTTP_ROUTES: readonly RouteSpec[] = [
  health,
  openapiJson,
  camerasList,
  cameraGet,
  gapsList,
  availableMedia,
  playback,
  playlist,
  live,
  livePlaylist,
  exportMp4,
  preview,
  previewsList,
  previewImage,
  exportsCreate,
  exportGet,
  cameraPolicyGet,
  cameraPolicyPut,
  holdsList,
  holdsCreate,
  signalsCreate,
  signalsList,
  holdDelete,
  sharesList,
  sharesCreate,
  shareDelete,
  sharePage,
  sharePlaylist,
  mediaDelete,
  recordingsList,
  recordingGet,
  recordingPlayback,
  recordingHoldCreate,
  recordingHoldDelete,
  viewerPage,
  viewerAsset,
  devicesList,
  devicesCreate,
  deviceGet,
  deviceDelete,
  deviceSecretRotate,
  deviceUploadUrls,
  pipelineTopologiesList,
  pipelineTopologyGet,
  pipelineTopologyPut,
  pipelineTopologyDelete,
  livePipelinesList,
  livePipelineGet,
  livePipelinePut,
  livePipelineDelete,
  livePipelineActivate,
  livePipelineDeactivate,
];
