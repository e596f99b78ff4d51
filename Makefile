# hwflash — one Makefile.  `make` builds, `make check` tests, `make demo` shows it.
# Every target that needs Debian packages depends on `deps`, which installs
# only what is missing.

PKGS      := libusb-1.0 zlib libcrypto minizip cunit
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CC        ?= cc
PREFIX    ?= /usr/local
DESTDIR   ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
BASEFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DHWF_VERSION='"$(VERSION)"' \
             $(WARN) -pthread -Iformats -Iprotocol -Ihost
OPT       ?= -O2 -g
ASANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

FORMATS_SRC  := $(wildcard formats/*.c)
PROTOCOL_SRC := $(wildcard protocol/*.c)
HOST_SRC     := $(wildcard host/*.c)
LIB_SRC      := $(FORMATS_SRC) $(PROTOCOL_SRC)
UNIT_SRC     := $(wildcard tests/unit/*.c)
SIM_SRC      := $(wildcard tests/sim/*.c)
SIM_LIB_SRC  := $(filter-out tests/sim/fbsim_main.c tests/sim/usbsim_main.c,$(SIM_SRC))
HEADERS      := $(wildcard formats/*.h protocol/*.h host/*.h tests/unit/*.h tests/sim/*.h)

# $(call objs,DIR,SOURCES)
objs = $(patsubst %.c,$(1)/%.o,$(2))

B  := build
BA := build-asan

.PHONY: all asan check unit integration demo bench deps install clean format fuzz fuzz-replay
all: $(B)/hwflash $(B)/test_unit $(if $(wildcard tests/sim/fbsim_main.c),$(B)/fbsim)
asan: $(BA)/hwflash $(BA)/test_unit

$(B)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(OPT) $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@

$(BA)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(ASANFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@

# The list of CUnit suites: every tests/unit file defines hwf_suite_<name>().
$(B)/suites.h: $(UNIT_SRC)
	@mkdir -p $(B)
	@{ for s in $$(grep -ho '^void hwf_suite_[a-z0-9_]*' $(UNIT_SRC) | sed 's/^void //' | sort -u); do \
	     echo "void $$s(void);"; done; \
	   echo "#define HWF_ALL_SUITES \\"; \
	   for s in $$(grep -ho '^void hwf_suite_[a-z0-9_]*' $(UNIT_SRC) | sed 's/^void //' | sort -u); do \
	     echo "	$$s(); \\"; done; echo; } > $@.tmp && mv $@.tmp $@

$(B)/tests/unit/main.o $(BA)/tests/unit/main.o: $(B)/suites.h
$(B)/tests/unit/%.o: BASEFLAGS += -I$(B) -Itests/sim
$(BA)/tests/unit/%.o: BASEFLAGS += -I$(B) -Itests/sim
$(B)/tests/sim/%.o $(BA)/tests/sim/%.o: BASEFLAGS += -Itests/sim

$(B)/hwflash: $(call objs,$(B),$(HOST_SRC) $(LIB_SRC))
	$(CC) $(BASEFLAGS) $(OPT) $^ -o $@ $(PKG_LIBS) $(LDLIBS)
$(BA)/hwflash: $(call objs,$(BA),$(HOST_SRC) $(LIB_SRC))
	$(CC) $(BASEFLAGS) $(ASANFLAGS) $^ -o $@ $(PKG_LIBS) $(LDLIBS)

$(B)/test_unit: $(call objs,$(B),$(UNIT_SRC) $(LIB_SRC) $(SIM_LIB_SRC))
	$(CC) $(BASEFLAGS) $(OPT) $^ -o $@ $(PKG_LIBS) $(LDLIBS)
$(BA)/test_unit: $(call objs,$(BA),$(UNIT_SRC) $(LIB_SRC) $(SIM_LIB_SRC))
	$(CC) $(BASEFLAGS) $(ASANFLAGS) $^ -o $@ $(PKG_LIBS) $(LDLIBS)

$(B)/fbsim: $(call objs,$(B),$(SIM_SRC) $(LIB_SRC))
	$(CC) $(BASEFLAGS) $(OPT) $(filter-out %/usbsim_main.o,$^) -o $@ $(PKG_LIBS) $(LDLIBS)

$(B)/bench_crc: $(call objs,$(B),bench/crc_bench.c formats/crc16.c)
	$(CC) $(BASEFLAGS) $(OPT) $^ -o $@

# --- fuzzing --------------------------------------------------------------
# tests/fuzz/fuzz_<target>.c with seeds in tests/fuzz/corpus/<target>/.
# `make fuzz` runs each target FUZZ_SECONDS under libFuzzer (clang); new
# inputs go to build-fuzz/, the committed seeds stay as they are.  `make
# check` replays every committed input under gcc's ASan/UBSan.
FUZZ_SECONDS ?= 30
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -g -O1 -pthread \
                -fsanitize=fuzzer,address,undefined -Iformats -Iprotocol

fuzz: deps
	@mkdir -p build-fuzz
	@set -e; for t in $(FUZZ_NAMES); do \
	  clang $(FUZZ_CFLAGS) $(PKG_CFLAGS) tests/fuzz/fuzz_$$t.c $(LIB_SRC) -o build-fuzz/fuzz_$$t $(PKG_LIBS); \
	  mkdir -p build-fuzz/corpus-$$t; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crash-$$t- build-fuzz/corpus-$$t tests/fuzz/corpus/$$t \
	    2>&1 | grep -E 'stat::number_of_executed_units|cov:.*DONE|ERROR|SUMMARY' ; \
	  if ls build-fuzz/crash-$$t-* >/dev/null 2>&1; then echo "fuzz $$t: crash saved in build-fuzz/"; exit 1; fi; \
	done

$(BA)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(call objs,$(BA),$(LIB_SRC))
	$(CC) $(BASEFLAGS) $(ASANFLAGS) $^ -o $@ $(PKG_LIBS)

fuzz-replay: $(patsubst %,$(BA)/fuzz_%,$(FUZZ_NAMES))
	@for t in $(FUZZ_NAMES); do printf '%s: ' $$t; \
	  ASAN_OPTIONS=detect_leaks=1 $(BA)/fuzz_$$t tests/fuzz/corpus/$$t || exit 1; done

# --- set-up ----------------------------------------------------------------
deps:
	@sh tests/deps.sh

# --- tests -----------------------------------------------------------------
# Sanitizer build and its unit run first, then the script tests against the
# real binary, then the plain unit run whose CUnit summary ends the output.
check: deps
	$(MAKE) all asan
	@echo "== unit tests under -fsanitize=address,undefined"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(BA)/test_unit
	@echo "== fuzz corpus replay under -fsanitize=address,undefined"
	@$(MAKE) --no-print-directory fuzz-replay
	@echo "== integration tests against the ASan/UBSan hwflash binary"
	@HWFLASH=$(CURDIR)/$(BA)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim ASAN_OPTIONS=detect_leaks=1 \
	  sh tests/integration/run.sh > $(B)/integration-asan.log 2>&1; rc=$$?; \
	  grep -v '^ok ' $(B)/integration-asan.log; [ $$rc -eq 0 ]
	@echo "== integration tests (real hwflash binary)"
	@HWFLASH=$(CURDIR)/$(B)/hwflash HWFLASH_ASAN=$(CURDIR)/$(BA)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim \
	  sh tests/integration/run.sh > $(B)/integration.log 2>&1; rc=$$?; \
	  cat $(B)/integration.log; echo "$$rc" > $(B)/integration.rc
	@echo "== unit tests"
	@$(B)/test_unit; urc=$$?; irc=$$(cat $(B)/integration.rc); \
	  tail -n 1 $(B)/integration.log; \
	  [ $$urc -eq 0 ] && [ $$irc -eq 0 ]

unit: $(B)/test_unit
	$(B)/test_unit

integration: all
	HWFLASH=$(CURDIR)/$(B)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim sh tests/integration/run.sh

demo: deps
	$(MAKE) all
	@HWFLASH=$(CURDIR)/$(B)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim sh tests/demo.sh

bench: deps
	$(MAKE) all $(B)/bench_crc
	@HWFLASH=$(CURDIR)/$(B)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim sh bench/run.sh

install: $(B)/hwflash
	install -D -m 0755 $(B)/hwflash $(DESTDIR)$(PREFIX)/bin/hwflash
	install -D -m 0644 udev/51-hwflash.rules $(DESTDIR)/etc/udev/rules.d/51-hwflash.rules

format:
	clang-format -i formats/*.[ch] protocol/*.[ch] host/*.[ch] tests/unit/*.[ch] tests/sim/*.[ch]

clean:
	rm -rf $(B) $(BA) build-fuzz
