import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parsePipelineBody, parseTopologyBody, STORED_JSON_MAX_CHARS } from '../../../../shared/pipelines/pipeline-bodies';
import { readTopology } from '../../../helpers/topologies';

const refusedAsTooLarge = (e: unknown) => e instanceof ValidationError && e.code === 'InvalidResource' && /at most 32000 can be stored/.test(e.message);

describe('pipeline bodies too large for a Table property (Azure Table string property ≤ 64 KiB)', () => {
  it("every Microsoft sample topology fits; one grown past the limit is a 400 InvalidResource, not a storage error", () => {
    const sample = readTopology('ava-ai-composition') as { name: string; properties: Record<string, unknown> };
    assert.ok(JSON.stringify(parseTopologyBody(sample.name, sample).document).length < STORED_JSON_MAX_CHARS);
    const grown = { ...sample, properties: { ...sample.properties, sinks: [...(sample.properties.sinks as unknown[]), { '@type': '#Microsoft.VideoAnalyzer.FileSink', name: 'big', note: 'x'.repeat(STORED_JSON_MAX_CHARS) }] } };
    assert.throws(() => parseTopologyBody(sample.name, grown), refusedAsTooLarge);
  });

  it('live pipeline parameters: 100 values of 4096 characters (each allowed) are refused together; a few are fine', () => {
    const body = (n: number, chars: number) => ({ properties: { topologyName: 'T', parameters: Array.from({ length: n }, (_, i) => ({ name: `p${i}`, value: 'v'.repeat(chars) })) } });
    assert.equal(Object.keys(parsePipelineBody('lobby', body(5, 4096)).parameters).length, 5);
    assert.throws(() => parsePipelineBody('lobby', body(100, 4096)), refusedAsTooLarge);
  });
});
