import { resetSettings } from '../../functions/settings';
import { startFunctionsHost, type FunctionsHost } from '../../local/functions-host';
import { silentLogger } from '../../local/host-logger';
import { TEST_SECRET } from './functions-fixtures';
import { startAzurite, type AzuriteInstance } from './azurite';

/** A throw-away Azurite and the local functions host over it, for one test file. */
export interface TestHost {
  azurite: AzuriteInstance;
  host: FunctionsHost;
  /** `http://127.0.0.1:{port}/api` */
  api: string;
  /** Closes the host and Azurite and restores `process.env` and the settings cache. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite and the local functions host with the app settings the functions read (connection string, playback
 * secret, `KEEPWATCH_TABLE_PREFIX` = `tablePrefix`, plus `env`); timers are off unless asked for, so no retention run
 * touches a test's fixed-date seed.
 */
export async function startTestHost(opts: { apiKey: string; tablePrefix: string; env?: Record<string, string>; timers?: boolean }): Promise<TestHost> {
  const savedEnv = { ...process.env };
  const azurite = await startAzurite();
  Object.assign(process.env, {
    KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
    KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
    KEEPWATCH_TABLE_PREFIX: opts.tablePrefix,
    // Tests replay fixed dates (2023 to 2026): the longest offline horizon, unless a test sets its own.
    KEEPWATCH_OFFLINE_HORIZON: 'P3650D',
    ...opts.env,
  });
  delete process.env.KEEPWATCH_PUBLIC_BASE_URL;
  resetSettings();
  const host = await startFunctionsHost({ port: 0, host: '127.0.0.1', apiKey: opts.apiKey, logger: silentLogger, timers: opts.timers ?? false });
  return {
    azurite,
    host,
    api: `${host.url}/api`,
    async stop() {
      await host.close();
      await azurite.stop();
      process.env = savedEnv;
      resetSettings();
    },
  };
}
