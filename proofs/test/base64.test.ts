import { decodeBase64, encodeBase64, FormatError } from '@trailmark/proofs';

const text = (s: string) => new TextEncoder().encode(s);

test('RFC 4648 §10 test vectors', () => {
  const vectors: [string, string][] = [
    ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, encoded] of vectors) {
    expect(encodeBase64(text(plain))).toBe(encoded);
    expect(decodeBase64(encoded)).toEqual(text(plain));
  }
});

test('round trips every byte value and the + and / characters', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let n = 0; n <= all.length; n += 7) {
    expect(decodeBase64(encodeBase64(all.subarray(0, n)))).toEqual(all.subarray(0, n));
  }
  expect(encodeBase64(Uint8Array.of(0xfb, 0xff))).toBe('+/8=');
});

test.each([
  ['Zg', 'missing padding'],
  ['Zm8', 'missing padding'],
  ['Zh==', 'non-zero unused bits'],
  ['Zm9=', 'non-zero unused bits'],
  ['Zg=a', 'padding in the middle'],
  ['Z===', 'three padding characters'],
  ['====', 'only padding'],
  ['Zm9v\n', 'a newline'],
  [' Zm9v', 'a space'],
  ['Zm-_', 'URL-safe alphabet'],
  ['Zm9vé===', 'non-ASCII'],
  ['Zg==Zg==', 'padding before more data'],
])('rejects %j (%s)', (input) => {
  expect(() => decodeBase64(input)).toThrow(FormatError);
});
