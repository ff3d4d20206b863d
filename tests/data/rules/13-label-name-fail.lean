import Mathlib

@[blueprint "def:base-set"
  (statement := /-- The set $S = \{n \mid 0 < n\}$. -/)
  (title := /-- Base set -/)
  (latexEnv := "definition")]
def base_set : Set ℕ := {n | 0 < n}

@[blueprint "lem:one-mems"
  (statement := /-- A statement. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
lemma one_mem : 1 ∈ base_set := by
  sorry

@[blueprint "thm:main-result"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:one-mems}. -/)
  (title := /-- Main result -/)
  (latexEnv := "theorem")]
theorem main_result : True := by
  sorry_using [one_mem]

-- expect strict: 14:7 error blueprint.label-name
