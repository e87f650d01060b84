import { z } from 'zod';
import { addProblem, trimmedText } from './env';

/** The Entra ID identity of an identity-based connection: which credential, and which user-assigned identity. */
export interface EntraIdentity {
  /** `managedidentity` → ManagedIdentityCredential; `default` (no `__credential`) → DefaultAzureCredential. */
  credential: 'managedidentity' | 'default';
  /** Client id of the user-assigned managed identity; `undefined` = system-assigned. */
  clientId?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks `{prefix}__credential` (`managedidentity` in any case, or unset) and `{prefix}__clientId` (a GUID, only with
 * `managedidentity`): the Functions host's convention for identity-based connections
 * (learn.microsoft.com/azure/azure-functions/functions-reference#common-properties-for-identity-based-connections).
 * Problems, added to `ctx`: another `__credential` (`"clientsecret" is not supported: use managedidentity, or leave it
 * unset for {whenUnset}`), a `__clientId` without `__credential=managedidentity`, or one that is not a GUID.
 * @param given `{prefix}__credential`, trimmed (`undefined` when unset)
 * @param clientId `{prefix}__clientId`, trimmed
 * @param whenUnset what an unset `__credential` means, for the message
 */
export function readEntraIdentity(prefix: string, given: string | undefined, clientId: string | undefined, ctx: z.RefinementCtx, whenUnset = 'DefaultAzureCredential'): EntraIdentity {
  const credentialName = `${prefix}__credential`;
  const clientIdName = `${prefix}__clientId`;
  if (given !== undefined && given.toLowerCase() !== 'managedidentity') {
    addProblem(ctx, credentialName, `${JSON.stringify(given)} is not supported: use managedidentity, or leave it unset for ${whenUnset}`, given);
  }
  const credential = given ? 'managedidentity' : 'default';
  if (clientId !== undefined) {
    if (credential !== 'managedidentity') addProblem(ctx, clientIdName, `only applies with ${credentialName}=managedidentity`, clientId);
    else if (!GUID.test(clientId)) addProblem(ctx, clientIdName, `${JSON.stringify(clientId)} is not a client id (a GUID such as 00000000-0000-0000-0000-000000000000)`, clientId);
  }
  return clientId ? { credential, clientId } : { credential };
}

/**
 * The settings `{prefix}__credential` and `{prefix}__clientId` as an {@link EntraIdentity} ({@link readEntraIdentity}).
 * @param prefix the connection's setting prefix, e.g. `KEEPWATCH_EVENTHUB`
 */
export function entraIdentity(prefix: string, whenUnset = 'DefaultAzureCredential') {
  const credentialName = `${prefix}__credential`;
  const clientIdName = `${prefix}__clientId`;
  return z
    .object({ [credentialName]: trimmedText, [clientIdName]: trimmedText })
    .transform((s, ctx) => readEntraIdentity(prefix, s[credentialName], s[clientIdName], ctx, whenUnset));
}
