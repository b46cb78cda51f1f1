/**
 * Keeps a bundle's source map to Keyhaven's own sources. Node parses a service's whole map at
 * start under --enable-source-maps, and nine mappings in ten point into node_modules: the BFF's
 * full map cost 31 MB of resident memory. Frames in Keyhaven's code stay readable (file, line,
 * name); a frame inside a dependency shows its place in the bundle.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

/** The numbers of one Base64 VLQ segment. */
export function decodeSegment(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`not a Base64 VLQ digit: ${char}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value % 2 ? -(value - 1) / 2 : value / 2);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

export function encodeSegment(values) {
  let out = '';
  for (const n of values) {
    let value = n < 0 ? -n * 2 + 1 : n * 2;
    do {
      let digit = value % 32;
      value = Math.floor(value / 32);
      if (value > 0) digit |= 32;
      out += B64[digit];
    } while (value > 0);
  }
  return out;
}

/** The map with only the mappings whose source `keep` accepts, and only those sources. */
export function filterSourceMap(map, keep) {
  const kept = new Map();
  const sources = [];
  const abs = [0, 0, 0, 0];
  const last = [0, 0, 0, 0];
  const lines = map.mappings.split(';').map((line) => {
    let column = 0;
    let lastColumn = 0;
    let unmapped = true;
    const out = [];
    // A dropped mapping becomes a column without a source, so that its code maps to nothing
    // rather than to the kept mapping before it.
    const leave = () => {
      if (unmapped) return;
      out.push(encodeSegment([column - lastColumn]));
      lastColumn = column;
      unmapped = true;
    };
    for (const segment of line ? line.split(',') : []) {
      const v = decodeSegment(segment);
      column += v[0];
      if (v.length < 4) {
        leave();
        continue;
      }
      abs[0] += v[1];
      abs[1] += v[2];
      abs[2] += v[3];
      if (v.length > 4) abs[3] += v[4];
      const source = map.sources[abs[0]];
      if (!keep(source)) {
        leave();
        continue;
      }
      unmapped = false;
      if (!kept.has(abs[0])) {
        kept.set(abs[0], sources.length);
        sources.push(source);
      }
      const next = [kept.get(abs[0]), abs[1], abs[2], ...(v.length > 4 ? [abs[3]] : [])];
      const deltas = [column - lastColumn, ...next.map((n, i) => n - last[i])];
      next.forEach((n, i) => (last[i] = n));
      lastColumn = column;
      out.push(encodeSegment(deltas));
    }
    return out.join(',');
  });
  return { ...map, sources, sourcesContent: undefined, mappings: lines.join(';') };
}

/** Rewrites a bundle's .map file in place with Keyhaven's own sources only. */
export function slimSourceMap(file) {
  const map = JSON.parse(readFileSync(file, 'utf8'));
  const slim = filterSourceMap(map, (source) => !source.includes('node_modules/'));
  writeFileSync(file, JSON.stringify(slim));
}
