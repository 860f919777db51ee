import bcrypt from 'bcrypt';
import { badInput } from '../errors';

export const MIN_PASSWORD_LENGTH = 10;
// bcrypt only reads the first 72 bytes; refusing longer input keeps that from being a surprise.
const MAX_PASSWORD_BYTES = 72;

export function assertPasswordStrength(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw badInput(`The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`, {
      field: 'password',
    });
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw badInput(`The password is too long: at most ${MAX_PASSWORD_BYTES} bytes.`, { field: 'password' });
  }
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

const dummyHashes = new Map<number, Promise<string>>();
/**
 * Compares against a throwaway hash of the same cost, so signing in with an unknown e-mail
 * takes as long as with a wrong password and timing does not reveal which accounts exist.
 */
export async function burnPasswordCheck(password: string, cost: number): Promise<void> {
  let hash = dummyHashes.get(cost);
  if (!hash) {
    hash = bcrypt.hash('tokentrace-timing-equaliser', cost);
    dummyHashes.set(cost, hash);
  }
  await bcrypt.compare(password, await hash);
}
