import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonSchema } from '../../../../functions/openapi/openapi';
import { checkJsonSchema, resolveRef } from '../../../helpers/json-schema-check';

const root = {
  components: {
    schemas: {
      Range: { type: 'object', required: ['start', 'end'], additionalProperties: false, properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' } } },
    },
  },
};
const list: JsonSchema = { type: 'object', required: ['ranges'], properties: { ranges: { type: 'array', items: { $ref: '#/components/schemas/Range' } }, n: { type: 'integer', minimum: 0 }, kind: { type: 'string', enum: ['a', 'b'] } } };

describe('checkJsonSchema (the OpenAPI test validator)', () => {
  it('accepts a conforming value', () => {
    assert.deepEqual(checkJsonSchema({ ranges: [{ start: '2026-11-21T10:00:00.000Z', end: '2026-11-21T10:00:10+01:00' }], n: 3, kind: 'a' }, list, root), []);
  });

  it('names each violation with its path', () => {
    const errors = checkJsonSchema({ ranges: [{ start: '10:00', extra: 1 }], n: -1.5, kind: 'c' }, list, root);
    assert.deepEqual(errors.sort(), [
      '$.kind: "c" is not one of ["a","b"]',
      '$.n: expected integer, got -1.5',
      '$.ranges[0].start: "10:00" is not a date-time',
      "$.ranges[0]: property 'extra' is not allowed",
      "$.ranges[0]: required property 'end' is missing",
    ]);
    assert.deepEqual(checkJsonSchema([], list, root), ['$: expected object, got []']);
  });

  it('a list of types takes any of them (nullable values)', () => {
    const nullableCount: JsonSchema = { type: ['integer', 'null'], minimum: 1 };
    assert.deepEqual(checkJsonSchema(null, nullableCount, root), []);
    assert.deepEqual(checkJsonSchema(2, nullableCount, root), []);
    assert.deepEqual(checkJsonSchema(0, nullableCount, root), ['$: 0 < minimum 1']);
    assert.deepEqual(checkJsonSchema('2', nullableCount, root), ['$: expected integer or null, got "2"']);
  });

  it('checks formats, patterns and lengths, and refuses keywords outside its subset', () => {
    assert.deepEqual(checkJsonSchema('P7D', { type: 'string', format: 'duration' }, root), []);
    assert.equal(checkJsonSchema('7 days', { type: 'string', format: 'duration' }, root).length, 1);
    assert.equal(checkJsonSchema('/relative', { type: 'string', format: 'uri' }, root).length, 1);
    assert.equal(checkJsonSchema('#EXTM3U\n', { type: 'string', pattern: '^#EXTM3U' }, root).length, 0);
    assert.equal(checkJsonSchema('', { type: 'string', minLength: 1 }, root).length, 1);
    assert.match(checkJsonSchema(1, { oneOf: [] } as unknown as JsonSchema, root)[0], /'oneOf' is outside the checked subset/);
  });

  it('checks the keywords zod writes: exclusive bounds, item counts, property names; default is an annotation', () => {
    const fps: JsonSchema = { type: ['number', 'null'], exclusiveMinimum: 0, exclusiveMaximum: 1000 };
    assert.deepEqual(checkJsonSchema(0.5, fps, root), []);
    assert.deepEqual(checkJsonSchema(0, fps, root), ['$: 0 ≤ exclusiveMinimum 0']);
    assert.deepEqual(checkJsonSchema(1000, fps, root), ['$: 1000 ≥ exclusiveMaximum 1000']);
    const point: JsonSchema = { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' }, default: [0, 0] };
    assert.deepEqual(checkJsonSchema([0.1, 0.2], point, root), []);
    assert.deepEqual(checkJsonSchema([0.1], point, root), ['$: fewer than 2 items']);
    assert.deepEqual(checkJsonSchema([1, 2, 3], point, root), ['$: more than 2 items']);
    const named: JsonSchema = { type: 'object', propertyNames: { type: 'string', maxLength: 3 } };
    assert.deepEqual(checkJsonSchema({ abc: 1 }, named, root), []);
    assert.deepEqual(checkJsonSchema({ abcd: 1 }, named, root), ['${abcd}: longer than 3']);
  });

  it('resolves local references and rejects dangling or remote ones', () => {
    assert.equal(resolveRef(root, '#/components/schemas/Range'), root.components.schemas.Range);
    assert.throws(() => resolveRef(root, '#/components/schemas/Nope'), /points nowhere/);
    assert.throws(() => resolveRef(root, 'other.json#/x'), /not a local reference/);
  });
});
