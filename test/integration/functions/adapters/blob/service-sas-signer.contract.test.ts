import { after, before, describe } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { ServiceSasSigner } from '../../../../../functions/adapters/blob/service-sas-signer';
import { startAzurite, type AzuriteInstance } from '../../../../helpers/azurite';
import { describeSasSignerContract } from '../../../../helpers/contracts/sas-signer';

/**
 * The SasSigner contract (test/helpers/contracts/sas-signer.ts) on ServiceSasSigner (account key) against real Azurite
 * over http, the way the local stack and dev accounts sign.
 */
describe('ServiceSasSigner on Azurite', () => {
  let azurite: AzuriteInstance;
  let container: ContainerClient;
  before(async () => {
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
    await container.create();
  });
  after(async () => {
    await azurite?.stop();
  });

  describeSasSignerContract('service SAS (account key)', async () => ({
    signer: new ServiceSasSigner({ accountName: azurite.accountName, accountKey: azurite.accountKey, blobEndpoint: azurite.blobEndpoint, container: container.containerName }),
    containerUrl: container.url,
    upload: async (name, bytes) => void (await container.getBlockBlobClient(name).uploadData(bytes)),
  }));
});
