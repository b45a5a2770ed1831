import { describe, expect, it } from "vitest";

import { fakeApi } from "@/test/fake-api";

import { SESSION_KEY_NAME, forgetExpiredSessionKeys } from "./session-key";

const api = fakeApi();

function key(id: number, name: string, expiresAt: string | null) {
  return {
    id, name, prefix: "sk-tp-v1-abc", created_at: "2026-12-07T06:00:00Z", last_used_at: null, expires_at: expiresAt,
    disabled: false, log_prompts: false, usage_micros: 0, limit_micros: null, rpm_limit: null, tpm_limit: null,
    management: false, hash: "h".repeat(64),
  };
}

describe("forgetExpiredSessionKeys", () => {
  it("deletes only the user's expired playground session keys", async () => {
    const now = Date.parse("2026-12-07T08:00:00Z");
    api.routes["GET /api/keys"] = {
      body: {
        keys: [
          key(1, SESSION_KEY_NAME, "2026-12-07T07:00:00Z"), // expired: deleted
          key(2, SESSION_KEY_NAME, "2026-12-07T08:30:00Z"), // still valid (another tab's): kept
          key(3, "laptop", "2026-12-07T07:00:00Z"), // expired but the user's own: kept
          key(4, SESSION_KEY_NAME, null), // never expires: not one the dashboard made
        ],
      },
    };
    api.routes["DELETE /api/keys/*"] = { status: 204 };
    expect(await forgetExpiredSessionKeys(now)).toBe(1);
    expect(api.sent.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/api/keys/1"]);
  });

  it("gives up quietly when the keys cannot be listed", async () => {
    api.routes["GET /api/keys"] = { status: 503, body: { error: { code: 503, message: "down", type: "x", param: null } } };
    expect(await forgetExpiredSessionKeys()).toBe(0);
    expect(api.sent.some((r) => r.method === "DELETE")).toBe(false);
  });
});
