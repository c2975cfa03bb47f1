import { sha256 } from '@noble/hashes/sha2.js';
test('jest runs ESM TypeScript', () => {
  expect(sha256(new Uint8Array()).length).toBe(32);
});
