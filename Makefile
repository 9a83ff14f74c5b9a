# ctoframe — build, run, test.
#
#   make            build build/ctoframe
#   make run        install what is missing, build, serve on 127.0.0.1:8080
#   make test       install what is missing, build, run every suite (also under ASan+UBSan)
#   make lint       clang-format check, cppcheck, banned functions, clang warnings
#   make san        the sanitizer build in build/san/
#   make bench      HTTP benchmark against nginx (writes BENCHMARKS.md)
#
# Objects go to $(BUILD)/obj, the program to $(BUILD)/ctoframe. Every .c under src/
# is compiled (no list to keep); every tests/unit/test_*.c becomes a test binary.

BUILD   ?= build
CC      ?= cc
PKGS    := libmicrohttpd sqlite3 jansson libsodium libpq libcurl
TESTPKGS := cmocka

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Werror
CSTD    := -std=c17 -D_DEFAULT_SOURCE -D_GNU_SOURCE
OPT     ?= -O2 -g
SANFLAGS :=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1 -g
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TESTPKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

CFLAGS  += $(CSTD) $(OPT) $(WARN) $(SANFLAGS) $(EXTRA_CFLAGS) -Isrc $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

SRCS    := $(shell find src -name '*.c' ! -path 'src/main.c' | sort)
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
GENMIG  := $(BUILD)/gen/migrations.c
OBJS    := $(SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o
MAINOBJ := $(BUILD)/obj/src/main.o
LIB     := $(BUILD)/libctoframe.a
BIN     := $(BUILD)/ctoframe

TESTSRCS := $(sort $(wildcard tests/unit/test_*.c))
TESTBINS := $(TESTSRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZSRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all run test unit lint format san bench clean bootstrap fuzz

# `make V=1` shows the full compiler command lines.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1) $(2)"
endif

all: $(BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(GENMIG): $(MIGRATIONS) scripts/embed-migrations
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)scripts/embed-migrations $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/migrations.o: $(GENMIG)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BIN): $(MAINOBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(MAINOBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(TEST_CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS) $(TEST_LIBS)

unit: $(TESTBINS)

bootstrap:
	@scripts/bootstrap

run: bootstrap
	@$(MAKE) --no-print-directory all
	@mkdir -p var
	CTOFRAME_PUBLIC_URL=$${CTOFRAME_PUBLIC_URL:-http://127.0.0.1:$${PORT:-8080}} \
	$(BIN) serve --host 127.0.0.1 --port $${PORT:-8080} --db $${CTOFRAME_DB:-var/ctoframe.db}

test:
	@scripts/bootstrap test
	@scripts/test

san:
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 CC=$${SANCC:-clang} all unit

lint:
	@scripts/lint

# libFuzzer harnesses (clang): build/fuzz/fuzz_NAME; run e.g.
#   mkdir -p build/fuzz/corpus && build/fuzz/fuzz_case -max_total_time=60 build/fuzz/corpus data/frameworks
# (libFuzzer writes new inputs into the first directory: never name a source folder first)
fuzz:
	@$(MAKE) --no-print-directory BUILD=build/fuzz SAN=1 CC=clang \
	    EXTRA_CFLAGS=-fsanitize=fuzzer-no-link build/fuzz/libctoframe.a
	@for f in $(FUZZSRCS); do n=$$(basename $$f .c); echo "  FUZZ build/fuzz/$$n"; \
	    clang $(CSTD) -O1 -g -Isrc $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    -o build/fuzz/$$n $$f build/fuzz/libctoframe.a $(PKG_LIBS) -lpthread -lm || exit 1; done

format:
	clang-format -i $$(find src tests/unit tests/fuzz -name '*.[ch]')

bench: bootstrap
	@$(MAKE) --no-print-directory all
	@bench/http

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(MAINOBJ:.o=.d) $(TESTBINS:=.d)
