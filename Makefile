# Top-level Makefile: builds lib/ once, each program from its module.mk,
# and runs the tests.  Objects and programs go under $(BUILD).
#
#   make            build everything (warnings are errors when CI=true or WERROR=1)
#   make check      install missing Debian packages, build, run every test
#   make check-san  the same suite with ASan+UBSan (build in build-san/)
#   make check-valgrind  the end-to-end suites with the daemon (and every
#                   session, router, nscheck) under valgrind memcheck
#   make run        build, lay out a sandbox in $(BUILD)/sandbox, run on 127.0.0.1:2525
#   make install    PREFIX DESTDIR MAILBIN MAILSHARE MAILVAR POSTOFFICE ZCONFIG

BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
MAILBIN    ?= $(PREFIX)/lib/zmailer
MAILSHARE  ?= $(PREFIX)/share/zmailer
MAILVAR    ?= /etc/zmailer
POSTOFFICE ?= /var/spool/postoffice
ZCONFIG    ?= /etc/zmailer.conf
MANDIR     ?= $(PREFIX)/share/man

CC      ?= cc
WARN    := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wvla -Wnull-dereference
CSTD    := -std=c11 -D_GNU_SOURCE
OPT     ?= -O2 -g
CPPFLAGS += -Ilib -MMD -MP
CFLAGS  ?= $(OPT)
CFLAGS  += $(CSTD) $(WARN) -fno-strict-aliasing
LDFLAGS ?=

ifeq ($(CI),true)
WERROR ?= 1
endif
ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
# The connection gate needs libwrap; `make NOWRAP=1` compiles it out (loudly).
ifeq ($(NOWRAP),1)
CPPFLAGS += -DZM_NO_LIBWRAP
LIBWRAP :=
else
LIBWRAP := -lwrap
endif

.DEFAULT_GOAL := all
# Prerequisites may name variables set by a module.mk included later.
.SECONDEXPANSION:
PROGS      :=
UNIT_TESTS :=
ALL_OBJS   :=

# ---- lib: shared code, built once, linked into every program ----------
LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBZM    := $(BUILD)/lib/libzm.a
ALL_OBJS += $(LIB_OBJS)

$(LIBZM): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# ---- the programs and their unit tests ----------------------------------
# Each program directory has a module.mk (and may have other *.mk files)
# that adds to PROGS and may set UNIT_DEPS_<test>/UNIT_LIBS_<test> for its
# unit tests; tests/unit/module.mk comes last.
include $(filter-out tests/unit/module.mk,$(wildcard */*.mk */*/*.mk))
include tests/unit/module.mk

.SECONDARY:
.PHONY: all check check-san check-valgrind test run install deps clean fuzz-smoke
all: $(PROGS) $(UNIT_TESTS)

deps:
	@sh tools/deps.sh

PYTEST ?= pytest-3
PYTEST_ARGS ?=
test: all
	ZM_BUILD=$(abspath $(BUILD)) ZM_SRC=$(CURDIR) $(PYTEST) -q -ra $(PYTEST_ARGS) tests

check: deps
	$(MAKE) all
	$(MAKE) test

check-san: deps
	$(MAKE) BUILD=build-san SAN=1 all
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) BUILD=build-san SAN=1 test

# End-to-end suites under valgrind (tests/smtpd.py, docs/robustness.md
# "Valgrind").  VG_SUITES: the directories that exist of these;
# VG_SCALE: time limits of the helper and the router's are multiplied by
# it; VG_DESELECT: tests that cannot work under valgrind (the reasons are
# in docs/robustness.md "Valgrind"): 50 and 30 sessions at once against
# fixed deadlines; resource limits (descriptors, processes) that valgrind
# itself needs more of; a 2 s router-timeout shorter than a router's
# start under valgrind; 200 sessions timing out at once (RST, see docs).
VG_SUITES   ?= $(wildcard tests/smtpserver tests/policy tests/faults tests/floods)
VG_SCALE    ?= 10
VG_DESELECT ?= $(foreach t,\
  policy/test_policy.py::test_concurrent_trap_hits_are_intact \
  policy/test_policy.py::test_flushot_clear_while_sessions_hit_traps \
  faults/test_faults_limits.py::test_parent_at_its_fd_limit_does_not_spin_and_recovers \
  faults/test_faults_limits.py::test_fork_failing_under_rlimit_nproc \
  faults/test_faults_limits.py::test_session_out_of_descriptors_451_and_goes_on \
  faults/test_faults_router.py::test_router_program_printing_garbage_451 \
  faults/test_faults_router.py::test_script_looping_forever_451_from_the_router \
  floods/test_timeouts.py::test_200_idle_sessions_freed_by_command_timeout,\
  --deselect tests/$(t))
check-valgrind: deps
	$(MAKE) all
	ZM_VALGRIND=1 ZM_TIMEOUT_SCALE=$(VG_SCALE) ZM_BUILD=$(abspath $(BUILD)) ZM_SRC=$(CURDIR) \
	  $(PYTEST) -q -ra $(VG_DESELECT) $(PYTEST_ARGS) $(VG_SUITES)

run: deps
	$(MAKE) all
	sh tools/mksandbox $(BUILD)/sandbox $(abspath $(BUILD))
	$(BUILD)/bin/smtpserver -d -Z $(BUILD)/sandbox/zmailer.conf -a 127.0.0.1 -p 2525

install: all
	sh tools/install.sh "$(DESTDIR)" "$(BUILD)" "$(MAILBIN)" "$(MAILSHARE)" \
	  "$(MAILVAR)" "$(POSTOFFICE)" "$(ZCONFIG)" "$(MANDIR)"

clean:
	rm -rf $(BUILD) build-san build-fuzz

-include $(ALL_OBJS:.o=.d)
