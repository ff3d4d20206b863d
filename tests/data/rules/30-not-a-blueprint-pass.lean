import Mathlib

-- just Lean
namespace Plain

axiom ax : True
theorem t : True := by sorry

def d : ℕ := sorry
end Plain

-- expect auto: off
