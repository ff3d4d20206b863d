import Mathlib

@[blueprint "lem:a-sorry"
  (statement := /-- A statement. -/)
  (proof := /-- Direct. -/)
  (title := /-- A sorry -/)
  (latexEnv := "lemma")]
lemma a_sorry : True := by
  sorry

@[blueprint "lem:b-using"
  (statement := /-- A statement. -/)
  (proof := /-- From \cref{lem:a-sorry}. -/)
  (title := /-- B using -/)
  (latexEnv := "lemma")]
lemma b_using : True := by
  sorry_using [a_sorry]

@[blueprint "lem:c-done"
  (statement := /-- A statement. -/)
  (proof := /-- Direct. -/)
  (title := /-- C done -/)
  (latexEnv := "lemma")]
lemma c_done : True := by
  exact trivial

@[blueprint "lem:d-term"
  (statement := /-- A statement. -/)
  (proof := /-- Direct. -/)
  (title := /-- D term -/)
  (latexEnv := "lemma")]
lemma d_term : True := trivial

@[blueprint "thm:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:b-using}, \cref{lem:c-done}, \cref{lem:d-term}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : True := by
  sorry_using [b_using, c_done, d_term]
