import { describe, expect, it } from 'vitest';
import { fromBase64Text, hexdump, toBase64 } from './hexdump.ts';

describe('hexdump', () => {
  it('prints like hexdump -C: offset, two groups of eight bytes, printable characters', () => {
    const bytes = new TextEncoder().encode('k8s:enc:kms:v2:key-protect:\n\x00\xff');
    const lines = hexdump(bytes);
    expect(lines[0]).toBe(
      '00000000  6b 38 73 3a 65 6e 63 3a  6b 6d 73 3a 76 32 3a 6b  |k8s:enc:kms:v2:k|',
    );
    expect(lines[1]).toBe(
      '00000010  65 79 2d 70 72 6f 74 65  63 74 3a 0a 00 c3 bf     |ey-protect:....|',
    );
    expect(lines[2]).toBe('0000001f');
  });

  it('stops at a limit', () => {
    expect(hexdump(new Uint8Array(100), 32)).toHaveLength(3);
  });

  it('round-trips UTF-8 text through base64 and keeps binary values hidden', () => {
    expect(fromBase64Text(toBase64('pässwörd'))).toBe('pässwörd');
    expect(fromBase64Text(btoa('\xff\xfe'))).toBeUndefined();
  });
});
