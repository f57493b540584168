# flushot: the spam-trap record keeper (admin command, and the router's
# way of recording a trap hit).  See docs/flushot.8.
FLUSHOT_SRCS := $(wildcard flushot/*.c)
FLUSHOT_OBJS := $(FLUSHOT_SRCS:%.c=$(BUILD)/%.o)
ALL_OBJS += $(FLUSHOT_OBJS)
PROGS += $(BUILD)/bin/flushot

$(BUILD)/bin/flushot: $(FLUSHOT_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(FLUSHOT_OBJS) $(LIBZM) -llmdb
