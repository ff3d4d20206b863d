import Mathlib

attribute [blueprint "Nat.succ_pos"
  (statement := /-- Successors are positive; compare \cref{no-such-node}. -/)
  (title := "Positivity") (title := "Again")]
  Nat.succ_pos

@[blueprint "one-pos"
  (statement := /-- $0 < 1$, an instance of \cref{Nat.succ_pos}. -/)]
theorem one_pos' : 0 < 1 := Nat.succ_pos 0

-- expect profiles: architect
-- expect auto: architect
-- expect architect: 4:60 error blueprint.cref-unknown
-- expect architect: 5:28 error blueprint.duplicate-field
