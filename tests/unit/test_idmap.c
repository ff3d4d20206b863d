/* Unit tests for src/idmap.c. */
#include <stdio.h>
#include <string.h>

#include "idmap.h"
#include "tap.h"

static int drained;
static void
count(const char *k, size_t l, void *v, void *a)
{
    (void)k;
    (void)l;
    (void)v;
    (void)a;
    drained++;
}

int
main(void)
{
    struct idmap *m = idmap_new();
    static int vals[2000];
    char key[32];
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(key, sizeof key, i % 2 ? "%d" : "\"id-%d\"", i);
        idmap_put(m, key, (size_t)n, &vals[i]);
    }
    is_int(idmap_count(m), 2000, "2000 entries (grows past its first size)");
    ok(idmap_get(m, "\"id-10\"", 7) == &vals[10], "string key");
    ok(idmap_get(m, "11", 2) == &vals[11], "number key");
    ok(idmap_get(m, "10", 2) == NULL, "number 10 and string \"id-10\" differ");
    ok(idmap_take(m, "11", 2) == &vals[11] && idmap_get(m, "11", 2) == NULL, "take removes");
    ok(idmap_put(m, "13", 2, &vals[0]) == &vals[13], "put replaces and returns the old value");
    idmap_drain(m, count, NULL);
    is_int(drained, 1999, "drain visits every entry");
    is_int(idmap_count(m), 0, "empty after drain");
    idmap_free(m, NULL);
    return done_testing();
}
