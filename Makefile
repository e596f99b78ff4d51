# hwflash — one Makefile.  `make` builds, `make check` tests, `make demo` shows it.
# Every target that needs Debian packages depends on `deps`, which installs
# only what is missing.

# The product needs LIB_PKGS.  The unit tests add TEST_PKGS: CUnit, and
# minizip, whose zip writer is one of the independent writers the zip reader
# (formats/zipread.c, our own: Debian's minizip 1.1 misreads zip64) is
# tested against.
LIB_PKGS  := libusb-1.0 zlib libcrypto liblz4
TEST_PKGS := cunit minizip
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CC        ?= cc
AR        ?= ar
PREFIX    ?= /usr/local
DESTDIR   ?=
UDEVDIR   ?= /lib/udev/rules.d
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

LIB_CFLAGS  = $(shell pkg-config --cflags $(LIB_PKGS) 2>/dev/null)
LIB_LIBS    = $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
INCLUDES  := -I.
BASEFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DHWF_VERSION='"$(VERSION)"' \
             $(WARN) -pthread $(INCLUDES)
# -MMD -MP: every object gets a .d file naming the headers it read.
DEPFLAGS  := -MMD -MP
OPT       ?= -O2 -g
ASANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Sources are found at any depth, so folders inside formats/ and protocol/
# need no Makefile edits.
find_c       = $(sort $(shell find $(1) -name '*.c' 2>/dev/null))
LIB_SRC      := $(call find_c,formats protocol)
HOST_SRC     := $(call find_c,host)
UNIT_SRC     := $(call find_c,tests/unit)
SIM_SRC      := $(call find_c,tests/sim)
# usbsim's own files (usbsim_main.c, usbsim_ioctl.c) need GLib and umockdev:
# only usbsim links them, never test_unit or fbsim.
USBSIM_SRC   := $(filter tests/sim/usbsim%.c,$(SIM_SRC))
SIM_LIB_SRC  := $(filter-out tests/sim/fbsim_main.c $(USBSIM_SRC),$(SIM_SRC))

# $(call objs,DIR,SOURCES)
objs = $(patsubst %.c,$(1)/%.o,$(2))

# The simulated USB device (tests/sim/usbsim) puts the device model behind
# umockdev, which brings GLib: built only where umockdev's -dev package is.
UMOCKDEV_PKGS := umockdev-1.0 glib-2.0 gobject-2.0 gio-2.0
HAVE_UMOCKDEV := $(shell pkg-config --exists $(UMOCKDEV_PKGS) 2>/dev/null && echo 1)
USBSIM         = $(if $(HAVE_UMOCKDEV),$(if $(wildcard tests/sim/usbsim_main.c),$(B)/usbsim))

B  := build
BA := build-asan

.PHONY: all asan check unit integration demo bench deps deps-fuzz install uninstall clean format \
	fuzz fuzz-replay man layering
all: $(B)/hwflash $(B)/test_unit $(if $(wildcard tests/sim/fbsim_main.c),$(B)/fbsim) $(USBSIM)
asan: $(BA)/hwflash $(BA)/test_unit

# CFLAGS and LDFLAGS are the caller's (packagers add hardening flags there).
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(DEPFLAGS) $(OPT) $(LIB_CFLAGS) $(CFLAGS) -c $< -o $@

$(BA)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(DEPFLAGS) $(ASANFLAGS) $(LIB_CFLAGS) $(CFLAGS) -c $< -o $@

# libhwflash.a: all of formats/ and protocol/; every program links it.
$(B)/libhwflash.a: $(call objs,$(B),$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^
$(BA)/libhwflash.a: $(call objs,$(BA),$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

# The list of CUnit suites: every tests/unit file defines hwf_suite_<name>().
$(B)/suites.h: $(UNIT_SRC)
	@mkdir -p $(B)
	@{ for s in $$(grep -ho '^void hwf_suite_[a-z0-9_]*' $(UNIT_SRC) | sed 's/^void //' | sort -u); do \
	     echo "void $$s(void);"; done; \
	   echo "#define HWF_ALL_SUITES \\"; \
	   for s in $$(grep -ho '^void hwf_suite_[a-z0-9_]*' $(UNIT_SRC) | sed 's/^void //' | sort -u); do \
	     echo "	$$s(); \\"; done; echo; } > $@.tmp && mv $@.tmp $@

$(B)/tests/unit/main.o $(BA)/tests/unit/main.o: $(B)/suites.h
$(B)/tests/unit/%.o: BASEFLAGS += -I$(B) $(TEST_CFLAGS)
$(BA)/tests/unit/%.o: BASEFLAGS += -I$(B) $(TEST_CFLAGS)

$(B)/hwflash: $(call objs,$(B),$(HOST_SRC)) $(B)/libhwflash.a
	$(CC) $(BASEFLAGS) $(OPT) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIB_LIBS) $(LDLIBS)
$(BA)/hwflash: $(call objs,$(BA),$(HOST_SRC)) $(BA)/libhwflash.a
	$(CC) $(BASEFLAGS) $(ASANFLAGS) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIB_LIBS) $(LDLIBS)

$(B)/test_unit: $(call objs,$(B),$(UNIT_SRC) $(SIM_LIB_SRC)) $(B)/libhwflash.a
	$(CC) $(BASEFLAGS) $(OPT) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIB_LIBS) $(TEST_LIBS) $(LDLIBS)
$(BA)/test_unit: $(call objs,$(BA),$(UNIT_SRC) $(SIM_LIB_SRC)) $(BA)/libhwflash.a
	$(CC) $(BASEFLAGS) $(ASANFLAGS) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIB_LIBS) $(TEST_LIBS) \
	  $(LDLIBS)

$(B)/fbsim: $(call objs,$(B),$(filter-out $(USBSIM_SRC),$(SIM_SRC))) $(B)/libhwflash.a
	$(CC) $(BASEFLAGS) $(OPT) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIB_LIBS) $(LDLIBS)

$(call objs,$(B),$(USBSIM_SRC)): BASEFLAGS += $(shell pkg-config --cflags $(UMOCKDEV_PKGS) 2>/dev/null)
$(B)/usbsim: $(call objs,$(B),$(USBSIM_SRC) $(SIM_LIB_SRC)) $(B)/libhwflash.a
	$(CC) $(BASEFLAGS) $(OPT) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIB_LIBS) \
	  -Wl,--push-state,--no-as-needed -lumockdev-preload -Wl,--pop-state \
	  $(shell pkg-config --libs $(UMOCKDEV_PKGS) 2>/dev/null) $(LDLIBS)

$(B)/bench_crc: $(call objs,$(B),bench/crc_bench.c) $(B)/libhwflash.a
	$(CC) $(BASEFLAGS) $(OPT) $(CFLAGS) $(LDFLAGS) $^ -o $@

# --- fuzzing --------------------------------------------------------------
# tests/fuzz/fuzz_<target>.c with seeds in tests/fuzz/corpus/<target>/.
# `make fuzz` runs each target FUZZ_SECONDS under libFuzzer (clang, ASan,
# UBSan) and fails on any finding; new inputs go to build-fuzz/corpus-<t>/,
# a crasher is also copied into tests/fuzz/corpus/<t>/ so that it stays a
# regression input.  `make check` replays every committed input under gcc's
# ASan/UBSan (fuzz-replay) and needs no clang.  FUZZ_TARGETS picks targets;
# FUZZ_FLAGS adds libFuzzer options.  Per-target stats: build-fuzz/<t>.log.
FUZZ_SECONDS ?= 30
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_FLAGS   ?=
FZ           := build-fuzz
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -g -O1 -pthread \
                -fno-sanitize-recover=all -I.

$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link,address,undefined $(LIB_CFLAGS) \
	  -c $< -o $@

$(FZ)/libhwflash.a: $(call objs,$(FZ)/obj,$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

.SECONDARY:
$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FZ)/libhwflash.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $(LIB_CFLAGS) $^ -o $@ $(LIB_LIBS)

deps-fuzz:
	@sh tests/deps.sh fuzz

fuzz: deps deps-fuzz
	@$(MAKE) --no-print-directory $(patsubst %,$(FZ)/fuzz_%,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FZ)/corpus-$$t; rm -f $(FZ)/crash-$$t-*; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	  $(FZ)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -timeout=10 \
	    -rss_limit_mb=2048 $(FUZZ_FLAGS) -artifact_prefix=$(FZ)/crash-$$t- \
	    $(FZ)/corpus-$$t tests/fuzz/corpus/$$t > $(FZ)/$$t.log 2>&1 || true; \
	  grep -E 'stat::number_of_executed_units|DONE *cov:|^==.*ERROR|^SUMMARY' $(FZ)/$$t.log || true; \
	  if ls $(FZ)/crash-$$t-* >/dev/null 2>&1; then \
	    for c in $(FZ)/crash-$$t-*; do cp "$$c" tests/fuzz/corpus/$$t/; done; \
	    echo "fuzz $$t: FINDING, input saved in $(FZ)/ and tests/fuzz/corpus/$$t/"; exit 1; fi; \
	done

$(BA)/fuzz_%: $(BA)/tests/fuzz/fuzz_%.o $(BA)/tests/fuzz/replay.o $(BA)/libhwflash.a
	$(CC) $(BASEFLAGS) $(ASANFLAGS) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIB_LIBS)

fuzz-replay: $(patsubst %,$(BA)/fuzz_%,$(FUZZ_NAMES))
	@for t in $(FUZZ_NAMES); do printf '%s: ' $$t; \
	  ASAN_OPTIONS=detect_leaks=1 $(BA)/fuzz_$$t tests/fuzz/corpus/$$t || exit 1; done

# --- set-up ----------------------------------------------------------------
deps:
	@sh tests/deps.sh

# --- tests -----------------------------------------------------------------
# Sanitizer build and its unit run first, then the script tests against the
# ASan binary and the real binary at the same time (they mostly wait on
# simulated devices and timeouts: side by side they take the time of one),
# then the plain unit run whose CUnit summary ends the output.
check: deps
	$(MAKE) all asan
	@echo "== layering: formats/ <- protocol/ <- host/, no cycles, no file past 800 lines"
	@python3 tests/tools/layering.py --build $(B)
	@echo "== unit tests under -fsanitize=address,undefined"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(BA)/test_unit
	@echo "== fuzz corpus replay under -fsanitize=address,undefined"
	@$(MAKE) --no-print-directory fuzz-replay
	@echo "== integration tests: the ASan/UBSan binary and the real binary side by side"
	@(HWFLASH=$(CURDIR)/$(BA)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim USBSIM=$(CURDIR)/$(B)/usbsim \
	  ASAN_OPTIONS=detect_leaks=1 \
	  sh tests/integration/run.sh > $(B)/integration-asan.log 2>&1; \
	  echo "$$?" > $(B)/integration-asan.rc) & \
	  HWFLASH=$(CURDIR)/$(B)/hwflash HWFLASH_ASAN=$(CURDIR)/$(BA)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim \
	  USBSIM=$(CURDIR)/$(B)/usbsim \
	  sh tests/integration/run.sh > $(B)/integration.log 2>&1; \
	  echo "$$?" > $(B)/integration.rc; wait; \
	  echo "== integration tests against the ASan/UBSan hwflash binary"; \
	  grep -v '^ok ' $(B)/integration-asan.log
	@echo "== integration tests (real hwflash binary)"
	@cat $(B)/integration.log
	@echo "== Windows: hwflash.exe and its unit tests under wine64 (make check-windows-quick;" \
	  "a cold cache first builds the libraries from Debian sources, ~5 min once)"
	@if ! command -v x86_64-w64-mingw32-gcc-posix > /dev/null || \
	    ! { command -v wine64 || ls /usr/lib/wine/wine64; } > /dev/null 2>&1; then \
	  echo "windows: skipped: no mingw-w64 or wine64 (make deps as root installs them)" \
	    > $(B)/windows.log; echo 0 > $(B)/windows.rc; cat $(B)/windows.log; \
	else $(MAKE) --no-print-directory $(WIN_J) -f win/Makefile check-windows-quick \
	  > $(B)/windows.log 2>&1; echo "$$?" > $(B)/windows.rc; \
	  grep -v '^\(x86_64-w64-mingw32-\|make\[\)' $(B)/windows.log | tail -n 40; fi
	@echo "== unit tests"
	@$(B)/test_unit; urc=$$?; irc=$$(cat $(B)/integration.rc); \
	  arc=$$(cat $(B)/integration-asan.rc); wrc=$$(cat $(B)/windows.rc); \
	  echo "ASan run: $$(tail -n 1 $(B)/integration-asan.log)"; \
	  echo "Windows run: $$(tail -n 1 $(B)/windows.log)"; \
	  tail -n 1 $(B)/integration.log; \
	  [ $$urc -eq 0 ] && [ $$irc -eq 0 ] && [ $$arc -eq 0 ] && [ $$wrc -eq 0 ]

# The layering check alone (make check runs it after building).
layering: all
	@python3 tests/tools/layering.py --build $(B)

unit: $(B)/test_unit
	$(B)/test_unit

integration: all
	HWFLASH=$(CURDIR)/$(B)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim USBSIM=$(CURDIR)/$(B)/usbsim \
	  sh tests/integration/run.sh

demo: deps
	$(MAKE) all
	@HWFLASH=$(CURDIR)/$(B)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim sh tests/demo.sh

bench: deps
	$(MAKE) all $(B)/bench_crc
	@HWFLASH=$(CURDIR)/$(B)/hwflash FBSIM=$(CURDIR)/$(B)/fbsim sh bench/run.sh

# The binary, the udev rules (TAG+="uaccess" for fastboot interfaces) and
# the man page when there is one.  DESTDIR for packaging; UDEVDIR for
# systems that keep rules elsewhere (/usr/lib/udev/rules.d).
MANPAGE := $(firstword $(wildcard doc/hwflash.1 hwflash.1))
install: $(B)/hwflash
	install -D -m 0755 $(B)/hwflash $(DESTDIR)$(PREFIX)/bin/hwflash
	install -D -m 0644 udev/51-hwflash.rules $(DESTDIR)$(UDEVDIR)/51-hwflash.rules
	$(if $(MANPAGE),install -D -m 0644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/hwflash.1)
	install -D -m 0644 doc/hwflash.bash $(DESTDIR)$(BASHCOMPDIR)/hwflash
	@[ -n "$(DESTDIR)" ] || echo "udev rules installed: udevadm control --reload && udevadm trigger"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hwflash $(DESTDIR)$(UDEVDIR)/51-hwflash.rules \
	  $(DESTDIR)$(MANDIR)/man1/hwflash.1 $(DESTDIR)$(BASHCOMPDIR)/hwflash

format:
	clang-format -i $$(find formats protocol host tests/unit tests/sim -name '*.[ch]')

clean:
	rm -rf $(B) $(BA) build-fuzz

# Dependency files from -MMD -MP (absent on the first build).
-include $(shell find $(B) $(BA) $(FZ) -name '*.d' 2>/dev/null)

# The COMMANDS section of the man page comes from `hwflash help`.
man: $(B)/hwflash
	python3 tests/tools/manpage.py $(B)/hwflash doc/hwflash.1 --write

# --- Windows ----------------------------------------------------------------
# hwflash.exe cross-compiled with mingw-w64 and tested under wine: win/Makefile.
# deps-windows (as root) installs the toolchain and wine; `make deps` does not,
# as the Linux build and its checks need neither.
# The Windows build runs on every core unless make was given -j itself.
WIN_J := $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 2))
.PHONY: windows windows-dist check-windows check-windows-quick deps-windows
windows: deps-windows
	@$(MAKE) --no-print-directory $(WIN_J) -f win/Makefile windows
windows-dist: deps-windows
	@$(MAKE) --no-print-directory $(WIN_J) -f win/Makefile windows-dist
check-windows: deps deps-windows
	$(MAKE) $(WIN_J) $(B)/hwflash $(B)/fbsim
	@$(MAKE) --no-print-directory $(WIN_J) -f win/Makefile check-windows
# The unit tests under wine and win/t_compare.sh only (about a minute, warm).
check-windows-quick: deps-windows
	$(MAKE) $(WIN_J) $(B)/hwflash $(B)/fbsim
	@$(MAKE) --no-print-directory $(WIN_J) -f win/Makefile check-windows-quick
deps-windows:
	@sh tests/deps.sh windows
