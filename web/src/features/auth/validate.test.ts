import { describe, expect, it } from "vitest";
import { validateCredentials } from "./validate";

describe("validateCredentials", () => {
  it("asks for both fields", () => {
    expect(validateCredentials("", "", "signin")).toEqual({
      email: "Enter your email address.",
      password: "Enter your password.",
    });
  });
  it("rejects an address without a domain", () => {
    expect(validateCredentials("ann@", "secret-pass", "signin").email).toMatch(/email address/);
  });
  it("enforces the 8-character minimum only on sign-up", () => {
    expect(validateCredentials("ann@example.com", "short", "signup").password).toBe("Use at least 8 characters.");
    expect(validateCredentials("ann@example.com", "short", "signin")).toEqual({});
  });
  it("accepts good credentials", () => {
    expect(validateCredentials(" ann@example.com ", "long enough", "signup")).toEqual({});
  });
});
