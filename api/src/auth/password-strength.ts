import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as common } from '@zxcvbn-ts/language-common';
import { dictionary as english, translations } from '@zxcvbn-ts/language-en';
import { badInput } from '../common/errors.js';
import { checkPasswordPolicy } from './password.js';

let factory: ZxcvbnFactory | null = null;

/**
 * A password a person chooses (invitation, password change): 8-128 characters and not easy to
 * guess (zxcvbn score ≥ 2 of 4), refused with the estimator's own feedback.
 */
export function checkChosenPassword(field: string, password: string, userInputs: string[] = []): void {
  checkPasswordPolicy(field, password);
  factory ??= new ZxcvbnFactory({ translations, graphs: adjacencyGraphs, dictionary: { ...common, ...english } });
  const r = factory.check(password, userInputs.filter(Boolean));
  if (r.score >= 2) return;
  const advice = [r.feedback.warning, ...r.feedback.suggestions].filter(Boolean).join(' ');
  throw badInput(`${field} is too easy to guess${advice ? `: ${advice}` : '.'} Use a longer passphrase of unrelated words.`, field);
}
