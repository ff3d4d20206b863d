import Mathlib
import Architect

/-!
# Sums of two squares

Fermat's theorem on primes that are sums of two squares, blueprinted the way LeanArchitect
users usually write it: inside a namespace, labels only on the nodes that are cited (the
others default to their full Lean names), no titles, proof text written as docstrings inside
the tactic blocks, `uses`/`proofUses` where the inferred dependencies are not what the
blueprint should show, and `sorry_using` wherever a step is still missing.
-/

namespace SumTwoSquares

@[blueprint "def:sum-two-sq"
  (statement := /-- A natural number $n$ is a \emph{sum of two squares} if $n = a^2 + b^2$ for
    some $a, b \in \mathbb{N}$. -/)]
def IsSumTwoSq (n : ℕ) : Prop :=
  ∃ a b : ℕ, n = a ^ 2 + b ^ 2

@[blueprint
  (statement := /-- For $n$ a sum of two squares (\cref{def:sum-two-sq}), a representation
    $n = a^2 + b^2$ fixed once and for all. -/)]
noncomputable def chosenRepr (n : ℕ) (h : IsSumTwoSq n) : ℕ × ℕ :=
  sorry -- TODO: `⟨h.choose, h.choose_spec.choose⟩`

@[simp, blueprint
  (statement := /-- Trivially, $a^2 + b^2$ is a sum of two squares. -/)]
theorem isSumTwoSq_sq_add_sq (a b : ℕ) : IsSumTwoSq (a ^ 2 + b ^ 2) :=
  ⟨a, b, rfl⟩

@[blueprint
  (statement := /-- The Brahmagupta--Fibonacci identity: for integers $a, b, c, d$,
    $(a^2 + b^2)(c^2 + d^2) = (ac - bd)^2 + (ad + bc)^2$. -/)]
theorem brahmagupta_fibonacci (a b c d : ℤ) :
    (a ^ 2 + b ^ 2) * (c ^ 2 + d ^ 2) = (a * c - b * d) ^ 2 + (a * d + b * c) ^ 2 := by
  /-- Expand both sides. -/
  ring

@[blueprint "prop:sum-two-sq-mul"
  (statement := /-- The product of two sums of two squares is a sum of two squares, by the
    identity \cref{SumTwoSquares.brahmagupta_fibonacci}. -/)
  (latexEnv := "proposition")]
theorem IsSumTwoSq.mul {m n : ℕ} (hm : IsSumTwoSq m) (hn : IsSumTwoSq n) :
    IsSumTwoSq (m * n) := by sorry_using [brahmagupta_fibonnaci]

@[blueprint "lem:sq-mod-four"
  (statement := /-- For every $n \in \mathbb{N}$, $n^2 \equiv 0$ or $n^2 \equiv 1 \pmod{4}$. -/)]
lemma sq_mod_four (n : ℕ) : n ^ 2 % 4 = 0 ∨ n ^ 2 % 4 = 1 := by
  /-- Check the four residues of $n$ modulo $4$. -/
  have h : n % 4 = 0 ∨ n % 4 = 1 ∨ n % 4 = 2 ∨ n % 4 = 3 := by omega
  rcases h with h | h | h | h <;> simp [pow_two, Nat.mul_mod, h]

@[blueprint "cor:not-sum-two-sq-of-mod-four"
  (statement := /-- If $n \equiv 3 \pmod{4}$, then $n$ is not a sum of two squares. -/)
  (latexEnv := "corollary")]
theorem not_isSumTwoSq_of_mod_four {n : ℕ} (hn : n % 4 = 3) : ¬ IsSumTwoSq n := by
  /-- By \cref{lem:sq-mod-four} a sum of two squares is $0$, $1$ or $2$ modulo $4$. -/
  rintro ⟨a, b, rfl⟩
  rcases sq_mod_four a with ha | ha <;> rcases sq_mod_four b with hb | hb <;> omega

section Prime

variable {p : ℕ} [Fact p.Prime]

@[blueprint "lem:neg-one-square"
  (statement := /-- If $p$ is a prime with $p \equiv 1 \pmod{4}$, then $-1$ is a square
    modulo $p$. -/)
  (proof := /-- By Wilson's theorem (\cref{thm:wilson}), $(p-1)! \equiv -1 \pmod{p}$. Pairing
    $k$ with $p - k$ gives $(p-1)! \equiv (-1)^{(p-1)/2} \left(\tfrac{p-1}{2}\right)!^2$, and
    $\tfrac{p-1}{2}$ is even. -/)]
lemma exists_sq_eq_neg_one (hp : p % 4 = 1) : ∃ x : ZMod p, x ^ 2 = -1 := by
  obtain ⟨y, hy⟩ := ZMod.exists_sq_eq_neg_one_iff.mpr (by omega)
  exact ⟨y, by rw [sq, hy]⟩

@[blueprint "lem:thue"
  (statement := /-- (Thue) Let $x \in \mathbb{Z}/p$ be nonzero. There are integers $a, b$, not
    both zero, with $|a|, |b| < \sqrt{p}$ and $a \equiv x b \pmod{p}$. -/)]
lemma thue_lemma (x : ZMod p) (hx : x ≠ 0) :
    ∃ a b : ℤ, (a, b) ≠ (0, 0) ∧ (|a| : ℝ) < Real.sqrt p ∧ (|b| : ℝ) < Real.sqrt p ∧
      (a : ZMod p) = x * b := by
  /-- Pigeonhole: the $(\lfloor \sqrt{p} \rfloor + 1)^2 > p$ values $u - x v$ with
    $0 \le u, v \le \lfloor \sqrt{p} \rfloor$ cannot be distinct modulo $p$; the difference of
    two equal ones gives $a$ and $b$. -/
  sorry

@[blueprint "thm:fermat-two-squares"
  (statement := /-- (Fermat) Every prime $p \equiv 1 \pmod{4}$ is a sum of two squares. -/)
  (uses := [-IsSumTwoSq])]
theorem prime_isSumTwoSq (hp : p % 4 = 1) : IsSumTwoSq p := by
  /-- Take $x$ with $x^2 \equiv -1 \pmod{p}$ (\cref{lem:neg-one-square}) and $a, b$ from
    \cref{lem:thue}. Then $a^2 + b^2 \equiv b^2 (x^2 + 1) \equiv 0 \pmod{p}$ and
    $0 < a^2 + b^2 < 2p$, so $a^2 + b^2 = p$. -/
  obtain ⟨x, hx⟩ := exists_sq_eq_neg_one hp
  have hx0 : x ≠ 0 := by
    rintro rfl
    simp at hx
  obtain ⟨a, b, hab, ha, hb, hmod⟩ := thue_lemma x hx0
  refine ⟨a.natAbs, b.natAbs, ?_⟩
  sorry

end Prime

@[blueprint
  (statement := /-- A prime $p$ is a sum of two squares if and only if $p = 2$ or
    $p \equiv 1 \pmod{4}$. -/)
  (proofUses := [-isSumTwoSq_sq_add_sq])]
theorem prime_isSumTwoSq_iff {p : ℕ} (hp : p.Prime) :
    IsSumTwoSq p ↔ p = 2 ∨ p % 4 = 1 := by
  constructor
  · /-- An odd prime is $1$ or $3$ modulo $4$, and $3$ is excluded by
      \cref{cor:not-sum-two-sq-of-mod-four}. -/
    intro h
    rcases hp.eq_two_or_odd' with rfl | hodd
    · exact Or.inl rfl
    · have h4 : p % 4 = 1 ∨ p % 4 = 3 := by
        have := Nat.odd_iff.mp hodd
        omega
      rcases h4 with h4 | h4
      · exact Or.inr h4
      · exact absurd h (not_isSumTwoSq_of_mod_four h4)
  · rintro (rfl | h1)
    · /-- $2 = 1^2 + 1^2$. -/
      exact isSumTwoSq_sq_add_sq 1 1
    · /-- This is \cref{thm:fermat-two-squares}. -/
      haveI := Fact.mk hp
      sorry_using [prime_isSumTwoSq]

end SumTwoSquares

-- expect: 26:3 warning blueprint.definition-sorry
-- expect: 46:43 error blueprint.sorry-using
-- expect: 70:44 error blueprint.cref-unknown
