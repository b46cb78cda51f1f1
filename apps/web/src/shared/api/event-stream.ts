/** What a screen does with the console's live status stream. */
export interface StreamHandlers {
  onStatus: (data: string) => void;
  /** The stream (re)opened: refetch what may have been missed. */
  onOpen: () => void;
  /** The stream is cut, or the engine behind it is: what is shown is the last known. */
  onInterrupted: () => void;
}

/** A stream that EventSource gave up on (the server answered an error) is opened again after this. */
const REOPEN_AFTER_MS = 5_000;

/**
 * Follows one of the BFF's Server-Sent Events streams. EventSource reconnects by itself after a
 * drop, but not after an error answer (a 503 while the engine is down): then a new one is opened
 * a few seconds later, so the screen recovers by itself. Returns the function that stops it.
 */
export function followStatusStream(url: string, handlers: StreamHandlers): () => void {
  let source: EventSource | undefined;
  let reopen: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const connect = () => {
    const current = new EventSource(url);
    source = current;
    current.addEventListener('status', (message) =>
      handlers.onStatus((message as MessageEvent<string>).data),
    );
    current.addEventListener('open', handlers.onOpen);
    current.addEventListener('interrupted', handlers.onInterrupted);
    current.addEventListener('error', () => {
      handlers.onInterrupted();
      if (current.readyState === EventSource.CLOSED && !stopped)
        reopen = setTimeout(connect, REOPEN_AFTER_MS);
    });
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(reopen);
    source?.close();
  };
}
