import { describe, expect, it } from 'vitest';
import {
  CALL_BACKOFF,
  MAX_STATUS_EVENT_CHARS,
  STREAM_BACKOFF,
  StatusStreamOverflow,
  backoffMs,
  statusStreamReader,
  type StatusEvent,
} from '../src/index.ts';

const event: StatusEvent = {
  clusterId: 'kc-1',
  revision: 7,
  masterStatus: 'Ready',
  masterHealth: 'normal',
  modifiedDate: '2026-12-03T20:00:00.000Z',
  progress: null,
  keyProtectEnabled: true,
  kms: { instanceId: 'kp-us-south', crkId: 'key-a', keyVersion: 'v2' },
};
const frame = (data: string, id = '7', name = 'status') =>
  `id: ${id}\nevent: ${name}\ndata: ${data}\n\n`;

function reader() {
  const seen: [StatusEvent, string | undefined][] = [];
  const skipped: string[] = [];
  const r = statusStreamReader({
    onEvent: (e, id) => seen.push([e, id]),
    onSkipped: (why) => skipped.push(why),
  });
  return { feed: (chunk: string) => r.feed(chunk), seen, skipped };
}

describe('the status stream reader', () => {
  it('hands on status events with their id, also when split across chunks', () => {
    const r = reader();
    const text = frame(JSON.stringify(event)) + `data: ${JSON.stringify(event)}\n\n`;
    for (let i = 0; i < text.length; i += 7) r.feed(text.slice(i, i + 7));
    expect(r.seen).toEqual([
      [event, '7'],
      [event, undefined],
    ]);
  });

  it('skips, and says, what is not JSON or not a status event; ignores other event names', () => {
    const r = reader();
    r.feed(frame('not json') + frame('{"clusterId":1}') + frame('{}', '8', 'interrupted'));
    r.feed(frame(JSON.stringify(event)));
    expect(r.skipped).toEqual([
      'the engine sent a status event that is not JSON; skipped it',
      'the engine sent a status event of another shape; skipped it',
    ]);
    expect(r.seen).toHaveLength(1);
  });

  it('throws once the stream grows past the cap without completing an event', () => {
    const r = reader();
    r.feed(`: keep-alive\n\n${frame(JSON.stringify(event))}`);
    const half = `data: ${'x'.repeat(MAX_STATUS_EVENT_CHARS / 2)}`;
    r.feed(half);
    expect(() => r.feed(half)).toThrow(StatusStreamOverflow);
    expect(r.seen).toHaveLength(1);
  });

  it('throws for an event over the cap that arrives whole in one chunk', () => {
    const r = reader();
    const over = `data: ${'x'.repeat(MAX_STATUS_EVENT_CHARS + 1)}\n\n${frame(JSON.stringify(event))}`;
    expect(() => r.feed(over)).toThrow(StatusStreamOverflow);
    expect(r.seen).toEqual([]);
    expect(r.skipped).toEqual([]);
    const atCap = reader();
    atCap.feed(`data: ${'x'.repeat(MAX_STATUS_EVENT_CHARS)}\n\n`);
    expect(atCap.skipped).toHaveLength(1);
  });

  it('does not count what completed events carried', () => {
    const r = reader();
    const big = { ...event, masterStatus: 'x'.repeat(MAX_STATUS_EVENT_CHARS / 4) };
    for (let i = 0; i < 8; i++) r.feed(frame(JSON.stringify(big)));
    expect(r.seen).toHaveLength(8);
  });
});

describe('the backoff policy', () => {
  it('doubles from the base up to the cap, with half of each wait random', () => {
    const low = (n: number) => backoffMs(n, CALL_BACKOFF, () => 0);
    const high = (n: number) => backoffMs(n, CALL_BACKOFF, () => 1);
    expect([0, 1, 2, 3, 4, 5, 10].map(low)).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 4, 5].map(high)).toEqual([100, 200, 1600, 2000]);
    expect(backoffMs(-1, STREAM_BACKOFF, () => 0.5)).toBe(375);
    expect(backoffMs(20, STREAM_BACKOFF, () => 1)).toBe(5000);
  });
});
