import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { StorageSettings } from '../settings';

/**
 * The Entra ID credential of identity-based storage, as the Functions host builds it for an identity-based connection
 * (learn.microsoft.com/azure/azure-functions/functions-reference#common-properties-for-identity-based-connections):
 * - `KEEPWATCH_STORAGE__credential=managedidentity` → `ManagedIdentityCredential`, with `__clientId` the user-assigned
 *   identity (what infra/ deploys), else the system-assigned one;
 * - no `__credential` → `DefaultAzureCredential` (environment variables, workload identity, managed identity, then a
 *   developer's `az login` / Azure Developer CLI / Azure PowerShell sign-in), for running the functions from a laptop
 *   against a real account.
 * Tokens are fetched lazily, on the first storage request, and cached by the credential.
 */
export function storageCredential(storage: Extract<StorageSettings, { kind: 'identity' }>): TokenCredential {
  if (storage.credential === 'managedidentity') {
    return storage.clientId ? new ManagedIdentityCredential({ clientId: storage.clientId }) : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential();
}
