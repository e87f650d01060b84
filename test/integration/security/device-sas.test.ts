import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BlobSASPermissions,
  BlobServiceClient,
  ContainerClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type ContainerClient as ContainerClientType,
} from '@azure/storage-blob';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { statusOf } from '../../helpers/storage-status';

/**
 * docs/security.md: what a stolen device upload credential can do against real Azurite (3.35, the well-known
 * development key). The device credential is a service SAS on its container, `c` (create only) or `cw` (create +
 * write), made with `generateBlobSASQueryParameters` exactly as the provisioning side would.
 *
 * A SAS scoped to one device's *prefix* inside a shared container is not possible with a service SAS: directory-scoped
 * SAS (`sr=d`, `sdd`) needs a hierarchical-namespace (ADLS Gen2) account, which Azurite does not emulate and Keepwatch
 * does not deploy. What is possible, and tested here: one container per device (the container is the scope), or a
 * blob-scoped SAS (`sr=b`) per segment name.
 */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const SAS_VERSION = '2025-11-05';

describe('a device upload credential (container SAS, c or cw) on Azurite', () => {
  let azurite: AzuriteInstance;
  let service: BlobServiceClient;
  let key: StorageSharedKeyCredential;
  const existing = segmentBlobName('cam-a', T0);
  const original = Buffer.from('original segment bytes');

  /** A container client that authenticates with nothing but a container SAS on `container`. */
  function deviceClient(container: string, permissions: string, o: { expiresOn?: Date } = {}): ContainerClientType {
    const sas = generateBlobSASQueryParameters(
      { containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn: o.expiresOn ?? new Date(Date.now() + 3_600_000), version: SAS_VERSION },
      key,
    ).toString();
    return new ContainerClient(`${azurite.blobEndpoint}/${container}?${sas}`);
  }

  async function storedBytes(container: string, name: string): Promise<Buffer | undefined> {
    const blob = service.getContainerClient(container).getBlockBlobClient(name);
    if (!(await blob.exists())) return undefined;
    return blob.downloadToBuffer();
  }

  async function names(container: string): Promise<string[]> {
    const out: string[] = [];
    for await (const b of service.getContainerClient(container).listBlobsFlat()) out.push(b.name);
    return out.sort();
  }

  before(async () => {
    azurite = await startAzurite();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    key = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    for (const c of ['dev-a', 'dev-b', 'recordings']) {
      await service.getContainerClient(c).create();
      await service.getContainerClient(c).getBlockBlobClient(existing).uploadData(original);
    }
  });
  after(async () => {
    await azurite?.stop();
  });

  for (const permissions of ['c', 'cw']) {
    describe(`permissions '${permissions}'`, () => {
      it('creates a new segment blob in its own container (the one thing it is for)', async () => {
        const name = segmentBlobName('cam-a', T0 + (permissions === 'c' ? 10_000 : 20_000));
        const device = deviceClient('dev-a', permissions);
        const status = await statusOf(() => device.getBlockBlobClient(name).uploadData(Buffer.from('new'), { conditions: { ifNoneMatch: '*' } }));
        assert.equal(status, 201);
        assert.deepEqual(await storedBytes('dev-a', name), Buffer.from('new'));
      });

      it('cannot read a blob (download, properties, metadata): 403', async () => {
        const blob = deviceClient('dev-a', permissions).getBlockBlobClient(existing);
        assert.equal(await statusOf(() => blob.download()), 403);
        assert.equal(await statusOf(() => blob.getProperties()), 403);
        assert.equal(await statusOf(() => blob.getTags()), 403);
      });

      it('cannot list the container, nor the account: 403', async () => {
        const device = deviceClient('dev-a', permissions);
        assert.equal(await statusOf(() => device.listBlobsFlat().byPage({ maxPageSize: 10 }).next()), 403);
        const account = new BlobServiceClient(`${azurite.blobEndpoint}?${device.url.split('?')[1]}`);
        assert.equal(await statusOf(() => account.listContainers().byPage().next()), 403);
      });

      it('cannot delete a blob nor the container: 403, and the blob is still there', async () => {
        const device = deviceClient('dev-a', permissions);
        assert.equal(await statusOf(() => device.getBlockBlobClient(existing).delete()), 403);
        assert.equal(await statusOf(() => device.delete()), 403);
        assert.deepEqual(await storedBytes('dev-a', existing), original);
      });

      it("cannot create a blob in another device's container: 403, nothing created there", async () => {
        const before = await names('dev-b');
        const sasOfA = deviceClient('dev-a', permissions).url.split('?')[1];
        // The signature covers the container name: the same query string on another container's URL is refused.
        const elsewhere = new ContainerClient(`${azurite.blobEndpoint}/dev-b?${sasOfA}`);
        const status = await statusOf(() => elsewhere.getBlockBlobClient(segmentBlobName('cam-b', T0 + 50_000)).uploadData(Buffer.from('forged')));
        assert.equal(status, 403);
        assert.deepEqual(await names('dev-b'), before);
      });

      it('an upload with If-None-Match: * on an existing name changes nothing', async () => {
        const device = deviceClient('dev-a', permissions);
        const status = await statusOf(() => device.getBlockBlobClient(existing).uploadData(Buffer.from('other bytes'), { conditions: { ifNoneMatch: '*' } }));
        // 'c': Azurite 3.35 checks the permission before the precondition, and create-only may not touch an existing
        // blob, so the answer is 403 (AuthorizationPermissionMismatch), not 409. 'cw': the write permission passes
        // and the precondition fails: 409 BlobAlreadyExists. Either way the stored bytes stay.
        assert.equal(status, permissions === 'c' ? 403 : 409);
        assert.deepEqual(await storedBytes('dev-a', existing), original);
      });
    });
  }

  it("'c' cannot overwrite an existing blob even without If-None-Match: 403, bytes unchanged", async () => {
    const blob = deviceClient('dev-a', 'c').getBlockBlobClient(existing);
    assert.equal(await statusOf(() => blob.uploadData(Buffer.from('other bytes'))), 403);
    // The block path (stage + commit, what uploadData uses above 256 MiB) is refused at the first step on an existing name.
    assert.equal(await statusOf(() => blob.stageBlock(Buffer.from('QUJD').toString('base64'), Buffer.from('x'), 1)), 403);
    assert.equal(await statusOf(() => blob.commitBlockList([Buffer.from('QUJD').toString('base64')])), 403);
    assert.deepEqual(await storedBytes('dev-a', existing), original);
  });

  it("'cw' CAN overwrite an existing blob when the caller omits If-None-Match (why the device credential must be 'c')", async () => {
    // This is the documented meaning of the write permission; it is asserted so the threat model in
    // docs/security.md stays true: a stolen 'cw' credential can replace stored segments of its own container.
    const name = segmentBlobName('cam-a', T0 + 90_000);
    await service.getContainerClient('dev-a').getBlockBlobClient(name).uploadData(original);
    const status = await statusOf(() => deviceClient('dev-a', 'cw').getBlockBlobClient(name).uploadData(Buffer.from('replaced')));
    assert.equal(status, 201);
    assert.deepEqual(await storedBytes('dev-a', name), Buffer.from('replaced'));
  });

  it('an expired device SAS is refused (403) and creates nothing', async () => {
    const name = segmentBlobName('cam-a', T0 + 120_000);
    const device = deviceClient('dev-a', 'c', { expiresOn: new Date(Date.now() - 1000) });
    assert.equal(await statusOf(() => device.getBlockBlobClient(name).uploadData(Buffer.from('late'))), 403);
    assert.equal(await storedBytes('dev-a', name), undefined);
  });

  it('a SAS whose permissions or signature were edited is refused (403)', async () => {
    const name = segmentBlobName('cam-a', T0 + 130_000);
    const query = deviceClient('dev-a', 'c').url.split('?')[1];
    const widened = query.replace(/sp=c(&|$)/, 'sp=racwdl$1');
    assert.notEqual(widened, query);
    const sig = new URLSearchParams(query).get('sig')!;
    const flipped = Buffer.from(sig, 'base64');
    flipped[0] ^= 1;
    const tampered = query.replace(encodeURIComponent(sig), encodeURIComponent(flipped.toString('base64')));
    assert.notEqual(tampered, query);
    for (const q of [widened, tampered]) {
      const c = new ContainerClient(`${azurite.blobEndpoint}/dev-a?${q}`);
      assert.equal(await statusOf(() => c.getBlockBlobClient(existing).download()), 403);
      assert.equal(await statusOf(() => c.getBlockBlobClient(name).uploadData(Buffer.from('x'))), 403);
    }
    assert.equal(await storedBytes('dev-a', name), undefined);
  });

  it('a blob-scoped SAS (sr=b, c) creates exactly its blob and no other name, in a shared container', async () => {
    const mine = segmentBlobName('cam-a', T0 + 200_000);
    const sas = generateBlobSASQueryParameters(
      { containerName: 'recordings', blobName: mine, permissions: BlobSASPermissions.parse('c'), expiresOn: new Date(Date.now() + 600_000), version: SAS_VERSION },
      key,
    ).toString();
    const at = (name: string) => new ContainerClient(`${azurite.blobEndpoint}/recordings?${sas}`).getBlockBlobClient(name);
    assert.equal(await statusOf(() => at(mine).uploadData(Buffer.from('mine'))), 201);
    const other = segmentBlobName('cam-b', T0 + 200_000); // another device's camera, same container
    assert.equal(await statusOf(() => at(other).uploadData(Buffer.from('forged'))), 403);
    assert.equal(await statusOf(() => at(`${mine}/../../${other}`).uploadData(Buffer.from('forged'))), 403);
    assert.equal(await statusOf(() => at(mine).download()), 403);
    assert.deepEqual(await names('recordings'), [existing, mine].sort());
  });
});
