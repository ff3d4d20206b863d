/*
 * gen_golden: rewrites the expected outputs of golden inputs. For each FILE.lean argument it
 * writes FILE.dag.json and FILE.check.txt beside it, rendered as tests/unit/golden.h says.
 * Run through tests/regen (make regen); review the diff before committing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/golden.h"

static int
write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t n = strlen(s);
    int rc = fwrite(s, 1, n, f) == n ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

int
main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        size_t len, pl = strlen(argv[i]);
        if (pl < 6 || strcmp(argv[i] + pl - 5, ".lean") != 0) {
            fprintf(stderr, "gen_golden: %s: not a .lean file\n", argv[i]);
            rc = 2;
            continue;
        }
        char *text = golden_read(argv[i], &len);
        if (text == NULL) {
            fprintf(stderr, "gen_golden: cannot read %s\n", argv[i]);
            rc = 2;
            continue;
        }
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        char *dag, *check, out[8192];
        golden_render(text, len, base, &dag, &check);
        snprintf(out, sizeof out, "%.*s.dag.json", (int)(pl - 5), argv[i]);
        if (write_file(out, dag) != 0) {
            fprintf(stderr, "gen_golden: cannot write %s\n", out);
            rc = 2;
        }
        snprintf(out, sizeof out, "%.*s.check.txt", (int)(pl - 5), argv[i]);
        if (write_file(out, check) != 0) {
            fprintf(stderr, "gen_golden: cannot write %s\n", out);
            rc = 2;
        }
        free(dag);
        free(check);
        free(text);
    }
    return rc;
}
