import type { BicepValue } from './bicep-values';

/** A blob as a lifecycle rule's filters see it. */
export interface LifecycleBlob {
  container: string;
  name: string;
  /** As Blob Storage reports it: `BlockBlob`, `PageBlob`, `AppendBlob`. */
  blobType: string;
  tags: Record<string, string>;
}

/**
 * The blobs a storage lifecycle rule (as declared in Bicep, read by test/helpers/bicep-values.ts) would act on once
 * they are old enough: its filters applied as Azure Storage documents them ("Lifecycle management policy structure":
 * `blobTypes`, `prefixMatch` against `{container}/{name}`, `blobIndexMatch` conditions ANDed, `==` the only operator;
 * all filters ANDed). Azurite has no lifecycle management, so tests run the rule here over Azurite's blobs and tags.
 * @param rule one element of the policy's `rules`
 * @param params values of the Bicep parameters its strings interpolate (`${recordingsContainerName}`)
 * @throws Error for a disabled rule, an unknown filter or operator, or an interpolation without a value: the
 *   emulation must be taught before it is trusted
 */
export function lifecycleRuleMatches(rule: BicepValue, params: Record<string, string>, blobs: readonly LifecycleBlob[]): LifecycleBlob[] {
  const r = rule as { enabled?: boolean; definition?: { filters?: Record<string, BicepValue> } };
  if (r.enabled === false) throw new Error('the rule is disabled');
  const filters = r.definition?.filters ?? {};
  const unknown = Object.keys(filters).filter((k) => !['blobTypes', 'prefixMatch', 'blobIndexMatch'].includes(k));
  if (unknown.length) throw new Error(`lifecycle filter(s) ${unknown.join(', ')} not emulated`);
  const text = (v: BicepValue) =>
    String(v).replace(/\$\{(\w+)\}/g, (_, p: string) => {
      if (params[p] === undefined) throw new Error(`no value for \${${p}}`);
      return params[p];
    });
  const types = ((filters.blobTypes ?? []) as BicepValue[]).map((t) => String(t).toLowerCase());
  const prefixes = filters.prefixMatch === undefined ? undefined : (filters.prefixMatch as BicepValue[]).map(text);
  const conditions = ((filters.blobIndexMatch ?? []) as Array<{ name: BicepValue; op: BicepValue; value: BicepValue }>).map((c) => {
    if (c.op !== '==') throw new Error(`blobIndexMatch operator ${JSON.stringify(c.op)} not emulated (Azure supports only ==)`);
    return { name: text(c.name), value: text(c.value) };
  });
  return blobs.filter(
    (b) =>
      types.includes(b.blobType.toLowerCase()) &&
      (prefixes === undefined || prefixes.some((p) => `${b.container}/${b.name}`.startsWith(p))) &&
      conditions.every((c) => b.tags[c.name] === c.value),
  );
}
