/** Copy-ready setup for common clients, pointed at this server with a key (issue 14). */

export interface ClientSetup {
  id: string;
  label: string;
  /** what the block is, for the copy toast and the code's accessible name */
  file: string;
  code: string;
}

/** Shown wherever the secret is not (it is only ever in the one-time view). */
export const KEY_PLACEHOLDER = 'sk-...your-key';

/**
 * The snippets for `origin` (this server's public URL, window.location.origin), `key` (the
 * secret in the one-time view, else the placeholder) and an example model.
 */
export function clientSetups(origin: string, key: string | null, model = 'gpt-4o'): ClientSetup[] {
  const base = origin.replace(/\/+$/, '');
  const k = key ?? KEY_PLACEHOLDER;
  const m = JSON.stringify(model);
  return [
    {
      id: 'claude-code',
      label: 'Claude Code',
      file: 'Shell, or ~/.claude/settings.json',
      code: `export ANTHROPIC_BASE_URL=${base}
export ANTHROPIC_AUTH_TOKEN=${k}

# or in ~/.claude/settings.json:
{
  "env": {
    "ANTHROPIC_BASE_URL": "${base}",
    "ANTHROPIC_AUTH_TOKEN": "${k}"
  }
}`,
    },
    {
      id: 'codex',
      label: 'Codex',
      file: '~/.codex/config.toml',
      code: `# ~/.codex/config.toml
model = ${m}
model_provider = "purser"

[model_providers.purser]
name = "Purser"
base_url = "${base}/v1"
wire_api = "responses"
env_key = "PURSER_API_KEY"

# then, in your shell:
# export PURSER_API_KEY=${k}`,
    },
    {
      id: 'openai-python',
      label: 'OpenAI Python',
      file: 'Python',
      code: `from openai import OpenAI

client = OpenAI(api_key="${k}", base_url="${base}/v1")
r = client.chat.completions.create(model=${m}, messages=[{"role": "user", "content": "Hello"}])
print(r.choices[0].message.content)`,
    },
    {
      id: 'openai-ts',
      label: 'OpenAI TypeScript',
      file: 'TypeScript',
      code: `import OpenAI from 'openai';

const client = new OpenAI({ apiKey: '${k}', baseURL: '${base}/v1' });
const r = await client.chat.completions.create({ model: ${m}, messages: [{ role: 'user', content: 'Hello' }] });
console.log(r.choices[0].message.content);`,
    },
    {
      id: 'anthropic',
      label: 'Anthropic SDK',
      file: 'Python',
      code: `import anthropic

client = anthropic.Anthropic(auth_token="${k}", base_url="${base}")
msg = client.messages.create(model=${m}, max_tokens=1024, messages=[{"role": "user", "content": "Hello"}])
print(msg.content[0].text)`,
    },
    {
      id: 'vercel-ai',
      label: 'Vercel AI SDK',
      file: 'TypeScript',
      code: `import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';

const purser = createOpenAI({ apiKey: '${k}', baseURL: '${base}/v1' });
const { text } = await generateText({ model: purser.chat(${m}), prompt: 'Hello' });
console.log(text);`,
    },
    {
      id: 'curl',
      label: 'curl',
      file: 'Shell',
      code: `curl ${base}/v1/chat/completions \\
  -H "Authorization: Bearer ${k}" \\
  -H "Content-Type: application/json" \\
  -d '{"model": ${m}, "messages": [{"role": "user", "content": "Hello"}]}'`,
    },
  ];
}
