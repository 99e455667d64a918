import { AppError } from '../common/errors.js';

export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 scimType values we answer with. */
export const SCIM_TYPES = ['invalidFilter', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'uniqueness', 'mutability', 'tooMany'] as const;
export type ScimType = (typeof SCIM_TYPES)[number];

/** A SCIM error: answered as the RFC's error body (status as a string, scimType when given). */
export class ScimError extends Error {
  constructor(readonly status: number, message: string, readonly scimType: ScimType | null = null) {
    super(message);
    this.name = 'ScimError';
  }
}

export const scimBad = (message: string, scimType: ScimType = 'invalidValue') => new ScimError(400, message, scimType);
export const scimNotFound = (message: string) => new ScimError(404, message);

export function scimErrorBody(status: number, detail: string, scimType: ScimType | null = null) {
  return { schemas: [SCIM_ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** Our services' typed errors in SCIM's words (a taken email is SCIM's `uniqueness`). */
export function fromAppError(e: AppError): ScimError {
  switch (e.code) {
    case 'BAD_USER_INPUT':
      return new ScimError(400, e.message, 'invalidValue');
    case 'CONFLICT':
      return new ScimError(409, e.message, 'uniqueness');
    default:
      return new ScimError(e.status, e.message);
  }
}
