import type { Node, Tree } from 'web-tree-sitter';
import type { Bicep } from './bicep-checks';

/** A Bicep value as plain data: literals as JS values, anything computed (a parameter, a call) as `{ expr: text }`. */
export type BicepValue = string | number | boolean | null | BicepValue[] | { [key: string]: BicepValue } | { expr: string };

/**
 * Converts a Bicep value node to plain data, for tests that read what the Bicep declares (test/helpers/bicep-checks.ts
 * parses; this reads): objects and arrays recursively, string literals without their quotes (an interpolated string
 * keeps its `${...}` text), numbers, booleans and `null`; any other expression becomes `{ expr: its text }`.
 */
export function bicepValue(node: Node): BicepValue {
  switch (node.type) {
    case 'object': {
      const out: Record<string, BicepValue> = {};
      for (const p of node.namedChildren) {
        if (p?.type !== 'object_property') continue;
        const [key, value] = [p.namedChildren[0], p.namedChildren[p.namedChildren.length - 1]];
        if (key && value) out[key.type === 'string' ? key.text.slice(1, -1) : key.text] = bicepValue(value);
      }
      return out;
    }
    case 'array':
      return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment').map(bicepValue);
    case 'string':
      return node.text.startsWith("'''") ? node.text.slice(3, -3) : node.text.slice(1, -1).replace(/\\'/g, "'").replace(/\\\\/g, '\\');
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    default:
      return { expr: node.text };
  }
}

/**
 * The values of every `key: value` property named `key` anywhere in the file, in source order, as plain data.
 */
export function propertyValues(bicep: Bicep, tree: Tree, key: string): BicepValue[] {
  return bicep
    .query(`(object_property (identifier) @key (#eq? @key "${key}") (_) @value)`)
    .captures(tree.rootNode)
    .filter((c) => c.name === 'value')
    .map((c) => bicepValue(c.node));
}
