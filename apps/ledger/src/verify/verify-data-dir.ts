export async function verifyDataDir(_dir: string): Promise<number> { throw new Error('not yet'); }
