import Mathlib
import Architect

/-!
# Infinitely many primes congruent to 3 modulo 4

A blueprint in the LeanMarathon contract. The argument is Euclid's: the number
`4 * n! - 1` is congruent to 3 modulo 4, so it has a prime factor congruent to 3 modulo 4,
and no prime up to `n` divides it. Definitions come first, then the residue lemmas about
odd numbers and products, then the Euclid number, and the theorem last.
-/

@[blueprint "def:one-mod-four"
  (statement := /-- A natural number $n$ is \emph{one modulo four} when
    $n \equiv 1 \pmod{4}$. -/)
  (title := /-- Numbers congruent to one modulo four -/)
  (latexEnv := "definition")]
def one_mod_four (n : ℕ) : Prop :=
  n ≡ 1 [MOD 4]

@[blueprint "def:three-mod-four"
  (statement := /-- A natural number $n$ is \emph{three modulo four} when
    $n \equiv 3 \pmod{4}$. -/)
  (title := /-- Numbers congruent to three modulo four -/)
  (latexEnv := "definition")]
def three_mod_four (n : ℕ) : Prop :=
  n ≡ 3 [MOD 4]

@[blueprint "def:euclid-number"
  (statement := /-- For $n \in \mathbb{N}$ the \emph{Euclid number} of $n$ is
    $E_n = 4 \cdot n! - 1$. -/)
  (title := /-- The Euclid number $4 \cdot n! - 1$ -/)
  (latexEnv := "definition")]
def euclid_number (n : ℕ) : ℕ :=
  4 * n.factorial - 1

@[blueprint "lem:mod-four-of-odd"
  (statement := /-- If $n$ is odd, then $n$ is one modulo four (\cref{def:one-mod-four}) or
    three modulo four (\cref{def:three-mod-four}). -/)
  (proof := /-- The residue of $n$ modulo $4$ is one of $0, 1, 2, 3$. The residues $0$ and $2$
    are even, and $n$ is odd, so only $1$ and $3$ remain. -/)
  (title := /-- Odd residues modulo four -/)
  (latexEnv := "lemma")]
lemma mod_four_of_odd {n : ℕ} (hn : n % 2 = 1) :
    one_mod_four n ∨ three_mod_four n := by
  unfold one_mod_four three_mod_four Nat.ModEq
  omega

@[blueprint "lem:odd-prime-mod-four"
  (statement := /-- Every prime $p \neq 2$ is one or three modulo four. -/)
  (proof := /-- A prime other than $2$ is odd, so \cref{lem:mod-four-of-odd} applies. -/)
  (title := /-- Odd primes modulo four -/)
  (latexEnv := "lemma")]
lemma odd_prime_mod_four {p : ℕ} (hp : p.Prime) (h2 : p ≠ 2) :
    one_mod_four p ∨ three_mod_four p := by
  have hodd : p % 2 = 1 := Nat.odd_iff.mp (hp.odd_of_ne_two h2)
  exact mod_four_of_odd hodd

@[blueprint "lem:mul-one-mod-four"
  (statement := /-- If $a \equiv 1 \pmod{4}$ and $b \equiv 1 \pmod{4}$, then
    $a b \equiv 1 \pmod{4}$. -/)
  (proof := /-- Congruences modulo $4$ multiply: $a b \equiv 1 \cdot 1 = 1 \pmod{4}$. -/)
  (title := /-- Products of numbers that are one modulo four -/)
  (latexEnv := "lemma")]
lemma mul_one_mod_four {a b : ℕ} (ha : one_mod_four a) (hb : one_mod_four b) :
    one_mod_four (a * b) := by
  unfold one_mod_four at *
  simpa using Nat.ModEq.mul ha hb

@[blueprint "lem:prod-one-mod-four"
  (statement := /-- The product of a finite list of natural numbers, each one modulo four, is
    one modulo four: if $q \equiv 1 \pmod{4}$ for all $q \in \ell$, then
    $\prod_{q \in \ell} q \equiv 1 \pmod{4}$. -/)
  (proof := /-- Induction on the list $\ell$. The empty product is $1$. For $\ell = a :: \ell'$
    the product is $a \cdot \prod \ell'$, and \cref{lem:mul-one-mod-four} applies to $a$ and to
    the product over $\ell'$, which is one modulo four by the induction hypothesis. -/)
  (title := /-- Finite products of numbers that are one modulo four -/)
  (latexEnv := "lemma")]
lemma prod_one_mod_four (l : List ℕ) (h : ∀ q ∈ l, one_mod_four q) :
    one_mod_four l.prod := by
  induction l with
  | nil =>
    simp [one_mod_four, Nat.ModEq]
  | cons a l ih =>
    rw [List.prod_cons]
    apply mul_one_mod_four (h a List.mem_cons_self)
    exact ih fun q hq => h q (List.mem_cons_of_mem a hq)

@[blueprint "lem:three-mod-four-odd"
  (statement := /-- A number that is three modulo four is odd. -/)
  (proof := /-- If $n = 4k + 3$ then $n = 2(2k + 1) + 1$. -/)
  (title := /-- Three modulo four implies odd -/)
  (latexEnv := "lemma")]
lemma three_mod_four_odd {n : ℕ} (h : three_mod_four n) : n % 2 = 1 := by
  unfold three_mod_four Nat.ModEq at h
  omega

@[blueprint "lem:prime-factor-of-odd-ne-two"
  (statement := /-- If $p \mid m$ and $m$ is odd, then $p \neq 2$. -/)
  (proof := /-- If $p = 2$, then $2 \mid m$, which contradicts $m$ being odd. -/)
  (title := /-- Divisors of odd numbers are not two -/)
  (latexEnv := "lemma")]
lemma prime_factor_of_odd_ne_two {p m : ℕ} (hpm : p ∣ m) (hm : m % 2 = 1) : p ≠ 2 := by
  sorry

@[blueprint "lem:prod-prime-factors-one-mod-four"
  (statement := /-- Let $m \neq 0$. If every prime factor of $m$ is one modulo four, then so
    is $m$. -/)
  (proof := /-- By the fundamental theorem of arithmetic, $m$ is the product of the list of its
    prime factors, counted with multiplicity. Apply \cref{lem:prod-one-mod-four} to that
    list. -/)
  (title := /-- Numbers all of whose prime factors are one modulo four -/)
  (latexEnv := "lemma")]
lemma prod_prime_factors_one_mod_four {m : ℕ} (hm : m ≠ 0)
    (h : ∀ p ∈ m.primeFactorsList, one_mod_four p) : one_mod_four m := by
  sorry_using [prod_one_mod_four]

@[blueprint "lem:exists-prime-factor-three-mod-four"
  (statement := /-- If $m \equiv 3 \pmod{4}$, then $m$ has a prime factor $p$ with
    $p \equiv 3 \pmod{4}$: $\exists p \text{ prime},\ p \mid m \wedge p \equiv 3 \pmod{4}$. -/)
  (proof := /-- Since $m \equiv 3 \pmod{4}$, $m$ is odd (\cref{lem:three-mod-four-odd}); in
    particular $m \neq 0$, and no prime factor of $m$ equals $2$
    (\cref{lem:prime-factor-of-odd-ne-two}). Each prime factor of $m$ is therefore one or three
    modulo four by \cref{lem:odd-prime-mod-four}. If all of them were one modulo four, then
    $m$ would be one modulo four by \cref{lem:prod-prime-factors-one-mod-four}, which
    contradicts $m \equiv 3 \pmod{4}$. -/)
  (title := /-- A prime factor congruent to three modulo four -/)
  (latexEnv := "lemma")]
lemma exists_prime_factor_three_mod_four {m : ℕ} (hm : three_mod_four m) :
    ∃ p, p.Prime ∧ p ∣ m ∧ three_mod_four p := by
  sorry_using [odd_prime_mod_four, three_mod_four_odd, prime_factor_of_odd_ne_two, prod_prime_factors_one_mod_four]

@[blueprint "lem:euclid-number-mod-four"
  (statement := /-- For every $n$, the Euclid number $E_n$ of \cref{def:euclid-number} is three
    modulo four. -/)
  (proof := /-- Since $n! \geq 1$, we have $E_n = 4 \cdot n! - 1 = 4 (n! - 1) + 3$. -/)
  (title := /-- The Euclid number is three modulo four -/)
  (latexEnv := "lemma")]
lemma euclid_number_mod_four (n : ℕ) : three_mod_four (euclid_number n) := by
  sorry

@[blueprint "lem:prime-dvd-factorial"
  (statement := /-- If $p$ is prime and $p \leq n$, then $p \mid n!$. -/)
  (proof := /-- The factor $p$ occurs in $n! = 1 \cdot 2 \cdots n$ because $1 \leq p \leq n$. -/)
  (title := /-- Small primes divide the factorial -/)
  (latexEnv := "lemma")]
lemma prime_dvd_factorial {p n : ℕ} (hp : p.Prime) (hpn : p ≤ n) : p ∣ n.factorial := by
  exact Nat.dvd_factorial hp.pos hpn

@[blueprint "lem:not-dvd-euclid-number"
  (statement := /-- If $p$ is prime and $p \leq n$, then $p \nmid E_n$. -/)
  (proof := /-- By \cref{lem:prime-dvd-factorial}, $p \mid n!$, hence $p \mid 4 \cdot n!$. If
    also $p \mid E_n = 4 \cdot n! - 1$, then $p$ divides the difference $1$, which is
    impossible for a prime. -/)
  (title := /-- Small primes do not divide the Euclid number -/)
  (latexEnv := "lemma")]
lemma not_dvd_euclid_number {p n : ℕ} (hp : p.Prime) (hpn : p ≤ n) :
    ¬ p ∣ euclid_number n := by
  intro hdvd
  have h1 : p ∣ 4 * n.factorial := Dvd.dvd.mul_left (prime_dvd_factorial hp hpn) 4
  have h2 : 4 * n.factorial - euclid_number n = 1 := by
    unfold euclid_number
    have := Nat.factorial_pos n
    omega
  have h3 : p ∣ 1 := h2 ▸ Nat.dvd_sub' h1 hdvd
  exact hp.one_lt.ne' (Nat.dvd_one.mp h3)

@[blueprint "lem:prime-factor-gt"
  (statement := /-- Every prime factor $p$ of $E_n$ satisfies $n < p$. -/)
  (proof := /-- Otherwise $p \leq n$, and \cref{lem:not-dvd-euclid-number} says that $p$ does
    not divide $E_n$. -/)
  (title := /-- Prime factors of the Euclid number are large -/)
  (latexEnv := "lemma")]
lemma prime_factor_gt {p n : ℕ} (hp : p.Prime) (hdvd : p ∣ euclid_number n) : n < p := by
  sorry_using [not_dvd_euclid_number]

@[blueprint "lem:large-prime-factor"
  (statement := /-- For every $n \in \mathbb{N}$ there is a prime $p > n$ with
    $p \equiv 3 \pmod{4}$. -/)
  (proof := /-- The Euclid number $E_n$ is three modulo four by
    \cref{lem:euclid-number-mod-four}, so it has a prime factor $p \equiv 3 \pmod{4}$ by
    \cref{lem:exists-prime-factor-three-mod-four}, and $n < p$ by
    \cref{lem:prime-factor-gt}. -/)
  (title := /-- Arbitrarily large primes congruent to three modulo four -/)
  (latexEnv := "lemma")]
lemma large_prime_factor (n : ℕ) : ∃ p, n < p ∧ p.Prime ∧ three_mod_four p := by
  sorry_using [euclid_number_mod_four, exists_prime_factor_three_mod_four, prime_factor_gt]

@[blueprint "thm:infinitely-many-primes-three-mod-four"
  (statement := /-- There are infinitely many primes $p$ with $p \equiv 3 \pmod{4}$: the set
    $\{p \in \mathbb{N} : p \text{ prime},\ p \equiv 3 \pmod{4}\}$ is infinite. -/)
  (proof := /-- A set of natural numbers containing an element above every bound is infinite,
    and \cref{lem:large-prime-factor} provides such an element for each bound $n$. -/)
  (title := /-- Infinitely many primes congruent to three modulo four -/)
  (latexEnv := "theorem")]
theorem infinitely_many_primes_three_mod_four :
    {p : ℕ | p.Prime ∧ p ≡ 3 [MOD 4]}.Infinite := by
  refine Set.infinite_of_forall_exists_gt fun n => ?_
  obtain ⟨p, hnp, hp, h3⟩ := large_prime_factor n
  exact ⟨p, ⟨hp, h3⟩, hnp⟩
