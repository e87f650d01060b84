import { ValidationError } from '../errors';
import { isValidId } from '../ids';

/**
 * The camera id of a live pipeline: its name lower-cased, every character outside `[a-z0-9-]` replaced by `-`,
 * leading and trailing `-` removed, cut to 32 characters (shared/ids.ts rules), e.g. `Sample_Pipeline-1` →
 * `sample-pipeline-1`. AVA pipeline names allowed letters, digits, `-` and `_` (docs/reference/ava-behaviour.md
 * "Pipelines").
 * @throws ValidationError `InvalidPipelineName` naming the value when nothing valid is left
 */
export function pipelineCameraId(pipelineName: string): string {
  const id = pipelineName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+/, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  if (!isValidId(id)) {
    const shown = JSON.stringify(pipelineName.length > 40 ? `${pipelineName.slice(0, 40)}…` : pipelineName);
    throw new ValidationError(`live pipeline name ${shown} gives no valid camera id: use letters, digits, '-' or '_'`, undefined, 'InvalidPipelineName');
  }
  return id;
}
