# cks/nscheck: the nameserver checker, installed as $(MAILBIN)/cks/nscheck.
# dnsmsg.c and answer.c are pure (no I/O): the unit test (and a fuzzer)
# link them alone.  (tests/unit/module.mk's pattern rule looks the
# dependencies up by its stem, "nscheck", so both spellings are set.)
NSCHECK_SRCS := $(wildcard cks/nscheck/*.c)
NSCHECK_OBJS := $(NSCHECK_SRCS:%.c=$(BUILD)/%.o)
NSCHECK_PURE := $(BUILD)/cks/nscheck/dnsmsg.o $(BUILD)/cks/nscheck/answer.o
ALL_OBJS += $(NSCHECK_OBJS)
PROGS += $(BUILD)/bin/cks/nscheck

$(BUILD)/bin/cks/nscheck: $(NSCHECK_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(NSCHECK_OBJS) $(LIBZM) $(LIBWRAP) -lresolv

UNIT_DEPS_test_nscheck := $(NSCHECK_PURE)
UNIT_DEPS_nscheck := $(NSCHECK_PURE)
$(BUILD)/tests/unit/test_nscheck.o: CPPFLAGS += -Icks/nscheck
