import { describe, expect, it } from 'vitest';
import { clientSetups, KEY_PLACEHOLDER } from '$lib/connect';
import { count, percent, usd } from '$lib/format';
import { capRatio, capTitle, capValue, firstToStop, relativeTime, runwayLeft, runwayText } from '$lib/limits';
import { budgetRows, cacheFiltersOf, customRangeError, rangeOf, scopeFilter, scopeOf, TRY_IT, usageCsv, withTryItGrouped } from '$lib/usage';

describe('money and counts', () => {
  it('shows cents, keeps two significant digits under a cent, and a dash for nothing', () => {
    expect(usd(12.5)).toBe('$12.50');
    expect(usd(0)).toBe('$0.00');
    expect(usd(0.0042)).toBe('$0.0042');
    expect(usd(null)).toBe('—');
    expect(count(12345)).toBe('12,345');
    expect(percent(0.5)).toBe('50%');
    expect(percent(0.034)).toBe('3.4%');
  });
});

describe('the limits explainer', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('says when a cap resets, in the unit that reads best', () => {
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeTime('2025-12-31T23:59:00Z', now)).toBe('now');
    expect(relativeTime('2026-01-01T00:00:40Z', now)).toBe('in 40 s');
    expect(relativeTime('2026-01-01T00:30:00Z', now)).toBe('in 30 min');
    expect(relativeTime('2026-01-01T05:00:00Z', now)).toBe('in 5 h');
    expect(relativeTime('2026-01-26T00:00:00Z', now)).toBe('in 25 d');
  });

  it('names caps by scope and kind, money for budgets, counts otherwise', () => {
    expect(capTitle({ kind: 'BUDGET', scope: 'TEAM' })).toBe('Team budget');
    expect(capTitle({ kind: 'RPM', scope: 'KEY' })).toBe('Key requests per minute');
    expect(capTitle({ kind: 'BUDGET', scope: 'USER' })).toBe('Personal budget');
    expect(capTitle({ kind: 'BUDGET', scope: 'MEMBER' })).toBe('Team member budget');
    expect(capValue({ kind: 'BUDGET' }, 0.1)).toBe('$0.10');
    expect(capValue({ kind: 'TPM' }, 5000)).toBe('5,000');
  });

  it('fills the meter by what is used of the cap, a full bar when nothing is left', () => {
    expect(capRatio({ limit: 10, remaining: 7 })).toBeCloseTo(0.3);
    expect(capRatio({ limit: 10, remaining: 0 })).toBe(1);
    expect(capRatio({ limit: 0, remaining: 0 })).toBe(1);
  });

  it('takes the server’s first cap as the one that stops first', () => {
    const caps = [{ kind: 'BUDGET', scope: 'USER', label: 'u', limit: 1, used: 1, remaining: 0, refuses: true }];
    expect(firstToStop(caps)).toBe(caps[0]);
    expect(firstToStop([])).toBeNull();
  });
});

describe('connect a client', () => {
  it('puts this server and the secret into every setup; the placeholder when the secret is gone', () => {
    const withSecret = clientSetups('https://llm.example.com/', 'sk-abc', 'gpt-4o-mini');
    expect(withSecret.map((s) => s.label)).toEqual(['Claude Code', 'Codex', 'OpenAI Python', 'OpenAI TypeScript', 'Anthropic SDK', 'Vercel AI SDK', 'curl']);
    for (const s of withSecret) {
      expect(s.code, s.id).toContain('https://llm.example.com');
      expect(s.code, s.id).not.toContain('https://llm.example.com//');
      expect(s.code, s.id).toContain('sk-abc');
    }
    expect(withSecret.find((s) => s.id === 'codex')!.code).toContain('base_url = "https://llm.example.com/v1"');
    expect(withSecret.find((s) => s.id === 'claude-code')!.code).toContain('ANTHROPIC_BASE_URL=https://llm.example.com\n');
    expect(withSecret.find((s) => s.id === 'curl')!.code).toContain('"model": "gpt-4o-mini"');

    for (const s of clientSetups('https://llm.example.com', null)) {
      expect(s.code, s.id).toContain(KEY_PLACEHOLDER);
      expect(s.code, s.id).not.toContain('sk-abc');
    }
  });
});

describe('usage page: range, scope and CSV', () => {
  const at = (q: string) => new URL(`http://x/ui/usage${q}`);
  it('takes a valid custom range from the URL and falls back to the preset otherwise', () => {
    expect(rangeOf(at('?from=2026-01-01&to=2026-01-31'))).toEqual({ preset: null, days: 31, from: '2026-01-01', to: '2026-01-31' });
    expect(rangeOf(at('?from=2026-02-01&to=2026-01-01')).preset).toBe(28);
    expect(rangeOf(at('?from=banana&to=2026-01-01')).preset).toBe(28);
    expect(rangeOf(at('?days=7')).days).toBe(7);
    expect(customRangeError('2025-01-01', '2026-01-03')).toMatch(/At most 367 days/);
    expect(customRangeError('2026-01-02', '2026-01-01')).toMatch(/not be after/);
    expect(customRangeError('2026-01-01', '2026-01-01')).toBeNull();
  });

  it('scopes to everyone only for those who read all usage', () => {
    expect(scopeOf(at(''), true)).toEqual({ kind: 'all' });
    expect(scopeOf(at(''), false)).toEqual({ kind: 'me' });
    expect(scopeOf(at('?scope=all'), false)).toEqual({ kind: 'me' });
    expect(scopeOf(at('?scope=team:t1'), false)).toEqual({ kind: 'team', teamId: 't1' });
    expect(scopeFilter({ kind: 'me' }, 'u1')).toEqual({ userId: 'u1' });
    expect(scopeFilter({ kind: 'team', teamId: 't1' }, 'u1')).toEqual({ teamId: 't1' });
    expect(scopeFilter({ kind: 'all' }, 'u1')).toEqual({});
  });

  it('exports what is on screen as CSV, quoting and disarming formulas', () => {
    const csv = usageCsv({
      range: { preset: 7, days: 7, from: '2026-01-01', to: '2026-01-07' },
      scope: 'all',
      totals: { spend: 0.15, requests: 3, totalTokens: 90 },
      daily: [{ day: '2026-01-02', model: 'gpt-4o', spend: 0.1, requests: 2 }],
      tables: [{ table: 'Top keys', rows: [{ name: '=HYPERLINK("x")', spend: 0.05, requests: 1, tokens: 30 }, { name: 'a,b', spend: 0.1, requests: 2, tokens: 60 }] }],
    });
    expect(csv.split('\r\n')).toEqual([
      'table,scope,from,to,day,name,spend_usd,requests,tokens',
      'totals,all,2026-01-01,2026-01-07,,,0.15,3,90',
      'daily,all,2026-01-01,2026-01-07,2026-01-02,gpt-4o,0.1,2,',
      `Top keys,all,2026-01-01,2026-01-07,,"'=HYPERLINK(""x"")",0.05,1,30`,
      'Top keys,all,2026-01-01,2026-01-07,,"a,b",0.1,2,60',
      '',
    ]);
  });
});

describe('the audit log filters', () => {
  it('reads actor, action, object type and id from the URL, and nothing when none is set', async () => {
    const { auditFilter } = await import('$lib/audit');
    expect(auditFilter(new URL('http://x/ui/audit'))).toBeNull();
    expect(auditFilter(new URL('http://x/ui/audit?actor=u1&action=key.generate&type=key&object=k1&after=c'))).toEqual({
      actorId: 'u1',
      action: 'key.generate',
      targetType: 'key',
      targetId: 'k1',
    });
    expect(auditFilter(new URL('http://x/ui/audit?action=%20%20&object=k2'))).toEqual({ targetId: 'k2' });
  });

  it('names the fields a write changed, and none for a create or delete', async () => {
    const { changedFields } = await import('$lib/audit');
    expect(changedFields({ a: 1, b: [1], c: 'x' }, { a: 2, b: [1], d: true })).toEqual(['a', 'c', 'd']);
    expect(changedFields(null, { a: 1 })).toEqual([]);
    expect(changedFields({ a: 1 }, null)).toEqual([]);
  });

  it('names the actor by email, display name or recorded id', async () => {
    const { actorName } = await import('$lib/audit');
    expect(actorName({ actorId: 'u1', actor: { email: 'a@example.com', alias: 'A' } })).toBe('a@example.com');
    expect(actorName({ actorId: 'default_user_id', actor: { email: null, alias: 'Master key admin' } })).toBe('Master key admin');
    expect(actorName({ actorId: 'gone', actor: null })).toBe('gone');
    expect(actorName({ actorId: null, actor: null })).toBe('system');
  });
});

describe('deleting a user', () => {
  it('says what goes with the user, counted', async () => {
    const { deletionConsequences } = await import('$lib/deletion');
    expect(deletionConsequences({ teams: [], keyCount: 0 })).toBe('This deletes the user with no keys and no team memberships. Their past spend stays in usage. This cannot be undone.');
    const two = [{ teamId: 't1' }, { teamId: 't2' }];
    expect(deletionConsequences({ teams: two, keyCount: 1 })).toMatch(/^This deletes the user with 1 key \(calls with them stop at once\) and 2 team memberships\./);
  });
});

describe('Try it keys and cache filters', () => {
  it('sums every Try it key into one "Try it" row and leaves other keys alone', () => {
    const rows = [
      { keyId: 'k1', keyAlias: 'ci', keyPlayground: false, spend: 1 },
      { keyId: 'p1', keyAlias: null, keyPlayground: true, spend: 2 },
      { keyId: 'p2', keyAlias: null, keyPlayground: true, spend: 0.5 },
    ];
    const out = withTryItGrouped(rows, (a, b) => ({ ...a, spend: a.spend + b.spend }));
    expect(out).toEqual([rows[0], { keyId: null, keyAlias: TRY_IT, keyPlayground: true, spend: 2.5 }]);
    expect(withTryItGrouped([rows[0]!], (a) => a)).toEqual([rows[0]]);
  });

  it('reads key and model filters from the URL and drops hostile values', () => {
    expect(cacheFiltersOf(new URL('http://x/ui/cache?key=k1&model=gpt-4o'))).toEqual({ keyId: 'k1', model: 'gpt-4o' });
    expect(cacheFiltersOf(new URL('http://x/ui/cache'))).toEqual({ keyId: null, model: null });
    expect(cacheFiltersOf(new URL(`http://x/ui/cache?key=${'a'.repeat(300)}&model=a%0Ab`))).toEqual({ keyId: null, model: null });
  });
});

describe('budget runway lines', () => {
  it('says when a budget runs out, tints it within the warning window, and says nothing without a limit', () => {
    expect(runwayText({ status: 'BEFORE_RESET', dailyRate: 2, exhaustedAt: '2026-01-04T00:00:00Z', beforeReset: true, daysLeft: 2.5 })).toEqual({ text: 'At $2.00/day it runs out in 2.5 d', soon: true });
    expect(runwayText({ status: 'BEFORE_RESET', dailyRate: 0.5, beforeReset: true, daysLeft: 12.4 })).toEqual({ text: 'At $0.50/day it runs out in 12 d', soon: false });
    expect(runwayText({ status: 'NOT_BEFORE_RESET', dailyRate: 0.004, beforeReset: false })).toEqual({ text: 'At $0.004/day it lasts until the reset', soon: false });
    expect(runwayText({ status: 'NO_SPEND', dailyRate: 0, beforeReset: false })?.text).toBe('No spend in the last 7 days');
    expect(runwayText({ status: 'EXHAUSTED', dailyRate: 1, beforeReset: true, daysLeft: 0 })).toEqual({ text: 'Used up', soon: true });
    expect(runwayText({ status: 'NO_LIMIT', dailyRate: 1, beforeReset: false })).toBeNull();
    expect(runwayText(null)).toBeNull();
    expect(runwayLeft(1.5)).toBe('36 h');
    expect(runwayLeft(0.01)).toBe('14 min');
    expect(runwayLeft(3)).toBe('3 d');
  });
  it('lists the budgets that have a max: personal, keys, team', () => {
    const rows = budgetRows({
      user: { id: 'u', maxBudget: 10, personalSpend: 2, budgetResetAt: null, runway: null },
      keys: { edges: [{ node: { id: 'k1', keyAlias: 'laptop', keyName: 'sk-...a', spend: 1, maxBudget: 5 } }, { node: { id: 'k2', keyName: 'sk-...b', spend: 1, maxBudget: null } }] },
      team: null,
    });
    expect(rows.map((r) => [r.title, r.used, r.limit])).toEqual([
      ['Personal budget', 2, 10],
      ['Key laptop', 1, 5],
    ]);
  });
});
