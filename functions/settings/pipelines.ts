import { z } from 'zod';
import { MINUTE_MS } from '../../shared/time';
import { SETTINGS_DEFAULTS } from './defaults';
import { durationSetting } from './env';

/**
 * Longest `KEEPWATCH_PIPELINE_STATE_WAIT`: well below the 230 s an HTTP-triggered function may take to respond whatever
 * its timeout (Azure Load Balancer idle timeout; MicrosoftDocs/azure-docs includes/functions-timeout-duration.md).
 */
export const PIPELINE_STATE_WAIT_MAX_MS = 3 * MINUTE_MS;

/**
 * `KEEPWATCH_PIPELINE_STATE_WAIT`: how long `POST .../livePipelines/{name}/activate` and `/deactivate` wait for the
 * device's `pipeline.state` report before answering 202, ISO 8601, default PT30S, PT0S..PT3M, in ms.
 */
export const pipelineSettingsSchema = z
  .object({ KEEPWATCH_PIPELINE_STATE_WAIT: durationSetting(SETTINGS_DEFAULTS.pipelineStateWait, 0, PIPELINE_STATE_WAIT_MAX_MS) })
  .transform((s) => ({ pipelineStateWaitMs: s.KEEPWATCH_PIPELINE_STATE_WAIT }));
