// Test helper: window.matchMedia, which jsdom lacks. setup.ts installs one where nothing matches;
// a test can pretend the window is wide or phone-sized with setWindowWide (restored after the
// test by vi.unstubAllGlobals, which fakeApi runs).
import { vi } from "vitest";

/** A matchMedia whose queries match when `matches(query)` says so. */
export function fakeMatchMedia(matches: (query: string) => boolean): typeof window.matchMedia {
  return ((query: string) => ({
    matches: matches(query),
    media: query,
    onchange: null,
    addListener() {},
    removeListener() {},
    addEventListener() {},
    removeEventListener() {},
    dispatchEvent: () => false,
  })) as unknown as typeof window.matchMedia;
}

/** Pretends the window is wide (every min-width query matches) or phone-sized (none does). */
export function setWindowWide(wide: boolean) {
  vi.stubGlobal("matchMedia", fakeMatchMedia((query) => wide && query.includes("min-width")));
}
