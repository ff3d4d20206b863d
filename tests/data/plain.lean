import Mathlib

namespace Plain

def double (n : ℕ) : ℕ := 2 * n

theorem double_pos (n : ℕ) (h : 0 < n) : 0 < double n := by
  unfold double
  omega

lemma double_mono : Monotone double := by
  intro a b h
  simp [double]
  omega

theorem double_add (a b : ℕ) : double (a + b) = double a + double b := by
  sorry

end Plain
