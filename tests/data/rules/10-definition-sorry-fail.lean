import Mathlib

@[blueprint "def:base-set"
  (statement := /-- The set $S = \{n \mid 0 < n\}$. -/)
  (title := /-- Base set -/)
  (latexEnv := "definition")]
def base_set : Set ℕ := {n | 0 < n}

@[blueprint "def:bad-val"
  (statement := /-- A statement. -/)
  (title := /-- Bad val -/)
  (latexEnv := "definition")]
def bad_val : ℕ := sorry

def helper_val : ℕ := sorry

@[blueprint "lem:one-mem"
  (statement := /-- $1 \in S$. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
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

-- expect strict: 13:20 error blueprint.definition-sorry
-- expect architect: 13:20 warning blueprint.definition-sorry
-- expect strict: 15:5 error blueprint.bare-declaration
-- expect strict: 15:23 error blueprint.definition-sorry
