import { randomBytes } from 'node:crypto';

/** Time-ordered, URL-safe id: 10 chars of millisecond time + 16 random chars (base32). */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function newId(prefix?: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i]! & 31];
  return prefix ? `${prefix}_${time}${rand}` : `${time}${rand}`;
}
