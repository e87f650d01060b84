import { Language, Parser, Query, type Node, type Tree } from 'web-tree-sitter';

/**
 * Offline checks of the Bicep under infra/ (infra/README.md), for tests only: tree-sitter-bicep parses each file and
 * the checks below are tree-sitter queries over the syntax tree. They prove syntax and a few project rules, not what
 * `bicep build` or ARM validation would (types, property names, references): that needs the Bicep CLI online.
 * Why this way: the Bicep CLI cannot be installed offline, and tree-sitter-bicep ships a prebuilt parser (a syntax gate;
 * it misses some newer syntax and every semantic error, hence the custom checks below).
 */

/** One problem a check found; line and column are 1-based. */
export interface BicepFinding {
  check: 'syntax' | 'api-version' | 'registry-module' | 'role-guid' | 'parameter' | 'app-setting';
  file: string;
  line: number;
  column: number;
  message: string;
}

/** A parser for Bicep text plus the language, to build queries. Load once with {@link loadBicep}. */
export interface Bicep {
  parse(text: string): Tree;
  query(source: string): Query;
}

let loaded: Promise<Bicep> | undefined;

/** Loads web-tree-sitter and the tree-sitter-bicep grammar (WASM, no native build); cached per process. */
export function loadBicep(): Promise<Bicep> {
  loaded ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return {
      parse(text: string): Tree {
        const tree = parser.parse(text);
        if (!tree) throw new Error('tree-sitter returned no tree');
        return tree;
      },
      query: (source: string) => new Query(language, source),
    };
  })();
  return loaded;
}

function at(node: Node, file: string, check: BicepFinding['check'], message: string): BicepFinding {
  return { check, file, line: node.startPosition.row + 1, column: node.startPosition.column + 1, message };
}

/** The text of a plain string literal without its quotes; `undefined` when it interpolates (`${...}`). */
function literal(node: Node): string | undefined {
  if (node.type !== 'string' || node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  const text = node.text;
  return text.startsWith("'''") ? text.slice(3, -3) : text.slice(1, -1);
}

/** Every ERROR node and every MISSING token (tree-sitter's error recovery) is a finding. */
export function syntaxFindings(tree: Tree, file: string): BicepFinding[] {
  const findings: BicepFinding[] = [];
  const cursor = tree.walk();
  let done = false;
  while (!done) {
    const node = cursor.currentNode;
    if (node.isMissing) findings.push(at(node, file, 'syntax', `missing ${JSON.stringify(node.type)}`));
    else if (node.isError) findings.push(at(node, file, 'syntax', `cannot parse ${JSON.stringify(node.text.slice(0, 60))}`));
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        done = true;
        break;
      }
    }
  }
  return findings;
}

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/**
 * Every `resource` names its type with a pinned API version (`Type@yyyy-mm-dd`), never a preview one unless
 * `neededPreview` lists the type with the reason. A nested child resource may use a short type without a version
 * (it inherits its parent's). Every `module` is a local file: no `br:`/`ts:` registry modules (they need the Bicep
 * CLI and network to restore, and review only online).
 * @param neededPreview resource type (without version) → why a preview version is needed
 */
export function apiVersionFindings(bicep: Bicep, tree: Tree, file: string, neededPreview: Record<string, string> = {}): BicepFinding[] {
  const findings: BicepFinding[] = [];
  for (const { node } of bicep.query('(resource_declaration . (identifier) . (string) @type)').captures(tree.rootNode)) {
    const type = literal(node);
    if (type === undefined) {
      findings.push(at(node, file, 'api-version', `resource type ${node.text} is not a plain string`));
      continue;
    }
    const [name, version, extra] = type.split('@');
    const nested = node.parent?.parent?.type === 'object_property';
    if (version === undefined) {
      if (!(nested && !name.includes('/'))) findings.push(at(node, file, 'api-version', `resource type '${type}' has no pinned API version (Type@yyyy-mm-dd)`));
    } else if (extra !== undefined || !API_VERSION.test(version)) {
      findings.push(at(node, file, 'api-version', `resource type '${type}': API version '${version}' is not yyyy-mm-dd[-preview]`));
    } else if (version.endsWith('-preview') && !(name in neededPreview)) {
      findings.push(at(node, file, 'api-version', `resource type '${type}' uses a preview API version and is not listed as needing one`));
    }
  }
  for (const { node } of bicep.query('(module_declaration . (identifier) . (string) @source)').captures(tree.rootNode)) {
    const source = literal(node) ?? node.text;
    if (/^(br|ts)[:/]/.test(source)) findings.push(at(node, file, 'registry-module', `module '${source}' comes from a registry; use a local file with plain resource declarations`));
  }
  return findings;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Every `Microsoft.Authorization/roleAssignments` resource has a `roleDefinitionId` that contains a literal role
 * GUID, and that GUID is in `knownRoles` (built-in role name → GUID, from Microsoft's built-in roles list).
 */
export function roleGuidFindings(bicep: Bicep, tree: Tree, file: string, knownRoles: Record<string, string>): BicepFinding[] {
  const findings: BicepFinding[] = [];
  const known = new Set(Object.values(knownRoles).map((g) => g.toLowerCase()));
  const query = bicep.query('(resource_declaration . (identifier) . (string) @type . (object) @body)');
  for (const match of query.matches(tree.rootNode)) {
    const typeNode = match.captures.find((c) => c.name === 'type')!.node;
    const body = match.captures.find((c) => c.name === 'body')!.node;
    if (!(literal(typeNode) ?? '').startsWith('Microsoft.Authorization/roleAssignments@')) continue;
    const values = bicep
      .query('(object_property (identifier) @key (#eq? @key "roleDefinitionId") (_) @value)')
      .captures(body)
      .filter((c) => c.name === 'value');
    if (values.length === 0) {
      findings.push(at(typeNode, file, 'role-guid', 'role assignment without roleDefinitionId'));
      continue;
    }
    for (const { node } of values) {
      const guids = node.text.match(GUID) ?? [];
      if (guids.length === 0) findings.push(at(node, file, 'role-guid', `roleDefinitionId ${node.text} names no literal role GUID`));
      for (const guid of guids) {
        if (!known.has(guid.toLowerCase())) findings.push(at(node, file, 'role-guid', `role GUID ${guid} is not in the known built-in roles table`));
      }
    }
  }
  return findings;
}

/** The `param` declarations of a file: name, whether it has a default value, and its node. */
export function parameters(bicep: Bicep, tree: Tree): { name: string; hasDefault: boolean; node: Node }[] {
  return bicep
    .query('(parameter_declaration . (identifier) @name) @param')
    .matches(tree.rootNode)
    .map((m) => {
      const param = m.captures.find((c) => c.name === 'param')!.node;
      const name = m.captures.find((c) => c.name === 'name')!.node;
      // Children: name, type, then the default value expression when there is one.
      return { name: name.text, hasDefault: param.namedChildCount > 2, node: param };
    });
}

/**
 * Every `param` without a default has a value in the parameters file (azd's main.parameters.json), and the file
 * sets no parameter the template does not declare (ARM refuses the deployment then).
 * @param parametersJson the parsed parameters file (`{ parameters: { name: { value } } }`)
 */
export function parameterFindings(bicep: Bicep, tree: Tree, file: string, parametersJson: unknown): BicepFinding[] {
  const given = new Set(Object.keys((parametersJson as { parameters?: Record<string, unknown> })?.parameters ?? {}));
  const declared = parameters(bicep, tree);
  const findings: BicepFinding[] = [];
  for (const p of declared) {
    if (!p.hasDefault && !given.has(p.name)) findings.push(at(p.node, file, 'parameter', `param ${p.name} has no default and no value in the parameters file`));
  }
  const names = new Set(declared.map((p) => p.name));
  for (const name of given) {
    if (!names.has(name)) findings.push({ check: 'parameter', file, line: 1, column: 1, message: `the parameters file sets ${name}, which the template does not declare` });
  }
  return findings;
}

/**
 * The app setting names a Bicep file gives a Function App: the keys of `Microsoft.Web/sites/config` resources named
 * `appsettings`, and the `name` of each entry of `siteConfig.appSettings` arrays.
 */
export function appSettingNames(bicep: Bicep, tree: Tree): Set<string> {
  const names = new Set<string>();
  const key = (n: Node) => (n.type === 'string' ? literal(n) ?? n.text : n.text);
  const configs = bicep.query('(resource_declaration . (identifier) . (string) @type . (object) @body)');
  for (const match of configs.matches(tree.rootNode)) {
    const type = literal(match.captures.find((c) => c.name === 'type')!.node) ?? '';
    const body = match.captures.find((c) => c.name === 'body')!.node;
    if (!/^(Microsoft\.Web\/sites\/config@|config$)/.test(type)) continue;
    const props = body.namedChildren.filter((c): c is Node => c?.type === 'object_property');
    const nameProp = props.find((p) => p.namedChildren[0]?.text === 'name');
    if (!nameProp || literal(nameProp.namedChildren[1]!) !== 'appsettings') continue;
    const properties = props.find((p) => p.namedChildren[0]?.text === 'properties')?.namedChildren[1];
    for (const entry of properties?.namedChildren ?? []) {
      if (entry?.type === 'object_property') names.add(key(entry.namedChildren[0]!));
    }
  }
  const arrays = bicep.query('(object_property (identifier) @key (#eq? @key "appSettings") (array) @list)');
  for (const { node, name } of arrays.captures(tree.rootNode)) {
    if (name !== 'list') continue;
    for (const item of node.namedChildren) {
      const nameProp = item?.namedChildren.find((p) => p?.type === 'object_property' && p.namedChildren[0]?.text === 'name');
      const value = nameProp?.namedChildren[1];
      if (value) names.add(literal(value) ?? value.text);
    }
  }
  return names;
}

/**
 * How the app settings the code reads and the ones Bicep sets may differ, each entry with its reason.
 * - `codeOnly`: read by the code, deliberately not set in Bicep (the code's default is right in Azure, or the
 *   setting cannot work there). Checked both ways: the code must still read it and Bicep must not set it.
 * - `notReadYet`: set in Bicep for code that is being written; ignored on both sides, so the check holds before and
 *   after that code lands.
 */
export interface AppSettingAllowList {
  codeOnly: Record<string, string>;
  notReadYet: Record<string, string>;
}

/** Settings the Functions host reads itself; not the app's business. */
export const HOST_SETTING = /^(FUNCTIONS_|AzureWebJobs|APPLICATIONINSIGHTS_)/;

/**
 * The settings rule: every app setting the code reads is set in Bicep, and every Bicep app setting is
 * read by the code, apart from the allow-list. A code setting that is an identity connection prefix (`X`, read by
 * the host as `X__fullyQualifiedNamespace`, `X__credential`, ...) counts as set when Bicep sets any `X__*`, and those
 * `X__*` count as read.
 * @param codeNames names the code reads (functions/settings.ts env reads + TRIGGER_SETTINGS)
 * @param bicepNames names the Function App's app settings give, from {@link appSettingNames}
 */
export function appSettingFindings(codeNames: Set<string>, bicepNames: Set<string>, allow: AppSettingAllowList, file: string): BicepFinding[] {
  const findings: BicepFinding[] = [];
  const finding = (message: string) => findings.push({ check: 'app-setting', file, line: 1, column: 1, message });
  const bicep = [...bicepNames].filter((n) => !HOST_SETTING.test(n) && !(n in allow.notReadYet));
  const code = [...codeNames].filter((n) => !(n in allow.notReadYet));
  const prefixOf = (n: string) => (n.includes('__') ? n.slice(0, n.indexOf('__')) : undefined);
  for (const name of code) {
    if (name in allow.codeOnly) continue;
    if (!bicep.some((b) => b === name || prefixOf(b) === name)) finding(`${name} is read by the code but not set in Bicep`);
  }
  for (const name of bicep) {
    const prefix = prefixOf(name);
    if (!codeNames.has(name) && !(prefix !== undefined && codeNames.has(prefix))) finding(`${name} is set in Bicep but the code does not read it`);
  }
  for (const name of Object.keys(allow.codeOnly)) {
    if (!codeNames.has(name)) finding(`allow-list entry ${name} (code only) is no longer read by the code; remove it`);
    if (bicepNames.has(name)) finding(`allow-list entry ${name} says "not in Bicep" but Bicep sets it`);
  }
  return findings;
}

/**
 * Each `module` call passes every parameter the module declares without a default, and no parameter it does not
 * declare (what `bicep build` would refuse; checked here because the CLI is not available offline).
 * @param moduleText reads a module file given its path relative to the calling file; `undefined` = not found
 */
export function moduleParamFindings(bicep: Bicep, tree: Tree, file: string, moduleText: (relativePath: string) => string | undefined): BicepFinding[] {
  const findings: BicepFinding[] = [];
  const query = bicep.query('(module_declaration . (identifier) . (string) @source . (object) @body)');
  for (const match of query.matches(tree.rootNode)) {
    const sourceNode = match.captures.find((c) => c.name === 'source')!.node;
    const body = match.captures.find((c) => c.name === 'body')!.node;
    const source = literal(sourceNode);
    if (source === undefined || /^(br|ts)[:/]/.test(source)) continue;
    const text = moduleText(source);
    if (text === undefined) {
      findings.push(at(sourceNode, file, 'parameter', `module file '${source}' not found`));
      continue;
    }
    const declared = parameters(bicep, bicep.parse(text));
    const paramsProp = body.namedChildren.find((p) => p?.type === 'object_property' && p.namedChildren[0]?.text === 'params');
    const passed = new Set(
      (paramsProp?.namedChildren[1]?.namedChildren ?? [])
        .filter((p): p is Node => p?.type === 'object_property')
        .map((p) => p.namedChildren[0]!.text),
    );
    for (const p of declared) {
      if (!p.hasDefault && !passed.has(p.name)) findings.push(at(sourceNode, file, 'parameter', `module '${source}' needs param ${p.name}, which the call does not pass`));
    }
    const names = new Set(declared.map((p) => p.name));
    for (const name of passed) {
      if (!names.has(name)) findings.push(at(sourceNode, file, 'parameter', `module '${source}' gets param ${name}, which it does not declare`));
    }
  }
  return findings;
}

/** One `Microsoft.Authorization/roleAssignments` resource as written: expression texts of its scope and principal. */
export interface RoleAssignmentText {
  /** The `scope:` expression (a resource's symbolic name), `''` when absent (the deployment's scope). */
  scope: string;
  /** The `properties.principalId` expression. */
  principalId: string;
  /** The first role GUID in `properties.roleDefinitionId`, lower case; `''` when none. */
  roleGuid: string;
}

/** The role assignments a file declares, for tests that pin who gets which role where. */
export function roleAssignments(bicep: Bicep, tree: Tree): RoleAssignmentText[] {
  const query = bicep.query('(resource_declaration . (identifier) . (string) @type . (object) @body)');
  const prop = (obj: Node | null | undefined, key: string) =>
    obj?.namedChildren.find((p) => p?.type === 'object_property' && p.namedChildren[0]?.text === key)?.namedChildren[1] ?? undefined;
  return query
    .matches(tree.rootNode)
    .filter((m) => (literal(m.captures.find((c) => c.name === 'type')!.node) ?? '').startsWith('Microsoft.Authorization/roleAssignments@'))
    .map((m) => {
      const body = m.captures.find((c) => c.name === 'body')!.node;
      const properties = prop(body, 'properties');
      return {
        scope: prop(body, 'scope')?.text ?? '',
        principalId: prop(properties, 'principalId')?.text ?? '',
        roleGuid: (prop(properties, 'roleDefinitionId')?.text.match(GUID)?.[0] ?? '').toLowerCase(),
      };
    });
}
