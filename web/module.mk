# web/module.mk: what the widget's browser tests need.  `make deps-web`
# installs Debian's chromium (and node/npm when node is absent) and the
# pinned npm test tooling (playwright-core, axe-core) from the lockfile;
# `make test` runs it before the black-box scripts (tests/web.sh), after
# `make deps`, so that two apt-get runs never overlap under -j.

SUDO_WEB = $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: deps-web
deps-web: deps
	@command -v node >/dev/null || { $(SUDO_WEB) apt-get update && \
	  $(SUDO_WEB) apt-get install -y nodejs npm; }
	@[ -x /usr/bin/chromium ] || { $(SUDO_WEB) apt-get update && \
	  $(SUDO_WEB) apt-get install -y chromium; }
	@[ -d tests/web/node_modules/playwright-core ] && \
	  [ -d tests/web/node_modules/axe-core ] || \
	  (cd tests/web && npm ci --no-audit --no-fund --ignore-scripts)

TEST_EXTRA += deps-web
