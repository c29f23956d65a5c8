/* errors.c - text for every code an ojo_* function returns. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

OJO_API const char *ojo_strerror(int code)
{
	if (code < 0)
		code = -code;
	switch (code) {
	case 0:
		return "success";
	case OJO_EDROPPED:
		return "ring full: event dropped";
	case OJO_EBADMAGIC:
		return "not an Ojo trace file (bad magic)";
	case OJO_EVERSION:
		return "unsupported Ojo format version";
	case OJO_ETRUNCATED:
		return "truncated Ojo trace file";
	case OJO_ECLOSED:
		return "tracer is closing";
	}
	if (code < 2000) {
		/* strerrordesc_np is thread-safe and returns static text. */
		const char *s = strerrordesc_np(code);
		if (s)
			return s;
	}
	return "unknown error";
}
