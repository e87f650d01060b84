import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ValidationError } from '../../../../shared/errors';
import { parseAgentConfig } from '../../../../shared/schemas/agent-config';
import { formatIssues, parseWith } from '../../../../shared/validation/format-issues';

/** The message lines of the ValidationError `fn` throws, after its first line's `what:` prefix. */
function lines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    const [first, ...rest] = err.message.split('\n');
    return rest.length ? rest.map((l) => l.replace(/^ {2}/, '')) : [first.replace(/^[^:]+: /, '')];
  }
  assert.fail('expected a ValidationError');
}

describe('config errors: one problem per line, with the bad value, the allowed range and the key that was meant', () => {
  const base = { deviceId: 'site-1', cameras: [{ id: 'door', url: 'rtsp://10.0.0.5/stream' }], broker: { url: 'mqtt://127.0.0.1:1', password: 'device-pw' }, upload: { connectionString: 'x' } };

  it('a segment length that is not ISO 8601 names the value and the allowed range', () => {
    assert.deepEqual(lines(() => parseAgentConfig({ ...base, segmentLength: '10s' })), [
      'segmentLength: "10s" is not an ISO 8601 duration such as PT10S, PT5M or P7D; allowed PT2S..PT5M',
    ]);
  });

  it('several problems: a header line with their count, then one line each', () => {
    let message = '';
    try {
      parseAgentConfig({ ...base, segmentLenght: 'PT10S', colour: 'red', localMediaCacheMaximumSizeMiB: 0 });
    } catch (err) {
      message = (err as Error).message;
    }
    assert.equal(
      message,
      [
        'agent config: 3 problems:',
        '  localMediaCacheMaximumSizeMiB: 0 is outside 1..16777216',
        "  unknown key 'segmentLenght' (did you mean segmentLength?)",
        "  unknown key 'colour'",
      ].join('\n'),
    );
  });

  it("rephrases the schema library's own messages: wrong type, enum value, whole number, missing key, list, union", () => {
    assert.deepEqual(lines(() => parseAgentConfig({ ...base, cameras: [{ id: 'Door!', url: 5, rtspTransport: 'tpc', fps: 3 }] })), [
      'cameras[0].id: expected 1 to 32 characters from a-z, 0-9 and - (got "Door!")',
      'cameras[0].url: expected a string, got 5',
      'cameras[0].rtspTransport: "tpc" is not one of tcp, udp, http (did you mean tcp?)',
      "unknown key 'fps' at cameras[0]",
    ]);
    assert.deepEqual(lines(() => parseAgentConfig({ ...base, deviceId: undefined, localMediaCacheMaximumSizeMiB: 1.5, logLevel: 'verbose' })), [
      'deviceId: missing (expected a string)',
      'localMediaCacheMaximumSizeMiB: 1.5 is not a whole number',
      'logLevel: "verbose" is not one of fatal, error, warn, info, debug, trace',
    ]);
    assert.deepEqual(lines(() => parseAgentConfig({ ...base, metrics: 'yes', broker: { url: 'mqtt://h', protocolVersion: 3 } })), [
      'broker.protocolVersion: expected 4 or 5, got 3',
      'metrics: expected false or an object (key: value pairs), got "yes"',
    ]);
    assert.deepEqual(lines(() => parseAgentConfig({ ...base, cameras: [{ id: 'door', url: 'x', motionDetection: { frameWidth: 1000 } }] })), [
      'cameras[0].motionDetection.frameWidth: 1000 is outside 64..320',
    ]);
  });

  it('in a union (upload), the option the value fits best speaks, with the key it meant', () => {
    assert.deepEqual(lines(() => parseAgentConfig({ ...base, upload: { conectionString: 'x' } })), [
      'upload.connectionString: missing (expected a string)',
      "unknown key 'conectionString' at upload (did you mean connectionString?)",
    ]);
  });

  it('never echoes the value of a secret', () => {
    const secret = 'hunter2-secret-value';
    const message = (() => {
      try {
        parseAgentConfig({ ...base, broker: { url: 'mqtt://h', password: 12345 }, upload: { apiUrl: 'http://h/api', deviceSecret: secret } });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    assert.match(message, /broker\.password: expected a string, got a number/);
    assert.match(message, /upload\.deviceSecret: the 43-character device secret that provisioning printed$/m);
    assert.ok(!message.includes(secret) && !message.includes('12345'), message);
  });

  it('strings, lists and bounds of any schema; details carry each problem with its path', () => {
    const schema = z.strictObject({ name: z.string().min(3).max(8), tags: z.array(z.string()).min(1), count: z.number().int().positive(), site: z.string().url() });
    let error: ValidationError | undefined;
    try {
      parseWith(schema, { name: 'ab', tags: [], count: 0, site: 'not a url', nmae: 'x' }, 'doc');
    } catch (err) {
      error = err as ValidationError;
    }
    assert.ok(error);
    assert.deepEqual(error.details, [
      { path: 'name', message: '"ab" has 2 characters; expected 3 to 8 characters' },
      { path: 'tags', message: 'no items; expected at least 1' },
      { path: 'count', message: '0 must be greater than 0' },
      { path: 'site', message: '"not a url" is not a URL' },
      { path: '', message: "unknown key 'nmae' (did you mean name?)" },
    ]);
    assert.equal(error.message.split('\n')[0], 'doc: 5 problems:');
  });
});

describe('parseWith / formatIssues', () => {
  const schema = z.strictObject({ a: z.string(), list: z.array(z.strictObject({ n: z.number() })) });

  it('names every offending key path and unknown keys', () => {
    assert.throws(
      () => parseWith(schema, { a: 1, list: [{ n: 'x' }], extra: true }, 'doc'),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.code === 'InvalidInput' &&
        e.message.startsWith('doc: ') &&
        e.message.includes('a: ') &&
        e.message.includes('list[0].n: ') &&
        e.message.includes("unknown key 'extra'"),
    );
  });

  it('uses the given code and returns the parsed value', () => {
    assert.throws(() => parseWith(schema, null, 'doc', 'InvalidCloudEvent'), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidCloudEvent');
    assert.deepEqual(parseWith(schema, { a: 'x', list: [] }, 'doc'), { a: 'x', list: [] });
    assert.equal(formatIssues([]), '');
  });
});
