/* inject plan / apply: draw a seeded plan; write the mutated module. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

int do_plan(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, 0, 's' }, { "faults", required_argument, 0, 'k' },
		{ "types", required_argument, 0, 't' }, { "type", required_argument, 0, 't' },
		{ "mode", required_argument, 0, 'm' }, { "output", required_argument, 0, 'o' },
		{ "functions", required_argument, 0, 'f' }, { 0, 0, 0, 0 } };
	const char *types = NULL, *out = NULL, *funcs = NULL;
	uint64_t seed = 0, k = 5;
	bool have_seed = false;
	uint8_t mode = INJ_MODE_LOAD;
	unsigned mask;
	struct inj_error err = { "" };
	struct inj_module *m;
	struct inj_plan p;
	json_t *j;
	int o;

	(void)c;
	optind = 1;
	while ((o = getopt_long(argc, argv, "s:k:t:m:o:f:", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (cli_parse_u64(optarg, INT64_MAX, &seed))
				return cli_fail("--seed wants an integer in [0, 2^63)");
			have_seed = true;
			break;
		case 'k':
			if (cli_parse_u64(optarg, 10000, &k) || k == 0)
				return cli_fail("--faults wants an integer in [1, 10000]");
			break;
		case 't': types = optarg; break;
		case 'o': out = optarg; break;
		case 'f': funcs = optarg; break;
		case 'm':
			if (!strcmp(optarg, "load"))
				mode = INJ_MODE_LOAD;
			else if (!strcmp(optarg, "run"))
				mode = INJ_MODE_RUN;
			else
				return cli_fail("--mode is load or run");
			break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !have_seed)
		return 2;
	if (inj_types_parse(types, &mask, &err))
		return cli_fail("%s", err.msg);
	m = inj_module_open(argv[optind], &err);
	if (!m)
		return cli_fail("%s", err.msg);
	if (inj_plan_make_in(m, seed, (unsigned)k, mask, mode, funcs, &p, &err)) {
		inj_module_close(m);
		return cli_fail("%s", err.msg);
	}
	j = inj_plan_to_json(&p);
	inj_plan_free(&p);
	inj_module_close(m);
	if (out) {
		int rc = json_dump_file(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(j);
		return rc ? cli_fail("%s: cannot write", out) : 0;
	}
	cli_print_json(j);
	return 0;
}

int do_apply(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "output", required_argument, 0, 'o' },
					      { 0, 0, 0, 0 } };
	const char *out = NULL;
	struct inj_error err = { "" };
	struct inj_module *m;
	struct inj_plan p;
	size_t nrel = 0;
	bool had_sig;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (o != 'o')
			return 2;
		out = optarg;
	}
	if (optind != argc - 2 || !out)
		return 2;
	m = inj_module_open(argv[optind], &err);
	if (!m)
		return cli_fail("%s", err.msg);
	if (inj_plan_load(argv[optind + 1], &p, &err)) {
		inj_module_close(m);
		return cli_fail("%s", err.msg);
	}
	had_sig = inj_module_has_signature(m);
	if (inj_apply_write(m, &p, out, &err)) {
		inj_plan_free(&p);
		inj_module_close(m);
		return cli_fail("%s", err.msg);
	}
	for (size_t i = 0; i < p.nfaults; i++)
		nrel += p.faults[i].nrelocs;
	if (c->json)
		cli_print_json(json_pack("{s:s, s:I, s:I, s:b, s:o}", "output", out, "faults",
					 (json_int_t)p.nfaults, "relocs_removed", (json_int_t)nrel,
					 "signature_stripped", had_sig, "binary",
					 cli_identity_json(inj_module_identity(m))));
	else
		printf("wrote %s: %zu faults, %zu relocations removed%s\n", out, p.nfaults, nrel,
		       had_sig ? ", module signature stripped" : "");
	inj_plan_free(&p);
	inj_module_close(m);
	return 0;
}
