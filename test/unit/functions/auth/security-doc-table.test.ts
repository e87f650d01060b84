import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { routeAccessTable } from '../../../helpers/route-access-table';

/** docs/security.md at the repository root (this file runs from dist/test/unit/functions/auth/). */
const SECURITY_MD = path.resolve(__dirname, '..', '..', '..', '..', '..', 'docs', 'security.md');

/** The table of the "### Route access" section (its lines starting with `|`). */
function documentedTable(markdown: string): string {
  const section = /^### Route access\n([\s\S]*?)(?=^#{2,3} |(?![\s\S]))/m.exec(markdown);
  if (!section) throw new Error('docs/security.md has no "### Route access" section');
  return section[1]
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .join('\n');
}

describe("docs/security.md's route access table against the OpenAPI document", () => {
  it('finds the table of its section only', () => {
    assert.equal(documentedTable('## A\n| x |\n### Route access\n\ntext\n| a | b |\n|---|---|\n\n## Next\n| y |\n'), '| a | b |\n|---|---|');
    assert.throws(() => documentedTable('## Routes\n| a |\n'), /no "### Route access" section/);
  });

  it('is exactly the access, roles and camera scope every route declares (regenerate: node -e "console.log(require(\'./dist/test/helpers/route-access-table\').routeAccessTable())")', () => {
    assert.equal(documentedTable(readFileSync(SECURITY_MD, 'utf8')), routeAccessTable());
  });
});
