# lsp-proxy: plain GNU make. `make` builds build/release; `make help` lists targets.
#
# Every src/*.c goes into build/<variant>/liblspproxy.a; the program, each test program,
# the fake peers, benches and fuzz targets link against it. New files are picked up by
# the wildcards below: adding a module or a test needs no edit here.

VARIANT  ?= release
BUILD    := build/$(VARIANT)
OBJ      := $(BUILD)/obj
CC       ?= cc
PKGS     := libcjson libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# libcurl's headers only: http.c loads the library itself when a client is made (curlload.h).
PKG_LIBS   := $(shell pkg-config --libs libcjson) -ldl
# libev linked in when its archive is installed (Debian's libev-dev has it): each shared
# library costs a process about 0.1 ms to load, and `check` is run per file in CI
# (tests/bench/README.md). Elsewhere, the shared one.
LIBEV_A  := $(shell $(CC) -print-file-name=libev.a)
ifneq ($(LIBEV_A),libev.a)
LIBEV    := -Wl,-Bstatic -lev -Wl,-Bdynamic
else
LIBEV    := -lev
endif
PREFIX   ?= /usr/local

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wwrite-strings -Wformat=2 -Wpointer-arith -Wundef -Wvla
STD  := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE

ifeq ($(VARIANT),release)
OPT := -O2 -g
else ifeq ($(VARIANT),asan)
OPT := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(VARIANT),debug)
OPT := -O0 -g
else
$(error unknown VARIANT '$(VARIANT)': release, debug or asan)
endif

CFLAGS_ALL  = $(STD) $(WARN) $(OPT) -MMD -MP -Isrc -Itests/harness $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)
LIBS        = $(PKG_LIBS) $(LIBEV) -lm $(LDLIBS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC    := $(wildcard src/*.c)
LIB_OBJ    := $(LIB_SRC:%.c=$(OBJ)/%.o)
# The agents' prompts (src/prompts/*.txt) become C strings prompt_<name> (src/prompts.h).
PROMPT_TXT := $(sort $(wildcard src/prompts/*.txt))
PROMPT_OBJ := $(OBJ)/gen/prompts.o
LIB        := $(BUILD)/liblspproxy.a
HARNESS_SRC:= $(wildcard tests/harness/*.c)
HARNESS_OBJ:= $(HARNESS_SRC:%.c=$(OBJ)/%.o)
PROG       := $(BUILD)/lsp-proxy
FAKE_LEAN_SRC := $(wildcard tests/fake_lean/*.c)
FAKE_LEAN  := $(BUILD)/fake_lean
FAKE_LLM_SRC := $(wildcard tests/fake_llm/*.c)
FAKE_LLM   := $(if $(FAKE_LLM_SRC),$(BUILD)/fake_llm)
TEST_SRC   := $(wildcard tests/unit/test_*.c tests/e2e/test_*.c tests/integration/test_*.c)
TEST_BIN   := $(TEST_SRC:%.c=$(BUILD)/%)
BENCH_SRC  := $(wildcard tests/bench/*.c)
BENCH_BIN  := $(BENCH_SRC:%.c=$(BUILD)/%)

ALL_OBJ := $(LIB_OBJ) $(HARNESS_OBJ) $(OBJ)/lsp-proxy/main.o \
           $(FAKE_LEAN_SRC:%.c=$(OBJ)/%.o) $(FAKE_LLM_SRC:%.c=$(OBJ)/%.o) \
           $(TEST_SRC:%.c=$(OBJ)/%.o) $(BENCH_SRC:%.c=$(OBJ)/%.o)

# Keep test objects (they are intermediate files of the pattern rules).
.SECONDARY:

.PHONY: all build test check asan debug valgrind-check test-editors bench fuzz lint install clean help regen
all: $(PROG) $(FAKE_LEAN) $(FAKE_LLM)

build: all $(TEST_BIN) $(BENCH_BIN)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(OBJ)/gen/prompts.c: $(PROMPT_TXT) Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q){ echo '/* generated from src/prompts/NAME.txt by the Makefile: do not edit */'; \
	  echo '#include "prompts.h"'; \
	  for f in $(PROMPT_TXT); do \
	    n=$$(basename $$f .txt); echo "const char prompt_$$n[] ="; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $$f; \
	    echo '    ;'; \
	  done; } > $@.tmp && mv $@.tmp $@

$(PROMPT_OBJ): $(OBJ)/gen/prompts.c
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(LIB): $(LIB_OBJ) $(PROMPT_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(PROG): $(OBJ)/lsp-proxy/main.o $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(FAKE_LEAN): $(FAKE_LEAN_SRC:%.c=$(OBJ)/%.o)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

ifneq ($(FAKE_LLM),)
$(FAKE_LLM): $(FAKE_LLM_SRC:%.c=$(OBJ)/%.o)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)
endif

$(BUILD)/tests/%: $(OBJ)/tests/%.o $(HARNESS_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

# The tests find the programs through these variables (tests/harness/spawn.h).
TEST_ENV = LSP_PROXY_BIN=$(abspath $(PROG)) FAKE_LEAN_BIN=$(abspath $(FAKE_LEAN)) \
           FAKE_LLM_BIN=$(abspath $(FAKE_LLM)) LSP_PROXY_SRC=$(abspath .) \
           LSP_PROXY_BUILD=$(abspath $(BUILD)) LSP_PROXY_VARIANT=$(VARIANT)

# make test: every TAP program under prove, then one plain summary line.
test: build
	$(Q)$(TEST_ENV) tests/run-tests $(TEST_BIN)

# make check: what CI runs (the README's test command): plain, then ASan+UBSan, then
# everything under valgrind (unit programs directly, the proxy in the e2e tests).
check:
	$(Q)$(MAKE) --no-print-directory test
	$(Q)$(MAKE) --no-print-directory VARIANT=asan test
	$(Q)$(MAKE) --no-print-directory valgrind-check
	$(Q)$(MAKE) --no-print-directory test-editors

asan:
	$(Q)$(MAKE) --no-print-directory VARIANT=asan test

debug:
	$(Q)$(MAKE) --no-print-directory VARIANT=debug all

# valgrind-check: every test program under valgrind (VALGRIND_TESTS=unit: unit tests only);
# e2e tests run the proxy under valgrind, which exits 99 on any error or leak.
VALGRIND_TESTS ?= all
valgrind-check: build
	$(Q)$(TEST_ENV) VALGRIND=1 tests/run-tests $(if $(filter unit,$(VALGRIND_TESTS)),$(filter $(BUILD)/tests/unit/%,$(TEST_BIN)),$(TEST_BIN))

# make test-editors: the VS Code extension (npm ci; unit tests with a stand-in vscode module;
# the DAG view in headless Chromium) and the Neovim plugin (headless Neovim, tests/nvim/run),
# both against this build's lsp-proxy, fake Lean and fake LLM. Without Chromium or Neovim
# those tests say skipped; REQUIRE_EDITORS=1 (CI) makes a missing one a failure.
REQUIRE_EDITORS ?=
test-editors: all
	$(Q)if command -v npm >/dev/null; then \
	    cd vscode-ext && npm ci --no-audit --no-fund --loglevel=error && \
	    $(TEST_ENV) npm test --silent && \
	    $(TEST_ENV) REQUIRE_BROWSER=$(REQUIRE_EDITORS) npm run --silent test:browser; \
	elif [ -n "$(REQUIRE_EDITORS)" ]; then echo "test-editors: npm is not installed" >&2; exit 1; \
	else echo "test-editors: npm is not installed: VS Code extension tests skipped"; fi
	$(Q)if [ -n "$(REQUIRE_EDITORS)" ] && ! command -v nvim >/dev/null; then \
	    echo "test-editors: nvim is not installed" >&2; exit 1; fi
	$(Q)$(TEST_ENV) tests/nvim/run

bench: build
	$(Q)$(TEST_ENV) tests/run-bench $(BENCH_BIN)

# libFuzzer targets (clang only): build/fuzz/fuzz_<name>; FUZZ_SECONDS per target.
# fuzz_router runs with -entropic=0: the router keeps state between inputs and the default
# scheduler spends most of its time on bookkeeping there (tests/bench/README.md).
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := $(STD) -Wall -Wextra -Werror -O1 -g -fsanitize=fuzzer,address,undefined \
              -Isrc -Itests/harness $(PKG_CFLAGS)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(OBJ)/gen/prompts.c
	@mkdir -p build/fuzz
	$(Q)clang $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(OBJ)/gen/prompts.c $(LIBS)
# The same targets for throughput (long runs toward millions of executions): -O2, no ASan
# (UBSan traps; the harnesses' invariants abort), about ten times the executions per second.
FUZZ_FAST_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz-fast/%)
build/fuzz-fast/%: tests/fuzz/%.c $(LIB_SRC) $(OBJ)/gen/prompts.c
	@mkdir -p build/fuzz-fast
	$(Q)clang $(STD) -Wall -Wextra -Werror -O2 -g -fsanitize=fuzzer,undefined \
	  -fsanitize-trap=undefined -Isrc -Itests/harness $(PKG_CFLAGS) -o $@ $< $(LIB_SRC) $(OBJ)/gen/prompts.c $(LIBS)
fuzz: $(FUZZ_BIN)
	$(Q)for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p build/fuzz/corpus-$$n; \
	  seeds=tests/fuzz/seeds/$${n#fuzz_}; [ -d $$seeds ] || seeds=; \
	  echo "== $$n ($(FUZZ_SECONDS) s)"; \
	  extra=; [ $$n = fuzz_router ] && extra=-entropic=0; \
	  [ $$n = fuzz_differential ] && { extra=-max_len=4096; seeds="$$seeds tests/data/rules"; }; \
	  $$f $$extra -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 build/fuzz/corpus-$$n $$seeds \
	    2>&1 | grep -E 'stat::number_of_executed_units|ERROR|crash|Done' ; done

lint:
	$(Q)tests/lint

# Rewrites the golden outputs in tests/data from the current build; review the diff.
regen:
	$(Q)VARIANT=$(VARIANT) tests/regen

# Installs the program and the lake shim (PREFIX/share/lsp-proxy/shim/lake, the directory
# to put on the editor's PATH).
install: $(PROG)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/lsp-proxy/shim
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/lsp-proxy
	install -m 755 lsp-proxy/lake-shim $(DESTDIR)$(PREFIX)/share/lsp-proxy/shim/lake

clean:
	rm -rf build

help:
	@echo "make                 build build/release/lsp-proxy (and the fake Lean server)"
	@echo "make test            build and run every test (unit, e2e, integration)"
	@echo "make asan            the same tests built with ASan+UBSan (build/asan)"
	@echo "make valgrind-check  the tests with the proxy under valgrind"
	@echo "make test-editors    the VS Code extension (npm, Chromium) and Neovim plugin tests"
	@echo "make bench           benchmarks (figures, not assertions)"
	@echo "make fuzz            libFuzzer targets, FUZZ_SECONDS each (clang)"
	@echo "make install PREFIX=/usr/local"

-include $(ALL_OBJ:.o=.d)
