/*
 * The plan's JSON form is the stored, replayable artefact of a trial, and
 * scripts read it: field names and meanings are stable (README.md, "Plan
 * format"); new fields may be added, none renamed. Parsing rejects anything
 * malformed with a message naming the field.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static const char *const rt_names[] = { "patch", "flip", "regfault", "memflip" };

static json_t *hex_json(const uint8_t *p, size_t n)
{
	char buf[2 * INJ_MAX_INSN + 1];

	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	buf[2 * n] = 0;
	return json_string(buf);
}

static json_t *mask_json(const uint8_t *known, size_t n)
{
	uint8_t m[INJ_MAX_INSN];

	for (size_t i = 0; i < n; i++)
		m[i] = known[i] ? 0xff : 0;
	return hex_json(m, n);
}

static json_t *modes_json(uint8_t modes)
{
	json_t *a = json_array();

	if (modes & INJ_MODE_LOAD)
		json_array_append_new(a, json_string("load"));
	if (modes & INJ_MODE_RUN)
		json_array_append_new(a, json_string("run"));
	return a;
}

static json_t *runtime_json(const struct inj_fault *f)
{
	json_t *r = json_pack("{s:s, s:s, s:I}", "kind", rt_names[f->rt_kind], "section",
			      f->section, "offset", (json_int_t)f->off);
	char x[32];

	switch (f->rt_kind) {
	case INJ_RT_PATCH:
		json_object_set_new(r, "old", hex_json(f->old_bytes, f->len));
		json_object_set_new(r, "new", hex_json(f->new_bytes, f->len));
		json_object_set_new(r, "old_mask", mask_json(f->old_known, f->len));
		break;
	case INJ_RT_FLIP:	/* byte offset + bit 0..7 in that byte */
		json_object_set_new(r, "offset", json_integer((json_int_t)(f->off + f->bit / 8)));
		json_object_set_new(r, "bit", json_integer(f->bit % 8));
		break;
	case INJ_RT_REGFAULT:
		json_object_set_new(r, "offset", json_integer((json_int_t)f->call_off));
		json_object_set_new(r, "register", json_string(f->reg));
		snprintf(x, sizeof(x), "0x%016" PRIx64, f->xor_mask);
		json_object_set_new(r, "xor", json_string(x));
		break;
	case INJ_RT_MEMFLIP:
		json_object_set_new(r, "base", json_string(f->reg));
		json_object_set_new(r, "index", json_string(f->index_reg));
		json_object_set_new(r, "scale", json_integer(f->scale));
		json_object_set_new(r, "disp", json_integer(f->disp));
		json_object_set_new(r, "bit", json_integer(f->bit));
		break;
	}
	return r;
}

json_t *inj_fault_to_json(const struct inj_fault *f)
{
	json_t *o = json_object(), *rel = json_array();

	json_object_set_new(o, "type", json_string(inj_type_name(f->type)));
	json_object_set_new(o, "section", json_string(f->section));
	json_object_set_new(o, "offset", json_integer((json_int_t)f->off));
	json_object_set_new(o, "length", json_integer(f->len));
	json_object_set_new(o, "function", json_string(f->function));
	json_object_set_new(o, "function_offset", json_integer((json_int_t)f->func_off));
	if (*f->callee) {
		json_object_set_new(o, "callee", json_string(f->callee));
		json_object_set_new(o, "call_offset", json_integer((json_int_t)f->call_off));
	}
	json_object_set_new(o, "old", hex_json(f->old_bytes, f->len));
	json_object_set_new(o, "new", hex_json(f->new_bytes, f->len));
	json_object_set_new(o, "modes", modes_json(f->modes));
	for (size_t i = 0; i < f->nrelocs; i++)
		json_array_append_new(rel, json_pack("{s:i, s:I, s:I, s:i, s:s}",
			"rela_section", f->relocs[i].rela_sec, "index",
			(json_int_t)f->relocs[i].index, "offset", (json_int_t)f->relocs[i].r_offset,
			"type", (int)f->relocs[i].r_type, "symbol", f->relocs[i].symbol));
	json_object_set_new(o, "relocs_removed", rel);
	json_object_set_new(o, "before", json_string(f->before));
	json_object_set_new(o, "after", json_string(f->after));
	json_object_set_new(o, "runtime", runtime_json(f));
	return o;
}

json_t *inj_plan_to_json(const struct inj_plan *p)
{
	json_t *types = json_array(), *faults = json_array();

	for (int t = 0; t < INJ_NTYPES; t++)
		if (p->types_mask & (1u << t))
			json_array_append_new(types, json_string(inj_type_name(t)));
	for (size_t i = 0; i < p->nfaults; i++)
		json_array_append_new(faults, inj_fault_to_json(&p->faults[i]));
	return json_pack("{s:s, s:i, s:{s:s, s:s, s:s}, s:I, s:s, s:o, s:s, s:o}",
		"format", INJ_PLAN_FORMAT, "version", INJ_PLAN_VERSION,
		"binary", "name", p->binary.name, "sha256", p->binary.sha256,
		"build_id", p->binary.build_id,
		"seed", (json_int_t)p->seed,
		"mode", p->mode == INJ_MODE_RUN ? "run" : "load",
		"types", types, "functions", p->functions, "faults", faults);
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
	if (!s || strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int copy_str(char *dst, size_t n, const char *src)
{
	if (!src || strlen(src) >= n)
		return -1;
	strcpy(dst, src);
	return 0;
}

static int fault_from_json(const json_t *o, struct inj_fault *f, struct inj_error *err)
{
	const char *type, *section, *function = "", *callee = NULL, *old, *nw, *before = "",
		   *after = "", *kind;
	json_int_t off, len, foff = 0, coff = -1;
	json_t *modes, *rel, *rt, *v;
	json_error_t je;
	size_t i;
	int k;

	memset(f, 0, sizeof(*f));
	if (json_unpack_ex((json_t *)o, &je, 0,
			   "{s:s, s:s, s:I, s:I, s?s, s?I, s?s, s?I, s:s, s:s, s:o, s:o, s?s, s?s, s:o}",
			   "type", &type, "section", &section, "offset", &off, "length", &len,
			   "function", &function, "function_offset", &foff, "callee", &callee,
			   "call_offset", &coff, "old", &old, "new", &nw, "modes", &modes,
			   "relocs_removed", &rel, "before", &before, "after", &after,
			   "runtime", &rt)) {
		inj_err(err, "bad fault: %s", je.text);
		return -1;
	}
	k = inj_type_parse(type);
	if (k < 0 || len <= 0 || len > INJ_MAX_INSN || off < 0 ||
	    copy_str(f->section, sizeof(f->section), section) ||
	    unhex(old, f->old_bytes, len) || unhex(nw, f->new_bytes, len) ||
	    !json_is_array(modes) || !json_is_array(rel) ||
	    json_array_size(rel) > INJ_MAX_RELOCS) {
		inj_err(err, "bad fault: type, section, offset, length, old/new hex, modes or "
			"relocs_removed invalid");
		return -1;
	}
	f->type = k;
	f->off = off;
	f->len = (uint8_t)len;
	f->func_off = foff;
	f->call_off = coff >= 0 ? (uint64_t)coff : (uint64_t)off;
	snprintf(f->function, sizeof(f->function), "%s", function);
	snprintf(f->callee, sizeof(f->callee), "%s", callee ? callee : "");
	snprintf(f->before, sizeof(f->before), "%s", before);
	snprintf(f->after, sizeof(f->after), "%s", after);
	json_array_foreach(modes, i, v) {
		const char *mode = json_string_value(v);
		if (mode && !strcmp(mode, "load"))
			f->modes |= INJ_MODE_LOAD;
		else if (mode && !strcmp(mode, "run"))
			f->modes |= INJ_MODE_RUN;
		else {
			inj_err(err, "bad fault: unknown mode");
			return -1;
		}
	}
	json_array_foreach(rel, i, v) {
		struct inj_reloc_ref *r = &f->relocs[i];
		json_int_t rs, idx, ro, rtp;
		const char *sym;
		if (json_unpack_ex(v, &je, 0, "{s:I, s:I, s:I, s:I, s:s}", "rela_section", &rs,
				   "index", &idx, "offset", &ro, "type", &rtp, "symbol", &sym) ||
		    rs < 0 || idx < 0 || ro < 0) {
			inj_err(err, "bad relocs_removed entry");
			return -1;
		}
		*r = (struct inj_reloc_ref){ (int)rs, (size_t)idx, (uint64_t)ro, (uint32_t)rtp, "" };
		snprintf(r->symbol, sizeof(r->symbol), "%s", sym);
		f->nrelocs++;
	}
	kind = json_string_value(json_object_get(rt, "kind"));
	for (k = 0; k < 4; k++)
		if (kind && !strcmp(kind, rt_names[k]))
			break;
	if (k == 4) {
		inj_err(err, "bad fault: runtime.kind");
		return -1;
	}
	f->rt_kind = k;
	if (k == INJ_RT_PATCH) {
		const char *mask = json_string_value(json_object_get(rt, "old_mask"));
		uint8_t mb[INJ_MAX_INSN];
		if (unhex(mask, mb, len)) {
			inj_err(err, "bad fault: runtime.old_mask");
			return -1;
		}
		for (int b = 0; b < len; b++)
			f->old_known[b] = mb[b] != 0;
	} else if (k == INJ_RT_FLIP) {
		json_int_t byte = json_integer_value(json_object_get(rt, "offset"));
		json_int_t bit = json_integer_value(json_object_get(rt, "bit"));
		if (byte < off || byte >= off + len || bit < 0 || bit > 7) {
			inj_err(err, "bad fault: runtime flip offset/bit");
			return -1;
		}
		f->bit = (unsigned)((byte - off) * 8 + bit);
	} else if (k == INJ_RT_REGFAULT) {
		const char *x = json_string_value(json_object_get(rt, "xor"));
		if (copy_str(f->reg, sizeof(f->reg),
			     json_string_value(json_object_get(rt, "register"))) ||
		    !x || sscanf(x, "%" SCNx64, &f->xor_mask) != 1) {
			inj_err(err, "bad fault: runtime register/xor");
			return -1;
		}
	} else {
		if (copy_str(f->reg, sizeof(f->reg), json_string_value(json_object_get(rt, "base"))) ||
		    copy_str(f->index_reg, sizeof(f->index_reg),
			     json_string_value(json_object_get(rt, "index")))) {
			inj_err(err, "bad fault: runtime base/index");
			return -1;
		}
		f->scale = (int)json_integer_value(json_object_get(rt, "scale"));
		f->disp = json_integer_value(json_object_get(rt, "disp"));
		f->bit = (unsigned)json_integer_value(json_object_get(rt, "bit"));
	}
	return 0;
}

int inj_plan_from_json(const json_t *j, struct inj_plan *p, struct inj_error *err)
{
	const char *format, *name, *sha, *bid = "", *mode, *funcs = "";
	json_int_t version, seed;
	json_t *types, *faults, *v;
	json_error_t je;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (json_unpack_ex((json_t *)j, &je, 0,
			   "{s:s, s:I, s:{s:s, s:s, s?s}, s:I, s:s, s:o, s?s, s:o}",
			   "format", &format, "version", &version, "binary", "name", &name,
			   "sha256", &sha, "build_id", &bid, "seed", &seed, "mode", &mode,
			   "types", &types, "functions", &funcs, "faults", &faults)) {
		inj_err(err, "not a fault plan: %s", je.text);
		return -1;
	}
	if (strcmp(format, INJ_PLAN_FORMAT) || version != INJ_PLAN_VERSION) {
		inj_err(err, "not a %s v%d document", INJ_PLAN_FORMAT, INJ_PLAN_VERSION);
		return -1;
	}
	if (copy_str(p->binary.name, sizeof(p->binary.name), name) || strlen(sha) != 64 ||
	    copy_str(p->binary.sha256, sizeof(p->binary.sha256), sha) ||
	    copy_str(p->binary.build_id, sizeof(p->binary.build_id), bid) ||
	    copy_str(p->functions, sizeof(p->functions), funcs) ||
	    !json_is_array(types) || !json_is_array(faults)) {
		inj_err(err, "bad plan: binary identity or lists malformed");
		return -1;
	}
	p->seed = (uint64_t)seed;
	p->mode = !strcmp(mode, "run") ? INJ_MODE_RUN : INJ_MODE_LOAD;
	json_array_foreach(types, i, v) {
		int t = json_is_string(v) ? inj_type_parse(json_string_value(v)) : -1;
		if (t < 0) {
			inj_err(err, "bad plan: unknown type in types");
			return -1;
		}
		p->types_mask |= 1u << t;
	}
	p->faults = calloc(json_array_size(faults) + 1, sizeof(*p->faults));
	if (!p->faults) {
		inj_err(err, "out of memory");
		return -1;
	}
	json_array_foreach(faults, i, v) {
		if (fault_from_json(v, &p->faults[i], err)) {
			char m[sizeof(err->msg)];
			snprintf(m, sizeof(m), "%s", err->msg);
			inj_err(err, "fault %zu: %s", i, m);
			inj_plan_free(p);
			return -1;
		}
		p->nfaults++;
	}
	return 0;
}

int inj_plan_load(const char *path, struct inj_plan *p, struct inj_error *err)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	int rc;

	if (!j) {
		inj_err(err, "%s: not JSON (%s, line %d)", path, je.text, je.line);
		return -1;
	}
	rc = inj_plan_from_json(j, p, err);
	json_decref(j);
	return rc;
}
