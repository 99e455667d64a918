/**
 * What the gateway hands to spend recording and alerting, so that gateway/ and spend/ both
 * depend on budgets/ and not on each other (the runtime in app/ wires one to the other).
 */
import type { BudgetView, ChargedBudget } from './counted.js';
import type { BudgetCounters } from './ledger.js';

/** One finished gateway call, as the recorder queues it. Money in nano-dollars. */
export interface SpendRow {
  requestId: string;
  keyToken: string;
  keyId: string | null;
  userId: string | null;
  teamId: string | null;
  model: string;
  deployment: string | null;
  callType: string;
  promptTokens: number;
  completionTokens: number;
  /** prompt tokens read from the provider's prompt cache (part of promptTokens) */
  cachedPromptTokens: number;
  /** prompt tokens written to the provider's prompt cache (part of promptTokens) */
  cacheWriteTokens: number;
  /** what the cache-read tokens would have cost at the input price, less what they cost */
  promptCacheSavedNanos: number;
  costNanos: number;
  cacheHit: boolean;
  savedNanos: number;
  status: 'success' | 'failure';
  httpStatus: number | null;
  error: string | null;
  estimated: boolean;
  unpriced: boolean;
  startTime: Date;
  endTime: Date;
  endUser: string | null;
  request: unknown;
  response: unknown;
  /** budgets the call was admitted against, in their windows at admission (counted.ts) */
  budgets: ChargedBudget[];
  /** the owner's total spend moves too (in the owner's current window at admission) */
  userWindow: number | null;
}

/** Takes finished calls (spend/recorder.ts). */
export interface SpendSink {
  record(row: SpendRow): void;
  /** true while a new call's spend could not be kept (database away, spill file full): calls are refused */
  spillFull(): boolean;
}

/** What an alert says about the key a call was made with (a gateway key snapshot fits). */
export interface AlertSubject {
  keyAlias: string | null;
  keyName: string;
  userId: string | null;
  /** the owner's email, for alert mail */
  userEmail: string | null;
  teamId: string | null;
  /** the budgets the call counted against (counted.ts) */
  budgets: BudgetView[];
}

/** Raises budget alerts after a call's cost entered the ledger (spend/alerts.ts). */
export interface AlertSink {
  afterSpend(subject: AlertSubject, ledger: BudgetCounters): void;
}
