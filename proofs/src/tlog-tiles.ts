import { FormatError } from './errors.js';

// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the static resources a tiled log serves
// under its URL prefix, and the entry bundle format.
//
//   checkpoint                   the signed checkpoint
//   tile/<L>/<N>[.p/<W>]         W (default 256) consecutive hashes of tree level 8·L
//   tile/entries/<N>[.p/<W>]     W (default 256) consecutive entries: uint16 big-endian length, bytes
//
// <N> is written in groups of three digits, all but the last prefixed "x" (1234067 → x001/x234/067).

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 1 << TILE_HEIGHT;
/** Tile levels 0..63 (C2SP). */
export const MAX_TILE_LEVEL = 63;
/** An entry's length is a uint16. */
export const MAX_ENTRY_BYTES = 0xffff;

export type TileResource =
  | { readonly kind: 'checkpoint' }
  | { readonly kind: 'tile'; readonly level: number; readonly index: bigint; readonly width: number }
  | { readonly kind: 'entries'; readonly index: bigint; readonly width: number };

/** C2SP tile index path: decimal in groups of three digits, each but the last prefixed "x". */
export function encodeTileIndex(index: bigint): string {
  if (index < 0n) throw new RangeError(`tile index ${index} is negative`);
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift((rest % 1000n).toString().padStart(3, '0'));
    rest /= 1000n;
  } while (rest > 0n);
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

function widthSuffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError(`tile width ${width} is outside 1..${TILE_WIDTH}`);
  return width < TILE_WIDTH ? `.p/${width}` : '';
}

/** `tile/<L>/<N>` for a full hash tile, `tile/<L>/<N>.p/<W>` for a partial one. */
export function tilePath(level: number, index: bigint, width = TILE_WIDTH): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) throw new RangeError(`tile level ${level} is outside 0..${MAX_TILE_LEVEL}`);
  return `tile/${level}/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

/** `tile/entries/<N>` for a full entry bundle, `tile/entries/<N>.p/<W>` for a partial one. */
export function entriesPath(index: bigint, width = TILE_WIDTH): string {
  return `tile/entries/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

const LEVEL = /^(0|[1-9][0-9]?)$/;
const WIDTH = /^[1-9][0-9]{0,2}$/;

/**
 * Reads a resource path relative to the prefix ("checkpoint", "tile/0/x001/234.p/5"). Only the one
 * canonical spelling of each resource is accepted (no leading zero groups, no ".p/256"), so that a
 * cache never holds one resource under two names. Undefined when the path names no resource.
 */
export function parseTilePath(path: string): TileResource | undefined {
  if (path === 'checkpoint') return { kind: 'checkpoint' };
  const parts = path.split('/');
  if (parts.length < 3 || parts[0] !== 'tile') return undefined;
  const [, levelPart, ...indexParts] = parts;
  let width = TILE_WIDTH;
  // "<last>.p/<W>": the width is the final element, after a ".p" suffix on the index's last group.
  if (indexParts.length >= 2 && indexParts[indexParts.length - 2]!.endsWith('.p')) {
    const widthPart = indexParts.pop()!;
    if (!WIDTH.test(widthPart) || Number(widthPart) >= TILE_WIDTH) return undefined;
    width = Number(widthPart);
    indexParts[indexParts.length - 1] = indexParts[indexParts.length - 1]!.slice(0, -2);
  }
  const index = parseIndexGroups(indexParts);
  if (index === undefined) return undefined;
  if (levelPart === 'entries') return { kind: 'entries', index, width };
  if (!LEVEL.test(levelPart!) || Number(levelPart) > MAX_TILE_LEVEL) return undefined;
  return { kind: 'tile', level: Number(levelPart), index, width };
}

function parseIndexGroups(groups: readonly string[]): bigint | undefined {
  if (groups.length === 0) return undefined;
  let index = 0n;
  for (const [i, group] of groups.entries()) {
    const last = i === groups.length - 1;
    const digits = last ? group : group.startsWith('x') ? group.slice(1) : undefined;
    if (digits === undefined || !/^[0-9]{3}$/.test(digits)) return undefined;
    if (i === 0 && groups.length > 1 && digits === '000') return undefined;
    index = index * 1000n + BigInt(digits);
  }
  return index;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const [i, entry] of entries.entries()) {
    if (entry.length > MAX_ENTRY_BYTES) throw new FormatError(`entry ${i} is ${entry.length} bytes; an entry bundle holds at most ${MAX_ENTRY_BYTES}`);
    total += 2 + entry.length;
  }
  const bundle = new Uint8Array(total);
  let at = 0;
  for (const entry of entries) {
    bundle[at] = entry.length >> 8;
    bundle[at + 1] = entry.length & 0xff;
    bundle.set(entry, at + 2);
    at += 2 + entry.length;
  }
  return bundle;
}

/**
 * Where each entry of a bundle lies: entry i is `bundle.subarray(offsets[i] + 2, offsets[i + 1])`
 * (offsets has one more element than there are entries). Throws FormatError when the bundle does
 * not hold exactly `expected` whole entries.
 */
export function entryBundleOffsets(bundle: Uint8Array, expected: number, source: string): Uint32Array {
  const offsets = new Uint32Array(expected + 1);
  let at = 0;
  for (let i = 0; i < expected; i++) {
    if (at + 2 > bundle.length) throw new FormatError(`${source} holds ${i} entries, expected ${expected}`);
    offsets[i] = at;
    at += 2 + ((bundle[at]! << 8) | bundle[at + 1]!);
    if (at > bundle.length) throw new FormatError(`${source}: entry ${i} runs past the end of the bundle`);
  }
  if (at !== bundle.length) throw new FormatError(`${source} has ${bundle.length - at} bytes after its ${expected} entries`);
  offsets[expected] = at;
  return offsets;
}

/** The entries of a bundle that must hold exactly `expected` of them. Throws FormatError. */
export function decodeEntryBundle(bundle: Uint8Array, expected: number, source: string): Uint8Array[] {
  const offsets = entryBundleOffsets(bundle, expected, source);
  return Array.from({ length: expected }, (_, i) => bundle.subarray(offsets[i]! + 2, offsets[i + 1]));
}
