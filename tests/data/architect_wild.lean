import Mathlib
import Architect

namespace Graph

@[blueprint "cond:connected"
  (statement := /-- A graph is connected when any two vertices are joined by a path. -/)]
def Connected (V : Type) : Prop := True

@[blueprint
  (statement := /-- Paths compose. -/)]
theorem path_trans : True := by
  /-- Concatenate the two paths. -/
  trivial

@[blueprint "prop:reach"
  (statement := /-- Reachability is an equivalence, see \cref{Graph.path_trans}. -/)
  (uses := [path_trans, Connected])]
theorem reach_equiv : True := by
  constructor
  · sorry_using [path_trans]
  · exact path_trans

@[blueprint "thm:components"
  (statement := /-- Components partition the vertices. -/)]
theorem components_nat : True := by
  sorry_using [reach_equiv, Graph.unknown_lemma]

@[blueprint "thm:components"
  (proofUses := [-reach_equiv])]
theorem components_int : True := reach_equiv.elim

end Graph
