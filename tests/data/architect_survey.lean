import Mathlib
import Architect
import Survey.OtherModule

/-!
Constructs seen in public LeanArchitect blueprints (the survey of issue 9), written afresh:
blueprints given to Mathlib constants with `attribute [blueprint …]`, one label on several
declarations repeating its statement, string labels in `uses` that live in other modules or
only in LaTeX, an attributed `where` helper, and a label shared across a cycle.
-/

open Real

attribute [blueprint
  "Nat.Prime.two_le"
  (statement := /-- A prime is at least two. -/)
  (proof := /-- In Mathlib. -/)
  (latexEnv := "lemma")]
  Nat.Prime.two_le

attribute [blueprint (statement := /-- The natural logarithm. -/)] Real.log

attribute [blueprint
  (statement := /-- Finite sets. -/) (proof := /-- As in Mathlib. -/)
  (latexEnv := "definition")] Finset

namespace Survey

/-- The square of a natural number. -/
@[blueprint "sq-def"
  (statement := /-- $n^2 = n \cdot n$. -/)]
def sq (n : ℕ) : ℕ := n * n
where
  @[simp] twice (k : ℕ) : ℕ := k + k

theorem sq_zero : sq 0 = 0 := rfl

attribute [blueprint "sq-zero" (statement := /-- $0^2 = 0$. -/)] sq_zero

@[blueprint "sq-mono"
  (statement := /-- Squaring is monotone:
    \[ a \le b \implies a^2 \le b^2 . \] -/)
  (proofUses := ["lem:mul-le-mul", "informal:monotone"])]
theorem sq_mono {a b : ℕ} (h : a ≤ b) : sq a ≤ sq b := by
  unfold sq
  exact Nat.mul_le_mul h h

@[blueprint "sq-mono"
  (statement := /-- Squaring is monotone: \[a \le b \implies a^2 \le b^2.\] -/)]
theorem sq_mono' {a b : ℕ} (h : a ≤ b) : a * a ≤ b * b := by
  exact sq_mono h

@[blueprint "sq-mono"
  (statement := /-- Squaring is strictly monotone. -/)]
theorem sq_strict_mono {a b : ℕ} (h : a < b) : sq a < sq b := by
  unfold sq
  exact Nat.mul_self_lt_mul_self h

@[blueprint "two-le"
  (statement := /-- A prime squared is at least four, by \cref{Nat.Prime.two_le}. -/)]
theorem prime_sq_ge {p : ℕ} (hp : p.Prime) : 4 ≤ sq p := by
  have := hp.two_le
  exact sq_mono this

@[blueprint "loop"
  (statement := /-- Part one. -/)]
theorem loop_one : True := by
  sorry

@[blueprint "loop-mid"
  (statement := /-- Middle. -/)]
theorem loop_mid : True := by
  sorry_using [loop_one]

@[blueprint "loop"]
theorem loop_two : True := by
  sorry_using [loop_mid]

end Survey
