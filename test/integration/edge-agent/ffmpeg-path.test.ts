import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { nodeFfmpegProbe, resolveFfmpeg } from '../../../edge-agent/recorder/ffmpeg-path';

const LEGACY_PATH = nodeFfmpegProbe.packageBinary('@ffmpeg-installer/ffmpeg')!;

describe('resolveFfmpeg on this machine (real binaries)', () => {
  it("picks Debian's ffmpeg from PATH and guards session starts by dropping untimed packets", () => {
    const f = resolveFfmpeg(undefined, { PATH: process.env.PATH });
    assert.equal(f.source, 'system');
    assert.ok((f.release?.major ?? 0) >= 5, `version ${f.version}`);
    assert.equal(f.startGuard, 'drop-untimed');
    assert.deepEqual(f.warnings, []);
  });

  it('the 2018 registry build gets +genpts (its noise filter has no drop expression) and named defects', () => {
    const viaEnv = resolveFfmpeg(undefined, { FFMPEG_PATH: LEGACY_PATH });
    assert.equal(viaEnv.source, 'FFMPEG_PATH');
    assert.equal(viaEnv.startGuard, 'genpts');
    // an ffmpeg older than 5 on PATH is passed over for the registry build, which warns
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-oldff-'));
    writeFileSync(path.join(dir, 'ffmpeg'), '#!/bin/sh\necho "ffmpeg version 4.3.6-0+deb11u1 Copyright (c) 2000-2023"\n');
    chmodSync(path.join(dir, 'ffmpeg'), 0o755);
    const old = resolveFfmpeg(undefined, {}, { ...nodeFfmpegProbe, which: () => path.join(dir, 'ffmpeg') });
    assert.equal(old.source, '@ffmpeg-installer/ffmpeg');
    assert.equal(old.path, LEGACY_PATH);
    assert.equal(old.startGuard, 'genpts');
    assert.match(old.warnings.join('\n'), /B-frames/);
  });
});
