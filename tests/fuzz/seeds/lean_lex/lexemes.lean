/-! module doc /- nested -/ still -/
/-- doc with -- and /- nested -/ end -/
theorem foo₁ (x : 𝔽) (h' : x'' = ℝ) : s!"a {f "}" 1} b" = r#"x"y"# := by
  exact? -- "string" in comment
  simp! [«sorry thing», Nat.succ_le]; 'a' '\n' '\'' 0x1F 2.5 1e-3 ⟨a, b⟩ ← @[simp] #exit
"str -- not comment /- no"
