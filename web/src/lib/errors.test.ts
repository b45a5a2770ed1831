import { describe, expect, it } from "vitest";
import { ApiError, unwrap } from "./api";
import { apiFieldError, errorMessage } from "./errors";

/** What openapi-fetch hands `unwrap` for an error answer with this JSON body. */
function failed(status: number, body: unknown) {
  return { error: body, response: new Response(JSON.stringify(body), { status }) };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("ApiError from an error body", () => {
  it("keeps the body's numeric code (the HTTP status) and its machine-readable type", () => {
    const e = thrown(() =>
      unwrap(failed(401, { error: { code: 401, message: "Invalid email or password", type: "authentication_error", param: null } })),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 401, code: 401, type: "authentication_error", message: "Invalid email or password", param: null });
    expect(typeof (e as ApiError).code).toBe("number");
  });

  it("falls back to the response status when the answer has no error body", () => {
    const e = thrown(() => unwrap({ error: undefined, response: new Response("", { status: 502 }) }));
    expect(e).toMatchObject({ status: 502, code: 502, type: "http_502" });
  });
});

describe("errorMessage", () => {
  it("shows the server's words for a 401 (a failed sign-in names the problem)", () => {
    const e = thrown(() =>
      unwrap(failed(401, { error: { code: 401, message: "Invalid email or password", type: "authentication_error", param: null } })),
    );
    expect(errorMessage(e)).toBe("Invalid email or password");
  });

  it("says the session ended for a 401 without a message", () => {
    expect(errorMessage(new ApiError(401, 401, "authentication_error", ""))).toBe("Your session has ended. Sign in again.");
  });

  it("has words for each kind of failure", () => {
    expect(errorMessage(new ApiError(0, 0, "network", "Turnpike could not be reached."))).toBe("Turnpike could not be reached.");
    expect(errorMessage(new ApiError(403, 403, "permission_error", ""))).toBe("You are not allowed to do that.");
    expect(errorMessage(new ApiError(429, 429, "rate_limit_error", ""))).toBe("Too many attempts. Wait a minute and try again.");
    expect(errorMessage(new ApiError(503, 503, "http_503", ""))).toBe("The service is unavailable right now. Try again in a moment.");
    expect(errorMessage(new ApiError(500, 500, "internal_error", "boom"))).toMatch(/^Something went wrong on the server/);
    expect(errorMessage(new ApiError(400, 400, "invalid_request_error", "name: is required"))).toBe("name: is required");
    expect(errorMessage(new ApiError(400, 400, "invalid_request_error", ""))).toBe("The request was refused.");
    expect(errorMessage(new Error("plain"))).toBe("plain");
    expect(errorMessage("?")).toBe("Something went wrong.");
  });
});

describe("apiFieldError", () => {
  const words = { limit_usd: "Enter an amount in dollars.", name: "Give a name." } as const;
  it("gives the form's words for a 400 about one of its fields", () => {
    const e = new ApiError(400, 400, "invalid_request_error", 'limit_usd must be a USD amount such as "12.50"', "limit_usd");
    expect(apiFieldError(e, words)).toEqual({ param: "limit_usd", message: "Enter an amount in dollars." });
  });
  it("is null for other fields, other statuses and other errors", () => {
    expect(apiFieldError(new ApiError(400, 400, "invalid_request_error", "x", "rpm_limit"), words)).toBeNull();
    expect(apiFieldError(new ApiError(400, 400, "invalid_request_error", "x", null), words)).toBeNull();
    expect(apiFieldError(new ApiError(409, 409, "conflict", "x", "name"), words)).toBeNull();
    expect(apiFieldError(new ApiError(400, 400, "invalid_request_error", "x", "toString"), words)).toBeNull();
    expect(apiFieldError(new Error("limit_usd"), words)).toBeNull();
    expect(apiFieldError(null, words)).toBeNull();
  });
});
