import type { DevIssuerUser } from './dev-issuer-users';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The development issuer's sign-in page: one button per test user, naming its roles and cameras; each posts the
 * authorization request's parameters back to `/authorize` with the chosen `user`. No password: the issuer is for a
 * developer's own machine and the tests (docs/security.md "Local development issuer").
 * @param params the validated authorization request (`client_id`, `redirect_uri`, `state`, `code_challenge`, ...)
 */
export function loginPage(users: readonly DevIssuerUser[], params: Record<string, string>): string {
  const hidden = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const rows = users
    .map(
      (u) =>
        `<li><form method="post" action="authorize">${hidden}<input type="hidden" name="user" value="${escapeHtml(u.id)}">` +
        `<button type="submit" data-user="${escapeHtml(u.id)}">${escapeHtml(u.name)}</button> ` +
        `<span class="roles">${escapeHtml(u.roles.join(', '))}</span> · ` +
        `<span class="cameras">${u.cameras ? `cameras ${escapeHtml(u.cameras.join(', '))}` : 'every camera'}</span></form></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keepwatch development sign-in</title><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto}li{margin:.5rem 0}button{min-width:14rem}</style></head>
<body><h1>Keepwatch development sign-in</h1>
<p>This is the local development issuer, not Entra ID: pick a test user. Client <code>${escapeHtml(params.client_id ?? '')}</code> asks to sign you in.</p>
<ul>
${rows}
</ul></body></html>`;
}
