# Relations (router/rel*.c, and fileperm.c, the trust check of list
# files): the unit test links these objects; the router
# program gets them through router/module.mk (every router/*.c) and must
# link $(REL_LIBS).  (tests/unit/module.mk's pattern rule looks the
# dependencies up by its stem, "rel", so both spellings are set.)
REL_SRCS := $(wildcard router/rel*.c) router/fileperm.c
REL_OBJS := $(REL_SRCS:%.c=$(BUILD)/%.o)
REL_LIBS := -llmdb -lresolv

UNIT_DEPS_test_rel := $(REL_OBJS)
UNIT_LIBS_test_rel := $(REL_LIBS)
UNIT_DEPS_rel := $(REL_OBJS)
UNIT_LIBS_rel := $(REL_LIBS)
