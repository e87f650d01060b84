import { parseArgs } from 'node:util';
import { stringify } from 'yaml';

const HELP = `npm run provision-device -- <deviceId> --camera ID [--camera ID …] [options]
Provisions a device through the running API (POST /api/devices) and prints the agent config sections
(broker + upload) with its device secret. The secret is shown once: the cloud keeps only its SHA-256.

Options:
  --camera ID       a camera the device may record (repeatable, at least one); 1-32 of a-z 0-9 -
  --api-url URL     the Keepwatch API (default http://127.0.0.1:7071/api, the local stack)
  --api-key KEY     the API key (default: KEEPWATCH_API_KEY)
  --mqtt-url URL    the broker URL to print (default mqtt://127.0.0.1:<KEEPWATCH_MQTT_PORT or 1883>)
  -h, --help        this help

Exit codes: 0 provisioned, 1 the API refused or is unreachable, 2 bad arguments.`;

/** What the CLI prints on success: the agent config sections of the new device (docs/devices.md). */
export function agentConfigSnippet(o: { deviceId: string; secret: string; apiUrl: string; mqttUrl: string }): string {
  return stringify({
    deviceId: o.deviceId,
    broker: { url: o.mqttUrl, username: o.deviceId, password: o.secret, protocolVersion: 4 },
    upload: { apiUrl: o.apiUrl, deviceSecret: o.secret },
  });
}

/**
 * `npm run provision-device`: provisions a device with the admin route and prints its agent config snippet.
 * @returns the process exit code
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out = process.stdout, err = process.stderr): Promise<number> {
  let values: { camera?: string[]; 'api-url'?: string; 'api-key'?: string; 'mqtt-url'?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        camera: { type: 'string', multiple: true },
        'api-url': { type: 'string' },
        'api-key': { type: 'string' },
        'mqtt-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    err.write(`${(e as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${HELP}\n`);
    return 0;
  }
  const apiKey = values['api-key'] ?? env.KEEPWATCH_API_KEY;
  if (positionals.length !== 1 || !values.camera?.length || !apiKey) {
    err.write(`expected one device id, at least one --camera, and --api-key or KEEPWATCH_API_KEY\n\n${HELP}\n`);
    return 2;
  }
  const apiUrl = (values['api-url'] ?? 'http://127.0.0.1:7071/api').replace(/\/+$/, '');
  const mqttUrl = values['mqtt-url'] ?? `mqtt://127.0.0.1:${env.KEEPWATCH_MQTT_PORT || 1883}`;
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/devices`, {
      method: 'POST',
      headers: { 'x-functions-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: positionals[0], cameras: values.camera }),
    });
  } catch (e) {
    err.write(`the API at ${apiUrl} is unreachable (${(e as Error).message}); is the stack running (npm start)?\n`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as { secret?: string; deviceId?: string; error?: { code: string; message: string } };
  if (res.status !== 201 || !body.secret || !body.deviceId) {
    err.write(`provisioning refused: ${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}\n`);
    return 1;
  }
  out.write(`# device ${body.deviceId} provisioned; the secret below is shown once. Keep it out of version control:\n`);
  out.write(`# put it in an environment variable and write "\${env:NAME}" in the config instead.\n`);
  out.write(agentConfigSnippet({ deviceId: body.deviceId, secret: body.secret, apiUrl, mqttUrl }));
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
