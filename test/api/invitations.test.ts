/**
 * Pins issue 4's invitation contract: a real SMTP server (smtp-server on loopback) receives the
 * invitation mail (text + HTML with the working link); the link is single use, expires, can be
 * revoked, and resend rotates it; acceptance checks password strength and signs the person in;
 * sendEmail needs PROXY_BASE_URL and SMTP; a sending failure leaves a valid invitation; REST
 * shows invite_link once; password reset; admin viewers read but cannot write.
 */
import { request } from 'node:http';
import { startSmtp } from '../helpers/smtp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieOf } from '../helpers/jar.js';
import { freePort, MASTER_KEY, startServer, userWithKey, type TestServer } from '../helpers/server.js';

const STRONG = 'violet-harbor-trombone-58';
const STRONG2 = 'quiet-glacier-lantern-93';

const INVITE = `mutation($i: InviteUserInput!) { inviteUser(input: $i) { link emailSent invitation { id status emailError userId } } }`;
const INFO = `query($t: String!) { invitation(token: $t) { email kind status valid } }`;
const ACCEPT = `mutation($t: String!, $p: String!) { acceptInvitation(input: { token: $t, password: $p }) { authMethod user { id email } } }`;
const tokenOf = (link: string) => link.split('/ui/invite/')[1]!;

/** acceptInvitation anonymously, keeping the HTTP response (for its cookie) */
async function accept(s: TestServer, token: string, password: string) {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: ACCEPT, variables: { t: token, p: password } }) });
  const json = (await res.json()) as any;
  return { cookie: sessionCookieOf(res), data: json.data, code: json.errors?.[0]?.extensions?.code as string | undefined, message: json.errors?.[0]?.message as string | undefined };
}
const login = (s: TestServer, username: string, password: string) => s.rest('POST', '/v2/login', { username, password }, null);
const me = (s: TestServer, cookie: string) => s.gql(`{ me { user { id } } }`, {}, null, { cookie });
const hasPassword = async (s: TestServer, id: string) => (await s.gql(`query($id: ID!) { user(id: $id) { hasPassword } }`, { id })).data.user.hasPassword;

describe('invitations with a real SMTP server', () => {
  let s: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let base: string;
  beforeAll(async () => {
    smtp = await startSmtp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // SMTP settings from the config's environment_variables, as LiteLLM reads them
    s = await startServer(
      {
        environment_variables: {
          SMTP_HOST: '127.0.0.1',
          SMTP_PORT: String(smtp.port),
          SMTP_USERNAME: 'mailer',
          SMTP_PASSWORD: 'mail-secret',
          SMTP_SENDER_EMAIL: 'purser@example.com',
          SMTP_TLS: 'False',
        },
      },
      { port, env: { PROXY_BASE_URL: base } },
    );
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('mails the link; the person opens it, sets a password and is signed in; the link works once', async () => {
    const inv = await s.gql(INVITE, { i: { email: 'ada@example.com', sendEmail: true } });
    expect(inv.errors).toBeUndefined();
    const { link, emailSent, invitation } = inv.data.inviteUser;
    expect(link).toMatch(new RegExp(`^${base}/ui/invite/[A-Za-z0-9_-]{32,}$`));
    expect(emailSent).toBe(true);
    expect(invitation).toMatchObject({ status: 'pending', emailError: null });

    const mail = smtp.received.find((m) => m.to.includes('ada@example.com'))!;
    expect(mail).toMatchObject({ from: 'purser@example.com', user: 'mailer' });
    expect(mail.text).toMatch(/text\/plain/);
    expect(mail.text).toMatch(/text\/html/);
    const linked = mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/ui\/invite\/[A-Za-z0-9_-]+/g)!;
    expect(new Set(linked)).toEqual(new Set([link]));
    expect(linked.length).toBeGreaterThanOrEqual(2); // in the text and in the HTML part
    const token = tokenOf(linked[0]!);

    const info = await s.gql(INFO, { t: token }, null);
    expect(info.data.invitation).toEqual({ email: 'ada@example.com', kind: 'invite', status: 'pending', valid: true });
    const ok = await accept(s, token, STRONG);
    expect(ok.code).toBeUndefined();
    expect(ok.data.acceptInvitation).toEqual({ authMethod: 'SESSION', user: { id: invitation.userId, email: 'ada@example.com' } });
    expect((await me(s, ok.cookie!)).data.me.user.id).toBe(invitation.userId);
    // the created user follows the creation rule
    expect((await s.gql(`query($id: ID!) { user(id: $id) { role: userRole } }`, { id: invitation.userId })).data.user.role).toBe('INTERNAL_USER_VIEWER');

    const again = await accept(s, token, STRONG2);
    expect(again.code).toBe('BAD_USER_INPUT');
    expect(again.message).toMatch(/already used/);
    expect(again.cookie).toBeNull();
    expect((await login(s, 'ada@example.com', STRONG)).status).toBe(200);
    expect((await login(s, 'ada@example.com', STRONG2)).status).toBe(401);
    expect((await s.gql(INFO, { t: token }, null)).data.invitation).toMatchObject({ status: 'used', valid: false });
    const used = await s.gql(`query($u: ID) { invitations(filter: { userId: $u, status: "used" }) { totalCount } }`, { u: invitation.userId });
    expect(used.data.invitations.totalCount).toBe(1);
  });

  it('refuses a weak password with the estimator feedback and changes nothing', async () => {
    const inv = (await s.gql(INVITE, { i: { email: 'weak@example.com' } })).data.inviteUser;
    const weak = await accept(s, tokenOf(inv.link), 'password1');
    expect(weak.code).toBe('BAD_USER_INPUT');
    expect(weak.message).toMatch(/too easy to guess: This is a commonly used password/);
    const short = await accept(s, tokenOf(inv.link), 'a1!');
    expect(short.message).toMatch(/at least 8 characters/);
    expect(weak.cookie).toBeNull();
    expect((await s.gql(INFO, { t: tokenOf(inv.link) }, null)).data.invitation.status).toBe('pending');
    expect(await hasPassword(s, inv.invitation.userId)).toBe(false);
  });

  it('a revoked link gets a clear error and sets no password', async () => {
    const inv = (await s.gql(INVITE, { i: { email: 'revoked@example.com' } })).data.inviteUser;
    const rev = await s.gql(`mutation($id: ID!) { revokeInvitation(input: { id: $id }) { status } }`, { id: inv.invitation.id });
    expect(rev.data.revokeInvitation.status).toBe('revoked');
    const r = await accept(s, tokenOf(inv.link), STRONG);
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.message).toMatch(/revoked/);
    expect(await hasPassword(s, inv.invitation.userId)).toBe(false);
  });

  it('resend rotates the token: the old link stops working, the new one works', async () => {
    const inv = (await s.gql(INVITE, { i: { email: 'resend@example.com' } })).data.inviteUser;
    const again = await s.gql(`mutation($id: ID!) { resendInvitation(input: { id: $id, sendEmail: true }) { link emailSent } }`, { id: inv.invitation.id });
    const fresh = again.data.resendInvitation;
    expect(fresh.link).not.toBe(inv.link);
    expect(fresh.emailSent).toBe(true);
    expect(smtp.received.filter((m) => m.to.includes('resend@example.com')).at(-1)!.text).toContain(fresh.link);
    expect((await s.gql(INFO, { t: tokenOf(inv.link) }, null)).data.invitation).toBeNull();
    const old = await accept(s, tokenOf(inv.link), STRONG);
    expect(old.code).toBe('BAD_USER_INPUT');
    expect(old.message).toMatch(/not valid/);
    expect((await accept(s, tokenOf(fresh.link), STRONG)).code).toBeUndefined();
  });

  it('an SMTP refusal is reported (emailSent false, emailError) and the invitation stays valid', async () => {
    const inv = await s.gql(INVITE, { i: { email: 'bounce@example.com', sendEmail: true } });
    expect(inv.errors).toBeUndefined();
    expect(inv.data.inviteUser.emailSent).toBe(false);
    expect(inv.data.inviteUser.invitation.status).toBe('pending');
    expect(inv.data.inviteUser.invitation.emailError).toMatch(/Could not send the email/);
    const r = await accept(s, tokenOf(inv.data.inviteUser.link), STRONG);
    expect(r.code).toBeUndefined();
    expect(r.cookie).toBeTruthy();
  });

  it('REST: /invitation/new returns invite_link once; /invitation/info never shows it; /invitation/delete revokes', async () => {
    expect((await s.rest('POST', '/user/new', { user_id: 'rest-user', user_email: 'rest@example.com' })).status).toBe(200);
    const created = await s.rest('POST', '/invitation/new', { user_id: 'rest-user' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ user_id: 'rest-user', is_accepted: false, status: 'pending' });
    expect(created.body.invite_link).toMatch(new RegExp(`^${base}/ui/invite/`));
    const token = tokenOf(created.body.invite_link);
    const info = await s.rest('GET', `/invitation/info?invitation_id=${created.body.id}`);
    expect(info.status).toBe(200);
    expect(info.body).not.toHaveProperty('invite_link');
    expect(JSON.stringify(info.body)).not.toContain(token);
    const del = await s.rest('POST', '/invitation/delete', { invitation_id: created.body.id });
    expect(del.body.status).toBe('revoked');
    expect((await accept(s, token, STRONG)).code).toBe('BAD_USER_INPUT');
  });

  it('password reset: the mailed link sets a new password and ends the old sessions', async () => {
    const made = await s.gql(`mutation { createUser(input: { userId: "forgetful", email: "forgetful@example.com", password: "${STRONG}" }) { id } }`);
    expect(made.errors).toBeUndefined();
    const old = await login(s, 'forgetful@example.com', STRONG);
    const oldCookie = `purser_session=${/purser_session=([^;]+)/.exec(old.headers.get('set-cookie')!)![1]}`;
    const reset = await s.gql(`mutation { sendPasswordReset(input: { userId: "forgetful", sendEmail: true }) { link emailSent } }`);
    expect(reset.data.sendPasswordReset.emailSent).toBe(true);
    const mail = smtp.received.filter((m) => m.to.includes('forgetful@example.com')).at(-1)!;
    expect(mail.text).toMatch(/Reset your Purser password/);
    const token = tokenOf(mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/ui\/invite\/[A-Za-z0-9_-]+/)![0]);
    expect((await s.gql(INFO, { t: token }, null)).data.invitation.kind).toBe('password_reset');
    expect((await accept(s, token, STRONG2)).code).toBeUndefined();
    expect((await me(s, oldCookie)).code).toBe('UNAUTHENTICATED');
    expect((await login(s, 'forgetful@example.com', STRONG2)).status).toBe(200);
    expect((await login(s, 'forgetful@example.com', STRONG)).status).toBe(401);
  });

  it('an admin viewer lists invitations but cannot create, resend or revoke them', async () => {
    const viewer = await userWithKey(s, { user_id: 'auditor', user_role: 'proxy_admin_viewer' });
    const list = await s.gql(`{ invitations { totalCount edges { node { id status } } } }`, {}, viewer);
    expect(list.errors).toBeUndefined();
    expect(list.data.invitations.totalCount).toBeGreaterThan(0);
    const id = list.data.invitations.edges[0].node.id;
    expect((await s.gql(INVITE, { i: { email: 'nope@example.com' } }, viewer)).code).toBe('FORBIDDEN');
    expect((await s.gql(`mutation($id: ID!) { revokeInvitation(input: { id: $id }) { id } }`, { id }, viewer)).code).toBe('FORBIDDEN');
    expect((await s.gql(`mutation($id: ID!) { resendInvitation(input: { id: $id }) { link } }`, { id }, viewer)).code).toBe('FORBIDDEN');
    expect((await s.rest('POST', '/invitation/new', { user_id: 'rest-user' }, viewer)).status).toBe(403);
    expect((await s.gql(`{ users(filter: { email: "nope@example.com" }) { totalCount } }`)).data.users.totalCount).toBe(0);
  });
});

describe('invitations without PROXY_BASE_URL or without SMTP', () => {
  let noBase: TestServer;
  let noSmtp: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
    noBase = await startServer({}, { env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SENDER_EMAIL: 'purser@example.com' } });
    noSmtp = await startServer({ general_settings: { invitation_link_duration: '1s' } }, { env: { PROXY_BASE_URL: 'https://purser.example.com' } });
  });
  afterAll(async () => {
    await noBase?.close();
    await noSmtp?.close();
    await smtp?.close();
  });

  it('sendEmail is refused without PROXY_BASE_URL, and links use the server address, never the Host header', async () => {
    const r = await noBase.gql(INVITE, { i: { email: 'x@example.com', sendEmail: true } });
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.message).toMatch(/PROXY_BASE_URL/);
    expect((await noBase.gql(`{ users(filter: { email: "x@example.com" }) { totalCount } }`)).data.users.totalCount).toBe(0);
    expect(smtp.received).toHaveLength(0);

    const body = JSON.stringify({ query: INVITE, variables: { i: { email: 'y@example.com' } } });
    const url = new URL(noBase.url);
    const link = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: '/graphql', method: 'POST', headers: { host: 'evil.example.net', 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}`, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(JSON.parse(text).data.inviteUser.link));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(link.startsWith(`${noBase.url}/ui/invite/`)).toBe(true);
  });

  it('sendEmail is refused without SMTP settings; the link is there to copy', async () => {
    const r = await noSmtp.gql(INVITE, { i: { email: 'z@example.com', sendEmail: true } });
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.message).toMatch(/SMTP/);
    const copy = await noSmtp.gql(INVITE, { i: { email: 'z@example.com' } });
    expect(copy.data.inviteUser).toMatchObject({ emailSent: false });
    expect(copy.data.inviteUser.link).toMatch(/^https:\/\/purser\.example\.com\/ui\/invite\//);
  });

  it('an expired link (invitation_link_duration) gets a clear error and changes nothing', async () => {
    const inv = (await noSmtp.gql(INVITE, { i: { email: 'late@example.com' } })).data.inviteUser;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await noSmtp.gql(INFO, { t: tokenOf(inv.link) }, null)).data.invitation).toMatchObject({ status: 'expired', valid: false });
    const r = await accept(noSmtp, tokenOf(inv.link), STRONG);
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.message).toMatch(/expired/);
    expect(r.cookie).toBeNull();
    expect(await hasPassword(noSmtp, inv.invitation.userId)).toBe(false);
  });
});
