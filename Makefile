# advisord: build, test and install.
# Every dependency comes through pkg-config; `make deps-build` installs from
# Debian's archive whatever the build lacks, `make deps` that and what the
# tests add.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share/advisord
SYSCONFDIR ?= $(PREFIX)/etc
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DESTDIR    ?=
BUILD      ?= build

CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS ?= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wcast-qual -Wpointer-arith -Wformat=2 -Wundef
# `make WERROR=1 ...` turns warnings into errors (CI does).
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
PKGS      = libwebsockets libpcre2-8 libcjson sqlite3 libcrypto libsystemd
TEST_PKGS = cmocka

# The content folder compiled into the binary: the source tree for an
# in-tree build; `make install` rebuilds with the installed share folder.
CONTENT_DIR ?= $(CURDIR)
WEB_DIR     ?= $(CURDIR)/web

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARNINGS) $(CFLAGS) $(PKG_CFLAGS) \
             -I. -DADVISOR_CONTENT_DIR='"$(CONTENT_DIR)"' \
             -DADVISOR_WEB_DIR='"$(WEB_DIR)"' -DADVISOR_VERSION='"$(VERSION)"'
# libev has no pkg-config file; Debian's libev-dev (which libwebsockets-dev
# pulls in) puts ev.h and libev.so where the compiler looks.
LIBS = $(PKG_LIBS) -lev -lpthread -lm

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
# The objects that print the version (--version, /healthz) depend on a
# stamp that is rewritten only when the version changes: no source of
# theirs changes with a new commit, so they kept the version they were
# first built with.
VERSION_STAMP := $(BUILD)/.version
$(shell mkdir -p $(BUILD) && [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = '$(VERSION)' ] || printf '%s\n' '$(VERSION)' > $(VERSION_STAMP))
$(BUILD)/daemon/main.o $(BUILD)/daemon/server.o $(BUILD)/bridge/main.o: $(VERSION_STAMP)

# Programs: each has one file with main(); everything else in the module
# folders is library code shared by the programs and the tests.
MAIN_SRC = daemon/main.c storage/advisorctl.c
LIB_SRC  = $(filter-out $(MAIN_SRC),$(wildcard daemon/*.c intents/*.c dialogues/*.c storage/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_SRC = $(wildcard tests/lib/*.c)
TESTLIB_OBJ = $(TESTLIB_SRC:%.c=$(BUILD)/%.o)

PROGS = $(BUILD)/advisord $(if $(wildcard storage/advisorctl.c),$(BUILD)/advisorctl)

.DEFAULT_GOAL := all
.PHONY: all deps deps-build run test unit check-content asan fuzz soak bench install uninstall clean

# Components add their own rules and test prerequisites (TEST_EXTRA);
# included before the rules below so that their prerequisites count.
-include $(wildcard */module.mk)

all: deps-build $(PROGS)

# Debian packages behind each pkg-config name.
DEB_libwebsockets = libwebsockets-dev
DEB_libpcre2-8    = libpcre2-dev
DEB_libcjson      = libcjson-dev
DEB_sqlite3       = libsqlite3-dev
DEB_libcrypto     = libssl-dev
DEB_libsystemd    = libsystemd-dev
DEB_cmocka        = libcmocka-dev
# Shell words that add the Debian package of each pkg-config name in $(1)
# that pkg-config cannot find to $missing; then one apt-get for them all.
deps_pkgs = $(foreach p,$(1),pkg-config --exists $(p) 2>/dev/null || \
	  missing="$$missing $(DEB_$(p))";)
deps_apt = if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "$@: installing$$missing"; \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# deps-build: what building the programs needs (all, run, install): a
# compiler, pkg-config and the libraries, nothing for the tests.
deps-build:
	@missing=""; \
	command -v pkg-config >/dev/null || missing="pkg-config"; \
	command -v cc >/dev/null || missing="$$missing gcc"; \
	[ -e /usr/include/ev.h ] || missing="$$missing libev-dev"; \
	ls /usr/lib/*/libwebsockets-evlib_ev.so >/dev/null 2>&1 || \
	  missing="$$missing libwebsockets-evlib-ev"; \
	$(call deps_pkgs,$(PKGS)) \
	$(deps_apt)

# deps: all of it, the build's and what the tests, asan, fuzz and bench
# add (test, asan, fuzz, fuzz-ci, bench, soak): cmocka, python3, the
# sqlite3 shell, openssl (test_bridge's throwaway CA), clang with
# libFuzzer.  After deps-build, so that no two
# apt-get run at once under -j.
deps: deps-build
	@missing=""; \
	command -v python3 >/dev/null || missing="$$missing python3"; \
	command -v sqlite3 >/dev/null || missing="$$missing sqlite3"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v clang >/dev/null || missing="$$missing clang"; \
	[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] || \
	  missing="$$missing libclang-rt-14-dev"; \
	$(call deps_pkgs,$(TEST_PKGS)) \
	$(deps_apt)

# Order-only on deps-build: on a fresh machine nothing compiles before the
# packages are there, whichever target asked for it; the tests' own
# objects (cmocka, libFuzzer harnesses) wait for all of deps.
$(BUILD)/%.o: %.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@
$(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/*/*.c)): | deps

$(BUILD)/advisord: $(BUILD)/daemon/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/advisorctl: $(BUILD)/storage/advisorctl.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_OBJ) $(TESTLIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

# `make run PORT=9000` when 8080 is taken; more flags in ARGS, e.g.
# `make run ARGS="--bridge-tokens var/tokens --debug"`.
PORT ?= 8080
ARGS ?=
run: all
	@mkdir -p var
	./$(BUILD)/advisord --host 127.0.0.1 --port $(PORT) --db var/advisord.db $(ARGS)

# The content as shipped must pass its own checks.
check-content: all
	./$(BUILD)/advisord --check

# Each unit test binary, then every black-box test script in tests/.
test: deps all $(UNIT_BIN) check-content $(TEST_EXTRA)
	@fail=0; for t in $(UNIT_BIN); do \
	  echo "== $$t"; $$t || fail=1; done; \
	for s in $(sort $(wildcard tests/*.sh)); do \
	  echo "== $$s"; BUILD=$(BUILD) bash $$s || fail=1; done; \
	exit $$fail

asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" test

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(BUILD)/daemon/main.d $(BUILD)/storage/advisorctl.d
# the tests' objects too: a test compiled against a header since changed
# (a struct with a field more) read its fields at the old offsets
-include $(patsubst %.c,$(BUILD)/%.d,$(wildcard tests/*/*.c))
