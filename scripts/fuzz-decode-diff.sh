#!/bin/sh
# The x86 MMIO decoder against an independent oracle: binutils' objdump.
#
#   sh scripts/fuzz-decode-diff.sh DECODE_PRINT [CORPUS_DIR...]
#
# DECODE_PRINT is build/fuzz/decode_print (tests/fuzz/decode_print.c).  The
# inputs are every file of the corpus folders (the libFuzzer corpus of
# fuzz_x86_decode: each file's first byte is the fuzzer's message-buffer
# size, so it is skipped) plus MOV-form byte strings generated here: every
# prefix combination below x every opcode the decoder claims x every
# memory ModRM byte, with SIB and displacement bytes after.
#
# For each instruction the decoder accepts, objdump (Intel syntax) must
# agree on the length, the mnemonic family (mov / movzx / movsx), which
# operand is memory (store or load), the register (number, width, AH..BH)
# or immediate, and the memory width.  Every disagreement is printed and
# fails the check, except these, where objdump is the one that differs
# from the Intel SDM and the decoder follows the SDM:
#
#   rex-split  a REX prefix followed by a legacy prefix (48 66 89 03):
#              objdump prints the REX as an instruction of its own
#              ("rex.W"), but the CPU ignores a REX that does not come
#              right before the opcode and goes on decoding (SDM vol. 2,
#              2.2.1): one instruction.  The two lines are merged and
#              then compared like any other.
#   movsxd16   66 63 /r without REX.W: objdump shows a DWORD memory
#              operand; the SDM lists "MOVSXD r16, r/m16" (a 16-bit
#              read), as the decoder decodes it.  Counted, not failed.
#   stray-rex  any other disagreement on an instruction with a REX that
#              another prefix follows (42 66 89 03, 48 40 a3 ...).  The
#              SDM ignores such a REX; objdump does not do so
#              consistently: it lets one cancel a later 66 or 67 (it
#              decodes 48 65 42 67 42 66 a1 ... with an 8-byte address,
#              not the 4 bytes 67 asks for) or reads two REX in a row as
#              neither.  Counted, not failed: the fuzz target checks these
#              widths against its own prefix scan instead, which ignores
#              such a REX as the SDM does.
#
# Closing line: "decode-diff: N compared, N disagreements, N exceptions".
# Exit status 0 only if there is no disagreement.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: $0 DECODE_PRINT [CORPUS_DIR...]" >&2
	exit 2
fi
dp=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/decode-diff.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The generated MOV forms, as hex lines.
awk 'BEGIN {
	np = split("- 66 67 2e 3e 64 65 40 41 44 48 4c 4f 66.48 48.66 67.48 66.67.41 f0 f3 26.66.4c", pre, " ")
	no = split("88 89 8a 8b 63 c6 c7 0f.b6 0f.b7 0f.be 0f.bf a0 a1 a2 a3", op, " ")
	for (p = 1; p <= np; p++)
		for (o = 1; o <= no; o++)
			for (m = 0; m < 192; m++) {
				s = (pre[p] == "-") ? "" : pre[p] "."
				s = s op[o] "." sprintf("%02x", m)
				# SIB: 5 as the base now and then (disp32, no base)
				s = s "." sprintf("%02x", (m * 37 + p) % 256)
				s = s ".11.22.33.44.55.66.77.88.99.aa.bb"
				gsub(/\./, " ", s)
				print s
			}
}' >"$tmp/inputs.hex"
gen=$(wc -l <"$tmp/inputs.hex")

ncorpus=0
for dir in "$@"; do
	[ -d "$dir" ] || continue
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		od -An -v -tx1 -j1 -N16 "$f" | tr -d '\n' >>"$tmp/inputs.hex"
		echo >>"$tmp/inputs.hex"
		ncorpus=$((ncorpus + 1))
	done
done

"$dp" "$tmp/slots.bin" <"$tmp/inputs.hex" >"$tmp/decoded.txt" 2>"$tmp/dp.err" || {
	cat "$tmp/dp.err"
	echo "decode-diff: 0 compared, 1 disagreements, 0 exceptions"
	exit 1
}
if ! command -v objdump >/dev/null 2>&1; then
	echo "decode-diff: SKIP: objdump (binutils) is not installed"
	exit 0
fi
objdump -D -b binary -m i386:x86-64 -M intel --insn-width=16 "$tmp/slots.bin" >"$tmp/objdump.txt"
echo "# $gen generated inputs, $ncorpus corpus files; $(cat "$tmp/dp.err")"

awk -v decoded="$tmp/decoded.txt" '
function hexnum(s,    i, v, c) {
	v = 0
	s = tolower(s)
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		if (c == 0) break
		v = v * 16 + c - 1
	}
	return v
}
BEGIN {
	# register name -> number, width, high8
	split("al cl dl bl spl bpl sil dil r8b r9b r10b r11b r12b r13b r14b r15b", r8, " ")
	split("ax cx dx bx sp bp si di r8w r9w r10w r11w r12w r13w r14w r15w", r16, " ")
	split("eax ecx edx ebx esp ebp esi edi r8d r9d r10d r11d r12d r13d r14d r15d", r32, " ")
	split("rax rcx rdx rbx rsp rbp rsi rdi r8 r9 r10 r11 r12 r13 r14 r15", r64, " ")
	for (i = 1; i <= 16; i++) {
		rn[r8[i]] = i - 1; rw[r8[i]] = 1; rh[r8[i]] = 0
		rn[r16[i]] = i - 1; rw[r16[i]] = 2; rh[r16[i]] = 0
		rn[r32[i]] = i - 1; rw[r32[i]] = 4; rh[r32[i]] = 0
		rn[r64[i]] = i - 1; rw[r64[i]] = 8; rh[r64[i]] = 0
	}
	split("ah ch dh bh", hi8, " ")
	for (i = 1; i <= 4; i++) { rn[hi8[i]] = i + 3; rw[hi8[i]] = 1; rh[hi8[i]] = 1 }
	pw["BYTE"] = 1; pw["WORD"] = 2; pw["DWORD"] = 4; pw["QWORD"] = 8
	split("cs ds es ss fs gs data16 addr32", pl, " ")
	for (i in pl) isprefix[pl[i]] = 1

	n = 0
	while ((getline line < decoded) > 0) {
		split(line, f, " ")
		k = f[1]
		d_len[k] = f[2]; d_dir[k] = f[3]; d_size[k] = f[4]; d_reg[k] = f[5]
		d_h8[k] = f[6]; d_dst[k] = f[7]; d_ext[k] = f[8]; d_hex[k] = f[9]
		n++
	}
	compared = 0; bad = 0; exc_sxd = 0; exc_rex = 0
}
# objdump lines: "   addr:<TAB>bytes<TAB>text"
/^ *[0-9a-f]+:\t/ {
	split($0, t, "\t")
	a = substr(t[1], 1, index(t[1], ":") - 1)
	gsub(/ /, "", a)
	addr = hexnum(a)
	nb = split(t[2], junk, " ")
	text = t[3]
	sub(/ *#.*/, "", text)
	if (addr % 16 == 0 && addr / 16 < n) {
		cur = addr / 16
		o_len[cur] = nb
		o_text[cur] = text
		open = only_prefixes(text)
	} else if (open) {
		# the rest of a rex-split instruction (see the header)
		o_len[cur] += nb
		o_text[cur] = text
		o_split[cur] = 1
		open = only_prefixes(text)
	}
}
# A line that is nothing but prefixes: objdump stopped at a REX it
# considers unused (rex-split in the header).
function only_prefixes(s,    w, m, i) {
	m = split(s, w, " ")
	for (i = 1; i <= m; i++)
		if (!(w[i] in isprefix) && w[i] !~ /^rex(\.[WRXB]+)?$/) return 0
	return m > 0
}
# Does the prefix run of hex string h hold a REX followed by another
# prefix (stray-rex in the header)?
function stray_rex(h,    i, b, rex) {
	rex = 0
	for (i = 1; i < length(h); i += 2) {
		b = substr(h, i, 2)
		if (b ~ /^4[0-9a-f]$/) {
			if (rex) return 1
			rex = 1
		} else if (b ~ /^(66|67|f0|f2|f3|26|2e|36|3e|64|65)$/) {
			if (rex) return 1
		} else {
			return 0
		}
	}
	return 0
}
function fail(k, why) {
	if (stray_rex(d_hex[k])) {
		exc_rex++
		return
	}
	printf "not ok - %s: decoder len %s %s size %s reg %s%s dst %s %s; objdump len %s \"%s\": %s\n", \
		d_hex[k], d_len[k], d_dir[k], d_size[k], d_reg[k], d_h8[k] ? "(high8)" : "", \
		d_dst[k], d_ext[k], o_len[k], o_text[k], why
	bad++
}
function is_mem(s) { return s ~ /\[/ || s ~ /^(BYTE|WORD|DWORD|QWORD) PTR/ || s ~ /^[cdefgs]s:0x/ }
function is_imm(s) { return s ~ /^-?(0x[0-9a-f]+|[0-9]+)$/ }
function mem_width(s,    w) {
	w = s
	if (sub(/ PTR.*/, "", w) && (w in pw)) return pw[w]
	return 0
}
END {
	for (k = 0; k < n; k++) {
		compared++
		if (!(k in o_len)) { fail(k, "no objdump line at this slot"); continue }
		if (o_len[k] != d_len[k]) { fail(k, "length"); continue }
		txt = o_text[k]
		# drop prefixes objdump prints as words
		nw = split(txt, w, " ")
		i = 1
		while (i < nw && (w[i] in isprefix || w[i] ~ /^rex/)) i++
		mn = w[i]
		ops = ""
		for (j = i + 1; j <= nw; j++) ops = ops (ops == "" ? "" : " ") w[j]
		if (split(ops, op, ",") != 2) { fail(k, "not two operands"); continue }
		if (mn != "mov" && mn != "movabs" && mn != "movzx" && mn != "movsx" && mn != "movsxd") {
			fail(k, "mnemonic " mn); continue
		}
		store = is_mem(op[1])
		if (store != (d_dir[k] == "store")) { fail(k, "direction"); continue }
		if (!is_mem(store ? op[1] : op[2])) { fail(k, "no memory operand"); continue }
		mem = store ? op[1] : op[2]
		other = store ? op[2] : op[1]
		mw = mem_width(mem)
		if (store) {
			if (d_reg[k] == "imm") {
				if (!is_imm(other)) { fail(k, "immediate"); continue }
				if (mw != d_size[k]) { fail(k, "memory width"); continue }
			} else {
				if (!(other in rn)) { fail(k, "register " other); continue }
				if (rn[other] != d_reg[k] || rh[other] != d_h8[k] || rw[other] != d_size[k]) {
					fail(k, "register"); continue
				}
				if (mw && mw != d_size[k]) { fail(k, "memory width"); continue }
			}
			if (mn != "mov" && mn != "movabs") { fail(k, "mnemonic " mn); continue }
		} else {
			if (!(other in rn)) { fail(k, "register " other); continue }
			if (rn[other] != d_reg[k] || rh[other] != d_h8[k] || rw[other] != d_dst[k]) {
				fail(k, "register"); continue
			}
			if (mw == 0) mw = rw[other]    # moffs: no PTR, the width is the register
			if (mn == "movsxd" && d_ext[k] == "mov" && rw[other] == 2 && mw == 4 && d_size[k] == 2) {
				exc_sxd++; continue      # movsxd16, see the header
			}
			if (mw != d_size[k]) { fail(k, "memory width"); continue }
			# Extending to the same width changes nothing: movsx ax, WORD
			# PTR is a plain load, whichever name each side gives it.
			fam = (mn == "movzx") ? "zx" : (mn == "movsx" || mn == "movsxd") ? "sx" : "mov"
			if (mw != rw[other] && fam != d_ext[k]) { fail(k, "extension " fam); continue }
		}
	}
	printf "# exceptions: %d movsxd16, %d stray-rex\n", exc_sxd, exc_rex
	printf "decode-diff: %d compared, %d disagreements, %d exceptions\n", compared, bad, exc_sxd + exc_rex
	exit bad > 0
}' "$tmp/objdump.txt"
