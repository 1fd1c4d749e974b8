# shellcheck shell=sh
# Sourced by the launchers: run an emulator under a progress watchdog.
#
#   . "$here/watch.sh"
#   watch_run LOG APP COMMAND [ARG...]
#
# Runs COMMAND (the emulator; stdin is /dev/null) in the background under
# "timeout MINIHV_TIMEOUT" and watches LOG, the serial line, once a second.
# It stops the emulator early, and says why in a "minihv-harness:" line
# appended to LOG (judge-log.sh shows those lines), when
#
#   - the serial line has not grown for MINIHV_STALL seconds (default 45):
#     a hang.  MINIHV_TIMEOUT alone would notice it only minutes later.
#     45 s because Bochs spends 7 to 25 s in its firmware before the first
#     serial line, and a loaded machine (make test runs two emulators on
#     two cores) stretches that; while LOG is still empty, a growing
#     watch_alive_file (Bochs's own log, set by its launcher) also counts as
#     progress.  Once the serial line has started, only it counts: an
#     emulator that logs forever about a hung guest is still hung.
#     45 s + 1 s of polling + at most 5 s for the emulator to die keeps the
#     verdict within a minute of the last sign of life.
#   - the firmware prints that it refused to load or start a boot option
#     with "Access Denied" or "Security Violation": that is Secure Boot
#     turning down an image that no key in its db signed, and waiting for
#     the timeout would teach nothing (docs/secure-boot.md).
#
# watch_run sets watch_status to
#   the emulator's own exit status when it ended by itself,
#   124  MINIHV_TIMEOUT ran out (137: it had to be killed after that),
#   123  no progress (MINIHV_STALL),
#   122  the firmware refused to start APP (Secure Boot),
# and the launcher decides what to exit with.  Set watch_output=FILE before
# the call to send the emulator's stdout and stderr to FILE.  On INT, TERM or HUP the
# emulator is stopped and the launcher exits 130, 143 or 129.
#
# Why the process group: timeout without --foreground puts itself and the
# emulator in a new process group (its pid is the group's id), so one
# "kill -- -PGID" stops the emulator and anything it started, and
# timeout's own expiry kills the whole group too.  The group is in the
# same session as the caller, so whoever kills the session kills it; and
# if the launcher itself is SIGKILLed, timeout still ends the group within
# MINIHV_TIMEOUT + 5 s, so nothing outlives that bound.
#
# MINIHV_EMULATOR=PROGRAM runs PROGRAM instead of the emulator, with the
# same arguments and MINIHV_SERIAL_LOG=LOG in its environment: the harness's
# own tests use it to play a hung or refusing machine (scripts/selftest-launch.sh).

watch_stall_status=123
watch_refused_status=122
watch_me=$(basename "$0" .sh)

# harness_says TEXT...: a line for the judge (in LOG) and for the reader.
harness_says() {
	echo "minihv-harness: $*" >>"$watch_log"
	echo "$watch_me: $*" >&2
}

# The size of a file in bytes, 0 when it does not exist.
watch_size() {
	if [ -f "$1" ]; then
		wc -c <"$1" | tr -d ' '
	else
		echo 0
	fi
}

# The last line of LOG with something on it, without the firmware's
# terminal escapes and carriage returns, at most 160 characters.
watch_last_line() {
	esc=$(printf '\033')
	tr -d '\r' <"$watch_log" | sed "s/$esc\[[0-9;=?]*[A-Za-z]//g" |
		grep -v '^[[:space:]]*$' | tail -n 1 | cut -c 1-160
}

# hv_power_status LOG: the status N of the hypervisor's last
# "minihv: power off, status N" line in LOG (hv/power.c prints it just
# before it powers off), or nothing when there is none.  Only a line that
# begins so counts: every line a guest writes begins "[name] ", so a guest
# cannot write this one; nor can a guest the serial line was lent to (a
# Linux guest, which owns the UART) while it had it: those stretches are
# left out (hv-lines.sh).
watch_dir=$(cd "$(dirname "$0")" && pwd)
hv_power_status() {
	sh "$watch_dir/hv-lines.sh" "$1" | tr -d '\r' |
		sed -n 's/^minihv: power off, status \([0-9][0-9]*\)$/\1/p' | tail -n 1
}
# Stop the emulator's process group: TERM, up to 5 s to go, then KILL.
watch_stop() {
	# The group exists once timeout has called setpgid, a moment after the
	# fork; before that the pid alone is all there is to stop.
	kill -TERM -- "-$watch_pid" 2>/dev/null || kill -TERM "$watch_pid" 2>/dev/null || true
	n=0
	while [ "$n" -lt 5 ] && kill -0 "$watch_pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
	done
	kill -KILL -- "-$watch_pid" 2>/dev/null || true
}

# The firmware's refusal (edk2's boot manager, OVMF and AAVMF alike):
#   BdsDxe: failed to load Boot0002 "UEFI QEMU HARDDISK QM00001 " from ...: Access Denied
watch_refusal='BdsDxe: failed to (load|start) Boot[0-9A-Fa-f]+ .*: (Access Denied|Security Violation)'

# need_emulator PROGRAM VARIABLE: exit 77 (this machine cannot run the
# suite) with one line naming PROGRAM and the fix when it is not there:
# make deps, or VARIABLE=/path/to/it for another build of it.  The
# harness's stand-in (MINIHV_EMULATOR) needs nothing.
need_emulator() {
	[ -z "${MINIHV_EMULATOR:-}" ] || return 0
	command -v "$1" >/dev/null 2>&1 && return 0
	case $1 in
	*/*) echo "$watch_me: $1 ($2) does not exist or is not executable" >&2 ;;
	*) echo "$watch_me: $1 is not installed (not on PATH): run make deps, or point $2=/path/to/$1 at another one" >&2 ;;
	esac
	exit 77
}

# need_firmware FILE: the same for a firmware file (make deps installs it).
need_firmware() {
	[ -z "${MINIHV_EMULATOR:-}" ] || return 0
	[ -f "$1" ] && return 0
	echo "$watch_me: the firmware $1 is missing: run make deps" >&2
	exit 77
}

watch_run() {
	watch_log=$1
	watch_app=$2
	shift 2
	if [ -n "${MINIHV_EMULATOR:-}" ]; then
		shift
		set -- "$MINIHV_EMULATOR" "$@"
	fi
	stall=${MINIHV_STALL:-45}
	limit=${MINIHV_TIMEOUT:-120}
	alive=${watch_alive_file:-}

	if [ -n "${watch_output:-}" ]; then
		MINIHV_SERIAL_LOG=$watch_log timeout -k 5 "$limit" "$@" </dev/null >"$watch_output" 2>&1 &
	else
		MINIHV_SERIAL_LOG=$watch_log timeout -k 5 "$limit" "$@" </dev/null &
	fi
	watch_pid=$!
	trap 'watch_stop; exit 130' INT
	trap 'watch_stop; exit 143' TERM
	trap 'watch_stop; exit 129' HUP

	last=""
	last_change=$(date +%s)
	reason=""
	while kill -0 "$watch_pid" 2>/dev/null; do
		sleep 1
		size=$(watch_size "$watch_log")
		mark=$size
		if [ "$size" -eq 0 ] && [ -n "$alive" ]; then
			mark="0:$(watch_size "$alive")"
		fi
		now=$(date +%s)
		if [ "$mark" != "$last" ]; then
			last=$mark
			last_change=$now
			# Only the firmware, before minihv has started, can refuse
			# the app: a guest that prints the same words later must
			# not be able to end the run with another verdict.
			if [ "$size" -gt 0 ] && ! grep -q "^minihv " "$watch_log" &&
				grep -Eq "$watch_refusal" "$watch_log"; then
				reason=refused
				break
			fi
		elif [ $((now - last_change)) -ge "$stall" ]; then
			reason=stall
			break
		fi
	done
	quiet=$(($(date +%s) - last_change))
	if [ -n "$reason" ]; then
		watch_stop
	fi
	watch_status=0
	wait "$watch_pid" || watch_status=$?
	trap - INT TERM HUP

	case $reason in
	stall)
		line=$(watch_last_line)
		if [ -n "$line" ]; then
			harness_says "no progress: the serial line has been silent for $quiet s; last line: \"$line\" (MINIHV_STALL=$stall)"
		else
			harness_says "no progress: nothing on the serial line for $quiet s (MINIHV_STALL=$stall)"
		fi
		watch_status=$watch_stall_status
		;;
	refused)
		harness_says "the firmware refused to start $watch_app: Secure Boot is on and the app is not signed with a key the firmware trusts (minihv's build is unsigned); see docs/secure-boot.md"
		said=$(grep -E "$watch_refusal" "$watch_log" | tr -d '\r' | head -n 1 |
			sed 's/^.*BdsDxe:/BdsDxe:/' | cut -c 1-200)
		echo "minihv-harness:   the firmware said: $said" >>"$watch_log"
		watch_status=$watch_refused_status
		;;
	*)
		case $watch_status in
		124 | 137)
			harness_says "the emulator ran out of time: MINIHV_TIMEOUT=$limit s (the serial line last grew $quiet s before)"
			;;
		esac
		;;
	esac
}
