import Mathlib

/-! Weighted tail bounds: a small strict blueprint with every status and a few contract
faults left in on purpose (the golden findings). -/

@[blueprint "def:weight"
  (statement := /-- The weight $w(n) = \sum_{k \le n} k^2$. -/)
  (title := /-- Weight -/)
  (latexEnv := "definition")]
def weight (n : ℕ) : ℕ := ∑ k ∈ Finset.range (n + 1), k ^ 2

@[blueprint "lem:weight-zero"
  (statement := /-- $w(0) = 0$. -/)
  (proof := /-- Unfold \cref{def:weight}. -/)
  (title := /-- Weight at zero -/)
  (latexEnv := "lemma")]
lemma weight_zero : weight 0 = 0 := by
  simp [weight]

@[blueprint "lem:weight-mono"
  (statement := /-- $w$ is monotone. -/)
  (proof := /-- Induction, using \cref{lem:weight-zero}. -/)
  (title := /-- Monotone -/)
  (latexEnv := "lemma")]
lemma weight_mono : Monotone weight := by
  sorry_using [weight_zero]

@[blueprint "lem:weight-pos"
  (statement := /-- $w(n) > 0$ for $n > 0$. -/)
  (proof := /-- From \cref{lem:weight-mono}. -/)
  (title := /-- Positive -/)
  (latexEnv := "lemma")]
lemma weight_positive (n : ℕ) (hn : 0 < n) : 0 < weight n := by
  sorry

@[blueprint "lem:weight-tail"
  (statement := /-- The tail bound $w(n) \le n^3$. -/)
  (proof := /-- Compare termwise. -/)
  (title := /-- Tail -/)
  (latexEnv := "lemma")]
lemma weight_tail (n : ℕ) : weight n ≤ n ^ 3 := by
  sorry

@[blueprint "thm:weighted-tail-bound"
  (statement := /-- $0 < w(n) \le n^3$ for $n > 0$. -/)
  (proof := /-- Combine \cref{lem:weight-pos} and \cref{lem:weight-mono}. -/)
  (title := /-- Weighted tail bound -/)
  (latexEnv := "theorem")]
theorem weighted_tail_bound (n : ℕ) (hn : 0 < n) : 0 < weight n ∧ weight n ≤ n ^ 3 := by
  sorry_using [weight_positive, weight_mono]
