/* test_llm_parse: the reply parsers of llm.h on the providers' real shapes and on junk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "llm.h"
#include "tap.h"

static struct buf text;
static long tin, tout;
static char err[320];

static int
ev(enum llm_provider p, const char *type, const char *data)
{
    return llm_parse_stream_event(p, type, data, strlen(data), &text, &tin, &tout, err,
                                  sizeof err);
}

static int
whole(enum llm_provider p, const char *body)
{
    buf_reset(&text);
    tin = tout = 0;
    err[0] = '\0';
    return llm_parse_reply(p, body, strlen(body), &text, &tin, &tout, err, sizeof err);
}

int
main(void)
{
    buf_init(&text, 1 << 20);

    /* OpenAI-compatible stream (chat.completion.chunk) */
    is_int(ev(LLM_PROVIDER_OPENAI, "message",
              "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
              "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"),
           0, "role chunk");
    is_int(ev(LLM_PROVIDER_OPENAI, "message",
              "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"```lean\\n\"}}]}"),
           0, "content chunk");
    ev(LLM_PROVIDER_OPENAI, "message",
       "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"simp\\n```\"},"
       "\"finish_reason\":\"stop\"}]}");
    is_int(ev(LLM_PROVIDER_OPENAI, "message",
              "{\"choices\":[],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":7}}"),
           0, "usage chunk");
    is_int(ev(LLM_PROVIDER_OPENAI, "message", "[DONE]"), 1, "[DONE] ends the stream");
    is_str(text.data, "```lean\nsimp\n```", "text reassembled");
    is_int(tin, 120, "prompt tokens");
    is_int(tout, 7, "completion tokens");
    is_int(ev(LLM_PROVIDER_OPENAI, "message", "{\"error\":{\"message\":\"overloaded\"}}"), -1,
           "an error object mid-stream");
    is_str(err, "the endpoint reported an error: overloaded", "its message");
    is_int(ev(LLM_PROVIDER_OPENAI, "message", "not json"), -1, "garbage event");
    is_int(ev(LLM_PROVIDER_OPENAI, "message", "{\"foo\":1}"), -1, "an object of another API");

    /* Anthropic stream */
    buf_reset(&text);
    tin = tout = 0;
    is_int(ev(LLM_PROVIDER_ANTHROPIC, "message_start",
              "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":"
              "25,\"output_tokens\":1}}}"),
           0, "message_start");
    ev(LLM_PROVIDER_ANTHROPIC, "content_block_start",
       "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
       "\"text\":\"\"}}");
    ev(LLM_PROVIDER_ANTHROPIC, "ping", "{\"type\": \"ping\"}");
    ev(LLM_PROVIDER_ANTHROPIC, "content_block_delta",
       "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
       "\"text\":\"Hello\"}}");
    ev(LLM_PROVIDER_ANTHROPIC, "content_block_delta",
       "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
       "\"text\":\" ℝ\"}}");
    ev(LLM_PROVIDER_ANTHROPIC, "message_delta",
       "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":"
       "{\"output_tokens\":15}}");
    is_int(ev(LLM_PROVIDER_ANTHROPIC, "message_stop", "{\"type\":\"message_stop\"}"), 1,
           "message_stop ends the stream");
    is_str(text.data, "Hello ℝ", "Anthropic text");
    is_int(tin, 25, "input tokens");
    is_int(tout, 15, "output tokens (message_delta)");
    is_int(ev(LLM_PROVIDER_ANTHROPIC, "error",
              "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
              "\"Overloaded\"}}"),
           -1, "Anthropic error event");

    /* whole replies */
    is_int(whole(LLM_PROVIDER_OPENAI,
                 "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"rfl\"}}],"
                 "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}"),
           0, "OpenAI whole reply");
    is_str(text.data, "rfl", "its text");
    is_int(tin + tout, 4, "its usage");
    is_int(whole(LLM_PROVIDER_ANTHROPIC,
                 "{\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\","
                 "\"text\":\"b\"}],\"usage\":{\"input_tokens\":9,\"output_tokens\":2}}"),
           0, "Anthropic whole reply");
    is_str(text.data, "ab", "text blocks joined");
    is_int(whole(LLM_PROVIDER_OPENAI, "<html>502 Bad Gateway</html>"), -1, "HTML body");
    ok(strstr(err, "not JSON") != NULL, "says it is not JSON");
    is_int(whole(LLM_PROVIDER_OPENAI, "{\"choices\":[]}"), -1, "no choices");
    is_int(whole(LLM_PROVIDER_ANTHROPIC, "{\"content\":[]}"), -1, "no text block");
    is_int(whole(LLM_PROVIDER_OPENAI, "{\"error\":\"bad key\"}"), -1, "error string");
    is_str(err, "the endpoint reported an error: bad key", "its message");
    is_int(whole(LLM_PROVIDER_OPENAI, "{\"choices\":[{\"message\":{\"content\""), -1,
           "truncated JSON");
    is_int(whole(LLM_PROVIDER_OPENAI, ""), -1, "empty body");

    {
        /* bodies are not NUL-terminated: the message quotes at most len bytes (ASan) */
        char *raw = malloc(3);
        memcpy(raw, "abc", 3);
        buf_reset(&text);
        is_int(llm_parse_reply(LLM_PROVIDER_OPENAI, raw, 3, &text, &tin, &tout, err, sizeof err),
               -1, "an unterminated short body");
        is_str(err, "the reply is not JSON: abc", "quoted within its length");
        is_int(llm_parse_stream_event(LLM_PROVIDER_OPENAI, "message", raw, 2, &text, &tin, &tout,
                                      err, sizeof err),
               -1, "an unterminated short event");
        is_str(err, "the stream carried an event that is not JSON: ab", "quoted within its length");
        free(raw);
    }

    enum llm_provider pr;
    ok(llm_provider_parse("anthropic", &pr) == 0 && pr == LLM_PROVIDER_ANTHROPIC, "parse");
    ok(llm_provider_parse("gemini", &pr) < 0, "unknown provider refused");
    is_str(llm_provider_name(LLM_PROVIDER_OPENAI), "openai", "name");
    buf_release(&text);
    return done_testing();
}
