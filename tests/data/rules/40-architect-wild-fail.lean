import Mathlib

namespace Wild

@[blueprint "cond:base"
  (statement := /-- Base. -/)]
def base : ℕ := 1

@[blueprint
  (statement := /-- About \cref{cond:base} and \cref{Wild.base_pos}. -/)]
theorem base_pos : 0 < base := by
  /-- By \cref{cond:missing}. -/
  sorry_using [base, Wild.ghost]

@[blueprint "thm:shared" (statement := /-- first -/)]
theorem shared_a : True := trivial
@[blueprint "thm:shared" (statement := /-- second -/)
  (uses := [base_pos, -base_pos])]
theorem shared_b : True := trivial

@[blueprint "thm:shared"]
theorem shared_c : True := shared_a

end Wild

-- expect profiles: architect
-- expect auto: architect
-- expect architect: 12:16 error blueprint.cref-unknown
-- expect architect: 13:22 error blueprint.sorry-using
-- expect architect: 19:9 error blueprint.duplicate-name
