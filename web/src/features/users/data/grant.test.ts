import { describe, expect, it } from "vitest";
import { validateGrant } from "./grant";

describe("validateGrant", () => {
  it("takes whole cents up to a billion dollars, exactly", () => {
    expect(validateGrant("25", "grant", 0)).toEqual({ micros: 25_000_000 });
    expect(validateGrant("$0.29", "grant", 0)).toEqual({ micros: 290_000 });
    expect(validateGrant("1000000000", "grant", 0)).toEqual({ micros: 1_000_000_000_000_000 });
    expect(validateGrant("1000000000.01", "grant", 0)).toEqual({ error: "That amount is too large." });
    expect(validateGrant("99999999999999999999", "grant", 0)).toEqual({ error: "That amount is too large." });
  });

  it("says what is wrong with anything else", () => {
    expect(validateGrant(" ", "grant", 0)).toEqual({ error: "Enter an amount in dollars, like 25 or 12.50." });
    for (const bad of ["12.345", "-5", "1e3", "abc", "12."]) {
      expect(validateGrant(bad, "grant", 0)).toEqual({ error: "Enter an amount in dollars with at most two decimals, like 25 or 12.50." });
    }
    expect(validateGrant("0.00", "grant", 0)).toEqual({ error: "The amount must be more than $0." });
  });

  it("deducts at most the balance", () => {
    expect(validateGrant("5", "deduct", 5_000_000)).toEqual({ micros: 5_000_000 });
    expect(validateGrant("5.01", "deduct", 5_000_000)).toEqual({ error: "The balance is $5.00; you can deduct at most that." });
  });
});
