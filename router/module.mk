# router: the zmsh interpreter, built from every router/*.c (the relation
# back ends of router/rel*.c included) and lib/.
ROUTER_SRCS := $(wildcard router/*.c)
ROUTER_OBJS := $(ROUTER_SRCS:%.c=$(BUILD)/%.o)
ALL_OBJS    += $(ROUTER_OBJS)
PROGS       += $(BUILD)/bin/router

$(BUILD)/bin/router: $(ROUTER_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(ROUTER_OBJS) $(LIBZM) -llmdb -lresolv
