/**
 * Pins issue 7: `/user/update` naming the user by `user_email` authorizes before it looks the
 * email up, so a caller who may not update users cannot learn which emails exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

describe('/user/update by user_email', () => {
  let s: TestServer;
  let plain: string;
  beforeAll(async () => {
    s = await startServer();
    plain = await userWithKey(s, { user_id: 'plain', user_role: 'internal_user', user_email: 'plain@example.com' });
    expect((await s.rest('POST', '/user/new', { user_id: 'other', user_email: 'other@example.com', user_role: 'internal_user', auto_create_key: false })).status).toBe(200);
  });
  afterAll(() => s?.close());

  it('answers a caller without the right the same 403 whether or not the email exists', async () => {
    const known = await s.rest('POST', '/user/update', { user_email: 'other@example.com', user_alias: 'x' }, plain);
    const unknown = await s.rest('POST', '/user/update', { user_email: 'nobody@example.com', user_alias: 'x' }, plain);
    expect(known.status).toBe(403);
    expect(unknown.status).toBe(403);
    expect(unknown.body).toEqual(known.body);
    expect(known.body.error.type).toBe('permission_error');
  });

  it('an admin still updates by email, and is told when no user has it', async () => {
    const ok = await s.rest('POST', '/user/update', { user_email: 'other@example.com', user_alias: 'Other One' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ user_id: 'other', user_alias: 'Other One' });
    const missing = await s.rest('POST', '/user/update', { user_email: 'nobody@example.com', user_alias: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('No user with email nobody@example.com.');
  });
});
