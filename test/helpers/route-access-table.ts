import { OPENAPI_DOCUMENT, type HttpMethodName, type OpenApiDocument } from '../../functions/openapi/openapi';

const METHODS: readonly HttpMethodName[] = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const ACCESS_TEXT: Record<string, string> = {
  anyone: 'anyone, no credential',
  playbackToken: 'the signed token in the URL (`expires`, `kid`, `sig`)',
  deviceSecret: "the device's own secret (`Authorization: Bearer {deviceSecret}`)",
  roles: "bearer token, or the administrator's key",
};

const SCOPE_TEXT: Record<string, string> = {
  path: 'the camera in the path',
  listing: 'lists only the cameras in scope',
  all: 'every camera (`*`)',
};

/**
 * The "Route access" table of docs/security.md, one row per operation of the OpenAPI document in its order:
 * `| \`GET /api/cameras\` | access | roles (short names) | camera scope |`, from `x-keepwatch-access`,
 * `x-keepwatch-roles` and `x-keepwatch-camera-scope` (functions/auth/access.ts).
 */
export function routeAccessTable(doc: OpenApiDocument = OPENAPI_DOCUMENT): string {
  const rows = ['| route | who | roles (any one of) | cameras |', '|---|---|---|---|'];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const access = op['x-keepwatch-access'] ?? 'undeclared';
      const roles = (op['x-keepwatch-roles'] ?? []).map((r) => r.replace(/^Keepwatch\./, '')).join(', ') || '—';
      const scope = op['x-keepwatch-camera-scope'] ? SCOPE_TEXT[op['x-keepwatch-camera-scope']] : '—';
      rows.push(`| \`${m.toUpperCase()} /api${p}\` | ${ACCESS_TEXT[access] ?? access} | ${roles} | ${scope} |`);
    }
  }
  return rows.join('\n');
}
