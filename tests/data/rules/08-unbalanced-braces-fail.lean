import Mathlib

@[blueprint "def:base-set"
  (statement := /-- The set $S = \{n \mid 0 < n\}$. -/)
  (title := /-- Base set -/)
  (latexEnv := "definition")]
def base_set : Set ℕ := {n | 0 < n}

@[blueprint "lem:one-mem"
  (statement := /-- $\frac{1}{2$ is not a natural. -/)
  (proof := /-- Unfold \cref{def:base-set} and \{ then {. -/)
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

-- expect strict: 10:4 error blueprint.unbalanced-braces
-- expect architect: 10:4 warning blueprint.unbalanced-braces
-- expect strict: 11:4 error blueprint.unbalanced-braces
-- expect architect: 11:4 warning blueprint.unbalanced-braces
