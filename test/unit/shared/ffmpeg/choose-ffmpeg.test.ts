import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { chooseFfmpeg, hostFfmpegProbe, LEGACY_FFMPEG_DEFECTS, parseFfmpegVersion, probeRun, type FfmpegProbe } from '../../../../shared/ffmpeg/choose-ffmpeg';

/** A machine described by its files and what each binary prints for `-version`. */
function machine(files: Record<string, string>, packages: Partial<Record<'ffmpeg-static' | '@ffmpeg-installer/ffmpeg', string>> = {}, onPath?: string): FfmpegProbe {
  return {
    exists: (p) => p in files,
    versionLine: (p) => files[p],
    packageBinary: (name) => packages[name],
    which: () => onPath,
  };
}
const DEBIAN = 'ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers';
const LEGACY = 'ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2018 the FFmpeg developers';

describe('chooseFfmpeg: which ffmpeg runs', () => {
  it('prefers the config, then FFMPEG_PATH, whatever their version', () => {
    const m = machine({ '/opt/ff': LEGACY, '/env/ff': DEBIAN, '/usr/bin/ffmpeg': DEBIAN }, {}, '/usr/bin/ffmpeg');
    assert.deepEqual(chooseFfmpeg(m, '/opt/ff', { FFMPEG_PATH: '/env/ff' }), { path: '/opt/ff', source: 'config', version: 'N-47683-g0e8eb07980-static', warnings: [] });
    assert.equal(chooseFfmpeg(m, undefined, { FFMPEG_PATH: ' /env/ff ' }).source, 'FFMPEG_PATH');
  });

  it('takes the system ffmpeg 5+ before the 2018 registry build, which comes last with its defects named', () => {
    const legacy = { '@ffmpeg-installer/ffmpeg': '/nm/ffmpeg' };
    const m = machine({ '/usr/bin/ffmpeg': DEBIAN, '/nm/ffmpeg': LEGACY }, legacy, '/usr/bin/ffmpeg');
    assert.deepEqual(chooseFfmpeg(m, undefined, {}), { path: '/usr/bin/ffmpeg', source: 'system', version: '5.1.9-0+deb12u1', release: { major: 5, minor: 1 }, warnings: [] });
    const old = machine({ '/usr/bin/ffmpeg': 'ffmpeg version 4.3.6-0+deb11u1', '/nm/ffmpeg': LEGACY }, legacy, '/usr/bin/ffmpeg');
    const chosen = chooseFfmpeg(old, undefined, {});
    assert.equal(chosen.source, '@ffmpeg-installer/ffmpeg');
    assert.deepEqual(chosen.warnings, LEGACY_FFMPEG_DEFECTS);
    assert.equal(chooseFfmpeg(machine({ '/nm/ffmpeg': LEGACY }, legacy), undefined, {}).source, '@ffmpeg-installer/ffmpeg');
  });

  it('takes ffmpeg-static only when its binary was downloaded', () => {
    const m = machine({ '/nm/static/ffmpeg': 'ffmpeg version 6.1.1-static', '/usr/bin/ffmpeg': DEBIAN }, { 'ffmpeg-static': '/nm/static/ffmpeg' }, '/usr/bin/ffmpeg');
    assert.equal(chooseFfmpeg(m, undefined, {}).source, 'ffmpeg-static');
    const notDownloaded = machine({ '/usr/bin/ffmpeg': DEBIAN }, { 'ffmpeg-static': '/nm/static/ffmpeg' }, '/usr/bin/ffmpeg');
    assert.equal(chooseFfmpeg(notDownloaded, undefined, {}).source, 'system');
  });

  it('names every candidate it tried when none is usable', () => {
    assert.throws(
      () => chooseFfmpeg(machine({ '/usr/bin/ffmpeg': 'ffmpeg version 4.1' }, {}, '/usr/bin/ffmpeg'), '/missing', {}),
      /config: \/missing does not exist; ffmpeg-static: not installed; system ffmpeg \/usr\/bin\/ffmpeg: version 4\.1 is older than 5; @ffmpeg-installer\/ffmpeg: not installed/,
    );
  });

  it('parses release and git-build version lines', () => {
    assert.deepEqual(parseFfmpegVersion('ffmpeg version n7.1 Copyright'), { version: 'n7.1', release: { major: 7, minor: 1 } });
    assert.deepEqual(parseFfmpegVersion(LEGACY), { version: 'N-47683-g0e8eb07980-static' });
    assert.deepEqual(parseFfmpegVersion(undefined), { version: 'unknown' });
  });
});

describe('hostFfmpegProbe (the Node probe both sides build)', () => {
  it('finds a regular file on PATH, reads its -version line, and never throws for what is missing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-probe-'));
    const bin = path.join(dir, 'bin');
    mkdirSync(path.join(bin, 'ffmpeg-dir-only', 'x'), { recursive: true });
    mkdirSync(path.join(dir, 'empty'));
    mkdirSync(path.join(dir, 'shadow', 'ffmpeg'), { recursive: true }); // a folder named ffmpeg is not a binary
    writeFileSync(path.join(bin, 'ffmpeg'), `#!/bin/sh\necho '${DEBIAN}'\necho second line\n`, { mode: 0o755 });
    let pathEnv: string | undefined = [path.join(dir, 'empty'), path.join(dir, 'shadow'), bin].join(path.delimiter);
    const probe = hostFfmpegProbe({ statSync, execFileSync, require, searchPath: () => pathEnv });
    assert.equal(probe.which('ffmpeg'), path.join(bin, 'ffmpeg'));
    assert.equal(probe.versionLine(path.join(bin, 'ffmpeg')), DEBIAN);
    assert.equal(probe.exists(path.join(bin, 'ffmpeg')), true);
    assert.equal(probe.exists(path.join(dir, 'shadow', 'ffmpeg')), false);
    assert.equal(probe.exists(path.join(dir, 'nothing')), false);
    assert.equal(probe.versionLine(path.join(dir, 'nothing')), undefined);
    const requireOrUndefined = (name: string) => {
      try {
        return (require(name) as string | null) ?? undefined;
      } catch {
        return undefined;
      }
    };
    assert.equal(probe.packageBinary('ffmpeg-static'), requireOrUndefined('ffmpeg-static'), 'a package that is not installed is undefined, not an error');
    assert.equal(typeof probe.packageBinary('@ffmpeg-installer/ffmpeg'), 'string', 'the installer package exports { path }');
    pathEnv = undefined; // read at each lookup
    assert.equal(probe.which('ffmpeg'), undefined);
    assert.equal(probeRun({ execFileSync }, path.join(bin, 'ffmpeg'), [])?.split('\n')[1], 'second line');
  });
});
