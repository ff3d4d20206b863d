import Mathlib
import Architect

/- The entries of `uses`/`proofUses` below name nodes of other modules, Mathlib constants and
LaTeX-only nodes of the blueprint: LeanArchitect copies string entries into `\uses{…}`
unchecked and resolves names against everything imported. -/

@[blueprint "sq-nonneg-real"
  (statement := /-- For real $x$, $0 \le x^2$. -/)
  (uses := ["def:real-square", sq_nonneg])
  (proofUses := ["lem:order-basics", "Mathlib-sq-nonneg", -"lem:unused-elsewhere"])]
theorem sq_nonneg_real (x : ℝ) : 0 ≤ x ^ 2 := by
  positivity

@[blueprint "sq-sum-nonneg"
  (statement := /-- For real $x, y$, $0 \le x^2 + y^2$. -/)
  (proofUses := ["sq-nonneg-real", "informal:sums"])]
theorem sq_sum_nonneg (x y : ℝ) : 0 ≤ x ^ 2 + y ^ 2 := by
  have := sq_nonneg_real x
  have := sq_nonneg_real y
  linarith

-- expect profiles: architect
-- expect auto: architect
