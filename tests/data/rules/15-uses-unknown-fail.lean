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

@[blueprint "thm:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:one-mem}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")
  (uses := [ghost, "lem:phantom", -one_mem])]
theorem main : True := by
  sorry_using [one_mem]

-- expect strict: 22:13 error blueprint.sorry-using
-- expect strict: 22:20 error blueprint.sorry-using
-- expect strict: 19:26 error blueprint.cref-parity
-- expect strict: 14:7 warning blueprint.closeness
