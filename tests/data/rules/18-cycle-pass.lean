import Mathlib

@[blueprint "lem:ping"
  (statement := /-- A statement. -/)
  (proof := /-- Direct. -/)
  (title := /-- Ping -/)
  (latexEnv := "lemma")]
lemma ping : True := by
  exact trivial

@[blueprint "lem:pong"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:ping}. -/)
  (title := /-- Pong -/)
  (latexEnv := "lemma")]
lemma pong : True := by
  exact ping

@[blueprint "thm:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \cref{lem:pong}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : True := by
  sorry_using [pong]
