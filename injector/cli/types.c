/* inject types: the fault taxonomy and each type's exact rule. */
#include <stdio.h>
#include "cli.h"

int do_types(struct cli *c, int argc, char **argv)
{
	json_t *a;

	(void)argv;
	if (argc != 1)
		return 2;
	if (!c->json) {
		for (int t = 0; t < INJ_NTYPES; t++)
			printf("%-14s %s\n", inj_type_name(t), inj_type_rule(t));
		return 0;
	}
	a = json_array();
	for (int t = 0; t < INJ_NTYPES; t++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "name", inj_type_name(t),
						   "rule", inj_type_rule(t)));
	cli_print_json(json_pack("{s:o}", "types", a));
	return 0;
}
