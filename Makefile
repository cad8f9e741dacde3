# SPDX-License-Identifier: Apache-2.0
# podfs - a FUSE filesystem that runs the Kubernetes pod workflow for real.
#
#   make            build ./podfs
#   make deps       install the Debian packages podfs and its tests need
#   make run        build, import the images, mount at $(MNT) in the foreground
#   make images     build the default images (busybox, nginx) offline from Debian's
#                   packages as OCI image layouts under build/images/
#   make test       unit + shell tests (sanitizer build), ends "N passed, N failed"
#   make check-asan the same suite, the name CI and the docs use
#   make check-tsan the suite (or TESTS=...) under ThreadSanitizer, build/tsan
#   make bench      the benchmarks (optimised build), prints tables; installs
#                   podman and gnuplot-nox for the peer rows and the plot
#   make install    install podfs and its man pages under $(PREFIX)
#   make style      clang-format check

PREFIX  ?= /usr/local
MNT     ?= /mnt/podfs
STATE   ?= /var/lib/podfs
CC      ?= cc
O       ?= build

PKGS     = fuse3 sqlite3 yaml-0.1 libarchive jansson libcrypto libcurl
DEB_PKGS = build-essential pkg-config libfuse3-dev fuse3 libsqlite3-dev libyaml-dev \
           libcurl4-openssl-dev libjansson-dev libarchive-dev libssl-dev \
           crun runc conmon containernetworking-plugins busybox-static nginx-light \
           iproute2 clang clang-format libclang-rt-14-dev procps psmisc curl
# Only `make bench` installs these: the peer it measures podfs against
# (Debian's podman; catatonit is what it builds its local pause image from)
# and the plotter of the latency CDF.
BENCH_DEB_PKGS = podman catatonit gnuplot-nox

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    = -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wmissing-prototypes \
          -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
             $(INC) $(PKG_CFLAGS) -MMD -MP
LIBS    = $(PKG_LIBS) -lpthread

# The folders, lowest layer first (docs/layout.md).  Each folder's sources
# see only the headers of their own layer and of the layers below it, so a
# wrong include fails the build (tests/sh/010-layers.sh proves it):
#   core/lib <- core/api <- core/store <- core/apiserver
#     <- { core/controllers, node/, fs/ } <- the entry point (./podfs.c, cmd_*.c)
# and inside node/: node/lib <- { node/image, node/net } <- node/runtime <- node.
CORE_DIRS = core/lib core/api core/store core/apiserver core/controllers
NODE_DIRS = node/lib node/image node/net node/runtime node
LAYER_core/lib         = core/lib
LAYER_core/api         = $(LAYER_core/lib) core/api
LAYER_core/store       = $(LAYER_core/api) core/store
LAYER_core/apiserver   = $(LAYER_core/store) core/apiserver
LAYER_core/controllers = $(LAYER_core/apiserver) core/controllers
LAYER_node/lib         = $(LAYER_core/lib) node/lib
LAYER_node/image       = $(LAYER_core/apiserver) node/lib node/image
LAYER_node/net         = $(LAYER_core/apiserver) node/lib node/net
LAYER_node/runtime     = $(LAYER_core/apiserver) node/lib node/image node/net node/runtime
LAYER_node             = $(LAYER_node/runtime) node
LAYER_fs               = $(LAYER_core/apiserver) fs
# The entry point, the tests and the benchmarks see everything.
LAYER_ALL              = $(CORE_DIRS) $(NODE_DIRS) fs .
LAYER_.                = $(LAYER_ALL)
LAYER_tests/unit       = $(LAYER_ALL) tests/unit
LAYER_tests/tools      = $(LAYER_ALL)
LAYER_bench            = $(LAYER_ALL)
# The include path of the source being compiled ($<), by its folder.
INC = $(addprefix -I,$(LAYER_$(patsubst %/,%,$(dir $<))))

LIB_SRC  = $(sort $(foreach d,$(CORE_DIRS) $(NODE_DIRS),$(wildcard $(d)/*.c)))
FS_SRC   = $(sort $(wildcard fs/*.c))
# The entry point: podfs.c dispatches to a file per subcommand (cmd_*.c).
CMD_SRC  = $(sort $(wildcard *.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC = $(sort $(wildcard tests/tools/*.c) $(wildcard bench/*.c))

LIB_OBJ  = $(LIB_SRC:%.c=$(O)/%.o)
FS_OBJ   = $(FS_SRC:%.c=$(O)/%.o)
CMD_OBJ  = $(CMD_SRC:%.c=$(O)/%.o)
UNIT_BIN = $(UNIT_SRC:%.c=$(O)/%)
TOOL_BIN = $(TOOL_SRC:%.c=$(O)/%)

.PHONY: print-layers all deps bench-deps install-debs check-pkgs run test check check-asan check-tsan unit bench install style clean images fuzz

all: check-pkgs podfs

check-pkgs:
	@for p in $(PKGS); do pkg-config --exists $$p || { \
	  echo "podfs: missing development package for '$$p' (pkg-config)."; \
	  echo "       Run 'make deps' as root to install what podfs needs from Debian."; exit 1; }; done

# Idempotent and quiet when nothing is missing; apt-get update only when
# something has to be installed.
deps:
	@$(MAKE) --no-print-directory install-debs PKG_LIST="$(DEB_PKGS)"

bench-deps:
	@$(MAKE) --no-print-directory install-debs PKG_LIST="$(BENCH_DEB_PKGS)"

install-debs:
	@missing=""; for p in $(PKG_LIST); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || { echo "make: apt-get failed for:$$missing"; exit 1; }; \
	fi

# Made afresh: `ar r` into an old archive would keep the objects of
# sources since renamed or removed, and the linker could pick them.
$(O)/libpodfs.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(O)/podfs: $(CMD_OBJ) $(FS_OBJ) $(O)/libpodfs.a | $(O)/podfs-pause
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJ) $(FS_OBJ) $(O)/libpodfs.a $(LIBS)

# The pause process of pods that share their PID namespace: libc only.
$(O)/podfs-pause: node/runtime/pause/main.c node/runtime/pause.c node/runtime/pause.h
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -Inode/runtime $(LDFLAGS) -o $@ \
	  node/runtime/pause/main.c node/runtime/pause.c

podfs: $(O)/podfs
	@if [ "$(O)" = build ]; then cp -f $(O)/podfs podfs; cp -f $(O)/podfs-pause podfs-pause; fi

Q = @
$(O)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/tests/unit/test_%: tests/unit/test_%.c $(O)/libpodfs.a tests/unit/tap.h
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libpodfs.a $(LIBS)

$(O)/tests/tools/%: tests/tools/%.c $(O)/libpodfs.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libpodfs.a $(LIBS)

$(O)/bench/%: bench/%.c $(O)/libpodfs.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libpodfs.a $(LIBS)

unit-bins: $(UNIT_BIN) $(TOOL_BIN)

# The whole suite runs against a sanitizer build (ASan + UBSan), so every
# shell scenario doubles as a memory-error and leak check.
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test check check-asan: deps
	@$(MAKE) --no-print-directory all images
	@$(MAKE) --no-print-directory O=build/asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" \
	  build/asan/podfs unit-bins
	@PODFS_BUILD=build/asan tests/run.sh $(TESTS)

# ThreadSanitizer cannot be combined with ASan: its own build, build/tsan.
# libfuse and sqlite are not instrumented, so races inside them, or on memory
# only they touch, go unseen; their locks still order our threads (TSan
# intercepts pthread).  tests/run.sh counts any report (tests/tsan.supp
# lists the few that are provably not podfs's) as a failure of the test.
TSAN = -fsanitize=thread
check-tsan: deps
	@$(MAKE) --no-print-directory all images
	@$(MAKE) --no-print-directory O=build/tsan CFLAGS="-O1 -g $(TSAN)" LDFLAGS="$(TSAN)" \
	  build/tsan/podfs unit-bins
	@PODFS_BUILD=build/tsan tests/run.sh $(TESTS)

unit: all unit-bins
	@PODFS_BUILD=$(O) PODFS_ONLY=unit tests/run.sh

bench: deps bench-deps all unit-bins images
	@bench/run.sh

# libFuzzer over the manifest path, seeded with the corpus (clang).
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
fuzz: deps
	@$(MAKE) --no-print-directory CC=clang O=build/fuzz CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
	  build/fuzz/libpodfs.a
	@echo "  LD      build/fuzz/fuzz_manifest"
	$(Q)clang -std=gnu11 -D_GNU_SOURCE $(addprefix -I,$(LAYER_ALL)) $(FUZZ_FLAGS) -o build/fuzz/fuzz_manifest \
	  tests/fuzz/fuzz_manifest.c build/fuzz/libpodfs.a $(LIBS)
	@mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_manifest -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  build/fuzz/corpus tests/corpus/valid tests/corpus/invalid

# The default images, built from this machine's Debian packages; the
# layouts are reproducible, so rebuilding and re-importing changes nothing.
IMAGES = busybox nginx
images:
	@for i in $(IMAGES); do sh contrib/images/$$i.sh build/images/$$i || exit 1; done

run: deps all images
	@mkdir -p $(MNT) $(STATE)
	@for i in $(IMAGES); do ./podfs image import $$i build/images/$$i --state-dir $(STATE) >/dev/null || exit 1; done
	./podfs $(MNT) --state-dir $(STATE) -f

install: all
	install -D -m 0755 podfs $(DESTDIR)$(PREFIX)/bin/podfs
	install -D -m 0755 podfs-pause $(DESTDIR)$(PREFIX)/bin/podfs-pause
	install -D -m 0644 docs/podfs.1 $(DESTDIR)$(PREFIX)/share/man/man1/podfs.1
	install -D -m 0644 docs/podfs.5 $(DESTDIR)$(PREFIX)/share/man/man5/podfs.5

# The folders and the include path each folder's sources get, one line a
# folder: `FOLDER -I... -I...` (tests/sh/010-layers.sh reads it).
print-layers:
	@$(foreach d,$(CORE_DIRS) $(NODE_DIRS) fs,echo "$(d) $(addprefix -I,$(LAYER_$(d)))";)

style:
	@clang-format --dry-run --Werror $(CMD_SRC) $(wildcard *.h) $(foreach d,$(CORE_DIRS) $(NODE_DIRS) fs,$(wildcard $(d)/*.[ch])) \
	  tests/unit/*.[ch] $(wildcard tests/tools/*.c) $(wildcard bench/*.c) $(wildcard tests/fuzz/*.c) \
	  $(wildcard node/runtime/pause/*.c)

clean:
	rm -rf build podfs podfs-pause

-include $(shell find build -name '*.d' 2>/dev/null)
