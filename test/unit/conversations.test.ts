/** Conversations kept for Responses translated to Chat Completions: per key, expiring, bounded. */
import { describe, expect, it } from 'vitest';
import { Conversations } from '../../api/src/gateway/conversations.js';

const output = (id: string) => [{ type: 'message', id: `msg_${id}`, role: 'assistant', content: [{ type: 'output_text', text: id }] }];

describe('Conversations', () => {
  it('finds a response, its history and its items only for the key that created them', () => {
    const c = new Conversations();
    c.remember('key-a', 'resp_1', '{"id":"resp_1"}', [{ role: 'user', content: 'hi' }, ...output('1')], output('1'));
    expect(c.response('resp_1', 'key-a')).toBe('{"id":"resp_1"}');
    expect(c.history('resp_1', 'key-a')).toHaveLength(2);
    expect(c.item('msg_1', 'key-a')).toMatchObject({ id: 'msg_1' });
    expect([c.response('resp_1', 'key-b'), c.history('resp_1', 'key-b'), c.item('msg_1', 'key-b')]).toEqual([null, null, null]);
    expect(c.forget('resp_1', 'key-b')).toBe(false);
    expect(c.forget('resp_1', 'key-a')).toBe(true);
    expect(c.response('resp_1', 'key-a')).toBeNull();
  });

  it('forgets what has expired, what a deleted key kept, and the oldest past the size bound', () => {
    const expired = new Conversations(0);
    expired.remember('k', 'r', '{}', [], []);
    expect(expired.response('r', 'k')).toBeNull();

    const c = new Conversations();
    c.remember('gone', 'r1', '{}', [], output('1'));
    c.remember('kept', 'r2', '{}', [], output('2'));
    c.forgetKey('gone');
    expect([c.response('r1', 'gone'), c.item('msg_1', 'gone')]).toEqual([null, null]);
    expect(c.response('r2', 'kept')).toBe('{}');

    const small = new Conversations(60_000, 300);
    small.remember('k', 'old', 'x'.repeat(100), [], []);
    small.remember('k', 'new', 'y'.repeat(150), [], []);
    expect(small.response('old', 'k')).toBe('x'.repeat(100));
    small.remember('k', 'newest', 'z'.repeat(150), [], []);
    expect(small.response('old', 'k')).toBeNull();
    expect(small.response('newest', 'k')).toBe('z'.repeat(150));
  });
});
