import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImageStreamError, ImageStreamSplitter } from '../../../../edge-agent/extension/image-stream-splitter';

/** A minimal JPEG: SOI, an APP0 segment holding FF D9 (must not end the image), SOS, entropy data with stuffing and a restart marker, EOI. */
function jpeg(seed: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x06, 0xff, 0xd9, 0x00, seed]);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x04, 0x01, 0x00]);
  const data = Buffer.from([seed, 0xff, 0x00, 0x12, 0xff, 0xd0, 0x34, 0xff, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sos, data, Buffer.from([0xff, 0xd9])]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}

function png(seed: number): Buffer {
  // IDAT data holding the bytes "IEND" must not end the image: only a chunk type does
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', Buffer.alloc(13, seed)),
    pngChunk('IDAT', Buffer.from(`xxIENDxx${seed}`, 'latin1')),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function bmp(seed: number, pixels = 12): Buffer {
  const b = Buffer.alloc(54 + pixels, seed);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  return b;
}

/** Feeds `stream` in pieces of `step` bytes. */
function split(format: 'jpeg' | 'png' | 'bmp', stream: Buffer, step: number): Buffer[] {
  const s = new ImageStreamSplitter(format);
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i += step) out.push(...s.push(stream.subarray(i, i + step)));
  assert.equal(s.pending, 0);
  return out;
}

describe('ImageStreamSplitter', () => {
  for (const [format, make] of [['jpeg', jpeg], ['png', png], ['bmp', bmp]] as const) {
    it(`${format}: cuts back-to-back images whatever the chunking`, () => {
      const images = [make(1), make(2), make(3)];
      const stream = Buffer.concat(images);
      for (const step of [1, 3, 7, stream.length]) {
        assert.deepEqual(split(format, stream, step), images, `chunks of ${step}`);
      }
    });
  }

  it('holds an incomplete image until its end arrives', () => {
    const s = new ImageStreamSplitter('jpeg');
    const img = jpeg(9);
    assert.deepEqual(s.push(img.subarray(0, img.length - 1)), []);
    assert.equal(s.pending, img.length - 1);
    assert.deepEqual(s.push(img.subarray(img.length - 1)), [img]);
  });

  it('rejects bytes that are not an image of the format', () => {
    assert.throws(() => new ImageStreamSplitter('jpeg').push(png(1)), ImageStreamError);
    assert.throws(() => new ImageStreamSplitter('png').push(jpeg(1)), ImageStreamError);
    assert.throws(() => new ImageStreamSplitter('bmp').push(jpeg(1)), ImageStreamError);
  });
});
