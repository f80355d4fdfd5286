#!/bin/sh
# advisord as a system service: install, unit security, sd_notify, SIGHUP reload.
exec python3 "$(dirname "$0")/py/test_systemd.py"
