import Mathlib

@[blueprint "def:base-set"
  (statement := /-- The set $S = \{n \mid 0 < n\}$. -/)
  (title := /-- Base set -/)
  (latexEnv := "definition")]
def base_set : Set ℕ := {n | 0 < n}

@[blueprint "cor:one-mem"
  (statement := /-- A statement. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
lemma one_mem : 1 ∈ base_set := by
  sorry

@[blueprint
  (statement := /-- A statement. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- Three mem -/)
  (latexEnv := "lemma")]
lemma three_mem : 3 ∈ base_set := by
  sorry

@[blueprint "lem:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{cor:one-mem} and \cref{three_mem}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : True := by
  sorry_using [one_mem, three_mem]

-- expect strict: 9:13 error blueprint.label-prefix
-- expect strict: 17:3 error blueprint.label-prefix
-- expect strict: 25:13 error blueprint.label-prefix
-- expect auto: architect
