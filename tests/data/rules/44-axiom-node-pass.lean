import Mathlib
import Architect

/-! An `@[blueprint]` axiom is a node of its own (LeanArchitect makes one), so a placeholder
may name it. -/

@[blueprint "ax:choice"
  (statement := /-- Every nonempty type has an element. -/)]
axiom choice_ax (α : Type) [Nonempty α] : α

@[blueprint "thm:uses-choice"
  (statement := /-- Natural numbers have an element. -/)
  (proof := /-- By the axiom. -/)]
theorem uses_choice : ∃ _n : ℕ, True := by
  sorry_using [choice_ax]

-- expect profiles: architect
-- expect auto: architect
