import { ApiError } from "./api";

/**
 * The one place that turns any error into words a person understands. The server's messages are
 * already written for people; this adds the cases where there is no message or a status speaks
 * louder than one.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 0:
        return error.message;
      case 401:
        return error.message || "Your session has ended. Sign in again.";
      case 403:
        return error.message || "You are not allowed to do that.";
      case 429:
        return error.message || "Too many attempts. Wait a minute and try again.";
      case 502:
      case 503:
      case 504:
        return error.message || "The service is unavailable right now. Try again in a moment.";
      default:
        if (error.status >= 500) return "Something went wrong on the server. Try again; if it keeps happening, tell your admin.";
        return error.message || "The request was refused.";
    }
  }
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}

/**
 * A refusal of one request field, in the form's own words. The server names the field it refused
 * (`param`) and explains in words written for API callers ("limit_usd must be a USD amount such
 * as …"), naming JSON members a person never sees; a form shows `words[param]` next to that field
 * instead. Null when the error is not a 400 about one of the `words`' fields: the form shows it as
 * a whole (FormError, errorMessage).
 */
export function apiFieldError<P extends string>(
  error: unknown,
  words: Readonly<Record<P, string>>,
): { param: P; message: string } | null {
  if (!(error instanceof ApiError) || error.status !== 400 || !error.param) return null;
  if (!Object.hasOwn(words, error.param)) return null;
  const param = error.param as P;
  return { param, message: words[param] };
}
