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

@[blueprint "lem:early"
  (statement := /-- A statement. -/)
  (proof := /-- From \cref{lem:late}. -/)
  (title := /-- Early -/)
  (latexEnv := "lemma")]
lemma early : 2 ∈ base_set := by
  sorry_using [late]

@[blueprint "lem:late"
  (statement := /-- A statement. -/)
  (proof := /-- From \cref{lem:one-mem}. -/)
  (title := /-- Late -/)
  (latexEnv := "lemma")]
lemma late : 3 ∈ base_set := by
  sorry_using [one_mem]

@[blueprint "thm:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:early} and \cref{lem:late}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : True := by
  sorry_using [early, base_set, no_such, late /- note -/]

-- expect strict: 23:16 error blueprint.sorry-using
-- expect strict: 39:23 error blueprint.sorry-using
-- expect: 39:33 error blueprint.sorry-using
-- expect strict: 39:47 error blueprint.sorry-using
-- expect strict: 39:47 warning blueprint.comment-hygiene
