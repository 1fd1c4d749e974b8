/*
 * minihv.cfg, the list of guests the UEFI app runs (docs/config.md).
 *
 * boot/ reads \minihv\minihv.cfg from the volume the app was loaded from and
 * hands its bytes to config_parse; without the file the embedded suite runs
 * as before.  The parser is pure: no firmware, no files, no allocation.  It
 * only checks what can be checked from the text itself.  Whether a file
 * exists, whether the machine has the memory, whether an embedded test of
 * that name exists: the callers check those, with this file's line numbers
 * in their messages.
 *
 * The file is written by a person, possibly on another OS, so every byte of
 * it is treated as hostile: any length, any bytes, no final newline, CR LF
 * line endings.  Nothing is truncated silently: a value too long for its
 * field refuses the guest instead.
 */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

enum guest_kind { GUEST_KIND_NONE, GUEST_KIND_MINIHV, GUEST_KIND_LINUX };

#define CONFIG_MAX_GUESTS   32
#define CONFIG_NAME_MAX     32     /* with the NUL */
#define CONFIG_PATH_MAX     128
#define CONFIG_CMDLINE_MAX  512
#define CONFIG_ERROR_MAX    160

/*
 * Guest RAM of a linux guest starts at GPA 0x80000000 and must end below the
 * hypercall window at 0xf0000000: at most 0x70000000 bytes (1792 MiB).  At
 * least 32 MiB (a kernel, its initramfs and the device tree), in whole 2 MiB
 * blocks (the boot protocol puts the kernel at a 2 MiB-aligned base and the
 * device tree in a 2 MiB region of its own: see arch/aarch64/linux_image.h).
 */
#define CONFIG_LINUX_RAM_GPA    0x80000000ull
#define CONFIG_LINUX_MEM_MIN    (32ull << 20)
#define CONFIG_LINUX_MEM_MAX    (1792ull << 20)
#define CONFIG_LINUX_MEM_ALIGN  (2ull << 20)

struct guest_config {
	char name[CONFIG_NAME_MAX];      /* from "[guest NAME]"; [A-Za-z0-9_-], unique in the file;
					    "" when the header gave no usable name (error says why) */
	enum guest_kind kind;
	char kernel[CONFIG_PATH_MAX];    /* "" when absent */
	char initrd[CONFIG_PATH_MAX];
	char cmdline[CONFIG_CMDLINE_MAX];
	char embedded[CONFIG_CMDLINE_MAX]; /* minihv only: space-separated test names or "all"; "" when absent */
	uint64_t memory;                 /* bytes; 0 when absent */
	/* What the test expects of this guest: a refusal or stop whose message
	 * contains this text (then that is its PASS); "" when absent.  Linux
	 * guests and minihv guests from a file. */
	char expect[CONFIG_PATH_MAX];
	unsigned timeout;                /* linux: the watchdog, in seconds; 0 when absent */
	bool psci_smc;                   /* linux: its device tree names SMC as PSCI's conduit
					    (psci = smc), not HVC */
	unsigned line;                   /* line of the [guest] header, for messages */
	char error[CONFIG_ERROR_MAX];    /* "" if the entry is valid; else why it is refused, with the line number */
};

/* About 53 KB: static or allocated, not on a stack. */
struct hv_config {
	struct guest_config guests[CONFIG_MAX_GUESTS];
	unsigned count;
	char error[CONFIG_ERROR_MAX];    /* a problem of the file as a whole ("" if none): lines before the first
					    section, too many guests (the 33rd and later are named there), a NUL byte... */
};

/*
 * Parse text[0..len) (not NUL-terminated; may contain anything).  Never fails
 * as a whole: problems are recorded in out->error or in the guest's own
 * error, so each bad guest is refused alone and the rest run.
 *
 * out->guests[0..count) are the sections in file order, refused ones
 * included (their error says why; the other fields hold what was read up to
 * the first problem and must not be used).  Only the first problem of each
 * guest, and of the file, is kept.  out->error does not invalidate the
 * guests: the valid ones still run.  A file with no sections and no error is
 * valid and lists no guest.
 */
void config_parse(const char *text, size_t len, struct hv_config *out);

/* For messages: "minihv", "linux" ("none" for GUEST_KIND_NONE). */
const char *guest_kind_name(enum guest_kind k);

#endif
