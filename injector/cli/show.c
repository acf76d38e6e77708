/* inject show: what each fault of a plan does, before and after. With the
 * module given, the disassembly is recomputed from the file (and the plan is
 * checked to belong to it) rather than trusted from the plan. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

int do_show(struct cli *c, int argc, char **argv)
{
	struct inj_error err = { "" };
	struct inj_module *m = NULL;
	struct inj_plan p;
	json_t *arr = c->json ? json_array() : NULL;

	if (argc < 2 || argc > 3) {
		json_decref(arr);
		return 2;
	}
	if (inj_plan_load(argv[1], &p, &err)) {
		json_decref(arr);
		return cli_fail("%s", err.msg);
	}
	if (argc == 3) {
		m = inj_module_open(argv[2], &err);
		if (!m || inj_plan_check_binary(&p, m, &err)) {
			inj_module_close(m);
			inj_plan_free(&p);
			json_decref(arr);
			return cli_fail("%s", err.msg);
		}
	}
	if (!c->json)
		printf("plan for %s (sha256 %.16s...), seed %llu, %zu faults\n", p.binary.name,
		       p.binary.sha256, (unsigned long long)p.seed, p.nfaults);
	for (size_t i = 0; i < p.nfaults; i++) {
		struct inj_fault *f = &p.faults[i];
		int sec = m ? inj_module_section_index(m, f->section) : -1;
		uint64_t size;
		const uint8_t *b = sec >= 0 ? inj_module_section_bytes(m, sec, &size) : NULL;

		if (b && strstr(f->section, "text") && f->off + f->len <= size) {
			if (memcmp(b + f->off, f->old_bytes, f->len))
				snprintf(f->before, sizeof(f->before), "(file bytes differ from plan)");
			else
				inj_disasm(m, b + f->off, f->len, f->off, f->before,
					   sizeof(f->before));
			inj_disasm(m, f->new_bytes, f->len, f->off, f->after, sizeof(f->after));
		}
		if (arr) {
			json_array_append_new(arr, inj_fault_to_json(f));
			continue;
		}
		printf("[%zu] %-13s %s+%#llx (%s+%#llx)%s%s\n", i, inj_type_name(f->type),
		       f->section, (unsigned long long)f->off, f->function,
		       (unsigned long long)f->func_off, *f->callee ? " call " : "", f->callee);
		printf("      before: %s\n      after:  %s\n", *f->before ? f->before : "(data)",
		       *f->after ? f->after : "(data)");
		for (size_t r = 0; r < f->nrelocs; r++)
			printf("      relocation removed: #%zu at %#llx -> %s\n", f->relocs[r].index,
			       (unsigned long long)f->relocs[r].r_offset, f->relocs[r].symbol);
	}
	if (arr)
		cli_print_json(json_pack("{s:s, s:I, s:o}", "binary", p.binary.name, "seed",
					 (json_int_t)p.seed, "faults", arr));
	inj_plan_free(&p);
	inj_module_close(m);
	return 0;
}
