/** The server's password rule (api/src/auth/password.ts); strength itself is judged by the server. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordHint {
  text: string;
  met: boolean;
  /** Required hints gate the submit button; the others are advice. */
  required: boolean;
}

/** Pieces of the person's email and name that make a password easy to guess. */
function personalWords(avoid: (string | null | undefined)[]): string[] {
  return avoid
    .flatMap((value) => (value ?? '').toLowerCase().split(/[@\s._+-]+/))
    .filter((word) => word.length >= 3);
}

/**
 * Live hints while choosing a password. Pass `confirm` to add the "entries match" check and
 * `avoid` (email, name) to warn when the password contains them.
 */
export function passwordHints(
  password: string,
  options: { confirm?: string; avoid?: (string | null | undefined)[] } = {},
): PasswordHint[] {
  const length = password.length;
  const lower = password.toLowerCase();
  const hints: PasswordHint[] = [
    {
      text:
        length > PASSWORD_MAX_LENGTH
          ? `At most ${PASSWORD_MAX_LENGTH} characters (now ${length})`
          : `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
      met: length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH,
      required: true,
    },
    {
      text: '12 or more characters, e.g. a few unrelated words',
      met: length >= 12 && new Set(lower).size >= 6,
      required: false,
    },
    {
      text: 'Does not contain your email or name',
      met: length > 0 && !personalWords(options.avoid ?? []).some((word) => lower.includes(word)),
      required: false,
    },
  ];
  if (options.confirm !== undefined) {
    hints.push({ text: 'Both entries match', met: length > 0 && password === options.confirm, required: true });
  }
  return hints;
}

/** True when every required hint is met. */
export const passwordReady = (hints: PasswordHint[]): boolean => hints.every((hint) => hint.met || !hint.required);
