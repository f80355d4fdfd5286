# bridge/module.mk: advisor-bridge (issue 7), the team chat bridge, and
# its unit tests (tests/bridge/test_*.c, cmocka, run by tests/bridge.sh).

BRIDGE_SRC = $(filter-out bridge/main.c,$(wildcard bridge/*.c))
# advisord's pure modules the bridge uses too: the log throttle, its
# token bucket, the close frame reader, the FNV hash
BRIDGE_SHARED = $(BUILD)/daemon/throttle.o $(BUILD)/daemon/ratelimit.o \
		$(BUILD)/daemon/closeframe.o $(BUILD)/daemon/fnv.o
BRIDGE_OBJ = $(BRIDGE_SRC:%.c=$(BUILD)/%.o) $(BRIDGE_SHARED)
BRIDGE_TEST_SRC = $(wildcard tests/bridge/test_*.c)
BRIDGE_TEST_BIN = $(BRIDGE_TEST_SRC:tests/bridge/%.c=$(BUILD)/tests/bridge/%)

# LD_PRELOAD stand-ins (test_bridge.py) for lws_context_destroy and for
# getaddrinfo: built without the sanitizers, which want their runtime
# first
BRIDGE_HOOK = $(BUILD)/tests/bridge/hook_destroy.so \
	      $(BUILD)/tests/bridge/hook_resolve.so

all: $(BUILD)/advisor-bridge
TEST_EXTRA += $(BUILD)/advisor-bridge $(BRIDGE_TEST_BIN) $(BRIDGE_HOOK)

$(BUILD)/tests/bridge/hook_%.so: tests/bridge/hook_%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARNINGS) -O2 -fPIC -shared -o $@ $< -ldl

$(BUILD)/advisor-bridge: $(BUILD)/bridge/main.o $(BRIDGE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BUILD)/tests/bridge/%: $(BUILD)/tests/bridge/%.o $(BRIDGE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread $(TEST_LIBS)

-include $(BUILD)/bridge/*.d $(BUILD)/tests/bridge/*.d
.SECONDARY: $(BRIDGE_TEST_BIN:%=%.o)
