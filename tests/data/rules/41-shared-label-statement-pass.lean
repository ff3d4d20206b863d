import Mathlib

namespace Halves

@[blueprint "halves"
  (statement := /-- For every $n$, \[ n = \lfloor n/2 \rfloor + \lceil n/2 \rceil \]
  with both halves natural numbers. -/)]
theorem floor_add_ceil (n : ℕ) : n = n / 2 + (n + 1) / 2 := by
  omega

@[blueprint "halves"
  (statement := /-- For every $n$,
    \[n = \lfloor n/2 \rfloor + \lceil n/2 \rceil\]
    with both halves   natural numbers.
  -/)]
theorem floor_le (n : ℕ) : n / 2 ≤ n := by
  omega

@[blueprint "halves"]
theorem ceil_le (n : ℕ) : (n + 1) / 2 ≤ n + 1 := by
  omega

end Halves

-- expect profiles: architect
-- expect auto: architect
