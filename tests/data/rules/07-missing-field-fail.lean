import Mathlib

@[blueprint "def:base-set"
  (statement := /-- A statement. -/)
  (title := /--   -/)
  (latexEnv := "definition")]
def base_set : Set ℕ := {n | 0 < n}

@[blueprint "lem:one-mem"
  (statement := /-- A statement. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
lemma one_mem : 1 ∈ base_set := by
  sorry

@[blueprint "thm:main"
  (proof := /-- By \cref{lem:one-mem}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : True := by
  sorry_using [one_mem]

-- expect strict: 5:4 error blueprint.missing-field
-- expect strict: 9:3 error blueprint.missing-field
-- expect strict: 16:3 error blueprint.missing-field
-- expect auto: architect
