import type { HttpRequest } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { assertEntityName } from '../../shared/pipelines/pipeline-lifecycle';

/**
 * The `{deviceId}` and `{name}` route parameters of the pipeline routes.
 * @param kind names the entity for the message ("pipeline topology", "live pipeline")
 * @throws ValidationError `InvalidDeviceId`, `InvalidName`
 */
export function routeParams(request: HttpRequest, kind: string): { deviceId: string; name: string } {
  return { deviceId: assertId('device', request.params.deviceId ?? ''), name: assertEntityName(kind, request.params.name ?? '') };
}
