import { createParser } from 'eventsource-parser';
import { StatusEvent } from '../clusters.ts';

/** A status event is a few hundred bytes: a stream that sends more without one is cut. */
export const MAX_STATUS_EVENT_CHARS = 64 * 1024;

/** The stream sent more than MAX_STATUS_EVENT_CHARS without completing an event. */
export class StatusStreamOverflow extends Error {
  override name = 'StatusStreamOverflow';
  constructor() {
    super(`the engine sent a status event over ${MAX_STATUS_EVENT_CHARS / 1024} KiB`);
  }
}

export interface StatusStreamHandlers {
  /** A status event of the contract's shape, with the stream's event id. */
  onEvent(event: StatusEvent, id: string | undefined): void;
  /** An event that is not JSON or not a status event: skipped, and why. */
  onSkipped?(reason: string): void;
}

/** The event's data as a status event, or why it is not one. */
function readStatusEvent(data: string): StatusEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return 'the engine sent a status event that is not JSON; skipped it';
  }
  const event = StatusEvent.safeParse(value);
  return event.success ? event.data : 'the engine sent a status event of another shape; skipped it';
}

/**
 * The one reader of the engine's status stream (Server-Sent Events), for the BFF, the CLI and the
 * plug-in. Whatever bytes the engine, or a proxy before it, sends, `feed` never hands on anything
 * but a StatusEvent: an event it cannot read is skipped and said, and a stream that grows past
 * MAX_STATUS_EVENT_CHARS without completing one throws StatusStreamOverflow, so that the caller
 * drops the connection instead of buffering without end.
 */
export function statusStreamReader({ onEvent, onSkipped }: StatusStreamHandlers) {
  let pending = 0;
  let completed = false;
  const parser = createParser({
    onEvent: (message) => {
      completed = true;
      // One chunk may hold a whole event (Node 22+ reads 64 KiB at a time): its size counts too.
      if (message.data.length > MAX_STATUS_EVENT_CHARS) throw new StatusStreamOverflow();
      if (message.event !== undefined && message.event !== 'status') return;
      const event = readStatusEvent(message.data);
      if (typeof event === 'string') onSkipped?.(event);
      else onEvent(event, message.id);
    },
    onComment: () => {
      completed = true;
    },
  });
  return {
    feed(chunk: string): void {
      completed = false;
      parser.feed(chunk);
      pending = completed ? 0 : pending + chunk.length;
      if (pending > MAX_STATUS_EVENT_CHARS) throw new StatusStreamOverflow();
    },
  };
}
