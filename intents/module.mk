# intents/module.mk: the intent engine's micro-benchmark (issue 3).
# `make bench-intents` builds bench/bench_intents.c against the intent
# objects and prints median and p99 microseconds per message for the
# shipped catalog and a generated 1,000-intent one, JIT on and off.
# Not part of `make test` (speed is measured, never asserted).

# intent_result_json() writes through daemon/jbuf.c (which steps UTF-8
# with daemon/utf8.c) and the catalog is read through daemon/jsondoc.c, so
# those come too.
INTENTS_OBJ = $(filter $(BUILD)/intents/%.o,$(LIB_OBJ)) $(BUILD)/daemon/jbuf.o \
	$(BUILD)/daemon/utf8.o $(BUILD)/daemon/jsondoc.o

$(BUILD)/bench/bench_intents: $(BUILD)/bench/bench_intents.o $(INTENTS_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

.PHONY: bench-intents
bench-intents: $(BUILD)/bench/bench_intents
	./$(BUILD)/bench/bench_intents $(CONTENT_DIR)
