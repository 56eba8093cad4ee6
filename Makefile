# wgmtu — build
#
#   make                 build/wgmtu (the toolkit) and build/wgmtud (the daemon)
#   make SAN=1           ASan+UBSan build into build-san/
#   make TSAN=1          ThreadSanitizer build into build-tsan/ (the worker
#                        threads; see docs/daemon.md, Performance)
#   make WERROR=1        warnings are errors (CI sets it)
#   make test            build everything and run tests/run.sh (unit + netns)
#   make unit            unit tests only
#   make check-layers    fail if the pure layer needs the daemon or the tool
#   make fuzz            libFuzzer harnesses into build-fuzz/ (clang)
#   make fuzz-run SECONDS=N   every harness coverage-guided for N s each,
#                        corpora kept in tests/fuzz/corpus/<harness>/
#   make install         PREFIX=/usr/local DESTDIR= (binaries, man pages, docs,
#                        bash completion, systemd unit)
#   make uninstall       the same PREFIX/DESTDIR: removes exactly what install put
#
# Sources are found by directory, so a new module is a new file, not a
# Makefile edit:
#   src/{common,wire,route,pmtu,uapi}/*.c -> libwgmtu.a (the pure layer: no
#                                            daemon or tool symbol; checked
#                                            by make check-layers)
#   src/tool/*.c                          -> libwgtool.a + wgmtu
#   src/daemon/*.c                        -> libwgdaemon.a + wgmtud
#   tests/unit/test_*.c                   -> one cmocka binary each
#   tests/tools/*.c                       -> helper programs for tests
#   tests/fuzz/fuzz_*.c                   -> one libFuzzer binary each

SAN     ?= 0
TSAN    ?= 0
WERROR  ?= 0
ifeq ($(SAN),1)
BUILD   ?= build-san
else ifeq ($(TSAN),1)
BUILD   ?= build-tsan
else
BUILD   ?= build
endif
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/wgmtu
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# systemd units: /usr/lib/systemd/system for PREFIX=/usr, else under PREFIX
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/systemd/system,$(PREFIX)/lib/systemd/system)
# helpers the units run (wgmtud@.service's ip wrapper for wg-quick)
LIBEXECDIR ?= $(PREFIX)/lib/wgmtu

CC      ?= cc
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wno-unused-parameter -Wvla \
           -Wimplicit-fallthrough
CPPFLAGS += -D_GNU_SOURCE -DWGMTU_VERSION='"$(VERSION)"' -Isrc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -fno-strict-aliasing
LDLIBS  += -lcrypto -lpcap -lmnl -lm
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(TSAN),1)
CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
endif

CORE_SRC   := $(sort $(wildcard src/common/*.c src/wire/*.c src/route/*.c src/pmtu/*.c src/uapi/*.c))
TOOL_SRC   := $(sort $(wildcard src/tool/*.c))
DAEMON_SRC := $(sort $(wildcard src/daemon/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TTOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
CORE_OBJ   := $(call obj,$(CORE_SRC))
TOOL_OBJ   := $(call obj,$(filter-out src/tool/main.c,$(TOOL_SRC)))
DAEMON_OBJ := $(call obj,$(filter-out src/daemon/main.c,$(DAEMON_SRC)))
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TTOOL_BIN  := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TTOOL_SRC))

BINS := $(BUILD)/wgmtu $(BUILD)/wgmtud

.PHONY: all unit-bins test unit netns fuzz fuzz-bins fuzz-run install uninstall clean check-layers
# keep intermediate objects (test .o files) so rebuilds are incremental
.SECONDARY:
all: $(BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libwgmtu.a: $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^
$(BUILD)/libwgtool.a: $(TOOL_OBJ)
	@rm -f $@
	$(if $(TOOL_OBJ),$(AR) rcs $@ $^,$(AR) rcs $@)
$(BUILD)/libwgdaemon.a: $(DAEMON_OBJ)
	@rm -f $@
	$(if $(DAEMON_OBJ),$(AR) rcs $@ $^,$(AR) rcs $@)

$(BUILD)/wgmtu: $(call obj,src/tool/main.c) $(BUILD)/libwgtool.a $(BUILD)/libwgmtu.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/wgmtud: $(call obj,src/daemon/main.c) $(BUILD)/libwgdaemon.a $(BUILD)/libwgmtu.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread

# Unit tests see every module (tool and daemon ones too, minus main.c).
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libwgtool.a $(BUILD)/libwgdaemon.a $(BUILD)/libwgmtu.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka -lpthread

# Helper programs the script tests drive (tests/tools/NAME.c -> one binary).
$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(BUILD)/libwgtool.a $(BUILD)/libwgdaemon.a $(BUILD)/libwgmtu.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread

unit-bins: $(UNIT_BIN) $(TTOOL_BIN)

# The pure layer (libwgmtu.a) must not need a daemon or tool symbol, nor
# include their headers (scripts/check-layers.sh says which object does).
check-layers: $(BUILD)/libwgmtu.a $(BUILD)/libwgdaemon.a $(BUILD)/libwgtool.a
	BUILD=$(BUILD) scripts/check-layers.sh

test: all unit-bins
	BUILD=$(BUILD) tests/run.sh

unit: all unit-bins
	BUILD=$(BUILD) tests/run.sh --unit

# Fuzz harnesses: clang + libFuzzer + ASan/UBSan. The libraries are built
# once with fuzzer instrumentation into build-fuzz/, then each harness links.
FUZZ_BUILD := build-fuzz
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SAN=0 \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	  $(FUZZ_BUILD)/libwgmtu.a $(FUZZ_BUILD)/libwgtool.a $(FUZZ_BUILD)/libwgdaemon.a fuzz-bins
fuzz-bins: $(FUZZ_BIN)
# Coverage-guided run of every harness, SECONDS each, growing the corpora
# in tests/fuzz/corpus/<harness>/ (scripts/fuzz-run.sh; docs/fuzzing.md).
SECONDS ?= 60
fuzz-run:
	scripts/fuzz-run.sh $(SECONDS)
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libwgtool.a $(FUZZ_BUILD)/libwgdaemon.a $(FUZZ_BUILD)/libwgmtu.a
	clang $(CPPFLAGS) -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all -o $@ $^ $(LDLIBS) -lpthread

# Installed man pages point at the installed docs ($(DOCDIR)), not at the
# source tree's docs/; the unit runs the installed binary ($(BINDIR)).
DOCS      := README.md LICENSE $(wildcard docs/*.md)
MAN1      := $(wildcard man/*.1)
MAN8      := $(wildcard man/*.8)
UNITS     := $(wildcard dist/systemd/*.service)
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(DOCDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(LIBEXECDIR)/wg-quick
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/
	for m in $(MAN1) $(MAN8); do \
	  s=$${m##*.}; \
	  sed 's|docs/|$(DOCDIR)/|g' $$m >$(DESTDIR)$(MANDIR)/man$$s/$${m##*/} && \
	  chmod 0644 $(DESTDIR)$(MANDIR)/man$$s/$${m##*/} || exit 1; \
	done
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 dist/completion/wgmtu $(DESTDIR)$(BASHCOMPDIR)/wgmtu
	ln -sf wgmtu $(DESTDIR)$(BASHCOMPDIR)/wgmtud
	for u in $(UNITS); do \
	  sed 's|/usr/bin/|$(BINDIR)/|g; s|/usr/lib/wgmtu/|$(LIBEXECDIR)/|g' $$u \
	    >$(DESTDIR)$(UNITDIR)/$${u##*/} && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	install -m 0755 dist/wg-quick/ip $(DESTDIR)$(LIBEXECDIR)/wg-quick/ip

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,wgmtu wgmtud)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	rm -f $(DESTDIR)$(BASHCOMPDIR)/wgmtu $(DESTDIR)$(BASHCOMPDIR)/wgmtud
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))
	rm -f $(DESTDIR)$(LIBEXECDIR)/wg-quick/ip
	-rmdir $(DESTDIR)$(LIBEXECDIR)/wg-quick $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

clean:
	rm -rf build build-san build-tsan build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
