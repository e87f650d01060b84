import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OPENAPI_DOCUMENT, type HttpMethodName } from '../../../functions/openapi';

/** README.md at the repository root (this file runs from dist/test/unit/functions/). */
const README = path.resolve(__dirname, '..', '..', '..', '..', 'README.md');
const METHODS: readonly HttpMethodName[] = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * `METHOD /path` of each row of the README's "HTTP API" table: the first cell is
 * `` `GET /api/cameras/{cameraId}/playback?start=ISO&end=ISO` `` (query and trailing text ignored, `/api` dropped).
 */
function readmeApiRoutes(markdown: string): string[] {
  const section = /^## HTTP API\n([\s\S]*?)(?=^## )/m.exec(markdown);
  if (!section) throw new Error('README has no "## HTTP API" section');
  return section[1]
    .split('\n')
    .map((line) => /^\|\s*`([A-Z]+) \/api(\/[^`?\s]*)[^`]*`/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}

describe("README's HTTP API table against the OpenAPI document", () => {
  it('parses rows with a query string and ignores other rows', () => {
    const md = '## HTTP API\n\n| method and route | answer |\n|---|---|\n| `GET /api/health` | ok |\n| `PUT /api/x/{id}?a=1&b` (note) | y |\n| text | `GET /api/no` |\n\n## Next\n| `GET /api/later` | |\n';
    assert.deepEqual(readmeApiRoutes(md), ['GET /health', 'PUT /x/{id}']);
  });

  it('lists exactly the paths and methods of functions/openapi.ts, once each', () => {
    const readme = readmeApiRoutes(readFileSync(README, 'utf8'));
    const spec = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`));
    assert.equal(new Set(readme).size, readme.length, `README lists a route twice: ${readme.join(', ')}`);
    assert.deepEqual([...readme].sort(), [...spec].sort());
  });
});
