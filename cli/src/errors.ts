/** Exit codes (README, "CLI"): what a script can branch on. */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

/** Bad input on the command line, found before any request is sent. */
export class UsageError extends Error {}

/** The API answered with an error: its code and message go to stderr as `CODE: message`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** No GraphQL answer from the server at all. */
export class UnreachableError extends Error {}
