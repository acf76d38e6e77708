/* inject sites: every place a fault of the chosen types can go. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static json_t *site_json(struct inj_module *m, const struct inj_site *s, const char *dis)
{
	uint64_t size, fo;
	const uint8_t *b = inj_module_section_bytes(m, s->sec, &size);
	const char *fn = inj_module_function_at(m, s->sec, s->off, &fo);
	char hex[2 * INJ_MAX_INSN + 1] = "";
	json_t *o, *modes = json_array();

	for (unsigned i = 0; b && i < s->len; i++)
		sprintf(hex + 2 * i, "%02x", b[s->off + i]);
	if (s->modes & INJ_MODE_LOAD)
		json_array_append_new(modes, json_string("load"));
	if (s->modes & INJ_MODE_RUN)
		json_array_append_new(modes, json_string("run"));
	o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:I, s:s, s:s, s:o}", "type",
		      inj_type_name(s->type), "section", inj_module_section_name(m, s->sec),
		      "offset", (json_int_t)s->off, "length", (json_int_t)s->len, "function", fn,
		      "function_offset", (json_int_t)fo, "bytes", hex, "disasm", dis, "modes", modes);
	if (s->callee) {
		json_object_set_new(o, "callee", json_string(s->callee));
		json_object_set_new(o, "call_offset", json_integer((json_int_t)s->call_off));
	}
	return o;
}

int do_sites(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, 0, 't' }, { "types", required_argument, 0, 't' },
		{ "mode", required_argument, 0, 'm' }, { 0, 0, 0, 0 } };
	const char *types = NULL;
	uint8_t mode = INJ_MODE_LOAD | INJ_MODE_RUN;
	unsigned mask;
	struct inj_error err = { "" };
	struct inj_module *m;
	struct inj_site_list l;
	json_t *arr = NULL;
	size_t shown = 0;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "t:m:", opts, NULL)) != -1) {
		if (o == 't')
			types = optarg;
		else if (o == 'm' && !strcmp(optarg, "load"))
			mode = INJ_MODE_LOAD;
		else if (o == 'm' && !strcmp(optarg, "run"))
			mode = INJ_MODE_RUN;
		else
			return 2;
	}
	if (optind != argc - 1)
		return 2;
	if (inj_types_parse(types, &mask, &err))
		return cli_fail("%s", err.msg);
	m = inj_module_open(argv[optind], &err);
	if (!m)
		return cli_fail("%s", err.msg);
	if (inj_sites_find(m, mask, &l, &err)) {
		inj_module_close(m);
		return cli_fail("%s", err.msg);
	}
	if (c->json)
		arr = json_array();
	for (size_t i = 0; i < l.n; i++) {
		const struct inj_site *s = &l.v[i];
		uint64_t size, fo;
		const uint8_t *b = inj_module_section_bytes(m, s->sec, &size);
		char dis[160] = "";
		const char *fn;

		if (!(s->modes & mode))
			continue;
		shown++;
		if (!b)
			snprintf(dis, sizeof(dis), "(bss word)");
		else if (!strstr(inj_module_section_name(m, s->sec), "text"))
			snprintf(dis, sizeof(dis), "(data word)");
		else
			inj_disasm(m, b + s->off, s->len, s->off, dis, sizeof(dis));
		if (arr) {
			json_array_append_new(arr, site_json(m, s, dis));
			continue;
		}
		fn = inj_module_function_at(m, s->sec, s->off, &fo);
		printf("%-14s %s+%#llx  %s+%#llx  %s%s%s\n", inj_type_name(s->type),
		       inj_module_section_name(m, s->sec), (unsigned long long)s->off,
		       fn, (unsigned long long)fo, dis,
		       s->callee ? "  -> " : "", s->callee ? s->callee : "");
	}
	if (arr)
		cli_print_json(json_pack("{s:o, s:I, s:o}", "binary",
					 cli_identity_json(inj_module_identity(m)), "count",
					 (json_int_t)shown, "sites", arr));
	else
		fprintf(stderr, "%zu sites\n", shown);
	inj_site_list_free(&l);
	inj_module_close(m);
	return 0;
}
