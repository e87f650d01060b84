/**
 * A retention run in a child process that a test kills with SIGKILL at a chosen point (a real crash: no catch, no
 * finally). Inert unless `KEEPWATCH_RETENTION_CHILD` holds its JSON arguments, because `node --test dist/test/`
 * also loads helper files.
 *
 * `KEEPWATCH_RETENTION_CHILD` = `{ "settings": FunctionsSettings, "nowMs": number, "stepSegments": number,
 * "killAfterBlobDeletesOfStep": number }`. When a camera's step with that index has deleted its blobs, the child
 * prints `blobs-deleted {cameraId} {step}` on stdout and waits (forever) to be killed.
 */
import { InvocationContext } from '@azure/functions';
import { createDeps } from '../../functions/deps';
import { retention } from '../../functions/retention/retention';
import type { FunctionsSettings } from '../../functions/settings';

const args = process.env.KEEPWATCH_RETENTION_CHILD;
if (args) {
  const { settings, nowMs, stepSegments, killAfterBlobDeletesOfStep } = JSON.parse(args) as {
    settings: FunctionsSettings;
    nowMs: number;
    stepSegments: number;
    killAfterBlobDeletesOfStep: number;
  };
  const context = new InvocationContext({ invocationId: 'killed-run', functionName: 'retention', logHandler: () => {} });
  retention(undefined, context, createDeps(settings, { now: () => nowMs }), {
    stepSegments,
    hooks: {
      afterBlobDeletes: async (cameraId, step) => {
        if (step !== killAfterBlobDeletesOfStep) return;
        process.stdout.write(`blobs-deleted ${cameraId} ${step}\n`);
        await new Promise(() => setInterval(() => {}, 1000));
      },
    },
  }).then(
    () => process.stdout.write('finished\n'),
    (err: unknown) => process.stdout.write(`failed ${String(err)}\n`),
  );
}
