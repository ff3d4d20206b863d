/-! The module header is allowed. -/
import Mathlib
import Architect

@[blueprint "lem:aux-one"
  (statement := /-- $1 = 1$. -/)
  (proof := /-- Reflexivity. -/)
  (title := /-- Aux -/)
  (latexEnv := "lemma")]
lemma aux_one : 1 = 1 := by
  sorry

/-!
@[blueprint "lem:archived"
  (statement := /-- Old. -/)
  (proof := /-- Old. -/)
  (title := /-- Old -/)
  (latexEnv := "lemma")]
lemma archived : 0 = 0 := by
  sorry
-/

@[blueprint "thm:main-res"
  (statement := /-- $2 = 2$. -/)
  (proof := /-- By \cref{lem:aux-one}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main_res : 2 = 2 := by
  sorry_using [aux_one]

-- expect strict: 13:1 warning blueprint.comment-hygiene
