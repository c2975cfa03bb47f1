import { FormatError, isValidKeyName } from '@trailmark/proofs';

// Go's note package (isValidName) accepts a key name that is non-empty, valid UTF-8, free of
// Unicode white space and free of '+', the separator inside key strings: isValidKeyName.
// We also refuse ASCII control characters: note.Open refuses any character below U+0020 other
// than "\n" anywhere in a signed note, so a key so named could never sign an openable note.
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

// In a /u pattern a surrogate pair is one code point, so this matches only lone surrogates,
// the UTF-16 that has no UTF-8 encoding.
export const LONE_SURROGATE = /\p{Surrogate}/u;

export function keyNameProblem(name: string): string | undefined {
  if (!isValidKeyName(name)) return "is empty or holds white space, '+' or a lone surrogate";
  if (CONTROL_CHARACTER.test(name)) return 'holds a control character';
  return undefined;
}

export function assertValidKeyName(name: string, what: string): void {
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw new FormatError(`${what} ${JSON.stringify(name)} ${problem}`);
}
