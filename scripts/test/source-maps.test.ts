import { describe, expect, it } from 'vitest';
import { decodeSegment, encodeSegment, filterSourceMap } from '../source-maps.mjs';

/** Issue 26: a service's source map keeps Keyhaven's own sources only. */
const ours = '../../apps/bff/src/main.ts';
const dep = '../../node_modules/express/lib/router.js';

/** [generated column, source, line, column] of every mapped segment, line by line. */
function mapped(mappings: string, sources: string[]) {
  const abs = [0, 0, 0];
  return mappings.split(';').map((line) => {
    let column = 0;
    return (line ? line.split(',') : []).map((segment) => {
      const v = decodeSegment(segment);
      column += v[0] ?? 0;
      if (v.length === 1) return [column, null];
      v.slice(1, 4).forEach((d, i) => (abs[i] = (abs[i] ?? 0) + d));
      return [column, sources[abs[0] ?? 0], abs[1], abs[2]];
    });
  });
}

describe('source maps of the release', () => {
  it('round-trips Base64 VLQ numbers', () => {
    for (const values of [[0], [1, -1, 15, -16, 16, 1023, -1024, 123456789]])
      expect(decodeSegment(encodeSegment(values))).toEqual(values);
    expect(encodeSegment([0, 0, 16, 1])).toBe('AAgBC');
  });

  it('keeps the mappings into our sources, at their places, and leaves the rest unmapped', () => {
    const map = {
      version: 3,
      sources: [dep, ours],
      names: ['listen'],
      sourcesContent: ['x', 'y'],
      // Line 1: col 0 -> dep 0:0, col 10 -> ours 4:2 (name 0), col 20 -> dep 7:0.
      // Line 2: col 5 -> ours 9:1.
      mappings: [
        [
          encodeSegment([0, 0, 0, 0]),
          encodeSegment([10, 1, 4, 2, 0]),
          encodeSegment([10, -1, 3, -2]),
        ].join(','),
        encodeSegment([5, 1, 2, 1]),
      ].join(';'),
    };
    const slim = filterSourceMap(map, (s: string) => !s.includes('node_modules/'));
    expect(slim.sources).toEqual([ours]);
    expect(slim.sourcesContent).toBeUndefined();
    expect(slim.names).toEqual(['listen']);
    expect(mapped(slim.mappings, slim.sources)).toEqual([
      [
        [10, ours, 4, 2],
        [20, null],
      ],
      [[5, ours, 9, 1]],
    ]);
  });
});
