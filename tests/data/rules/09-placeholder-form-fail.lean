import Mathlib

@[blueprint "lem:a-same-line"
  (statement := /-- A statement. -/)
  (proof := /-- Direct. -/)
  (title := /-- A same line -/)
  (latexEnv := "lemma")]
lemma a_same_line : True := by sorry

@[blueprint "lem:b-mixed"
  (statement := /-- A statement. -/)
  (proof := /-- Direct. -/)
  (title := /-- B mixed -/)
  (latexEnv := "lemma")]
lemma b_mixed : True → True := by
  intro h
  sorry

@[blueprint "lem:c-term"
  (statement := /-- A statement. -/)
  (proof := /-- Direct. -/)
  (title := /-- C term -/)
  (latexEnv := "lemma")]
lemma c_term : True := sorry

@[blueprint "lem:d-several"
  (statement := /-- A statement. -/)
  (proof := /-- Direct. -/)
  (title := /-- D several -/)
  (latexEnv := "lemma")]
lemma d_several : True ∧ True := by
  constructor
  · sorry_using [a_same_line]
  · sorry_using [b_mixed]

@[blueprint "thm:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:a-same-line}, \cref{lem:b-mixed}, \cref{lem:c-term}, \cref{lem:d-several}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : True := by
  sorry_using [a_same_line, b_mixed, c_term, d_several]

-- expect strict: 8:32 error blueprint.placeholder-form
-- expect strict: 17:3 error blueprint.placeholder-form
-- expect strict: 24:24 error blueprint.placeholder-form
-- expect strict: 34:5 error blueprint.placeholder-form
