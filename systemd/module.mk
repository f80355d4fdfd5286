# systemd/module.mk: `make install` and `make uninstall` (issue 8).
# install rebuilds advisord and advisorctl with the installed share folder
# compiled in (so an installed advisord finds its content and web files
# without flags), then lays out binaries, content, web assets, a default
# config, the systemd unit and the man pages under $(DESTDIR)$(PREFIX).
# uninstall removes exactly those files but a config file edited since,
# then the folders that are left empty.  Both honour PREFIX, DESTDIR and the *DIR variables of the top
# Makefile.

INSTALL       ?= install
INSTALL_BUILD ?= build/install

SYSD_CONTENT  = $(wildcard intents/*.json) $(wildcard dialogues/*.json)
SYSD_WEB      = $(wildcard web/*.html web/*.js web/*.css web/*.svg)
SYSD_CONF     = daemon/advisord.conf
SYSD_UNIT     = systemd/advisord.service
SYSD_MAN8     = docs/man/advisord.8
SYSD_MAN1     = docs/man/advisorctl.1
# advisor-bridge, its units (service and socket), man page, sample config and empty secrets file,
# when bridge/ exists.
SYSD_BRIDGE   = $(if $(wildcard bridge/main.c),yes)
SYSD_BRIDGE_BIN = $(if $(SYSD_BRIDGE),$(INSTALL_BUILD)/advisor-bridge)

.PHONY: install uninstall install-bins

# A config file is the operator's once installed: an install over an
# earlier one (an upgrade) keeps it, and says so, rather than putting the
# sample back over edited settings and secrets.  Mode 644, or $(3) (600
# for the bridge's secrets, which only root and the unit's credential may
# read).
sysd_conf = if [ -e $(2) ]; then \
	  echo "install: keeping $(2) (the sample is $(1))"; \
	else $(INSTALL) -m $(or $(3),644) $(1) $(2); fi
# ...and so does uninstall, unless it is still the sample as shipped: it
# removed the edited settings and the bridge's secrets with the programs.
sysd_unconf = if [ -e $(2) ] && ! cmp -s $(1) $(2); then \
	  echo "uninstall: keeping $(2), edited (the sample is $(1))"; \
	else rm -f $(2); fi

# The share folder is compiled into daemon/config.o only: when it differs
# from the one the last install build used, drop that object and the
# programs so they are rebuilt with the new one.  (A new version rebuilds
# the objects that print it by itself: see VERSION_STAMP.)
install-bins:
	@mkdir -p $(INSTALL_BUILD)
	@if [ "$$(cat $(INSTALL_BUILD)/.datadir 2>/dev/null)" != '$(DATADIR)' ]; then \
	  rm -f $(INSTALL_BUILD)/daemon/config.o $(INSTALL_BUILD)/advisord \
	    $(INSTALL_BUILD)/advisorctl; \
	  printf '%s\n' '$(DATADIR)' > $(INSTALL_BUILD)/.datadir; \
	fi
	$(MAKE) BUILD=$(INSTALL_BUILD) CONTENT_DIR=$(DATADIR) WEB_DIR=$(DATADIR)/web \
	  $(INSTALL_BUILD)/advisord $(INSTALL_BUILD)/advisorctl $(SYSD_BRIDGE_BIN)

install: install-bins
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(DATADIR)/intents $(DESTDIR)$(DATADIR)/dialogues \
	  $(DESTDIR)$(DATADIR)/web $(DESTDIR)$(SYSCONFDIR)/advisord \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 755 $(INSTALL_BUILD)/advisord $(DESTDIR)$(SBINDIR)/advisord
	$(INSTALL) -m 755 $(INSTALL_BUILD)/advisorctl $(DESTDIR)$(BINDIR)/advisorctl
	$(INSTALL) -m 644 $(wildcard intents/*.json) $(DESTDIR)$(DATADIR)/intents/
	$(INSTALL) -m 644 $(wildcard dialogues/*.json) $(DESTDIR)$(DATADIR)/dialogues/
	$(INSTALL) -m 644 $(SYSD_WEB) $(DESTDIR)$(DATADIR)/web/
	$(call sysd_conf,$(SYSD_CONF),$(DESTDIR)$(SYSCONFDIR)/advisord/advisord.conf)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	  $(SYSD_UNIT) > $(DESTDIR)$(UNITDIR)/advisord.service
	chmod 644 $(DESTDIR)$(UNITDIR)/advisord.service
	$(INSTALL) -m 644 $(SYSD_MAN8) $(DESTDIR)$(MANDIR)/man8/advisord.8
	$(INSTALL) -m 644 $(SYSD_MAN1) $(DESTDIR)$(MANDIR)/man1/advisorctl.1
ifneq ($(SYSD_BRIDGE),)
	$(INSTALL) -m 755 $(INSTALL_BUILD)/advisor-bridge $(DESTDIR)$(BINDIR)/advisor-bridge
	$(call sysd_conf,bridge/advisor-bridge.conf,$(DESTDIR)$(SYSCONFDIR)/advisord/advisor-bridge.conf)
	$(call sysd_conf,bridge/advisor-bridge.secrets,$(DESTDIR)$(SYSCONFDIR)/advisord/advisor-bridge.secrets,600)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	  systemd/advisor-bridge.service > $(DESTDIR)$(UNITDIR)/advisor-bridge.service
	chmod 644 $(DESTDIR)$(UNITDIR)/advisor-bridge.service
	$(INSTALL) -m 644 systemd/advisor-bridge.socket $(DESTDIR)$(UNITDIR)/advisor-bridge.socket
	$(INSTALL) -m 644 docs/man/advisor-bridge.8 $(DESTDIR)$(MANDIR)/man8/advisor-bridge.8
endif

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/advisord $(DESTDIR)$(BINDIR)/advisorctl \
	  $(patsubst %,$(DESTDIR)$(DATADIR)/%,$(SYSD_CONTENT) $(SYSD_WEB)) \
	  $(DESTDIR)$(UNITDIR)/advisord.service \
	  $(DESTDIR)$(MANDIR)/man8/advisord.8 $(DESTDIR)$(MANDIR)/man1/advisorctl.1 \
	  $(DESTDIR)$(BINDIR)/advisor-bridge \
	  $(DESTDIR)$(UNITDIR)/advisor-bridge.service \
	  $(DESTDIR)$(UNITDIR)/advisor-bridge.socket \
	  $(DESTDIR)$(MANDIR)/man8/advisor-bridge.8
	$(call sysd_unconf,$(SYSD_CONF),$(DESTDIR)$(SYSCONFDIR)/advisord/advisord.conf)
	$(call sysd_unconf,bridge/advisor-bridge.conf,$(DESTDIR)$(SYSCONFDIR)/advisord/advisor-bridge.conf)
	$(call sysd_unconf,bridge/advisor-bridge.secrets,$(DESTDIR)$(SYSCONFDIR)/advisord/advisor-bridge.secrets)
	rmdir $(DESTDIR)$(DATADIR)/intents $(DESTDIR)$(DATADIR)/dialogues \
	  $(DESTDIR)$(DATADIR)/web $(DESTDIR)$(DATADIR) \
	  $(DESTDIR)$(SYSCONFDIR)/advisord 2>/dev/null || true
