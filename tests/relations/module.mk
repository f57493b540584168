# relprobe: drives one relation from the command line for the pytest
# tests in tests/relations (bind against nsd, cross-process -m).
UNIT_TESTS += $(BUILD)/tests/relations/relprobe
ALL_OBJS += $(BUILD)/tests/relations/relprobe.o

$(BUILD)/tests/relations/relprobe: $(BUILD)/tests/relations/relprobe.o $(REL_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/tests/relations/relprobe.o $(REL_OBJS) $(LIBZM) $(REL_LIBS)
