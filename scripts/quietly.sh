#!/bin/sh
# Run a checker for make check with its lines in a log: on success only its
# closing line (its last) is shown, on failure all of its output.
#
#   quietly.sh LOG COMMAND [ARG...]
set -eu
log=$1
shift
mkdir -p "$(dirname "$log")"
if "$@" >"$log" 2>&1; then
	printf '  %s  (each line: %s)\n' "$(tail -n 1 "$log")" "$log"
else
	status=$?
	cat "$log"
	exit "$status"
fi
