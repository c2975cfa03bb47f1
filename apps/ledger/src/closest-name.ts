import leven from 'leven';

/** The name of `known` fewest single-character edits away from `name`: what a typo meant. */
export function closestName(name: string, known: readonly string[]): string {
  return known.reduce((best, candidate) => (leven(name, candidate) < leven(name, best) ? candidate : best));
}
