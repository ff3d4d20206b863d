/*
 * fuzz_verdict: the reviewer's reply parser (verdict.h) on arbitrary text. Invariants, not
 * only crashes: a success has a known verdict, "unfaithful" comes with 1 to
 * VERDICT_MAX_FINDINGS findings and "faithful" with none, every finding has a known
 * category and a non-empty explanation within the cap; a failure always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct verdict v;
    char err[256];
    if (verdict_parse((const char *)data, size, &v, err, sizeof err) < 0) {
        if (err[0] == '\0' || v.findings != NULL || v.nfindings != 0)
            abort();
        return 0;
    }
    if (v.faithful ? v.nfindings != 0 : (v.nfindings == 0 || v.nfindings > VERDICT_MAX_FINDINGS))
        abort();
    for (size_t i = 0; i < v.nfindings; i++) {
        const struct verdict_finding *f = &v.findings[i];
        if ((unsigned)f->category >= VERDICT_NCATEGORIES || f->explanation == NULL ||
            f->explanation[0] == '\0' || strlen(f->explanation) > VERDICT_MAX_TEXT + 3)
            abort();
        if (f->suggestion && (f->suggestion[0] == '\0' || strlen(f->suggestion) > VERDICT_MAX_TEXT + 3))
            abort();
    }
    verdict_release(&v);
    return 0;
}
