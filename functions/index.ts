/**
 * The Functions app entry (package.json `main`: dist/functions/index.js): importing each function file registers it
 * with the host (`app.*`) and with the registry the local host mounts (functions/app.ts).
 */
import './health';
import './cameras-list';
import './playback';
import './playlist';
import './ingest';
import './camera-policy-get';
import './camera-policy-put';
import './holds-create';
import './holds-list';
import './holds-delete';
import './retention';
