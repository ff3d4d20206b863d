import Mathlib
import Architect

@[blueprint "lem:aux-one"
  (statement := /-- $1 = 1$. -/)
  (proof := /-- Reflexivity. -/)
  (title := /-- Aux -/)
  (latexEnv := "lemma")]
lemma «aux_one» : 1 = 1 := by
  sorry

@[blueprint "lem:aux-two"
  (statement := /-- $2 = 2$. -/)
  (proof := /-- From \cref{lem:aux-one}. -/)
  (title := /-- Aux two -/)
  (latexEnv := "lemma")]
lemma aux_two : 2 = 2 := by
  have := «aux_one»
  rfl

@[blueprint "thm:main-res"
  (statement := /-- $3 = 3$. -/)
  (proof := /-- By \cref{lem:aux-one, lem:aux-two}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main_res : 3 = 3 := by
  sorry_using [aux_one, «aux_two»]

-- expect auto: strict
