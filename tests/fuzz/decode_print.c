/*
 * The decoder's side of the differential check (scripts/fuzz-decode-diff.sh).
 *
 * Reads inputs from stdin, one per line as hex ("48 89 03" or "488903"),
 * runs x86_decode_mmio on each, and for every instruction it accepts:
 *
 *   - writes the instruction's bytes into slot k of the file named by
 *     argv[1], at offset 16 * k, the rest of the slot filled with NOPs
 *     (90), so that objdump, decoding the file from the start, begins an
 *     instruction at every slot (an instruction is at most 15 bytes, and
 *     the NOPs are one byte each, so it comes back in step whatever it
 *     made of the slot before);
 *   - prints "k len dir size reg high8 dst ext input", where dir is
 *     "store" or "load", reg the register number 0..15 or "imm", dst the
 *     register width of a load (0 for a store), ext mov / zx / sx.
 *
 * At the end, to stderr: how many inputs, how many accepted.
 */
#include <stdio.h>
#include <string.h>

#include "arch/x86_64/x86_decode.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	static const char *ext_name[] = { "mov", "zx", "sx" };
	char line[4096];
	unsigned long inputs = 0, accepted = 0;
	FILE *bin;

	if (argc != 2) {
		fprintf(stderr, "usage: decode_print SLOTS.bin < inputs.hex\n");
		return 2;
	}
	bin = fopen(argv[1], "wb");
	if (!bin) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		uint8_t bytes[X86_MAX_INSN_LEN + 1], slot[16];
		size_t n = 0;
		struct x86_mmio_insn in;
		int hi = -1;

		/* Hex digits in pairs, anything else ignored; at most 16
		 * bytes matter (the decoder reads 15). */
		for (char *p = line; *p && n < sizeof(bytes); p++) {
			int v = hexval(*p);
			if (v < 0)
				continue;
			if (hi < 0) {
				hi = v;
			} else {
				bytes[n++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
		}
		if (n == 0)
			continue;
		inputs++;
		if (x86_decode_mmio(bytes, n, &in, NULL, 0) != X86_DECODE_OK)
			continue;
		memset(slot, 0x90, sizeof(slot));
		memcpy(slot, bytes, in.len);
		fwrite(slot, 1, sizeof(slot), bin);
		printf("%lu %u %s %u ", accepted, in.len, in.write ? "store" : "load", in.size);
		if (in.has_imm)
			printf("imm");
		else
			printf("%u", in.reg);
		printf(" %d %u %s ", in.reg_high8, in.dst_size, in.write ? "-" : ext_name[in.ext]);
		for (unsigned i = 0; i < in.len; i++)
			printf("%02x", bytes[i]);
		printf("\n");
		accepted++;
	}
	if (fclose(bin) != 0) {
		perror(argv[1]);
		return 2;
	}
	fprintf(stderr, "decode_print: %lu inputs, %lu accepted\n", inputs, accepted);
	return 0;
}
