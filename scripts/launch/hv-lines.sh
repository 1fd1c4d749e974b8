#!/bin/sh
# The serial log without the stretches the hypervisor lent to a guest.
#
#   hv-lines.sh LOG [KEPT]
#
# Prints LOG's lines, each without the "\r" the serial line ends it with
# and with any NUL byte as \001 (so that awk, grep and sed read every line
# as text), leaving out every stretch in which a guest owned the serial
# line.  Writes the name of a guest that never gave it back to KEPT.
#
# Why: minihv's own guests never touch the UART (every line they print
# goes through the hypervisor, which starts it with "[name] " and turns
# control bytes into "?"), but a Linux guest is handed the PL011 itself, so
# its output reaches the log raw and could hold a line "PASS: ...",
# "SUMMARY: ..." or "minihv: power off, status 0" of its own.  So the
# hypervisor brackets the time it lends the line:
#
#   minihv: serial line lent to guest 'debian' (token 9f86d081884c7d65)
#   ... anything the guest prints ...
#   minihv: serial line back from guest 'debian' (token 9f86d081884c7d65)
#
# The token is 16 hex digits the guest cannot know: it never sees the
# hypervisor's memory, and it cannot read back what went out on the line.
# From a "lent" line (only a whole line counts: outside such a stretch
# only the hypervisor starts lines) everything up to and including the
# first line that ends with the matching "back" text (same name, same
# token) is dropped; inside the stretch a line that looks like a "lent"
# line is only the guest's text.  The "back" text may end a line that the
# guest began (its last line, if it had no newline): the token, not the
# line's start, is what proves the hypervisor wrote it.
#
# When no matching "back" line comes, everything after the "lent" line is
# the guest's and is dropped, except the last lines if they are the
# launcher's own "minihv-harness:" lines, which it appends after the
# emulator has ended (scripts/launch/watch.sh); the guest's name goes to
# KEPT, and the judge fails the run (scripts/judge-log.sh).
set -eu

log=$1
kept=${2:-}
[ -z "$kept" ] || : >"$kept"
[ -f "$log" ] || exit 0

tr '\000' '\001' <"$log" | sed 's/\r$//' | LC_ALL=C awk -v kept="$kept" '
BEGIN {
	lent_text = "minihv: serial line lent to guest \047"
	lent = 0
}
lent {
	# A line ending with the "back" text closes the stretch.
	if (length($0) >= length(back) &&
	    substr($0, length($0) - length(back) + 1) == back) {
		lent = 0
		harness = ""
	} else if (index($0, "minihv-harness: ") == 1) {
		harness = harness $0 "\n"
	} else {
		harness = ""
	}
	next
}
index($0, lent_text) == 1 {
	rest = substr($0, length(lent_text) + 1)
	q = index(rest, "\047")
	name = substr(rest, 1, q - 1)
	tail = substr(rest, q)
	# tail is "\047 (token " 16 lowercase hex digits ")".
	if (q > 1 && length(tail) == 26 && tail ~ /^\047 \(token [0-9a-f]+\)$/) {
		lent = 1
		lent_name = name
		back = "minihv: serial line back from guest \047" name tail
		harness = ""
		next
	}
}
{ print }
END {
	if (lent) {
		printf "%s", harness
		if (kept != "")
			print lent_name >kept
	}
}'
