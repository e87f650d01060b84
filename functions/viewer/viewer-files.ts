import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The viewer's static files, read once per process.
 *
 * Why plain files under `functions/viewer/` rather than TypeScript string modules: the page's HTML, CSS and
 * browser JavaScript stay editable and reviewable as what they are (no escaping inside template strings), and no
 * copy step is needed: they are read from the app root (`dist/functions/viewer/` → `../../../functions/viewer/`), which the
 * deployment package contains (.funcignore drops `*.ts`, not these files). hls.js and oauth4webapi (the sign-in's
 * OAuth 2.0 / OpenID Connect client, one dependency-free ES module) come from the app's node_modules (runtime
 * dependencies), never from a CDN: the viewer works offline and on a private network.
 */
export interface ViewerFile {
  /** Content type with charset. */
  contentType: string;
  body: Buffer;
  /** First 16 hex digits of the SHA-256 of `body`: the `?v=` the page puts on the file's URL. */
  version: string;
}

/** The file names served at `GET /api/viewer/{asset}`: the viewer's, and the share page's (`share.js`, `share.css`). */
export const VIEWER_ASSETS = ['viewer.js', 'viewer.css', 'hls.min.js', 'viewer-signin.js', 'oauth4webapi.js', 'share.js', 'share.css'] as const;
export type ViewerAsset = (typeof VIEWER_ASSETS)[number];

/** Folder of the viewer's source files: `<app root>/functions/viewer`, from both `functions/viewer/` and `dist/functions/viewer/`. */
export function viewerDir(): string {
  const fromDist = path.resolve(__dirname, '..', '..', '..', 'functions', 'viewer');
  return path.basename(path.resolve(__dirname, '..', '..')) === 'dist' ? fromDist : __dirname;
}

let cache: { page: ViewerFile; sharePage: ViewerFile; assets: Record<ViewerAsset, ViewerFile> } | undefined;

/**
 * The page (with each asset URL versioned by content, so assets can be cached for a year), the share link's page
 * (`share.html`, served at `/api/share/{cameraId}/{shareId}`, so its assets are `../../viewer/…`) and the assets.
 * @throws Error (ENOENT) when a file is missing from the deployment
 */
export function viewerFiles(): { page: ViewerFile; sharePage: ViewerFile; assets: Record<ViewerAsset, ViewerFile> } {
  if (cache) return cache;
  const dir = viewerDir();
  const js = 'text/javascript; charset=utf-8';
  // The module's source map is not served: drop the comment that names it (the browser would ask for it).
  const oauth = file(Buffer.from(readFileSync(require.resolve('oauth4webapi'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'), 'utf8'), js);
  // viewer-signin.js imports the module as `{{module:oauth4webapi.js}}` → `./oauth4webapi.js?v=<version>` (next to it).
  const signin = readFileSync(path.join(dir, 'viewer-signin.js'), 'utf8').replace(/\{\{module:oauth4webapi\.js\}\}/g, `./oauth4webapi.js?v=${oauth.version}`);
  const assets: Record<ViewerAsset, ViewerFile> = {
    'viewer.js': file(readFileSync(path.join(dir, 'viewer.js')), js),
    'viewer.css': file(readFileSync(path.join(dir, 'viewer.css')), 'text/css; charset=utf-8'),
    'hls.min.js': file(readFileSync(require.resolve('hls.js/dist/hls.min.js')), js),
    'viewer-signin.js': file(Buffer.from(signin, 'utf8'), js),
    'oauth4webapi.js': oauth,
    'share.js': file(readFileSync(path.join(dir, 'share.js')), js),
    'share.css': file(readFileSync(path.join(dir, 'share.css')), 'text/css; charset=utf-8'),
  };
  // The template names assets as `{{asset:viewer.js}}`; each becomes `{prefix}viewer/viewer.js?v=<version>`.
  const page = (template: string, prefix: string) =>
    readFileSync(path.join(dir, template), 'utf8').replace(/\{\{asset:([a-z0-9.-]+)\}\}/g, (whole, name: string) => {
      const asset = assets[name as ViewerAsset];
      if (!asset) throw new Error(`viewer/${template} refers to unknown asset ${whole}`);
      return `${prefix}viewer/${name}?v=${asset.version}`;
    });
  const html = (text: string) => file(Buffer.from(text, 'utf8'), 'text/html; charset=utf-8');
  cache = { page: html(page('index.html', '')), sharePage: html(page('share.html', '../../')), assets };
  return cache;
}

function file(body: Buffer, contentType: string): ViewerFile {
  return { body, contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}
