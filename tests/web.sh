#!/bin/sh
# The web widget end to end in Debian's headless Chromium (tests/web/e2e.mjs):
# needs `make deps-web` (make test runs it first).
cd "$(dirname "$0")/web" || exit 1
if [ ! -d node_modules/playwright-core ]; then
	echo "tests/web: node_modules missing (run make deps-web)"
	echo "web: 0 passed, 1 failed"
	exit 1
fi
exec node e2e.mjs
