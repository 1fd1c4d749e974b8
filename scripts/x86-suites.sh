#!/bin/sh
# The x86 guest suites make test runs, one TARGET:CPU per line (see
# scripts/run-suite.sh).  Empty until an x86 backend exists.
