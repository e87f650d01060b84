import type { SignalBox } from '../../shared/contracts/signals';

/** One signal from one inference, before it gets its id and camera (an `inference` signal event's data fields). */
export interface InferenceSignal {
  /** Position of the inference in the reply's `inferences` array: the last part of the signal id. */
  index: number;
  label?: string;
  confidence?: number;
  boxes?: SignalBox[];
  properties?: Record<string, unknown>;
}

/** What one reply gave: the signals, and why other entries were skipped. */
export interface InferenceMapping {
  signals: InferenceSignal[];
  /** `inferences[i]: reason` for each entry that gave no signal. */
  skipped: string[];
}

const LABEL_MAX = 128;

/**
 * Maps an AVA HTTP extension reply body (`{"inferences": [...]}`, AVA inference schema, docs/reference/ava-behaviour.md
 * "Events": `{type, subtype?, inferenceId?, entity|motion|event|classification…}`) to `inference` signals, one per
 * usable entry:
 * - `entity`: label `entity.tag.value`, confidence `entity.tag.confidence`, boxes `[entity.box]`;
 * - `classification`: label and confidence from `classification.tag`;
 * - `motion`: label `motion`, boxes `[motion.box]`;
 * - `event`: label `event.name`, properties `event.properties`.
 * Other types (text, other) and malformed entries are skipped with a reason. Boxes are AVA's normalised `{l,t,w,h}`,
 * clipped to the frame (0..1); a confidence outside 0..1 is left out; labels are cut to 128 characters;
 * `subtype` is kept in `properties.subtype`.
 * @param body the parsed JSON reply
 * @returns the signals; `skipped` lists every entry without one (the whole body when it has no `inferences` array)
 */
export function inferenceSignals(body: unknown): InferenceMapping {
  const list = isObject(body) ? body.inferences : undefined;
  if (!Array.isArray(list)) return { signals: [], skipped: ['reply: expected {"inferences": [...]}'] };
  const signals: InferenceSignal[] = [];
  const skipped: string[] = [];
  list.forEach((inf: unknown, index) => {
    const r = one(inf);
    if (typeof r === 'string') skipped.push(`inferences[${index}]: ${r}`);
    else signals.push({ index, ...r });
  });
  return { signals, skipped };
}

function one(inf: unknown): Omit<InferenceSignal, 'index'> | string {
  if (!isObject(inf) || typeof inf.type !== 'string') return 'expected an object with a type';
  const subtype = typeof inf.subtype === 'string' && inf.subtype ? { properties: { subtype: inf.subtype } } : {};
  const type = inf.type.toLowerCase();
  if (type === 'entity' || type === 'classification') {
    const body = inf[type];
    if (!isObject(body) || !isObject(body.tag) || typeof body.tag.value !== 'string' || !body.tag.value) return `${type} without tag.value`;
    const box = type === 'entity' ? normalisedBox(body.box) : undefined;
    return { label: body.tag.value.slice(0, LABEL_MAX), ...confidenceOf(body.tag.confidence), ...(box ? { boxes: [box] } : {}), ...subtype };
  }
  if (type === 'motion') {
    const box = isObject(inf.motion) ? normalisedBox(inf.motion.box) : undefined;
    return { label: 'motion', ...(box ? { boxes: [box] } : {}), ...subtype };
  }
  if (type === 'event') {
    const ev = inf.event;
    if (!isObject(ev) || typeof ev.name !== 'string' || !ev.name) return 'event without name';
    const props = isObject(ev.properties) ? { ...ev.properties } : {};
    const all = { ...props, ...(subtype.properties ?? {}) };
    return { label: ev.name.slice(0, LABEL_MAX), ...(Object.keys(all).length ? { properties: all } : {}) };
  }
  return `type '${inf.type}' gives no signal`;
}

function confidenceOf(c: unknown): { confidence?: number } {
  return typeof c === 'number' && c >= 0 && c <= 1 ? { confidence: c } : {};
}

/** AVA `{l,t,w,h}` clipped to 0..1; undefined when absent, not numbers, or empty after clipping. */
function normalisedBox(b: unknown): SignalBox | undefined {
  if (!isObject(b)) return undefined;
  const { l, t, w, h } = b;
  if (![l, t, w, h].every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
  const [L, T, W, H] = [l, t, w, h] as number[];
  if (L >= 0 && T >= 0 && W > 0 && H > 0 && L + W <= 1 && T + H <= 1) return { l: L, t: T, w: W, h: H };
  const left = clip(l as number);
  const top = clip(t as number);
  const right = clip((l as number) + (w as number));
  const bottom = clip((t as number) + (h as number));
  if (right <= left || bottom <= top) return undefined;
  return { l: left, t: top, w: right - left, h: bottom - top };
}

const clip = (v: number) => Math.min(1, Math.max(0, v));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

