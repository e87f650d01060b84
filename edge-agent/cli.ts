#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { KeepwatchError } from '../shared/errors';
import { Agent } from './agent';
import { parseCameraFlags } from './config/camera-flags';
import { runImportTopology } from './config/import-topology-command';
import { loadAgentConfig, type AgentConfigNote } from './config/load-config';
import { createLogger } from './log';
import { readBrokerTls } from './transport/broker-tls';

const HELP = `keepwatch-agent — records cameras into segments, caches and uploads them, publishes events over MQTT

Usage: keepwatch-agent --config FILE [options]
       keepwatch-agent import-topology FILE [--param NAME=VALUE ...]   (LVA/AVA topology → config; see import-topology --help)

Options:
  -c, --config FILE        agent config (YAML or JSON); keys in docs/configuration.md
      --camera ID=URL      record this camera instead of the file's cameras (repeatable)
      --rtsp-transport ID=tcp|udp|http
                           read that --camera over this RTSP transport (default tcp; repeatable)
      --log-level LEVEL    fatal|error|warn|info|debug|trace (overrides the file)
      --check              validate the config, print it (secrets redacted) and exit
  -h, --help               show this help

Environment: FFMPEG_PATH (ffmpeg binary), and any \${env:NAME} the config file refers to.`;

async function main(): Promise<number> {
  if (process.argv[2] === 'import-topology') {
    return runImportTopology(process.argv.slice(3), (t) => process.stdout.write(t), (t) => process.stderr.write(t));
  }
  const { values } = parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      camera: { type: 'string', multiple: true },
      'rtsp-transport': { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.config) throw new Error('--config FILE is required (see --help)');
  const overrides: Record<string, unknown> = {};
  if (values.camera?.length) overrides.cameras = parseCameraFlags(values.camera, values['rtsp-transport']);
  if (values['log-level']) overrides.logLevel = values['log-level'];
  const configNotes: AgentConfigNote[] = [];
  const config = loadAgentConfig(values.config, overrides, process.env, configNotes);
  const logger = createLogger(config.logLevel);
  for (const n of configNotes) logger[n.level]({ pipeline: n.pipeline, cameraId: n.cameraId }, n.message);
  if (values.check) {
    readBrokerTls(config.broker); // the PEM files must be readable too
    logger.info({ config }, 'config is valid');
    return 0;
  }
  const agent = new Agent(config, logger);
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    stopping ??= agent.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await agent.start();
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const msg = err instanceof KeepwatchError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`keepwatch-agent: ${msg}\n`);
    process.exit(2);
  },
);
