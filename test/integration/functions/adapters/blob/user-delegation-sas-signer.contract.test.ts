import { Agent } from 'node:https';
import { after, before, describe } from 'node:test';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { UserDelegationSasSigner } from '../../../../../functions/adapters/blob/user-delegation-sas-signer';
import { startHttpsAzurite, type HttpsAzurite } from '../../../../helpers/azurite-https';
import { AzuriteTokenCredential } from '../../../../helpers/azurite-token-credential';
import { describeSasSignerContract } from '../../../../helpers/contracts/sas-signer';

/**
 * The SasSigner contract (test/helpers/contracts/sas-signer.ts) on UserDelegationSasSigner against real Azurite over
 * https with `--oauth basic`: the keys come from Azurite's Get User Delegation Key for an Entra ID-shaped token
 * (test/helpers/azurite-token-credential.ts), as the Functions app's identity gets them in Azure.
 */
describe('UserDelegationSasSigner on Azurite (https, --oauth basic)', () => {
  let azurite: HttpsAzurite;
  let agent: Agent;
  let service: BlobServiceClient;
  let container: ContainerClient;
  before(async () => {
    azurite = await startHttpsAzurite();
    agent = new Agent({ ca: azurite.caPem, keepAlive: true });
    // As functions/adapters/storage/storage-clients.ts builds it for identity-based storage (the agent trusts the emulator).
    service = new BlobServiceClient(azurite.blobEndpoint, new AzuriteTokenCredential(), { agent } as StoragePipelineOptions);
    container = service.getContainerClient('recordings');
    await container.create();
  });
  after(async () => {
    agent?.destroy();
    await azurite?.stop();
  });

  describeSasSignerContract('user-delegation SAS (Entra ID identity)', async () => ({
    signer: new UserDelegationSasSigner({ keys: service, accountName: azurite.accountName, blobEndpoint: azurite.blobEndpoint, container: container.containerName }),
    containerUrl: container.url,
    upload: async (name, bytes) => void (await container.getBlockBlobClient(name).uploadData(bytes)),
    ca: azurite.caPem,
  }));
});
