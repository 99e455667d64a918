import { AppError } from '../common/errors.js';

/** An OpenAI-shaped gateway error: `{"error": {"message", "type", "param", "code"}}` with the status. */
export const gwError = (status: 401 | 403 | 400 | 404 | 429, type: string, message: string, param: string | null = null, headers: Record<string, string> = {}) =>
  new AppError(
    status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : status === 429 ? 'TOO_MANY_REQUESTS' : 'BAD_USER_INPUT',
    message,
    param,
    type,
    headers,
  );
