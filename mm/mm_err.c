/*
 * Names for the MM_E* error codes, for FAIL lines and test output.
 */
#include "mm_err.h"

const char *mm_strerror(int err)
{
	switch (err) {
	case MM_OK:         return "ok";
	case MM_ENOMEM:     return "out of memory";
	case MM_EINVAL:     return "invalid argument";
	case MM_EOVERLAP:   return "range already mapped";
	case MM_ENOTMAPPED: return "not mapped";
	case MM_EFAULT:     return "address outside its memory";
	case MM_EPERM:      return "permission denied";
	case MM_EUNSUPPORTED: return "unsupported translation regime";
	case MM_ELIMIT:     return "stopped at its limit";
	}
	return "unknown mm error";
}
