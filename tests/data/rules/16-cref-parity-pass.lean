import Mathlib

@[blueprint "def:base-set"
  (statement := /-- The set $S = \{n \mid 0 < n\}$. -/)
  (title := /-- Base set -/)
  (latexEnv := "definition")]
def base_set : Set ℕ := {n | 0 < n}

@[blueprint "lem:one-mem"
  (statement := /-- $1 \in S$. -/)
  (proof := /-- Unfold \cref{def:base-set}. -/)
  (title := /-- One mem -/)
  (latexEnv := "lemma")]
lemma one_mem : 1 ∈ base_set := by
  sorry

@[blueprint "lem:two-mem"
  (statement := /-- A statement. -/)
  (proof := /-- From \cref{lem:one-mem}. -/)
  (title := /-- Two mem -/)
  (latexEnv := "lemma")]
lemma two_mem : 2 ∈ base_set := by
  sorry_using [one_mem]

@[blueprint "lem:three-mem"
  (statement := /-- A statement. -/)
  (proof := /-- Direct from \cref{lem:one-mem}. -/)
  (title := /-- Three mem -/)
  (latexEnv := "lemma")]
lemma three_mem : 3 ∈ base_set := by
  simpa using one_mem

@[blueprint "thm:main"
  (statement := /-- A statement. -/)
  (proof := /-- By \Cref{lem:two-mem, lem:three-mem} and \cref{def:base-set}. -/)
  (title := /-- Main -/)
  (latexEnv := "theorem")]
theorem main : True := by
  sorry_using [two_mem, three_mem]
