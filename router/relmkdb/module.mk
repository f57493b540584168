# relmkdb: makes the database of an lmdb/btree relation from a text list.
PROGS += $(BUILD)/bin/relmkdb
ALL_OBJS += $(BUILD)/router/relmkdb/relmkdb.o

$(BUILD)/bin/relmkdb: $(BUILD)/router/relmkdb/relmkdb.o $(REL_OBJS) $(LIBZM)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/router/relmkdb/relmkdb.o $(REL_OBJS) $(LIBZM) $(REL_LIBS)
