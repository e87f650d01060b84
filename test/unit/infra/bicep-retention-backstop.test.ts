import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { BACKSTOP_ELIGIBLE, BACKSTOP_TAG } from '../../../shared/backstop-tag';
import { assertId } from '../../../shared/ids';
import { loadBicep, type Bicep } from '../../helpers/bicep-checks';
import { propertyValues, type BicepValue } from '../../helpers/bicep-values';

/** The repository root (this file runs from dist/test/unit/infra/). */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const read = (rel: string) => readFileSync(path.join(ROOT, 'infra', rel), 'utf8');

/**
 * docs/security.md "Holds hold in Azure too" and "The cloud never deletes on a device's word", checked offline on the
 * Bicep (tree-sitter-bicep): the lifecycle backstop deletes only blobs the cloud tagged eligible, and only after the
 * longest retention a policy may set; soft delete keeps what anything deletes; playback URLs never come from the Host.
 */
describe('infra/: storage retention backstop, soft delete, retention cap and public base URL', () => {
  let bicep: Bicep;
  const values = (file: string, key: string) => propertyValues(bicep, bicep.parse(read(file)), key);
  before(async () => {
    bicep = await loadBicep();
  });

  it('the one deleting lifecycle rule that reaches segments takes block blobs of the recordings container tagged keepwatch-backstop=eligible only', () => {
    const [rules] = values('modules/storage.bicep', 'rules') as BicepValue[][];
    type Rule = { name: string; enabled: boolean; definition: { filters: Record<string, BicepValue>; actions: BicepValue } };
    const deleting = rules.filter((r) => JSON.stringify(r).includes('"delete"')) as Rule[];
    assert.deepEqual(deleting.map((r) => r.name).sort(), ['export-bundles-expiry', 'segments-retention-backstop'], JSON.stringify(rules));
    // Evidence export jobs and bundles: only `_exports/`, which no camera id (and so no segment name) can start with.
    const exports = deleting.find((r) => r.name === 'export-bundles-expiry')!;
    assert.deepEqual(exports.definition.filters, { blobTypes: ['blockBlob'], prefixMatch: ['${recordingsContainerName}/_exports/'] });
    assert.deepEqual(exports.definition.actions, { baseBlob: { delete: { daysAfterCreationGreaterThan: { expr: 'exportBundleDays' } } } });
    assert.throws(() => assertId('camera', '_exports'));
    const rule = deleting.find((r) => r.name === 'segments-retention-backstop')!;
    assert.equal(rule.enabled, true);
    assert.deepEqual(rule.definition.filters, {
      blobTypes: ['blockBlob'],
      prefixMatch: ['${recordingsContainerName}/'],
      blobIndexMatch: [{ name: BACKSTOP_TAG, op: '==', value: BACKSTOP_ELIGIBLE }],
    });
    assert.deepEqual(rule.definition.actions, { baseBlob: { delete: { daysAfterCreationGreaterThan: { expr: 'lifecycleDeleteAfterDays' } } } });
  });

  it('the backstop waits the longest retention the API allows (KEEPWATCH_RETENTION_MAX) plus the margin', () => {
    assert.deepEqual(values('main.bicep', 'lifecycleDeleteAfterDays'), [{ expr: 'max(retentionDays, longestRetentionDays) + retentionMarginDays' }]);
    assert.deepEqual(values('main.bicep', 'retentionMaxDays'), [{ expr: 'max(retentionDays, longestRetentionDays)' }]);
    assert.deepEqual(values('modules/functions.bicep', 'KEEPWATCH_RETENTION_MAX'), ['P${retentionMaxDays}D']);
  });

  it('blob and container soft delete are on, for softDeleteDays (1..365, default 7)', () => {
    assert.deepEqual(values('modules/storage.bicep', 'deleteRetentionPolicy'), [{ enabled: true, days: { expr: 'softDeleteDays' } }]);
    assert.deepEqual(values('modules/storage.bicep', 'containerDeleteRetentionPolicy'), [{ enabled: true, days: { expr: 'softDeleteDays' } }]);
    assert.deepEqual(values('main.bicep', 'softDeleteDays'), [{ expr: 'softDeleteDays' }]);
    assert.match(read('main.bicep'), /@minValue\(1\)\n@maxValue\(365\)\nparam softDeleteDays int = 7\n/);
  });

  it('KEEPWATCH_PUBLIC_BASE_URL is never empty: publicBaseUrl, else the app\'s default host name', () => {
    assert.deepEqual(values('modules/functions.bicep', 'KEEPWATCH_PUBLIC_BASE_URL'), [{ expr: "empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl" }]);
  });
});
