# storage/module.mk: the log writer's micro-benchmark (issue 5).
# `make bench-store` builds bench/bench_store.c against the storage objects
# (no intents, dialogues or daemon) and prints rows/s for fast and strict
# durability with batches of 1 and 200.  Not part of `make test`.

STORE_OBJ = $(filter $(BUILD)/storage/%.o,$(LIB_OBJ))

$(BUILD)/bench/bench_store: $(BUILD)/bench/bench_store.o $(STORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

.PHONY: bench-store
bench-store: $(BUILD)/bench/bench_store
	./$(BUILD)/bench/bench_store
