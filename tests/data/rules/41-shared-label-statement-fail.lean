import Mathlib

@[blueprint "parity"
  (statement := /-- Every natural number is even or odd. -/)]
theorem even_or_odd' (n : ℕ) : Even n ∨ Odd n := by
  exact Nat.even_or_odd n

@[blueprint "parity"
  (statement := /-- Every natural
     number is even or odd. -/)]
theorem not_even_iff_odd' (n : ℕ) : ¬Even n ↔ Odd n := by
  exact Nat.not_even_iff_odd

@[blueprint "parity"
  (statement := /-- Every natural number is even or odd, not both. -/)]
theorem even_xor_odd' (n : ℕ) : Xor' (Even n) (Odd n) := by
  exact Nat.even_xor_odd n

-- expect profiles: architect
-- expect auto: architect
-- expect architect: 16:9 error blueprint.duplicate-name
