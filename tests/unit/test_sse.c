/* test_sse: the server-sent-events parser through sse.h, fed in every split. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"
#include "tap.h"

static char got[8192];
static size_t ngot;

static int
collect(const char *type, const char *data, size_t len, void *arg)
{
    (void)arg;
    ngot += (size_t)snprintf(got + ngot, sizeof got - ngot, "[%s|%.*s]", type, (int)len, data);
    return 0;
}

/* Feeds text whole, then split at every byte, then byte by byte; all must give want. */
static void
expect(const char *text, const char *want, const char *what)
{
    struct sse p;
    size_t n = strlen(text);
    bool same = true;
    sse_init(&p, 4096);
    ngot = 0;
    got[0] = '\0';
    sse_feed(&p, text, n, collect, NULL);
    is_str(got, want, "%s", what);
    sse_release(&p);
    for (size_t cut = 1; cut < n; cut++) {
        sse_init(&p, 4096);
        ngot = 0;
        got[0] = '\0';
        sse_feed(&p, text, cut, collect, NULL);
        sse_feed(&p, text + cut, n - cut, collect, NULL);
        same = same && strcmp(got, want) == 0;
        sse_release(&p);
    }
    sse_init(&p, 4096);
    ngot = 0;
    got[0] = '\0';
    for (size_t i = 0; i < n; i++)
        sse_feed(&p, text + i, 1, collect, NULL);
    same = same && strcmp(got, want) == 0;
    sse_release(&p);
    ok(same, "%s: the same in every split", what);
}

static int
stop_first(const char *type, const char *data, size_t len, void *arg)
{
    (void)type, (void)data, (void)len;
    ++*(int *)arg;
    return 1;
}

int
main(void)
{
    expect("data: {\"a\":1}\n\n", "[message|{\"a\":1}]", "one data event");
    expect("data: x\ndata: y\n\n", "[message|x\ny]", "data lines join with a newline");
    expect("event: content_block_delta\ndata: {}\n\nevent: message_stop\ndata: {}\n\n",
           "[content_block_delta|{}][message_stop|{}]", "event types (Anthropic)");
    expect("data: a\r\n\r\ndata: b\r\rdata: c\n\n", "[message|a][message|b][message|c]",
           "CRLF, CR and LF line ends");
    expect(": keep-alive\n\ndata: z\n\n", "[message|z]", "comments; a blank line after a comment "
                                                         "dispatches nothing");
    expect("data:nospace\n\n", "[message|nospace]", "no space after the colon");
    expect("data:  two\n\n", "[message| two]", "only one space is removed");
    expect("data\n\n", "[message|]", "a data field without a colon: empty data");
    expect("event: x\n\n", "", "an event without data is dropped");
    expect("id: 7\nretry: 10\nfoo: bar\ndata: q\n\n", "[message|q]", "other fields ignored");
    expect("\xEF\xBB\xBF" "data: bom\n\n", "[message|bom]", "a leading BOM is skipped");
    expect("data: [DONE]\n\n", "[message|[DONE]]", "OpenAI's end marker is data");
    expect("data: unfinished", "", "no event before its blank line");
    expect("data: ℝ ≤ 𝔽\n\n", "[message|ℝ ≤ 𝔽]", "UTF-8 passes through");

    struct sse p;
    sse_init(&p, 16);
    ngot = 0;
    is_int(sse_feed(&p, "data: 0123456789abcdef0123\n\n", 28, collect, NULL), SSE_TOO_LARGE,
           "a line over the cap");
    ok(p.failed, "failed");
    is_int(sse_feed(&p, "data: a\n\n", 9, collect, NULL), SSE_TOO_LARGE, "later bytes refused");
    is_int(ngot, 0, "nothing dispatched");
    sse_release(&p);

    int calls = 0;
    sse_init(&p, 4096);
    is_int(sse_feed(&p, "data: 1\n\ndata: 2\n\n", 18, stop_first, &calls), SSE_STOPPED,
           "the callback can stop the feed");
    is_int(calls, 1, "after one event");
    is_int(p.events, 1, "one event counted");
    sse_reset(&p);
    sse_release(&p);
    return done_testing();
}
