/**
 * The one base class of mailconfig's own errors. Like undici (`UND_ERR_*`) and fastify (`FST_ERR_*`), every error
 * carries a stable machine-readable `code` (`MAILCONFIG_*`): callers branch on the code, never on the English
 * message, which may be reworded at any time. Subclasses fix their code (or a small family of codes) in the
 * constructor; `name` is the subclass name, for logs.
 *
 * It lives in settings/ because every layer may import settings/ and settings/ imports nothing else.
 */
export class MailconfigError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True for a mailconfig error (optionally: with this code), whatever its subclass. */
export function isMailconfigError(error: unknown, code?: string): error is MailconfigError {
  return error instanceof MailconfigError && (code === undefined || error.code === code);
}

/** The code of a mailconfig error, or undefined for any other thrown value. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof MailconfigError ? error.code : undefined;
}
