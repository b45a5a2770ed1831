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
