import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describe, it } from 'node:test';
import type { SasSigner } from '../../../shared/ports/sas-signer';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';

/** One SasSigner implementation and the real storage account its URLs are for. */
export interface SasSignerHarness {
  signer: SasSigner;
  /** `{blob endpoint}/{container}`: where every URL must point. */
  containerUrl: string;
  /** Writes a blob with the account's own credentials (not through a SAS). */
  upload(blobName: string, bytes: Buffer): Promise<void>;
  /** The certificate an https endpoint serves (an emulator's self-signed one); trusted by {@link sendTo} for these requests only. */
  ca?: string;
}

/** One anonymous request to a SAS URL (http or https, trusting `ca` only): the status and body. */
export function sendTo(url: string, ca: string | undefined, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<{ status: number; body: Buffer }> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/**
 * The SasSigner port's contract (shared/ports/sas-signer.ts), run against one implementation and the storage it signs
 * for: read URLs (`sp=r`, `sr=b`) read their own blob and nothing else, one per name in the order given; create URLs
 * (`sp=c`, `sr=b`) create their own blob once and can do nothing else; `se` is the asked expiry rounded up to the
 * second, and the storage refuses a URL once it has passed. Every URL is tried on the real storage. `factory` runs
 * once per test.
 */
export function describeSasSignerContract(name: string, factory: () => Promise<SasSignerHarness>): void {
  describe(`SasSigner contract: ${name}`, () => {
    let n = 0;
    /** Segment blob names no other test of this run uses. */
    const fresh = (count: number) => {
      n++;
      return Array.from({ length: count }, (_, i) => segmentBlobName(`cam${n}`, T0 + i * 10_000));
    };
    const PUT = (body: Buffer, headers: Record<string, string> = {}) => ({ method: 'PUT', body, headers: { 'x-ms-blob-type': 'BlockBlob', 'content-length': String(body.length), ...headers } });

    it('a read URL (one, a batch, or from the signer function): absolute, on the blob, sp=r, sr=b, se the expiry rounded up to the second; it reads the bytes', async () => {
      const h = await factory();
      const [blob] = fresh(1);
      const bytes = Buffer.from(`segment ${blob}`);
      await h.upload(blob, bytes);
      const expiresOnMs = Date.now() + 600_250;
      const [fromBatch] = await h.signer.blobReadUrls([blob], expiresOnMs);
      const fromSigner = (await h.signer.blobReadUrlSigner(expiresOnMs))(blob);
      assert.equal(fromSigner, fromBatch, 'blobReadUrlSigner signs what blobReadUrls signs');
      for (const url of [await h.signer.blobReadUrl(blob, expiresOnMs), fromBatch, fromSigner]) {
        const u = new URL(url);
        assert.equal(`${u.origin}${decodeURIComponent(u.pathname)}`, `${h.containerUrl}/${blob}`);
        assert.deepEqual([u.searchParams.get('sp'), u.searchParams.get('sr'), u.searchParams.get('se')], ['r', 'b', new Date(Math.ceil(expiresOnMs / 1000) * 1000).toISOString().replace('.000Z', 'Z')]);
        const got = await sendTo(url, h.ca);
        assert.equal(got.status, 200);
        assert.ok(got.body.equals(bytes));
      }
    });

    it('a read URL permits nothing else: not another blob, not overwrite, create, delete or list', async () => {
      const h = await factory();
      const [blob, other] = fresh(2);
      await h.upload(blob, Buffer.from('mine'));
      await h.upload(other, Buffer.from('other'));
      const url = new URL(await h.signer.blobReadUrl(blob, Date.now() + 600_000));
      const otherUrl = new URL(url);
      otherUrl.pathname = url.pathname.replace(encodeURIComponent(new Date(T0).toISOString()), encodeURIComponent(new Date(T0 + 10_000).toISOString()));
      assert.notEqual(otherUrl.pathname, url.pathname);
      assert.equal((await sendTo(otherUrl.href, h.ca)).status, 403, 'another blob');
      assert.equal((await sendTo(url.href, h.ca, PUT(Buffer.from('overwrite')))).status, 403, 'overwrite');
      const newBlob = new URL(url);
      newBlob.pathname = url.pathname.replace(encodeURIComponent(new Date(T0).toISOString()), 'new.ts');
      assert.equal((await sendTo(newBlob.href, h.ca, PUT(Buffer.from('x')))).status, 403, 'create');
      assert.equal((await sendTo(url.href, h.ca, { method: 'DELETE' })).status, 403, 'delete');
      assert.equal((await sendTo(`${h.containerUrl}?restype=container&comp=list&${url.search.slice(1)}`, h.ca)).status, 403, 'list');
      assert.equal((await sendTo(url.href, h.ca)).status, 200, 'still reads its own blob');
    });

    it('blobReadUrls: one URL per name, in the order given, each reading its own blob; none for none', async () => {
      const h = await factory();
      const names = fresh(3).reverse();
      for (const name of names) await h.upload(name, Buffer.from(`bytes of ${name}`));
      const urls = await h.signer.blobReadUrls(names, Date.now() + 600_000);
      assert.equal(urls.length, names.length);
      for (const [i, url] of urls.entries()) assert.equal((await sendTo(url, h.ca)).body.toString(), `bytes of ${names[i]}`);
      assert.deepEqual(await h.signer.blobReadUrls([], Date.now() + 600_000), []);
    });

    it('blobCreateUrls: sp=c, sr=b, in the order given; each creates its own blob once and can do nothing else', async () => {
      const h = await factory();
      const names = fresh(2);
      const urls = await h.signer.blobCreateUrls(names, Date.now() + 600_000);
      assert.equal(urls.length, names.length);
      for (const [i, url] of urls.entries()) {
        const u = new URL(url);
        assert.equal(`${u.origin}${decodeURIComponent(u.pathname)}`, `${h.containerUrl}/${names[i]}`);
        assert.deepEqual([u.searchParams.get('sp'), u.searchParams.get('sr')], ['c', 'b']);
        assert.equal((await sendTo(url, h.ca, PUT(Buffer.from(`created ${i}`), { 'if-none-match': '*' }))).status, 201, 'create');
        assert.equal((await sendTo(url, h.ca, PUT(Buffer.from('again'), { 'if-none-match': '*' }))).status, 403, 'no second create');
        assert.equal((await sendTo(url, h.ca, PUT(Buffer.from('again')))).status, 403, 'no overwrite');
        assert.equal((await sendTo(url, h.ca)).status, 403, 'no read');
        assert.equal((await sendTo(url, h.ca, { method: 'DELETE' })).status, 403, 'no delete');
      }
      const stored = await h.signer.blobReadUrls(names, Date.now() + 600_000);
      assert.deepEqual(await Promise.all(stored.map(async (u) => (await sendTo(u, h.ca)).body.toString())), ['created 0', 'created 1']);
      assert.deepEqual(await h.signer.blobCreateUrls([], Date.now() + 600_000), []);
    });

    it('the storage refuses a URL once its expiry has passed', async () => {
      const h = await factory();
      const [blob] = fresh(1);
      await h.upload(blob, Buffer.from('short-lived'));
      const [read] = await h.signer.blobReadUrls([blob], Date.now() + 1000);
      assert.equal((await sendTo(read, h.ca)).status, 200);
      const se = Date.parse(new URL(read).searchParams.get('se')!);
      assert.ok(se - Date.now() <= 2000, `se ${new Date(se).toISOString()} is the asked expiry, about a second from now`);
      await new Promise((r) => setTimeout(r, Math.max(0, se - Date.now()) + 1100));
      assert.equal((await sendTo(read, h.ca)).status, 403, 'expired read');
      const [create] = await h.signer.blobCreateUrls(fresh(1), Date.now() - 60_000);
      assert.equal((await sendTo(create, h.ca, PUT(Buffer.from('late'), { 'if-none-match': '*' }))).status, 403, 'expired create');
    });
  });
}
