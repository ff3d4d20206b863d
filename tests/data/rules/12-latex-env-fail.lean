import Mathlib

@[blueprint "def:base-set"
  (statement := /-- A statement. -/)
  (title := /-- Base set -/)
  (latexEnv := "corollary")]
def base_set : Set ℕ := {n | 0 < n}

@[blueprint "lem:one-mem"
  (statement := /-- A statement. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- One mem -/)]
lemma one_mem : 1 ∈ base_set := by
  sorry

@[blueprint "lem:two-mem"
  (statement := /-- A statement. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- Two mem -/)
  (latexEnv := "lemma")]
protected lemma two_mem : 2 ∈ base_set := by
  sorry

@[blueprint "thm:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:one-mem} and \cref{lem:two-mem}. -/)
  (title := /-- Main -/)
  (latexEnv := "lemma")]
theorem main : True := by
  sorry_using [one_mem, two_mem]

-- expect strict: 6:4 error blueprint.latex-env
-- expect strict: 9:3 error blueprint.latex-env
-- expect strict: 21:1 error blueprint.latex-env
-- expect strict: 28:4 error blueprint.latex-env
