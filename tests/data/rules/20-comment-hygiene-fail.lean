/-! Module header: allowed. -/
import Mathlib

@[blueprint "def:base-set"
  (statement := /-- The set $S = \{n \mid 0 < n\}$. -/)
  (title := /-- Base set -/)
  (latexEnv := "definition")]
def base_set : Set ℕ := {n | 0 < n}

-- a stray line comment
-- on two lines: one finding

@[blueprint "lem:one-mem"
  (statement := /-- $1 \in S$. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
lemma one_mem : 1 ∈ base_set := by
  sorry

/- a block comment -/

/-- A doc comment on the theorem. -/
@[blueprint "thm:main"
  (statement := /-- $S$ is nonempty. -/)
  (proof := /-- By \cref{lem:one-mem}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : base_set.Nonempty := by
  sorry_using [one_mem]

-- expect strict: 10:1 warning blueprint.comment-hygiene
-- expect strict: 21:1 warning blueprint.comment-hygiene
-- expect strict: 23:1 warning blueprint.comment-hygiene
