import type { RequestContext } from '../context';
import { findUsersByIds } from '../db/repositories/users';
import { toUserModel } from './accounts';
import type { UserModel } from './models';

// Users by id, many at once: the schema's User loader (one query for every user a response
// names, however many rows name one). Which fields of a user a caller may see is the schema's
// rule (User.email); missing ids are simply absent.

export async function usersByIds(ctx: RequestContext, ids: readonly string[]): Promise<UserModel[]> {
  return (await findUsersByIds(ctx.deps.db, ids)).map(toUserModel);
}
