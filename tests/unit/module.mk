# C unit tests: each tests/unit/test_*.c is one program linked with libzm
# and the module objects it names in UNIT_DEPS_<name> (set by module.mk
# files).  tests/test_unit.py runs every $(BUILD)/tests/unit/test_* binary.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS += $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
ALL_OBJS += $(UNIT_SRCS:%.c=$(BUILD)/%.o)

.SECONDEXPANSION:
$(BUILD)/tests/unit/test_%: $(BUILD)/tests/unit/test_%.o $$(UNIT_DEPS_$$*) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(UNIT_DEPS_$*) $(LIBZM) $(UNIT_LIBS_$*)
