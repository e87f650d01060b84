/** One test user (or service client) of the development issuer, as its login page lists it. */
export interface DevIssuerUser {
  /** The token's `sub`, and the `client_id` for the client credentials grant: `[a-z0-9-]{1,32}`. */
  id: string;
  /** Shown on the login page; the token's `name`. */
  name: string;
  /** App roles (functions/auth/access.ts), the token's `roles`. */
  roles: string[];
  /** The token's `cameras` claim; absent = unscoped (every camera). */
  cameras?: string[];
}

/**
 * The development issuer's default users: one per role, plus a viewer and a door controller scoped to camera `door`
 * (docs/security.md "Local development issuer"; the local stack adds a viewer of each of its cameras).
 */
export const DEFAULT_DEV_USERS: readonly DevIssuerUser[] = [
  { id: 'admin', name: 'Ada Admin', roles: ['Keepwatch.Admin'] },
  { id: 'operator', name: 'Otto Operator', roles: ['Keepwatch.Operator'] },
  { id: 'viewer', name: 'Vera Viewer', roles: ['Keepwatch.Viewer'] },
  { id: 'door-viewer', name: 'Dora Door-Viewer', roles: ['Keepwatch.Viewer'], cameras: ['door'] },
  { id: 'door-controller', name: 'Door controller (service)', roles: ['Keepwatch.SignalPublisher'], cameras: ['door'] },
];

/** The viewer's client id at the development issuer (the local stack's `KEEPWATCH_VIEWER_CLIENT_ID`; it accepts any). */
export const DEV_VIEWER_CLIENT_ID = 'keepwatch-viewer';
