# bench/module.mk: the benchmark harness (issue 9).  Builds the load
# generator and the echo baseline, and adds `make bench` (bench/run.sh) and
# `make soak` (bench/soak.sh).  Neither is part of `make test`.

BENCH_BINS = $(BUILD)/bench/loadgen $(BUILD)/bench/echod

$(BUILD)/bench/loadgen: $(BUILD)/bench/loadgen.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread

$(BUILD)/bench/echod: $(BUILD)/bench/echod.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lev

.PHONY: bench-bins
bench-bins: deps $(BENCH_BINS)

# The micro-benchmarks of the intents and storage engineers run when their
# targets exist; otherwise run.sh says "not built".  run.sh is handed make
# through BENCH_MAKE: a recipe line that names $(MAKE) itself is run even
# under `make -n`, and `make -n bench` then ran the whole benchmark.
BENCH_MAKE = $(MAKE)
bench: bench-bins $(BUILD)/advisord
	BUILD=$(BUILD) MAKE="$(BENCH_MAKE)" bash bench/run.sh

soak: bench-bins $(BUILD)/advisord
	BUILD=$(BUILD) bash bench/soak.sh
-include $(wildcard $(BUILD)/bench/*.d)

# The advisor path without the transport: frame in, reply and log rows out
# (bench/bench_advisor.c), CPU per answer for the event loop and the writer,
# over 100 conversations (about nine exchanges each in a log batch) and
# over 2,000 (about one each, as people typing give) of 20 answers each,
# new visitors taking the place of those who leave.
$(BUILD)/bench/bench_advisor: $(BUILD)/bench/bench_advisor.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

.PHONY: bench-advisor
# `make bench` passes PIN_D_STR (taskset -c 0) to pin it like the daemon;
# by hand it runs wherever the scheduler puts it.
PIN_D_STR ?=
bench-advisor: $(BUILD)/bench/bench_advisor
	$(PIN_D_STR) ./$(BUILD)/bench/bench_advisor
	$(PIN_D_STR) ./$(BUILD)/bench/bench_advisor 200000 2000 20

# `make test` builds every benchmark program (and runs none), so that one
# that no longer links shows there and not at the next `make bench`
# (bench_intents lost daemon/jsondoc.o that way).
TEST_EXTRA += $(BENCH_BINS) $(BUILD)/bench/bench_advisor \
	$(BUILD)/bench/bench_intents $(BUILD)/bench/bench_store
