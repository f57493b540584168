# router: the zmsh interpreter, built from every router/*.c (the relation
# back ends of router/rel*.c included) and lib/.
ROUTER_SRCS := $(wildcard router/*.c)
ROUTER_OBJS := $(ROUTER_SRCS:%.c=$(BUILD)/%.o)
ALL_OBJS    += $(ROUTER_OBJS)
PROGS       += $(BUILD)/bin/router

# Every session execs the router, so the dynamic linker's work counts:
# liblmdb and libresolv come from their archives when there are some (the
# router then maps libc alone: 3 objects fewer, with libpthread that
# liblmdb.so pulls in), --as-needed drops unused libraries, -O1 optimises
# the symbol hash tables.
ROUTER_LMDB_A   := $(shell $(CC) -print-file-name=liblmdb.a)
ROUTER_RESOLV_A := $(shell $(CC) -print-file-name=libresolv.a)
ROUTER_LIBS := $(if $(filter liblmdb.a,$(ROUTER_LMDB_A)),-llmdb,$(ROUTER_LMDB_A)) \
	$(if $(filter libresolv.a,$(ROUTER_RESOLV_A)),-lresolv,$(ROUTER_RESOLV_A))

$(BUILD)/bin/router: $(ROUTER_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -Wl,-O1 -Wl,--as-needed -o $@ $(ROUTER_OBJS) $(LIBZM) \
	    $(ROUTER_LIBS)
