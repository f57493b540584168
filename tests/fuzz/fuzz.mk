# tests/fuzz: libFuzzer harnesses for the parsers, the DATA state machine,
# the zmsh evaluator and the relation files (docs/security.md, Fuzzing).
# Not part of `make all` or `make check`: only `make fuzz-smoke` needs
# clang (CI runs it after `make check`, FUZZ_SECS=10).
#
#   make fuzz-smoke                     build into build-fuzz/, run each
#                                       harness over its seed corpus for
#                                       FUZZ_SECS seconds; fail on a crash,
#                                       leak or timeout
#   make fuzz-smoke FUZZ_SECS=600 FUZZ_RUNS=-1 FUZZ_NAMES="rel zmsheval"
#                                       the long run of some of them
#
# Each harness is linked from sources (not $(BUILD) objects) so the
# normal build's flags never mix with -fsanitize=fuzzer.  FUZZ_SRCS_<name>
# and FUZZ_LIBS_<name> add sources and link flags, FUZZ_OPTS_<name>
# libFuzzer options (later ones win).
FUZZ_BUILD  ?= build-fuzz
FUZZ_CC     ?= clang
FUZZ_SECS   ?= 20
FUZZ_RUNS   ?= 20000000
FUZZ_FLAGS  := -g -O1 -std=c11 -D_GNU_SOURCE -Ilib -Icks/nscheck \
               -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_NAMES  := zconf smtpaddr nscheck zmsh smtpdata smtpconf smtpcmd rel zmsheval
FUZZ_SRCS_zconf    :=
FUZZ_SRCS_smtpaddr := smtpserver/addr.c
FUZZ_SRCS_nscheck  := cks/nscheck/answer.c cks/nscheck/dnsmsg.c
FUZZ_SRCS_smtpdata := smtpserver/data.c
FUZZ_SRCS_smtpconf := smtpserver/conf.c
FUZZ_SRCS_smtpcmd  := smtpserver/cmdparse.c smtpserver/addr.c
# The parser pulls in the interpreter's tables; only main.c is left out.
FUZZ_SRCS_zmsh     := $(filter-out router/main.c,$(wildcard router/*.c))
FUZZ_LIBS_zmsh     := -llmdb
# The evaluator and the relations run inside tests/fuzz/sandbox.c: these
# calls go to its wrappers (no program run, no file written, no DNS).
FUZZ_WRAP          := $(foreach f,fork execve open openat mkstemp rename \
                      unlink fchmod fchown kill res_nquery usleep nanosleep \
                      vsyslog,-Wl,--wrap=$(f))
FUZZ_SRCS_zmsheval := $(FUZZ_SRCS_zmsh) tests/fuzz/sandbox.c
FUZZ_LIBS_zmsheval := -llmdb $(FUZZ_WRAP)
# A script may run for ZMSH_CPU_MAX (10 s) of CPU, more under ASan, and
# hold a 64 MB arena and 1 MB values: with ASan's quarantine the peak RSS
# of a 10-minute run came to 1979 MB.
FUZZ_OPTS_zmsheval := -timeout=120 -rss_limit_mb=4096
FUZZ_SRCS_rel      := $(wildcard router/rel*.c) router/fileperm.c tests/fuzz/sandbox.c
FUZZ_LIBS_rel      := -llmdb $(FUZZ_WRAP)
FUZZ_BINS   := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $(LIB_SRCS) $(wildcard lib/*.h router/*.h tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRCS_$*) $(LIB_SRCS) $(FUZZ_LIBS_$*) -lresolv -lm

# New inputs found go to a scratch copy, never into the seed corpus.
fuzz-smoke: $(FUZZ_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
	    opts=; envs=FUZZ=1; \
	    $(foreach m,$(FUZZ_NAMES),[ $$n != $(m) ] || \
	        { opts="$(FUZZ_OPTS_$(m))"; envs="$(or $(FUZZ_ENV_$(m)),FUZZ=1)"; };) \
	    rm -rf $(FUZZ_BUILD)/corpus-$$n; mkdir -p $(FUZZ_BUILD)/corpus-$$n; \
	    echo "fuzz-smoke: $$n ($(FUZZ_SECS)s)"; \
	    env $$envs $(FUZZ_BUILD)/fuzz_$$n -max_total_time=$(FUZZ_SECS) \
	        -runs=$(FUZZ_RUNS) -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	        -artifact_prefix=$(FUZZ_BUILD)/crash-$$n- -print_final_stats=1 $$opts \
	        $(FUZZ_BUILD)/corpus-$$n tests/fuzz/corpus/$$n \
	        2>$(FUZZ_BUILD)/fuzz-$$n.log || \
	        { tail -n 60 $(FUZZ_BUILD)/fuzz-$$n.log; exit 1; }; \
	    grep -E '^stat::number_of_executed_units' $(FUZZ_BUILD)/fuzz-$$n.log; \
	done
