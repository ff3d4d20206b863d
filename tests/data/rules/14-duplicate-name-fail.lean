import Mathlib

@[blueprint "def:base-set"
  (statement := /-- The set $S = \{n \mid 0 < n\}$. -/)
  (title := /-- Base set -/)
  (latexEnv := "definition")]
def base_set : Set ℕ := {n | 0 < n}

@[blueprint "lem:one-mem"
  (statement := /-- $1 \in S$. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
lemma one_mem : 1 ∈ base_set := by
  sorry

@[blueprint "lem:one-mem"
  (statement := /-- A statement. -/)
  (proof := /-- Again \cref{def:base-set}. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
lemma one_mem : 1 ∈ base_set := by
  sorry

@[blueprint "thm:main"
  (statement := /-- $S$ is nonempty. -/)
  (proof := /-- By \cref{lem:one-mem}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : base_set.Nonempty := by
  sorry_using [one_mem]

-- expect: 22:7 error blueprint.duplicate-name
