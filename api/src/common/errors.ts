/**
 * One error type for every surface. Services throw AppError; the GraphQL layer maps
 * `code` to `extensions.code`, REST and the gateway map `status` to the HTTP status
 * and an OpenAI/LiteLLM-shaped body.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE';

const STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** the input field the error is about, when there is one */
    readonly param: string | null = null,
    /** OpenAI-style `type` for REST/gateway bodies; defaults from the code */
    readonly type: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}

export const badInput = (message: string, param: string | null = null) =>
  new AppError('BAD_USER_INPUT', message, param);
export const notFound = (message: string, param: string | null = null) =>
  new AppError('NOT_FOUND', message, param);
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);
export const conflict = (message: string, param: string | null = null) =>
  new AppError('CONFLICT', message, param);
export const unauthenticated = (message = 'Authentication required: send a valid API key or sign in.') =>
  new AppError('UNAUTHENTICATED', message);

export function errorType(e: AppError): string {
  if (e.type) return e.type;
  switch (e.code) {
    case 'UNAUTHENTICATED':
      return 'auth_error';
    case 'FORBIDDEN':
      return 'permission_error';
    case 'BAD_USER_INPUT':
      return 'invalid_request_error';
    case 'NOT_FOUND':
      return 'not_found_error';
    case 'CONFLICT':
      return 'conflict_error';
    case 'TOO_MANY_REQUESTS':
      return 'rate_limit_exceeded';
    case 'SERVICE_UNAVAILABLE':
      return 'service_unavailable';
  }
}

/** LiteLLM's ProxyException envelope. */
export function errorBody(e: AppError) {
  return { error: { message: e.message, type: errorType(e), param: e.param, code: String(e.status) } };
}
