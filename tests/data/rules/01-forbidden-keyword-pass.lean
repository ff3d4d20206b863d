import Mathlib

@[blueprint "def:example-set"
  (statement := /-- A statement. -/)
  (title := /-- Example set -/)
  (latexEnv := "definition")]
def example_set : Set ℕ := {n | n = 1}

@[blueprint "lem:one-mem"
  (statement := /-- A statement. -/)
  (proof := /-- Unfold \cref{def:example-set}. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
lemma one_mem : 1 ∈ example_set := by
  sorry

@[blueprint "thm:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:one-mem}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : True := by
  sorry_using [one_mem]
