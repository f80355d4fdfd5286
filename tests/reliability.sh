#!/bin/sh
# WebSocket conformance, hostile input and faults against the real daemon.
exec python3 "$(dirname "$0")/py/test_reliability.py"
