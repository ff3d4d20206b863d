import Mathlib
import Architect

@[blueprint "lem:base-bound"
  (statement := /-- A bound. -/)
  (proof := /-- Routine. -/)
  (title := /-- Base bound -/)
  (latexEnv := "lemma")]
lemma base_bound (n : ℕ) : 0 ≤ n := by
  sorry

@[blueprint "thm:top-bound"
  (statement := /-- The top bound. -/)
  (proof := /-- By \cref{lem:base-bound}. -/)
  (title := /-- Top bound -/)
  (latexEnv := "theorem")]
theorem top_bound (n : ℕ) : 0 ≤ n := by
  sorry_using [base_bound.trans]

-- expect: 18:16 error blueprint.sorry-using
