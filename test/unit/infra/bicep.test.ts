import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { parseSettings } from '../../../functions/settings';
import { ENRICHMENT_CLIENT_NAME, ENRICHMENT_TOPIC } from '../../../shared/event-grid-mqtt';
import { viewerCorsRules } from '../../../shared/viewer-cors';
import { KNOWN_BUILT_IN_ROLES } from '../../helpers/azure-built-in-roles';
import {
  apiVersionFindings,
  appSettingFindings,
  appSettingNames,
  loadBicep,
  moduleParamFindings,
  parameterFindings,
  roleAssignments,
  roleGuidFindings,
  syntaxFindings,
  type AppSettingAllowList,
  type Bicep,
  type BicepFinding,
} from '../../helpers/bicep-checks';
import { settingsReadByCode } from '../../helpers/code-settings';

/** The repository root (this file runs from dist/test/unit/infra/). */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const INFRA = path.join(ROOT, 'infra');
const FUNCTIONS_BICEP = path.join(INFRA, 'modules', 'functions.bicep');

/** Resource types allowed a preview API version, each with the reason. None needed today. */
const NEEDED_PREVIEW: Record<string, string> = {};

/**
 * Where the settings the code reads and the Function App's app settings in Bicep may differ, and why.
 * Keep it short: every entry is a setting someone must remember.
 */
const APP_SETTING_ALLOW_LIST: AppSettingAllowList = {
  codeOnly: {
    // The MP4 export uses the ffmpeg binary shipped in the npm package (@ffmpeg-installer/ffmpeg); the default is right.
    FFMPEG_PATH: 'default ffmpeg from the deployed package',
    // Account-key access (Azurite, dev accounts), impossible with allowSharedKeyAccess: false; Bicep sets the
    // identity-based KEEPWATCH_STORAGE__* settings instead, and the code refuses both at once.
    KEEPWATCH_STORAGE_CONNECTION_STRING: 'Azure uses the KEEPWATCH_STORAGE__* identity settings',
    // Event Grid's MQTT broker authenticates clients by certificate or Entra ID JWT, never a password: in Azure the
    // functions use KEEPWATCH_MQTT__credential=managedidentity; the password is for local brokers only.
    KEEPWATCH_MQTT_PASSWORD: 'Event Grid MQTT takes no passwords',
    // Bearer token options whose defaults fit Entra ID: keys by OpenID discovery of the issuer, RS256 among the
    // allowed algorithms, 60 s clock skew, 30 s JWKS cooldown (docs/security.md "Bearer tokens").
    KEEPWATCH_AUTH_JWKS_URI: 'Entra ID keys come from the issuer discovery document',
    KEEPWATCH_AUTH_PUBLIC_KEYS: 'for issuers without a JWKS; Entra ID has one',
    KEEPWATCH_AUTH_ALGORITHMS: 'the default list includes RS256, which Entra ID uses',
    KEEPWATCH_AUTH_CLOCK_SKEW: 'default PT60S',
    KEEPWATCH_AUTH_JWKS_COOLDOWN: 'default PT30S',
    // The viewer's default scopes (openid profile offline_access {API client id}/.default) fit Entra ID.
    KEEPWATCH_VIEWER_SCOPES: "the default asks Entra ID for the API's token with .default",
  },
  notReadYet: {},
};

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? bicepFiles(path.join(dir, e.name)) : e.name.endsWith('.bicep') ? [path.join(dir, e.name)] : [],
  );
}

/** functions/settings.ts and the concerns' schemas it composes (functions/settings/), where the code reads its settings. */
function settingsSources(): string[] {
  const folder = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? folder(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  return [path.join(ROOT, 'functions', 'settings.ts'), ...folder(path.join(ROOT, 'functions', 'settings'))];
}

function show(findings: BicepFinding[]): string {
  return findings.map((f) => `${f.file}:${f.line}:${f.column} [${f.check}] ${f.message}`).join('\n');
}

describe('infra/ Bicep, checked offline with tree-sitter-bicep', () => {
  let bicep: Bicep;
  const files = bicepFiles(INFRA);
  const rel = (f: string) => path.relative(ROOT, f);
  before(async () => {
    bicep = await loadBicep();
  });

  it('has the azd layout: azure.yaml, main.bicep, main.parameters.json, abbreviations.json and one module per concern', () => {
    for (const f of ['azure.yaml', 'infra/main.bicep', 'infra/main.parameters.json', 'infra/abbreviations.json']) {
      assert.ok(existsSync(path.join(ROOT, f)), `${f} is missing`);
    }
    const modules = files.filter((f) => f.includes(`${path.sep}modules${path.sep}`)).map((f) => path.basename(f)).sort();
    assert.deepEqual(modules, [
      'event-grid-mqtt.bicep',
      'event-hubs.bicep',
      'functions-roles.bicep',
      'functions.bicep',
      'identities.bicep',
      'monitoring.bicep',
      'storage.bicep',
    ]);
  });

  it('every .bicep parses with no ERROR or MISSING node', () => {
    const findings = files.flatMap((f) => syntaxFindings(bicep.parse(readFileSync(f, 'utf8')), rel(f)));
    assert.deepEqual(findings, [], show(findings));
  });

  it('every resource type has a pinned, non-preview API version, and no module comes from a registry', () => {
    const findings = files.flatMap((f) => apiVersionFindings(bicep, bicep.parse(readFileSync(f, 'utf8')), rel(f), NEEDED_PREVIEW));
    assert.deepEqual(findings, [], show(findings));
  });

  it('every role assignment names a known built-in role GUID', () => {
    const findings = files.flatMap((f) => roleGuidFindings(bicep, bicep.parse(readFileSync(f, 'utf8')), rel(f), KNOWN_BUILT_IN_ROLES));
    assert.deepEqual(findings, [], show(findings));
  });

  it('grants exactly the roles of infra/README.md: the functions only receive on device-events, only the routing identity sends there', () => {
    const role = (guid: string) => Object.entries(KNOWN_BUILT_IN_ROLES).find(([, g]) => g === guid)?.[0] ?? guid;
    const grants = files.flatMap((f) =>
      roleAssignments(bicep, bicep.parse(readFileSync(f, 'utf8'))).map((a) => `${path.basename(f)}: ${a.principalId} ${role(a.roleGuid)} on ${a.scope}`),
    );
    assert.deepEqual(grants.sort(), [
      'event-grid-mqtt.bicep: functionsPrincipalId EventGrid TopicSpaces Publisher on cloudCommandsSpace',
      'event-grid-mqtt.bicep: routingIdentityPrincipalId Azure Event Hubs Data Sender on deviceEventsHub',
      'event-grid-mqtt.bicep: routingIdentityPrincipalId EventGrid Data Sender on routeTopic',
      'functions-roles.bicep: principalId Azure Event Hubs Data Receiver on deviceEventsHub',
      'functions-roles.bicep: principalId Azure Event Hubs Data Sender on integrationEventsHub',
      'functions-roles.bicep: principalId Monitoring Metrics Publisher on applicationInsights',
      'functions-roles.bicep: principalId Storage Blob Data Owner on storage',
      'functions-roles.bicep: principalId Storage Table Data Contributor on storage',
    ]);
  });

  it('every main.bicep param without a default has a value in main.parameters.json, and every module call passes its required params', () => {
    const main = path.join(INFRA, 'main.bicep');
    const tree = bicep.parse(readFileSync(main, 'utf8'));
    const parametersJson = JSON.parse(readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8'));
    const moduleText = (p: string) => {
      const f = path.join(INFRA, p);
      return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
    };
    const findings = [...parameterFindings(bicep, tree, rel(main), parametersJson), ...moduleParamFindings(bicep, tree, rel(main), moduleText)];
    assert.deepEqual(findings, [], show(findings));
  });

  it('the app settings the code reads are exactly the ones Bicep sets on the Function App (allow-list aside)', () => {
    const code = new Set(settingsSources().flatMap((file) => [...settingsReadByCode(readFileSync(file, 'utf8'))]));
    const bicepNames = appSettingNames(bicep, bicep.parse(readFileSync(FUNCTIONS_BICEP, 'utf8')));
    // Sanity: both sides were found (an empty parse would make the comparison vacuous).
    assert.ok(code.has('KEEPWATCH_PLAYBACK_TOKEN_SECRET') && code.has('KEEPWATCH_EVENTHUB'), [...code].join(', '));
    assert.ok(bicepNames.has('KEEPWATCH_PLAYBACK_TOKEN_SECRET'), [...bicepNames].join(', '));
    const findings = appSettingFindings(code, bicepNames, APP_SETTING_ALLOW_LIST, rel(FUNCTIONS_BICEP));
    assert.deepEqual(findings, [], show(findings));
  });

  it("Blob CORS repeats shared/viewer-cors.ts's viewer rule (methods, headers, max age)", () => {
    const tree = bicep.parse(readFileSync(path.join(INFRA, 'modules', 'storage.bicep'), 'utf8'));
    const [rule] = viewerCorsRules(['https://viewer.example.com']);
    const arrayOf = (key: string) => {
      const found = bicep
        .query(`(object_property (identifier) @key (#eq? @key "${key}") (array) @value)`)
        .captures(tree.rootNode)
        .filter((c) => c.name === 'value');
      assert.equal(found.length, 1, `one ${key} array`);
      return found[0].node.namedChildren.map((n) => n!.text.slice(1, -1)).join(',');
    };
    assert.equal(arrayOf('allowedMethods'), rule.allowedMethods);
    assert.equal(arrayOf('allowedHeaders'), rule.allowedHeaders);
    assert.equal(arrayOf('exposedHeaders'), rule.exposedHeaders);
    const maxAge = bicep.query('(object_property (identifier) @key (#eq? @key "maxAgeInSeconds") (number) @value)').captures(tree.rootNode).filter((c) => c.name === 'value');
    assert.deepEqual(maxAge.map((c) => Number(c.node.text)), [rule.maxAgeInSeconds]);
  });

  it('storage creates exactly the tables functions/settings.ts names', () => {
    const tree = bicep.parse(readFileSync(path.join(INFRA, 'modules', 'storage.bicep'), 'utf8'));
    const suffixes = bicep
      .query('(variable_declaration (identifier) @name (#eq? @name "tableSuffixes") (array) @value)')
      .captures(tree.rootNode)
      .filter((c) => c.name === 'value')
      .flatMap((c) => c.node.namedChildren.map((n) => n!.text.slice(1, -1)));
    const settings = parseSettings({
      KEEPWATCH_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: 'x'.repeat(32),
      KEEPWATCH_TABLE_PREFIX: 'kw',
    });
    assert.deepEqual(suffixes.map((s) => `kw${s}`).sort(), Object.values(settings.tables).sort());
  });

  it('every MQTT topic template a device is bound to confines it to keepwatch/{its authentication name}/...; the functions get only the commands space', () => {
    const text = readFileSync(path.join(INFRA, 'modules', 'event-grid-mqtt.bicep'), 'utf8');
    const tree = bicep.parse(text);
    const templates = bicep
      .query('(object_property (identifier) @key (#eq? @key "topicTemplates") (array) @value)')
      .captures(tree.rootNode)
      .filter((c) => c.name === 'value')
      .flatMap((c) => c.node.namedChildren.map((n) => n!.text.slice(1, -1)));
    assert.deepEqual(templates.sort(), [
      'keepwatch/+/commands/+',
      'keepwatch/\\${client.authenticationName}/commands/#',
      'keepwatch/\\${client.authenticationName}/events/#',
      'keepwatch/\\${client.authenticationName}/signals/#',
      'keepwatch/\\${client.authenticationName}/status',
    ]);
    // The one template not confined by the authentication name belongs to a space no client group is bound to.
    const boundSpaces = bicep
      .query('(object_property (identifier) @key (#eq? @key "topicSpaceName") (_) @value)')
      .captures(tree.rootNode)
      .filter((c) => c.name === 'value')
      .map((c) => c.node.text);
    assert.deepEqual(boundSpaces.sort(), ['deviceCommandsSpace.name', 'devicePublishSpace.name']);
  });

  it('routed messages carry the routing enrichments ingest takes the sender from: kwclient = the authentication name, kwtopic = the topic (docs/security.md)', () => {
    const text = readFileSync(path.join(INFRA, 'modules', 'event-grid-mqtt.bicep'), 'utf8');
    const tree = bicep.parse(text);
    const enrichments = bicep
      .query('(object_property (identifier) @key (#eq? @key "dynamic") (array) @value)')
      .captures(tree.rootNode)
      .filter((c) => c.name === 'value')
      .flatMap((c) => c.node.namedChildren.map((o) => Object.fromEntries(o!.namedChildren.filter((p) => p?.type === 'object_property').map((p) => [p!.namedChildren[0]!.text, p!.namedChildren[1]!.text.slice(1, -1)]))));
    assert.deepEqual(enrichments, [
      { key: ENRICHMENT_CLIENT_NAME, value: '\\${client.authenticationName}' },
      { key: ENRICHMENT_TOPIC, value: '\\${mqtt.message.topicName}' },
    ]);
    // Event Grid's rule for enrichment keys: lower-case alphanumerics, at most 20 characters.
    for (const e of enrichments) assert.match(String(e.key), /^[a-z0-9]{1,20}$/);
    // Their parent is the namespace's topicSpacesConfiguration.
    const parents = bicep
      .query('(object_property (identifier) @key (#eq? @key "routingEnrichments")) @prop')
      .captures(tree.rootNode)
      .filter((c) => c.name === 'prop')
      .map((c) => c.node.parent?.parent?.namedChildren[0]?.text);
    assert.deepEqual(parents, ['topicSpacesConfiguration']);
  });
});
