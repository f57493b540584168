# smtpserver: the daemon.  One object per concern; the gate (gate.c) is
# the only one that needs libwrap; NOWRAP=1 compiles it out.  Linked with
# -z now: symbols are bound once in the parent, not again in every
# forked session (and the GOT is read-only).
SMTPD_SRCS := $(wildcard smtpserver/*.c)
SMTPD_OBJS := $(SMTPD_SRCS:%.c=$(BUILD)/%.o)
ALL_OBJS   += $(SMTPD_OBJS)
PROGS      += $(BUILD)/bin/smtpserver

$(BUILD)/bin/smtpserver: $(SMTPD_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -Wl,-z,relro,-z,now -o $@ $(SMTPD_OBJS) $(LIBZM) $(LIBWRAP) -lresolv

# Unit tests of the pure parts (tests/unit/module.mk looks the objects
# up by the stem after "test_").
UNIT_DEPS_smtpaddr := $(BUILD)/smtpserver/addr.o
UNIT_DEPS_smtpdata := $(BUILD)/smtpserver/data.o
UNIT_DEPS_smtpconf := $(BUILD)/smtpserver/conf.o
UNIT_DEPS_smtprtr  := $(BUILD)/smtpserver/rtrclient.o
UNIT_DEPS_smtpfuzz := $(BUILD)/smtpserver/addr.o $(BUILD)/smtpserver/data.o \
                      $(BUILD)/smtpserver/rtrclient.o
