import { badInput } from './errors.js';
import { MAX_USD, usdToNanos } from './money.js';

/** Field checks shared by every service; messages name the field (LiteLLM snake_case on REST is mapped back). */
export function checkMoney(field: string, v: number | null | undefined): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badInput(`${field} must be a finite number, got ${String(v)}.`, field);
  if (v < 0) throw badInput(`${field} cannot be negative. Received: ${v}.`, field);
  if (v > MAX_USD) throw badInput(`${field} is too large (at most ${MAX_USD} USD). Received: ${v}.`, field);
  // money is whole nano-dollars: a positive amount below half of one would be stored as 0
  if (v > 0 && usdToNanos(v) === 0) throw badInput(`${field} is below the smallest amount (0.000000001 USD). Received: ${v}.`, field);
}

export function checkLimit(field: string, v: number | null | undefined): void {
  if (v === null || v === undefined) return;
  if (!Number.isInteger(v) || v < 0) throw badInput(`${field} must be a whole number >= 0, got ${String(v)}.`, field);
  if (v > 2_000_000_000) throw badInput(`${field} is too large, got ${v}.`, field);
}

export function checkString(field: string, v: string | null | undefined, max = 256): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'string') throw badInput(`${field} must be a string.`, field);
  if (v.length > max) throw badInput(`${field} is too long (${v.length} characters, at most ${max}).`, field);
}

export function checkId(field: string, v: string | null | undefined): void {
  if (v === null || v === undefined) return;
  checkString(field, v, 128);
  if (!v.trim()) throw badInput(`${field} cannot be empty.`, field);
  if (/[\u0000-\u001f]/.test(v)) throw badInput(`${field} contains control characters.`, field);
}

export function checkModels(field: string, v: string[] | null | undefined): void {
  if (v === null || v === undefined) return;
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || !m.trim() || m.length > 256))
    throw badInput(`${field} must be a list of model names.`, field);
  if (v.length > 1000) throw badInput(`${field} has too many entries (at most 1000).`, field);
}

const MAX_JSON_DEPTH = 64;

export function checkMetadata(field: string, v: unknown): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'object' || Array.isArray(v)) throw badInput(`${field} must be a JSON object.`, field);
  // measured without recursion: a deeply nested value would overflow JSON.stringify's stack
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) throw badInput(`${field} is nested too deeply (at most ${MAX_JSON_DEPTH} levels).`, field);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  if (JSON.stringify(v).length > 65_536) throw badInput(`${field} is too large (at most 64 KiB as JSON).`, field);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function checkEmail(field: string, v: string | null | undefined): void {
  if (v === null || v === undefined) return;
  checkString(field, v, 320);
  if (!EMAIL.test(v)) throw badInput(`${field} is not a valid email address: "${v.slice(0, 64)}".`, field);
}
