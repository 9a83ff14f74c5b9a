# ctoframe — build, run, test.
#
#   make            build build/ctoframe
#   make run        install what is missing, build, serve on 127.0.0.1:8080
#   make test       install what is missing, build, run every suite (also under ASan+UBSan,
#                   ThreadSanitizer and briefly every fuzz harness)
#   make lint       clang-format check, cppcheck, banned functions, clang warnings
#   make san        the ASan+UBSan build in build/san/
#   make tsan       the ThreadSanitizer build in build/tsan/ (clang)
#   make fuzz       the libFuzzer harnesses in build/fuzz/ (clang)
#   make fuzz-run   every harness for FUZZ_SECONDS (default 60) each, on its seed corpus
#   make bench      HTTP benchmark against nginx (writes BENCHMARKS.md)
#
# Objects go to $(BUILD)/obj, the program to $(BUILD)/ctoframe. Every .c under src/
# is compiled (no list to keep); every tests/unit/test_*.c becomes a test binary.
#
# Warnings are errors only when asked (WERROR=-Werror: scripts/test, scripts/lint and CI
# do), so a newer compiler's new warning never stops `make` or `make run` for a user.
# $(BUILD)/.flags records the compiler and flags of the last build; when they change
# (WERROR on or off, another CC, OPT, ...) every object is rebuilt, so an object compiled
# without -Werror never passes silently as checked.

BUILD   ?= build
CC      ?= cc
PKGS    := libmicrohttpd sqlite3 jansson libsodium libpq libcurl cairo-pdf pangocairo libqrencode xlsxwriter
# QTI items and IMS content packages (issue 10): libxml2 parses and writes the XML (test_chart
# also reads the SVG charts back with it), libzip reads and writes the zip.
PKGS    += libxml-2.0 libzip
TESTPKGS := cmocka

# Each pkg-config name beside the Debian package that provides it (checked before compiling).
PKG_DEB := libmicrohttpd:libmicrohttpd-dev sqlite3:libsqlite3-dev jansson:libjansson-dev \
           libsodium:libsodium-dev libpq:libpq-dev libcurl:libcurl4-openssl-dev \
           cairo-pdf:libcairo2-dev pangocairo:libpango1.0-dev libqrencode:libqrencode-dev \
           xlsxwriter:libxlsxwriter-dev libxml-2.0:libxml2-dev libzip:libzip-dev \
           cmocka:libcmocka-dev

WERROR  ?=
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla $(WERROR)
CSTD    := -std=c17 -D_DEFAULT_SOURCE -D_GNU_SOURCE
OPT     ?= -O2 -g
SANFLAGS :=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1 -g
endif
ifeq ($(TSAN),1)
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
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

.PHONY: all run test unit lint format san tsan bench clean bootstrap fuzz fuzz-run check-deps

# `make V=1` shows the full compiler command lines.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1) $(2)"
endif

all: $(BIN)

# Rewrite $(BUILD)/.flags when the compiler or flags differ from the last build's.
FLAGS_FILE := $(BUILD)/.flags
FLAGS_NOW  := $(strip $(CC) $(CFLAGS) $(TEST_CFLAGS) $(LDFLAGS) $(LDLIBS))
ifneq ($(filter-out clean format lint bootstrap test san tsan fuzz fuzz-bins fuzz-run bench check-deps,\
                    $(or $(MAKECMDGOALS),all)),)
ifneq ($(FLAGS_NOW),$(strip $(file <$(FLAGS_FILE))))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_FILE),$(FLAGS_NOW))
endif
endif

# The migrations last embedded: a deleted or renamed file changes the list, so the
# embedded schema is made again (a new file is newer than the output anyway).
MIGLIST := $(BUILD)/gen/migrations.list
ifneq ($(MIGRATIONS),$(strip $(file <$(MIGLIST))))
$(shell mkdir -p $(BUILD)/gen)
$(file >$(MIGLIST),$(MIGRATIONS))
endif

# A missing library names its Debian package instead of failing later on a header.
check-deps:
	@command -v pkg-config >/dev/null 2>&1 || { \
	    echo "missing pkg-config (Debian package pkg-config): run scripts/bootstrap"; exit 1; }
	@bad=0; for pd in $(PKG_DEB); do pc=$${pd%%:*}; deb=$${pd#*:}; \
	    case " $(CHECK_PKGS) " in *" $$pc "*) ;; *) continue ;; esac; \
	    if ! pkg-config --exists $$pc; then \
	        echo "missing $$pc (Debian package $$deb): run scripts/bootstrap$(if $(filter cmocka,$(CHECK_PKGS)), test)"; \
	        bad=1; fi; done; [ $$bad -eq 0 ]
# The test library too when test programs are among the goals.
CHECK_PKGS := $(PKGS) $(if $(filter unit $(BUILD)/tests/%,$(MAKECMDGOALS)),$(TESTPKGS))

$(BUILD)/obj/%.o: %.c $(FLAGS_FILE) | check-deps
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(GENMIG): $(MIGRATIONS) $(MIGLIST) scripts/embed-migrations
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)scripts/embed-migrations $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/migrations.o: $(GENMIG) $(FLAGS_FILE) | check-deps
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

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(FLAGS_FILE) | check-deps
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
	$(BIN) serve --host 127.0.0.1 --port $${PORT:-8080} --db $${CTOFRAME_DB:-var/ctoframe.db} --demo

test:
	@scripts/bootstrap test
	@scripts/test

san:
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 CC=$${SANCC:-clang} all unit

# ThreadSanitizer needs clang here (its runtime: Debian's libclang-rt-14-dev).
tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan TSAN=1 CC=clang all unit

lint:
	@scripts/lint

# libFuzzer harnesses (clang, with ASan+UBSan): build/fuzz/fuzz_NAME, one per
# tests/fuzz/fuzz_NAME.c, seeded from tests/fuzz/corpus/NAME/. Run one by hand with a
# scratch directory FIRST (libFuzzer writes new inputs into the first directory it is given;
# never name a committed folder first):
#   mkdir -p build/fuzz/work/csv && build/fuzz/fuzz_csv build/fuzz/work/csv tests/fuzz/corpus/csv
FUZZBINS := $(FUZZSRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 60

fuzz:
	@$(MAKE) --no-print-directory BUILD=build/fuzz SAN=1 CC=clang \
	    EXTRA_CFLAGS=-fsanitize=fuzzer-no-link build/fuzz/libctoframe.a
	@$(MAKE) --no-print-directory -s fuzz-bins

.PHONY: fuzz-bins
fuzz-bins: $(FUZZBINS)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libctoframe.a
	$(call say,FUZZ,$@)
	$(Q)clang $(CSTD) -O1 -g $(WARN) -Isrc $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $@ $< build/fuzz/libctoframe.a $(PKG_LIBS) -lpthread -lm

# Every harness for FUZZ_SECONDS each; new inputs go to build/fuzz/work/NAME, crashes to
# build/fuzz/artifacts/. Copy an input worth keeping into tests/fuzz/corpus/NAME/ by hand.
fuzz-run: fuzz
	@scripts/fuzz-run $(FUZZ_SECONDS)

format:
	clang-format -i $$(find src tests/unit tests/fuzz -name '*.[ch]')

bench: bootstrap
	@$(MAKE) --no-print-directory all
	@bench/http

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(MAINOBJ:.o=.d) $(TESTBINS:=.d)
