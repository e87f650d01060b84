import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyBlobRequest, classifyTableRequest, countSubRequests } from '../../../bench/storage-request-class';

// Operation ↔ method + comp/restype: Azure Storage REST API reference; classes: the Blob price list's groups.
describe('storage request billing classes (docs/deploy.md "How the counts are made")', () => {
  const blobCases: Array<[string, string, string, string]> = [
    ['PUT', '/devstoreaccount1/recordings/cam-1/2026/11/22/00/2026-11-22T00:00:00.000Z.ts', 'PutBlob', 'write'],
    ['PUT', '/devstoreaccount1/recordings/a/b.ts?comp=block&blockid=AAAA', 'PutBlock', 'write'],
    ['PUT', '/devstoreaccount1/recordings/a/b.ts?comp=blocklist', 'PutBlockList', 'write'],
    ['PUT', '/devstoreaccount1/recordings/a/b.ts?comp=metadata', 'SetBlobMetadata', 'write'],
    ['PUT', '/devstoreaccount1/recordings?restype=container', 'CreateContainer', 'list'],
    ['GET', '/devstoreaccount1/recordings?restype=container&comp=list&prefix=cam-1%2F', 'ListBlobs', 'list'],
    ['GET', '/devstoreaccount1/?comp=list', 'ListContainers', 'list'],
    ['GET', '/devstoreaccount1/recordings/a/b.ts', 'GetBlob', 'read'],
    ['HEAD', '/devstoreaccount1/recordings/a/b.ts', 'GetBlobProperties', 'other'],
    ['GET', '/devstoreaccount1/recordings?restype=container', 'GetContainerProperties', 'other'],
    ['PUT', '/devstoreaccount1/?restype=service&comp=properties', 'SetBlobServiceProperties', 'other'],
    ['POST', '/devstoreaccount1/?restype=service&comp=userdelegationkey', 'GetUserDelegationKey', 'other'],
    ['POST', '/devstoreaccount1/?comp=batch', 'BlobBatch', 'batch'],
    ['DELETE', '/devstoreaccount1/recordings/a/b.ts', 'DeleteBlob', 'delete'],
    ['OPTIONS', '/devstoreaccount1/recordings/a/b.ts', 'Preflight', 'preflight'],
  ];
  for (const [method, target, operation, billingClass] of blobCases) {
    it(`blob ${method} ${target} → ${operation} (${billingClass})`, () => {
      assert.deepEqual(classifyBlobRequest(method, target), { service: 'blob', operation, billingClass });
    });
  }

  const tableCases: Array<[string, string, string]> = [
    ['POST', '/devstoreaccount1/Tables', 'CreateTable'],
    ['POST', '/devstoreaccount1/$batch', 'EntityGroupTransaction'],
    ['GET', "/devstoreaccount1/kwSegments(PartitionKey='cam-1',RowKey='0001')", 'QueryEntity'],
    ['GET', "/devstoreaccount1/kwSegments()?$filter=PartitionKey%20eq%20'cam-1'", 'QueryEntities'],
    ['PUT', "/devstoreaccount1/kwCameras(PartitionKey='cam-1',RowKey='')", 'InsertOrReplaceEntity'],
    ['MERGE', "/devstoreaccount1/kwCameras(PartitionKey='cam-1',RowKey='')", 'InsertOrMergeEntity'],
    ['PATCH', "/devstoreaccount1/kwCameras(PartitionKey='cam-1',RowKey='')", 'InsertOrMergeEntity'],
    ['POST', '/devstoreaccount1/kwEvents', 'InsertEntity'],
    ['DELETE', "/devstoreaccount1/kwHolds(PartitionKey='a',RowKey='b')", 'DeleteEntity'],
  ];
  for (const [method, target, operation] of tableCases) {
    it(`table ${method} ${target} → ${operation}, one transaction`, () => {
      assert.deepEqual(classifyTableRequest(method, target), { service: 'table', operation, billingClass: 'transaction' });
    });
  }

  it('counts the requests inside a multipart batch body, not the boundaries or headers', () => {
    const body = [
      '--batch_1',
      'Content-Type: multipart/mixed; boundary=changeset_1',
      '',
      '--changeset_1',
      'Content-Type: application/http',
      '',
      "PUT http://127.0.0.1:1/devstoreaccount1/kwSegments(PartitionKey='a',RowKey='1') HTTP/1.1",
      'Accept: application/json',
      '',
      '--changeset_1',
      "DELETE http://127.0.0.1:1/devstoreaccount1/kwSegments(PartitionKey='a',RowKey='2') HTTP/1.1",
      '',
      '--changeset_1--',
      '--batch_1--',
    ].join('\r\n');
    assert.equal(countSubRequests(body), 2);
    assert.equal(countSubRequests('DELETE /devstoreaccount1/recordings/a.ts HTTP/1.1\r\nx\r\nDELETE /devstoreaccount1/recordings/b.ts HTTP/1.1\r\n'), 2);
    assert.equal(countSubRequests('no requests here'), 0);
  });
});
