/**
 * Numbers in Table rows are written as `Edm.Double`: `@azure/data-tables` returns `Edm.Int64` as `bigint`, which
 * `JSON.stringify` rejects, and an untyped integer over 2^31 is typed by the service. Epoch ms (≈ 1.8e12) and byte
 * counts are exact in a double up to 2^53.
 */
export function double(n: number): { value: string; type: 'Double' } {
  return { value: String(n), type: 'Double' };
}

/**
 * Reads a numeric property however it was stored (Double → number, Int64 → bigint, or a string).
 * @throws TypeError naming the property when it is missing or not numeric (a corrupt row)
 */
export function readNumber(entity: Record<string, unknown>, property: string): number {
  const v = entity[property];
  const n = typeof v === 'number' ? v : typeof v === 'bigint' || typeof v === 'string' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw new TypeError(`table row ${String(entity.partitionKey)}/${String(entity.rowKey)}: ${property} is not a number`);
  return n;
}
