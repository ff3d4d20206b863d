/*
 * curlload: libcurl, loaded when the first HTTP client is made instead of at program start.
 *
 * Why: linking libcurl makes every process load it and its 30-odd dependencies (TLS,
 * Kerberos, LDAP, ...) before main(): about 4.5 ms here, most of `lsp-proxy check`'s budget
 * (5 ms for a 15,000-line blueprint, issue 9), for a program that needs no network in
 * `check`, `dag` or `--version`. So the build links libcurl's headers only, and http.c calls
 * libcurl through the table below, filled by dlopen() once per process. The library is
 * still libcurl, found by its soname (CURLLOAD_SONAME, default libcurl.so.4, the soname of
 * every Debian/Ubuntu libcurl4 flavour), or $LSP_PROXY_LIBCURL when set (a path or soname).
 * When it cannot be loaded, curlload_get() says why and the proxy runs without LLM agents.
 *
 * Only the functions http.c uses are here; add one by adding a member and its name in
 * curlload.c. Layer 1. Prefix curlload_ (libcurl owns curl_).
 */
#ifndef LSP_PROXY_CURLLOAD_H
#define LSP_PROXY_CURLLOAD_H

#include <curl/curl.h>
#include <stddef.h>
#include <time.h>

struct curlload {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *e);
    CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    time_t (*getdate)(const char *date, const time_t *unused);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *m);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
    CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
    CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *p);
    CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev_bitmask, int *running);
    CURLMsg *(*multi_info_read)(CURLM *m, int *msgs_in_queue);
    const char *(*multi_strerror)(CURLMcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
};

/* The table, loading libcurl on the first call. NULL when it cannot be loaded or lacks a
 * function; then err (when not NULL) gets one line saying which library and why. A failure
 * is remembered: later calls fail the same way without trying again. */
const struct curlload *curlload_get(char *err, size_t errlen);

#endif
