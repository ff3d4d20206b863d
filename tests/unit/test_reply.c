/* test_reply: candidate extraction, refusals and Try-this suggestions (reply.h). */
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "tap.h"

static struct reply_candidate c;

static int
ex(const char *text, bool helpers)
{
    reply_candidate_release(&c);
    return reply_extract(text, strlen(text), helpers, &c);
}

static const char *
s(const char *p)
{
    return p ? p : "(null)";
}

static void
test_extract(void)
{
    is_int(ex("Here is the proof:\n```lean\nintro x\nsimp\n```\nIt works because…", true), 0,
           "a lean block");
    is_str(s(c.script), "intro x\nsimp", "its script");
    ok(c.helpers == NULL, "no helpers");
    ex("```lean\nsimp\n```\nor better:\n```lean4\nomega\n```\n", true);
    is_str(s(c.script), "omega", "the last block wins (lean4 tag)");
    ex("```\nrfl\n```\n```python\nprint(1)\n```\n", true);
    is_str(s(c.script), "rfl", "untagged fence taken, other languages skipped");
    ex("```lean\nby\n  intro x\n  simp\n```", true);
    is_str(s(c.script), "intro x\nsimp", "a leading `by` line dropped, dedented");
    ex("```lean\nby simp\n```", true);
    is_str(s(c.script), "simp", "`by simp` on one line");
    ex("1. Try:\n   ```lean\n   constructor\n   · simp\n   · omega\n   ```\n", true);
    is_str(s(c.script), "constructor\n· simp\n· omega", "an indented fence (inside a list)");
    ex("~~~lean\nexact h\n~~~", true);
    is_str(s(c.script), "exact h", "tilde fences");
    ex("```lean\r\nnorm_num\r\n```\r\n", true);
    is_str(s(c.script), "norm_num", "CRLF");
    ex("text\n```lean\nlinarith [sq_nonneg x]\n", true);
    is_str(s(c.script), "linarith [sq_nonneg x]", "an unclosed last block (truncated reply)");
    is_int(ex("no code at all", true), -1, "no block");
    is_int(ex("```lean\n\n   \n```", true), -1, "an empty block");
    is_int(ex("````lean\nsimp\n```\nstill inside\n````", true), 0, "a longer fence");
    is_str(s(c.script), "simp\n```\nstill inside", "closes only on as many backticks");

    ex("```lean\nlemma aux (n : ℕ) : 0 ≤ n := by\n  omega\n\nexact aux n\n```", true);
    is_str(s(c.helpers), "lemma aux (n : ℕ) : 0 ≤ n := by\n  omega\n", "a helper lemma first");
    is_str(s(c.script), "exact aux n", "then the script");
    ex("```lean\n@[simp]\nlemma h1 : 1 = 1 := rfl\n\n/-- doc -/\ntheorem h2 : 2 = 2 := by\n  rfl\n"
       "\nsimp [h1, h2]\n```",
       true);
    is_str(s(c.helpers), "@[simp]\nlemma h1 : 1 = 1 := rfl\n\n/-- doc -/\ntheorem h2 : 2 = 2 := by\n  rfl\n",
           "helpers with attributes and doc comments");
    is_str(s(c.script), "simp [h1, h2]", "their script");
    ex("```lean\ntheorem foo (n : ℕ) : 0 ≤ n := by\n  omega\n```", true);
    is_str(s(c.script), "omega", "the target restated: its body is the script");
    ok(c.helpers == NULL, "and no helper");
    ex("```lean\nlemma aux : True := by\n  trivial\n\ntheorem foo : True ∧ True := by\n"
       "  exact ⟨aux, aux⟩\n```",
       true);
    is_str(s(c.helpers), "lemma aux : True := by\n  trivial\n", "a helper before the restated "
                                                                  "target");
    is_str(s(c.script), "exact ⟨aux, aux⟩", "the target's body");
    ex("```lean\ntheorem foo : True := by trivial\n```", true);
    is_str(s(c.script), "trivial", "a restated one-line proof");
    ex("```lean\nlemma aux : True := trivial\n\nexact aux\n```", false);
    ok(c.helpers == NULL, "helpers not allowed: nothing split off");
    ok(strstr(s(c.script), "lemma aux") != NULL, "…they stay in the script for the refusal");
}

static void
refused(const char *script, const char *helpers, bool native, bool allow_helpers,
        const char *needle, const char *what)
{
    struct reply_candidate k = {(char *)helpers, (char *)script};
    char *why = reply_refusal(&k, native, allow_helpers);
    if (needle == NULL) {
        ok(why == NULL, "%s (accepted)", what);
        if (why)
            printf("# refusal: %s\n", why);
    } else {
        ok(why && strstr(why, needle), "%s: %s", what, why ? why : "(accepted)");
    }
    free(why);
}

static void
test_refusal(void)
{
    refused("intro x\nsimp", NULL, false, true, NULL, "a plain script");
    refused("intro x\nsorry", NULL, false, true, "`sorry` (line 2)", "sorry");
    refused("admit", NULL, false, true, "`admit`", "admit");
    refused("sorry_using [a]", NULL, false, true, "`sorry_using`", "sorry_using");
    refused("-- no sorry here\nexact \"sorry\"", NULL, false, true, NULL,
            "sorry in a comment and a string");
    refused("exact «sorry».x", NULL, false, true, NULL, "«sorry» is a name");
    refused("decide\nnative_decide", NULL, false, true, "`native_decide`", "native_decide");
    refused("native_decide", NULL, true, true, NULL, "native_decide when allowed");
    refused("simp\ntheorem other : True := trivial", NULL, false, true, "new command `theorem`",
            "a declaration in the script");
    refused("exact foo\nend", NULL, false, true, "`end`", "end in the script");
    refused("exact aux", "lemma aux : True := by\n  sorry\n", false, true, "helper lemma uses "
                                                                            "`sorry`",
            "sorry in a helper");
    refused("exact aux", "axiom aux : False\n", false, true, "`axiom`", "an axiom helper");
    refused("exact aux", "lemma aux : True := trivial\n", false, false, "not allowed",
            "helpers when not allowed");
    refused("exact aux", "lemma aux : True := trivial\n", false, true, NULL, "a good helper");
    refused("  \n", NULL, false, true, "no tactic script", "an empty script");
}

static void
test_try_this(void)
{
    char *t = reply_try_this("Try this: exact Nat.le_refl n", 29);
    is_str(s(t), "exact Nat.le_refl n", "Try this: T");
    free(t);
    const char *m = "Try this: [apply] simp only [foo, bar] at h\n";
    t = reply_try_this(m, strlen(m));
    is_str(s(t), "simp only [foo, bar] at h", "the [apply] label removed");
    free(t);
    m = "Try these:\n• exact a\n• exact b";
    t = reply_try_this(m, strlen(m));
    is_str(s(t), "exact a", "Try these: the first");
    free(t);
    m = "Try this: refine ⟨?_, ?_⟩\n  · simp\n  · omega";
    t = reply_try_this(m, strlen(m));
    is_str(s(t), "refine ⟨?_, ?_⟩\n  · simp\n  · omega", "multi-line kept");
    free(t);
    ok(reply_try_this("unsolved goals", 14) == NULL, "no suggestion");
    ok(reply_try_this("Try this:   ", 12) == NULL, "an empty suggestion");
}

int
main(void)
{
    test_extract();
    test_refusal();
    test_try_this();
    reply_candidate_release(&c);
    return done_testing();
}
