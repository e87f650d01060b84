import type { InvocationContext } from '@azure/functions';
import { importPipeline, sendCommand, type TransitionDeps } from './pipeline-transition';

/**
 * Sends again the command of every live pipeline a device has in `activating` or `deactivating`, when the device says
 * it is online (its retained status, published once it has subscribed to its commands). A command published before a
 * device ever had a session is not queued by the broker (a new MQTT session receives only what follows its
 * subscribe), so without this a pipeline activated before its device first connected stayed `activating` until the
 * request was repeated. The command is the same (same generation, same id), so a device that had it applies it once.
 * Failures are logged, not thrown: repeating the activate or deactivate request stays the way out.
 * @param deviceIds devices whose `online` status the batch carried
 * @returns how many commands were sent
 */
export async function resendPendingPipelineCommands(deviceIds: readonly string[], context: InvocationContext, deps: TransitionDeps): Promise<number> {
  let sent = 0;
  for (const deviceId of deviceIds) {
    let pipelines;
    try {
      pipelines = await deps.pipelines.listPipelines(deviceId);
    } catch (err) {
      context.warn('pending pipeline commands not resent', { deviceId, message: (err as Error).message });
      continue;
    }
    for (const p of pipelines) {
      if (p.state !== 'activating' && p.state !== 'deactivating') continue;
      try {
        const imported = p.state === 'activating' ? await importPipeline(p, deps) : undefined;
        await sendCommand(p, { generation: p.generation }, imported, deps, context);
        sent++;
        context.log('pipeline command resent to a device that came online', { deviceId, pipeline: p.name, state: p.state, generation: p.generation });
      } catch (err) {
        context.warn('pipeline command not resent', { deviceId, pipeline: p.name, message: (err as Error).message });
      }
    }
  }
  return sent;
}
