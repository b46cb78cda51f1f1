/** Formats bytes like `hexdump -C`: offset, 16 hex bytes in two groups of 8, printable ASCII. */
export function hexdump(bytes: Uint8Array, limit = bytes.length): string[] {
  const lines: string[] = [];
  const end = Math.min(limit, bytes.length);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex = Array.from({ length: 16 }, (_, i) =>
      i < row.length ? (row[i] ?? 0).toString(16).padStart(2, '0') : '  ',
    );
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'));
    lines.push(
      `${offset.toString(16).padStart(8, '0')}  ${hex.slice(0, 8).join(' ')}  ${hex.slice(8).join(' ')}  |${ascii.join('')}|`,
    );
  }
  lines.push(end.toString(16).padStart(8, '0'));
  return lines;
}

export function fromBase64(value: string): Uint8Array {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

/** Text to the base64 of its UTF-8 bytes, as Kubernetes stores secret data. */
export function toBase64(text: string): string {
  return btoa(Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join(''));
}

/** Base64 data back to text when it is UTF-8, else undefined (binary values stay hidden). */
export function fromBase64Text(value: string): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(value));
  } catch {
    return undefined;
  }
}
