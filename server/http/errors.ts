/** One typed error for the HTTP layer, mapped to a status and a JSON body (API.md "Errors"). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'HttpError'
  }

  toJSON(): Record<string, unknown> {
    return {
      error: this.code,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
      ...this.extra,
    }
  }
}

export const badRequest = (message: string, fields?: Record<string, string>) =>
  new HttpError(400, 'invalid_input', message, fields)
export const unauthorized = (message = 'Sign in first.') =>
  new HttpError(401, 'unauthenticated', message)
export const forbidden = (message = 'You may not do this.') =>
  new HttpError(403, 'forbidden', message)
export const notFound = (message = 'No such resource.') => new HttpError(404, 'not_found', message)
