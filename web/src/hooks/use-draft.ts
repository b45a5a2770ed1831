import { useState } from "react";

/**
 * State for an input whose typing stays local until it is committed: it starts as `value` and
 * starts over whenever `value` changes from outside (the URL, say). The reset happens while
 * rendering, as React recommends for state that follows a prop, rather than in an effect.
 */
export function useDraft<T>(value: T, same: (a: T, b: T) => boolean = Object.is): [T, (draft: T) => void] {
  const [draft, setDraft] = useState(value);
  const [base, setBase] = useState(value);
  if (!same(base, value)) {
    setBase(value);
    setDraft(value);
  }
  return [draft, setDraft];
}
