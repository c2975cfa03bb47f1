// Test-only signing: a note key from a fixed seed, signing with @noble/curves directly.
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeBase64, noteKeyId } from '../src/index.js';

export interface TestKey {
  name: string;
  keyId: number;
  vkey: string;
  /** The "— name base64(keyid || sig)\n" line for `text`. */
  signatureLine(text: string): string;
}

export function testKey(name: string, seedByte: number): TestKey {
  const seed = new Uint8Array(32).fill(seedByte);
  const keyBytes = Uint8Array.from([1, ...ed25519.getPublicKey(seed)]);
  const keyId = noteKeyId(name, keyBytes);
  return {
    name,
    keyId,
    vkey: `${name}+${keyId.toString(16).padStart(8, '0')}+${encodeBase64(keyBytes)}`,
    signatureLine: (text) => signatureLine(name, keyId, ed25519.sign(new TextEncoder().encode(text), seed)),
  };
}

export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const bytes = new Uint8Array(4 + signature.length);
  new DataView(bytes.buffer).setUint32(0, keyId);
  bytes.set(signature, 4);
  return `— ${name} ${encodeBase64(bytes)}\n`;
}

/** text, a blank line, then one signature line per key. */
export function signNote(text: string, keys: readonly TestKey[]): string {
  return `${text}\n${keys.map((k) => k.signatureLine(text)).join('')}`;
}
