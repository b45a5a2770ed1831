import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";
import { localDaysWindow } from "./days";

describe("toCsv", () => {
  it("quotes what needs quoting and ends lines with CRLF", () => {
    expect(toCsv(["a", "b"], [["plain", 'say "hi", twice'], ["two\nlines", null]])).toBe(
      'a,b\r\nplain,"say ""hi"", twice"\r\n"two\nlines",\r\n',
    );
  });

  it("keeps numbers (negative ones too) and defuses formulas", () => {
    expect(toCsv(["x"], [["-0.000200"], [-5], ["=HYPERLINK(1)"], ["+1 (555)"], ["@sum"]])).toBe(
      "x\r\n-0.000200\r\n-5\r\n'=HYPERLINK(1)\r\n'+1 (555)\r\n'@sum\r\n",
    );
  });
});

describe("localDaysWindow", () => {
  it("runs from the first day's local midnight to the midnight after the last", () => {
    const w = localDaysWindow("2026-03-01", "2026-03-02");
    expect(new Date(w.from!).getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(new Date(w.to!).getTime()).toBe(new Date(2026, 2, 3).getTime());
  });

  it("leaves an empty or unreal end open", () => {
    expect(localDaysWindow("", "2026-02-30")).toEqual({});
  });
});
