import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { EntraIdentity } from '../../settings';

/**
 * The Entra ID credential of an identity-based connection (storage, Event Hubs), as the Functions host builds it
 * (learn.microsoft.com/azure/azure-functions/functions-reference#common-properties-for-identity-based-connections):
 * - `{prefix}__credential=managedidentity` → `ManagedIdentityCredential`, with `__clientId` the user-assigned
 *   identity (what infra/ deploys), else the system-assigned one;
 * - no `__credential` → `DefaultAzureCredential` (environment variables, workload identity, managed identity, then a
 *   developer's `az login` / Azure Developer CLI / Azure PowerShell sign-in), for running the functions from a laptop
 *   against real resources.
 * Tokens are fetched lazily, on the first request, and cached by the credential.
 */
export function entraCredential(identity: EntraIdentity): TokenCredential {
  if (identity.credential === 'managedidentity') {
    return identity.clientId ? new ManagedIdentityCredential({ clientId: identity.clientId }) : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential();
}
