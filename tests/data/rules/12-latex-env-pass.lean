import Mathlib

@[blueprint "def:base-set"
  (statement := /-- A statement. -/)
  (title := /-- Base set -/)
  (latexEnv := "definition")]
noncomputable def base_set : Set ℝ := {x | 0 < x}

@[blueprint "lem:one-mem"
  (statement := /-- A statement. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
private lemma one_mem : (1 : ℝ) ∈ base_set := by
  sorry

@[blueprint "thm:main"
  (statement := /-- $S$ is nonempty. -/)
  (proof := /-- By \cref{lem:one-mem}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : base_set.Nonempty := by
  sorry_using [one_mem]
