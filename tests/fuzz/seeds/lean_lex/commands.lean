import Mathlib
import Architect

open Real

namespace Foo.Bar

/-- A doc. -/
@[simp, blueprint "lem:x"
  (statement := /-- stmt \cref{a} -/)]
private lemma x_lemma (n : ℕ) : n = n := by
  sorry

@[blueprint "lem:y"] theorem y (h : |x| ≤ 1) : True := by
  sorry_using [x_lemma, Nat.succ_le]
theorem z : True := by sorry
theorem w : True := by
  intro; sorry
theorem v : True := sorry
theorem u : True := by
  /-- proof text -/
  sorry_using [a] -- c
  sorry_using [b]
theorem t : True := by
  sorry_using [a, /- hi -/ b]
instance : Inhabited Nat := ⟨0⟩
instance (priority := 10) instFoo : Inhabited Nat where
  default := 0
end Foo.Bar
section
open Foo in
theorem after_open : True := by
  set_option maxHeartbeats 10 in
  open Nat in
  exact trivial
end
def f : Nat → Nat
  | 0 => 1
  | n + 1 => f n
mutual
def a : Nat := 1
def b : Nat := 2
end
noncomputable section
class inductive C | mk
attribute [local instance] foo
theorem _root_.rooted : True := trivial
end
#exit
theorem ignored : True := sorry
