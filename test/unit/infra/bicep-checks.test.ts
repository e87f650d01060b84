import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  apiVersionFindings,
  appSettingFindings,
  appSettingNames,
  loadBicep,
  moduleParamFindings,
  parameterFindings,
  roleGuidFindings,
  syntaxFindings,
  type Bicep,
} from '../../helpers/bicep-checks';
import { settingsReadByCode } from '../../helpers/code-settings';

/** Each checker of test/helpers/bicep-checks.ts fed a small broken Bicep text: it must report the finding. */
describe('Bicep checkers find what they look for', () => {
  let bicep: Bicep;
  before(async () => {
    bicep = await loadBicep();
  });

  describe('syntaxFindings', () => {
    it('reports an unclosed object with its line', () => {
      const findings = syntaxFindings(bicep.parse("param a string\nresource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'x'\n"), 'broken.bicep');
      assert.ok(findings.length > 0);
      assert.ok(findings.every((f) => f.check === 'syntax' && f.file === 'broken.bicep'));
    });

    it('reports a stray token', () => {
      const findings = syntaxFindings(bicep.parse("var a = 'x' )\n"), 'stray.bicep');
      assert.ok(findings.some((f) => f.line === 1), JSON.stringify(findings));
    });

    it('accepts valid text, including a \\${...} escape', () => {
      assert.deepEqual(syntaxFindings(bicep.parse("var t = 'keepwatch/\\${client.authenticationName}/events/#'\n"), 'ok.bicep'), []);
    });
  });

  describe('apiVersionFindings', () => {
    const check = (text: string, preview: Record<string, string> = {}) => apiVersionFindings(bicep, bicep.parse(text), 'x.bicep', preview).map((f) => f.message);

    it('reports a resource without an API version', () => {
      assert.match(check("resource s 'Microsoft.Storage/storageAccounts' = {\n  name: 'x'\n}\n")[0], /no pinned API version/);
    });

    it('reports a preview version unless listed with a reason', () => {
      const text = "resource n 'Microsoft.EventGrid/namespaces@2025-04-01-preview' = {\n  name: 'x'\n}\n";
      assert.match(check(text)[0], /preview/);
      assert.deepEqual(check(text, { 'Microsoft.EventGrid/namespaces': 'a property only in preview' }), []);
    });

    it('reports a malformed version', () => {
      assert.match(check("resource s 'Microsoft.Storage/storageAccounts@latest' = {\n  name: 'x'\n}\n")[0], /not yyyy-mm-dd/);
    });

    it('reports a registry module', () => {
      assert.match(check("module m 'br/public:avm/res/storage/storage-account:0.8.3' = {\n  name: 'm'\n}\n")[0], /registry/);
    });

    it('accepts a nested child resource with a short type, and pinned versions', () => {
      const text = "resource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'x'\n  resource b 'blobServices' = {\n    name: 'default'\n  }\n}\n";
      assert.deepEqual(check(text), []);
    });
  });

  describe('roleGuidFindings', () => {
    const known = { 'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' };
    const assignment = (roleDefinitionId: string) =>
      `resource r 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: guid('a')\n  properties: {\n    principalId: 'p'\n    roleDefinitionId: ${roleDefinitionId}\n  }\n}\n`;
    const check = (text: string) => roleGuidFindings(bicep, bicep.parse(text), 'r.bicep', known).map((f) => f.message);

    it('reports a GUID that is not a known built-in role', () => {
      const findings = check(assignment("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')"));
      assert.match(findings[0], /8e3af657-a8ff-443c-a75c-2fe8c4bcb635 is not in the known/);
    });

    it('reports a roleDefinitionId without a literal GUID', () => {
      assert.match(check(assignment('roleId'))[0], /no literal role GUID/);
    });

    it('reports a role assignment without roleDefinitionId', () => {
      assert.match(check("resource r 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: 'x'\n  properties: {\n    principalId: 'p'\n  }\n}\n")[0], /without roleDefinitionId/);
    });

    it('accepts a known GUID', () => {
      assert.deepEqual(check(assignment("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')")), []);
    });
  });

  describe('parameterFindings and moduleParamFindings', () => {
    it('reports a param without default and without a value in the parameters file', () => {
      const tree = bicep.parse("param environmentName string\nparam secret string\nparam withDefault int = 7\n");
      const findings = parameterFindings(bicep, tree, 'main.bicep', { parameters: { environmentName: { value: '${AZURE_ENV_NAME}' } } });
      assert.deepEqual(findings.map((f) => [f.line, f.message]), [[2, 'param secret has no default and no value in the parameters file']]);
    });

    it('reports a parameters-file value the template does not declare', () => {
      const findings = parameterFindings(bicep, bicep.parse('param a string\n'), 'main.bicep', { parameters: { a: { value: 'x' }, typo: { value: 'y' } } });
      assert.match(findings[0].message, /sets typo/);
    });

    it('reports a module call that misses a required param or passes an unknown one', () => {
      const tree = bicep.parse("module s 'modules/s.bicep' = {\n  name: 's'\n  params: {\n    location: 'x'\n    extra: 1\n  }\n}\n");
      const findings = moduleParamFindings(bicep, tree, 'main.bicep', () => "param location string\nparam name string\nparam tags object = {}\n").map((f) => f.message);
      assert.deepEqual(findings.sort(), ["module 'modules/s.bicep' gets param extra, which it does not declare", "module 'modules/s.bicep' needs param name, which the call does not pass"]);
    });
  });

  describe('app settings: appSettingNames, settingsReadByCode, appSettingFindings', () => {
    const bicepText = `resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: 'f'
}
resource cfg 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__credential: 'managedidentity'
    KEEPWATCH_A: 'a'
    KEEPWATCH_HUB__fullyQualifiedNamespace: 'ns.servicebus.windows.net'
    'KEEPWATCH_QUOTED': 'q'
  }
}
`;
    const codeText = `
// KEEPWATCH_IN_COMMENT is not read
export const TRIGGER_SETTINGS = { hub: 'KEEPWATCH_HUB' } as const;
export function parse(env: Record<string, string | undefined>) {
  const a = env.KEEPWATCH_A;
  const q = env['KEEPWATCH_QUOTED'];
  const b = required(env, 'KEEPWATCH_B');
  throw new Error('KEEPWATCH_IN_MESSAGE ' + a + q + b);
}
declare function required(env: unknown, name: string): string;
`;

    it('reads names from config appsettings keys and from siteConfig.appSettings entries', () => {
      assert.deepEqual([...appSettingNames(bicep, bicep.parse(bicepText))].sort(), ['AzureWebJobsStorage__credential', 'KEEPWATCH_A', 'KEEPWATCH_HUB__fullyQualifiedNamespace', 'KEEPWATCH_QUOTED']);
      const arrayForm = "resource s 'Microsoft.Web/sites@2024-04-01' = {\n  name: 'f'\n  properties: {\n    siteConfig: {\n      appSettings: [\n        {\n          name: 'KEEPWATCH_C'\n          value: 'c'\n        }\n      ]\n    }\n  }\n}\n";
      assert.deepEqual([...appSettingNames(bicep, bicep.parse(arrayForm))], ['KEEPWATCH_C']);
    });

    it('reads env accesses, env-taking calls and TRIGGER_SETTINGS, not comments or messages', () => {
      assert.deepEqual([...settingsReadByCode(codeText)].sort(), ['KEEPWATCH_A', 'KEEPWATCH_B', 'KEEPWATCH_HUB', 'KEEPWATCH_QUOTED']);
    });

    it('reports a setting read by the code but not in Bicep, and one in Bicep the code does not read', () => {
      const code = settingsReadByCode(codeText);
      const names = appSettingNames(bicep, bicep.parse(bicepText));
      names.add('KEEPWATCH_UNREAD');
      const findings = appSettingFindings(code, names, { codeOnly: {}, notReadYet: {} }, 'f.bicep').map((f) => f.message);
      assert.deepEqual(findings.sort(), ['KEEPWATCH_B is read by the code but not set in Bicep', 'KEEPWATCH_UNREAD is set in Bicep but the code does not read it']);
    });

    it('honours the allow-list, and reports stale or contradicted code-only entries', () => {
      const code = settingsReadByCode(codeText);
      const names = appSettingNames(bicep, bicep.parse(bicepText));
      names.add('KEEPWATCH_LATER');
      assert.deepEqual(appSettingFindings(code, names, { codeOnly: { KEEPWATCH_B: 'default is right' }, notReadYet: { KEEPWATCH_LATER: 'in progress' } }, 'f.bicep'), []);
      const stale = appSettingFindings(code, names, { codeOnly: { KEEPWATCH_B: 'x', KEEPWATCH_GONE: 'x', KEEPWATCH_A: 'x' }, notReadYet: { KEEPWATCH_LATER: 'x' } }, 'f.bicep').map((f) => f.message);
      assert.deepEqual(stale.sort(), ['allow-list entry KEEPWATCH_A says "not in Bicep" but Bicep sets it', 'allow-list entry KEEPWATCH_GONE (code only) is no longer read by the code; remove it']);
    });
  });
});
