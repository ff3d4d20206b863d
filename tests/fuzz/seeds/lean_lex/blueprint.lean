@[simp, blueprint "lem:x"
  (statement := /-- If $x \in \{a\}$ then \cref{lem:a, lem:b } holds. -/)
  (proof := /-- By \Cref{lem:c}. { unbalanced -/)
  (title := "A \"quoted\" \\cref{lem:d} title")
  (uses := [a, "lem:label", -b, -"lem:x"])
  (latexEnv := "lemma") (hasProof := true) (discussion := 12)
  (latexEnv := "theorem")]
lemma x : True := by
  sorry

@[to_additive (attr := blueprint "thm:b" (title := /-- T -/))]
theorem b : True := trivial

@[blueprint? (statement := /-- } -/) junk]
def c : Nat := 1
