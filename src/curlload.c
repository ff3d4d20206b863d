/* curlload: libcurl through dlopen() (see curlload.h for why). */
#include "curlload.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CURLLOAD_SONAME
#define CURLLOAD_SONAME "libcurl.so.4"
#endif

static struct curlload curlload_table;
static bool curlload_tried;
static bool curlload_ok;
static char curlload_why[512];

/* Member offset and symbol name, in the order of struct curlload. */
#define F(member, symbol) {offsetof(struct curlload, member), symbol}
static const struct {
    size_t offset;
    const char *symbol;
} curlload_symbols[] = {
    F(global_init, "curl_global_init"),
    F(global_cleanup, "curl_global_cleanup"),
    F(easy_init, "curl_easy_init"),
    F(easy_cleanup, "curl_easy_cleanup"),
    F(easy_setopt, "curl_easy_setopt"),
    F(easy_getinfo, "curl_easy_getinfo"),
    F(easy_strerror, "curl_easy_strerror"),
    F(getdate, "curl_getdate"),
    F(multi_init, "curl_multi_init"),
    F(multi_cleanup, "curl_multi_cleanup"),
    F(multi_add_handle, "curl_multi_add_handle"),
    F(multi_remove_handle, "curl_multi_remove_handle"),
    F(multi_setopt, "curl_multi_setopt"),
    F(multi_assign, "curl_multi_assign"),
    F(multi_socket_action, "curl_multi_socket_action"),
    F(multi_info_read, "curl_multi_info_read"),
    F(multi_strerror, "curl_multi_strerror"),
    F(slist_append, "curl_slist_append"),
    F(slist_free_all, "curl_slist_free_all"),
};
#undef F

static void
curlload_load(void)
{
    const char *name = getenv("LSP_PROXY_LIBCURL");
    if (name == NULL || *name == '\0')
        name = CURLLOAD_SONAME;
    /* Never dlclose()d: libcurl stays for the life of the process, as if linked. */
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *e = dlerror();
        snprintf(curlload_why, sizeof curlload_why,
                 "cannot load libcurl (%s): %s; install libcurl4 (apt-get install libcurl4)", name,
                 e ? e : "unknown error");
        return;
    }
    for (size_t i = 0; i < sizeof curlload_symbols / sizeof curlload_symbols[0]; i++) {
        void *sym = dlsym(lib, curlload_symbols[i].symbol);
        if (sym == NULL) {
            snprintf(curlload_why, sizeof curlload_why, "%s has no %s: libcurl 7.66 or later is needed",
                     name, curlload_symbols[i].symbol);
            return;
        }
        /* POSIX guarantees a function address survives the trip through void *; memcpy keeps
         * C11 compilers quiet about converting an object pointer to a function pointer. */
        memcpy((char *)&curlload_table + curlload_symbols[i].offset, &sym, sizeof sym);
    }
    curlload_ok = true;
}

const struct curlload *
curlload_get(char *err, size_t errlen)
{
    if (!curlload_tried) {
        curlload_tried = true;
        curlload_load();
    }
    if (!curlload_ok && err && errlen)
        snprintf(err, errlen, "%s", curlload_why);
    return curlload_ok ? &curlload_table : NULL;
}
