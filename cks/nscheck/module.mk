# cks/nscheck: the nameserver checker, installed as $(MAILBIN)/cks/nscheck.
# dnsmsg.c and answer.c are pure (no I/O): the unit test (and a fuzzer)
# link them alone.  (tests/unit/module.mk's pattern rule looks the
# dependencies up by its stem, "nscheck", so both spellings are set.)
NSCHECK_SRCS := $(wildcard cks/nscheck/*.c)
NSCHECK_OBJS := $(NSCHECK_SRCS:%.c=$(BUILD)/%.o)
NSCHECK_PURE := $(BUILD)/cks/nscheck/dnsmsg.o $(BUILD)/cks/nscheck/answer.o
ALL_OBJS += $(NSCHECK_OBJS)
PROGS += $(BUILD)/bin/cks/nscheck

# The router execs nscheck for every MAIL FROM it judges, so its start-up
# counts: libwrap is linked statically when libwrap.a and libnsl.a are
# there (libwrap needs one function of libnsl, yp_get_default_domain, whose
# object is self-contained), so that the shared libwrap's chain (libnsl,
# libtirpc and the Kerberos libraries: 13 objects in all) is not loaded on
# each exec; --as-needed drops libraries nothing uses; -O1 optimises the
# hash tables of the dynamic symbols.  Without the archives, -lwrap.
NSCHECK_WRAP_A := $(shell $(CC) -print-file-name=libwrap.a)
NSCHECK_NSL_A  := $(shell $(CC) -print-file-name=libnsl.a)
ifneq ($(LIBWRAP),)
ifneq ($(NSCHECK_WRAP_A),libwrap.a)
ifneq ($(NSCHECK_NSL_A),libnsl.a)
NSCHECK_WRAP := $(NSCHECK_WRAP_A) $(NSCHECK_NSL_A)
endif
endif
endif
NSCHECK_WRAP ?= $(LIBWRAP)
# The verdict cache (cache.c) uses LMDB: its archive too when there is one.
NSCHECK_LMDB_A := $(shell $(CC) -print-file-name=liblmdb.a)
ifeq ($(NSCHECK_LMDB_A),liblmdb.a)
NSCHECK_LMDB := -llmdb
else
NSCHECK_LMDB := $(NSCHECK_LMDB_A)
endif

$(BUILD)/bin/cks/nscheck: $(NSCHECK_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -Wl,-O1 -Wl,--as-needed -o $@ $(NSCHECK_OBJS) $(LIBZM) \
	    $(NSCHECK_WRAP) $(NSCHECK_LMDB) -lresolv

UNIT_DEPS_test_nscheck := $(NSCHECK_PURE)
UNIT_DEPS_nscheck := $(NSCHECK_PURE)
$(BUILD)/tests/unit/test_nscheck.o: CPPFLAGS += -Icks/nscheck
