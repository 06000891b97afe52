// Appliance users and their login sessions.
import type { Kysely } from 'kysely';
import { duplicateName, isUniqueViolation } from '../unique.js';
import type { Schema, SessionRow, UserRow } from '../schema.js';

export class UserTable {
  constructor(private readonly db: Kysely<Schema>) {}

  get(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  getByName(userName: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('user_name', '=', userName).executeTakeFirst();
  }

  list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('user_name').execute();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(user: UserRow): Promise<void> {
    try {
      await this.db.insertInto('users').values(user).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName('users', user.user_name, error);
      throw error;
    }
  }

  async update(id: string, change: Partial<Omit<UserRow, 'id' | 'created'>>): Promise<void> {
    await this.db.updateTable('users').set(change).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

export class SessionTable {
  constructor(private readonly db: Kysely<Schema>) {}

  async insert(session: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(session).execute();
  }

  async get(id: string): Promise<SessionRow | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : { ...row, last_used_ms: Number(row.last_used_ms) };
  }

  async touch(id: string, nowMs: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_used_ms: nowMs }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Removes sessions idle since before `cutoffMs`. */
  async deleteIdle(cutoffMs: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('last_used_ms', '<', cutoffMs).execute();
  }
}
