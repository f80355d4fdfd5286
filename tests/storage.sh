#!/bin/sh
# The log end to end: resume after restart, redaction, advisorctl reports.
exec python3 "$(dirname "$0")/py/test_storage.py"
