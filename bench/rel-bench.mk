# rel-bench: lookups per second of the relation types (not a test).
#   make $(BUILD)/bench/rel-bench && $(BUILD)/bench/rel-bench
PROGS += $(BUILD)/bench/rel-bench
ALL_OBJS += $(BUILD)/bench/rel-bench.o

$(BUILD)/bench/rel-bench: $(BUILD)/bench/rel-bench.o $$(REL_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/bench/rel-bench.o $(REL_OBJS) $(LIBZM) $(REL_LIBS)
