# tests/module.mk: libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with
# clang against the real library objects.  `make fuzz` runs each harness for
# FUZZ_SECONDS on its seed corpus; `make fuzz-ci` is the short pass CI runs.

FUZZ_SRC     = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   = $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BUILD   = build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=undefined

.PHONY: fuzz fuzz-ci fuzz-bins
fuzz-bins: $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz: deps
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" fuzz-bins
	@for f in $(FUZZ_NAMES); do \
	  n=$${f#fuzz_}; mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  echo "== $$f ($(FUZZ_SECONDS) s)"; \
	  ASAN_OPTIONS=detect_leaks=1 ./$(FUZZ_BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=65536 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/ \
	    $(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n > $(FUZZ_BUILD)/$$f.log 2>&1; \
	  rc=$$?; tail -n 12 $(FUZZ_BUILD)/$$f.log; [ $$rc = 0 ] || exit 1; \
	done

FUZZ_CI_SECONDS ?= 20
fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_CI_SECONDS)
