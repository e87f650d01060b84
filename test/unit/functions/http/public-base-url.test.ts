import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicBaseUrl } from '../../../../functions/http/public-base-url';

describe('publicBaseUrl (the base of playback URLs; docs/security.md "Other denials")', () => {
  it('is the configured base whatever origin the request claims', () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1:7071', 'http://[::1]:80']) {
      assert.equal(publicBaseUrl('https://cams.example.com/prefix', origin), 'https://cams.example.com/prefix');
    }
  });

  it('without a configured base, is the origin of a request to a loopback address (a development host)', () => {
    for (const origin of ['http://127.0.0.1:7071', 'http://127.1.2.3', 'http://localhost:7071', 'http://[::1]:7071']) assert.equal(publicBaseUrl(undefined, origin), origin);
  });

  it('without a configured base, refuses any other Host (the caller chooses it) with an error naming the setting', () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example', 'http://localhost.evil.example', 'http://10.0.0.5:7071', 'http://0.0.0.0']) {
      assert.throws(() => publicBaseUrl(undefined, origin), /KEEPWATCH_PUBLIC_BASE_URL is not set/, origin);
    }
  });
});
