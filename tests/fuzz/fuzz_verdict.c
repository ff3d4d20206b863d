/*
 * fuzz_verdict: the reviewer's reply parser (verdict.h) on arbitrary text. Invariants, not
 * only crashes: a success has a known verdict, "unfaithful" comes with 1 to
 * VERDICT_MAX_FINDINGS findings and "faithful" with none (nothing dropped either), every
 * finding has a known category and a non-blank explanation within the cap, its texts are
 * valid UTF-8, and verdict_to_json() reads back to the same verdict; a failure always says
 * why, on one line, and leaves nothing to release.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textfile.h"
#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, bool may_be_null)
{
    if (s == NULL) {
        if (!may_be_null)
            abort();
        return;
    }
    size_t n = strlen(s);
    if (n == 0 || n > VERDICT_MAX_TEXT + 3 || textfile_invalid_utf8(s, n) != n ||
        strchr(" \t\r\n", s[0]) || strchr(" \t\r\n", s[n - 1]))
        abort();
}

static bool
same(const struct verdict *a, const struct verdict *b)
{
    if (a->faithful != b->faithful || a->nfindings != b->nfindings)
        return false;
    for (size_t i = 0; i < a->nfindings; i++) {
        const struct verdict_finding *x = &a->findings[i], *y = &b->findings[i];
        if (x->category != y->category || strcmp(x->explanation, y->explanation) != 0 ||
            !x->suggestion != !y->suggestion ||
            (x->suggestion && strcmp(x->suggestion, y->suggestion) != 0))
            return false;
    }
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct verdict v;
    char err[VERDICT_ERR_MAX];
    if (verdict_parse((const char *)data, size, &v, err, sizeof err) < 0) {
        if (err[0] == '\0' || strchr(err, '\n') || v.findings != NULL || v.nfindings != 0)
            abort();
        return 0;
    }
    if (v.faithful ? v.nfindings != 0 || v.dropped != 0
                   : v.nfindings == 0 || v.nfindings > VERDICT_MAX_FINDINGS ||
                         (v.dropped && v.nfindings != VERDICT_MAX_FINDINGS))
        abort();
    for (size_t i = 0; i < v.nfindings; i++) {
        const struct verdict_finding *f = &v.findings[i];
        if ((unsigned)f->category >= VERDICT_NCATEGORIES)
            abort();
        check_text(f->explanation, false);
        check_text(f->suggestion, true);
    }
    /* the canonical JSON reads back to the same verdict */
    char *j = verdict_to_json(&v);
    struct verdict w;
    if (verdict_parse(j, strlen(j), &w, err, sizeof err) < 0 || !same(&v, &w))
        abort();
    verdict_release(&w);
    free(j);
    verdict_release(&v);
    return 0;
}
