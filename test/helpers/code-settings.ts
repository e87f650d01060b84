import ts from 'typescript';

/**
 * The app setting names one settings source file reads (functions/settings.ts or a concern's schema under
 * functions/settings/), found in its syntax tree (TypeScript's parser, so comments and error messages do not count):
 * `env.NAME` and `env['NAME']` on a variable called `env`, calls that pass `env` and a literal name
 * (`required(env, 'NAME')`), the keys of object literals (a zod shape `z.object({ KEEPWATCH_PLAYBACK_TTL: … })`), and
 * the string values of the `TRIGGER_SETTINGS` object (the names the Functions host resolves for the Event Hubs
 * trigger). Only `KEEPWATCH_*` (with an optional `__part` of an identity-based connection, e.g.
 * `KEEPWATCH_STORAGE__blobServiceUri`) and `FFMPEG_PATH` count.
 * @param source the text of the file
 */
export function settingsReadByCode(source: string): Set<string> {
  const names = new Set<string>();
  // Identity connection settings keep the host's camel-case suffix: KEEPWATCH_MQTT__credential, ..._clientId.
  const isSetting = (s: string) => /^(KEEPWATCH_[A-Z0-9_]*[A-Z0-9](__[a-z][A-Za-z0-9]*)?|FFMPEG_PATH)$/.test(s);
  const isEnv = (e: ts.Expression) => ts.isIdentifier(e) && e.text === 'env';
  const file = ts.createSourceFile('settings.ts', source, ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isEnv(node.expression) && isSetting(node.name.text)) names.add(node.name.text);
    if (ts.isElementAccessExpression(node) && isEnv(node.expression) && ts.isStringLiteralLike(node.argumentExpression) && isSetting(node.argumentExpression.text)) {
      names.add(node.argumentExpression.text);
    }
    if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent) && (ts.isIdentifier(node.name) || ts.isStringLiteralLike(node.name)) && isSetting(node.name.text)) {
      names.add(node.name.text);
    }
    if (ts.isCallExpression(node) && node.arguments.some(isEnv)) {
      for (const arg of node.arguments) if (ts.isStringLiteralLike(arg) && isSetting(arg.text)) names.add(arg.text);
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'TRIGGER_SETTINGS' && node.initializer) {
      let init: ts.Expression = node.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (ts.isObjectLiteralExpression(init)) {
        for (const prop of init.properties) {
          if (ts.isPropertyAssignment(prop) && ts.isStringLiteralLike(prop.initializer) && isSetting(prop.initializer.text)) names.add(prop.initializer.text);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}
