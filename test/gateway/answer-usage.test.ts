/**
 * The gateway reads an answer's usage from its tail (gateway/answer-usage.ts) instead of parsing
 * the whole answer: for every JSON text it must give what `JSON.parse(text).usage` gives, and a
 * text that is not JSON must still throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usageOfAnswer } from '../../api/src/gateway/answer-usage.js';

const reference = (text: string) => (JSON.parse(text) as { usage?: unknown } | null)?.usage;

describe('usageOfAnswer', () => {
  it('reads the usage member wherever it is, as JSON.parse does', () => {
    const usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 2, note: 'a } "usage": {' } };
    const answers = [
      { id: 'x', choices: [{ message: { content: 'hi' } }], usage },
      { usage, id: 'x' },
      { id: 'x', choices: [{ message: { content: '"usage": {"prompt_tokens": 99}}' } }] },
      { id: 'x', choices: [{ usage: { prompt_tokens: 5 } }] },
      { id: 'x', usage: null },
      { id: 'x', usage: 7 },
      { id: 'x', usage: [1, 2] },
      { usage: { prompt_tokens: 1 }, extra: { usage: { prompt_tokens: 2 } } },
      {},
    ];
    for (const a of answers) for (const text of [JSON.stringify(a), JSON.stringify(a, null, 2), ` \n${JSON.stringify(a, null, '\t')}\n `])
      expect(usageOfAnswer(text), text).toEqual(reference(text));
    // duplicate members: the last one wins, as in JSON.parse
    const dup = '{"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2}}';
    expect(usageOfAnswer(dup)).toEqual({ prompt_tokens: 2 });
    expect(usageOfAnswer('null')).toBeUndefined();
    expect(usageOfAnswer('[{"usage":{"prompt_tokens":1}}]')).toBeUndefined();
  });

  it('throws on a text that is not JSON, as before', () => {
    for (const text of ['', 'not json', '{"usage":{"prompt_tokens":1}', '{"usage":{"prompt_tokens":1,}}', '<html>usage</html>'])
      expect(() => usageOfAnswer(text), text).toThrow(SyntaxError);
  });

  it('agrees with JSON.parse on generated answers', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }), fc.boolean(), (usage, rest, last) => {
        const answer = last ? { ...rest, usage } : { usage, ...rest };
        const text = JSON.stringify(answer);
        expect(usageOfAnswer(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});
