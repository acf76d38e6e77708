/*
 * libFuzzer target over arbitrary .ko bytes: open, find sites, draw a plan,
 * write the mutated image and re-check it. Any crash, sanitizer report or
 * violated relocation rule on an accepted input is a bug. The expensive
 * variant searches (text-bitflip, dst/src-reg, pointer) run only on small
 * inputs so the fuzzer keeps its pace on whole modules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inj_error err = { "" };
	struct inj_module *m = inj_module_open_mem(data, size, "fuzz.ko", &err);
	unsigned mask = (1u << INJ_NTYPES) - 1;
	struct inj_plan p;
	uint8_t *img = NULL;
	size_t n;

	if (!m)
		return 0;
	if (size > 64 * 1024)
		mask &= ~((1u << INJ_TEXT_BITFLIP) | (1u << INJ_DST_REG) | (1u << INJ_SRC_REG) |
			  (1u << INJ_POINTER));
	if (inj_plan_make(m, size, 3, mask, INJ_MODE_LOAD, &p, &err) == 0) {
		json_t *j = inj_plan_to_json(&p);
		struct inj_plan q;

		if (inj_plan_from_json(j, &q, &err)) {
			fprintf(stderr, "own plan does not parse: %s\n", err.msg);
			abort();	/* our own output must parse */
		}
		inj_plan_free(&q);
		json_decref(j);
		if (inj_apply_image(m, &p, &img, &n, &err) == 0)
			free(img);
		else if (!strstr(err.msg, "libelf") && !strstr(err.msg, "not valid x86")) {
			fprintf(stderr, "own plan does not apply: %s\n", err.msg);
			abort();	/* a plan we just drew must apply */
		}
		inj_plan_free(&p);
	}
	inj_module_close(m);
	return 0;
}
