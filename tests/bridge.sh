#!/bin/sh
# advisor-bridge: its unit tests (built by bridge/module.mk), then the
# end-to-end test with the real advisord.
BUILD=${BUILD:-build}
export BUILD
dir=$(dirname "$0")
pass=0 fail=0
for t in "$BUILD"/tests/bridge/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
python3 "$dir/py/test_bridge.py"
if [ $? -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "bridge suites (unit binaries and end to end): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
