import Mathlib
import Architect

private lemma helper_fact : 1 + 1 = 2 := rfl

@[blueprint "thm:main-fact"
  (statement := /-- Two is one plus one. -/)
  (proof := /-- Immediate. -/)
  (title := /-- Main fact -/)
  (latexEnv := "theorem")]
theorem main_fact : 2 = 1 + 1 := by
  exact helper_fact.symm

-- expect strict: 4:15 error blueprint.bare-declaration
-- expect profiles: strict
