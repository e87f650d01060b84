import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OPENAPI_DOCUMENT, type HttpMethodName } from '../../../../functions/openapi/openapi';

/** docs/api.md at the repository root (this file runs from dist/test/unit/functions/openapi/). */
const API_MD = path.resolve(__dirname, '..', '..', '..', '..', '..', 'docs', 'api.md');
const METHODS: readonly HttpMethodName[] = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * `METHOD /path` of each table row of the "Routes" section of docs/api.md (its `###` groups included): the first cell is
 * `` `GET /api/cameras/{cameraId}/playback?start=ISO&end=ISO` `` (query and trailing text ignored, `/api` dropped).
 */
function apiDocRoutes(markdown: string): string[] {
  const section = /^## Routes\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown);
  if (!section) throw new Error('docs/api.md has no "## Routes" section');
  return section[1]
    .split('\n')
    .map((line) => /^\|\s*`([A-Z]+) \/api(\/[^`?\s]*)[^`]*`/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}

describe("docs/api.md's route tables against the OpenAPI document", () => {
  it('parses rows with a query string and ignores other rows', () => {
    const md = '## Auth\n| `GET /api/before` | |\n## Routes\n\n### A\n\n| method and route | answer |\n|---|---|\n| `GET /api/health` | ok |\n\n### B\n\n| `PUT /api/x/{id}?a=1&b` (note) | y |\n| text | `GET /api/no` |\n\n## Next\n| `GET /api/later` | |\n';
    assert.deepEqual(apiDocRoutes(md), ['GET /health', 'PUT /x/{id}']);
    assert.deepEqual(apiDocRoutes('## Routes\n| `DELETE /api/last` | |\n'), ['DELETE /last'], 'the last section of the page');
    assert.throws(() => apiDocRoutes('## HTTP API\n| `GET /api/health` | |\n'), /no "## Routes" section/);
  });

  it('lists exactly the paths and methods of functions/openapi/openapi.ts, once each', () => {
    const documented = apiDocRoutes(readFileSync(API_MD, 'utf8'));
    const spec = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`));
    assert.equal(new Set(documented).size, documented.length, `docs/api.md lists a route twice: ${documented.join(', ')}`);
    assert.deepEqual([...documented].sort(), [...spec].sort());
  });
});
