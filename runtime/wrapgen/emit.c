/*
 * Writes the generated wrappers (C for nooks.ko), their prototypes and the
 * import list for nooks-isolate. One wrapper looks like:
 *
 *	RET nooks_w_foo(ARGS)
 *	{
 *		NOOKS_PT_WRAPPER();	(isolation=pagetable: off the domain root)
 *		struct nooks_domain *d = nooks_current_domain();
 *		fail fast if the domain has failed; parameter checks;
 *		nooks_kernel_enter(); ret = foo(ARGS); nooks_kernel_exit();
 *		track/untrack;
 *		return ret;
 *	}
 *
 * Outside any domain (d == NULL: the kernel itself calls a function the
 * driver stored as a callback, e.g. ethtool_op_get_ts_info) the wrapper is a
 * plain call: there is nothing to check against and nobody to blame.
 */
#include "table.h"

#include <string.h>

static void emit_signature(FILE *out, const struct wg_entry *e)
{
	size_t n = strlen(e->ret_type);
	bool star = n && e->ret_type[n - 1] == '*';

	fprintf(out, "%s%s" WG_WRAPPER_PREFIX "%s(", e->ret_type, star ? "" : " ", e->symbol);
	if (e->nparams == 0)
		fputs("void", out);
	for (int i = 0; i < e->nparams; i++)
		fprintf(out, "%s%s", i ? ", " : "", e->params[i].decl);
	if (e->variadic)
		fputs(", ...", out);
	fputc(')', out);
}

/* "return ERR;" or "return;" */
static void emit_refuse_return(FILE *out, const struct wg_entry *e, const char *indent)
{
	if (wg_returns_void(e))
		fprintf(out, "%sreturn;\n", indent);
	else
		fprintf(out, "%sreturn %s;\n", indent, e->err);
}

static void emit_obj(FILE *out, const struct wg_entry *e)
{
	fprintf(out, "(const void *)(unsigned long)(%s)", e->obj);
}

static void emit_kind(FILE *out, const struct wg_entry *e)
{
	fprintf(out, "NOOKS_OBJ_%s", e->kind);
}

static void emit_checks(FILE *out, const struct wg_entry *e)
{
	for (int i = 0; i < e->nnonnull; i++) {
		fprintf(out, "\tif (d && unlikely(!%s)) {\n", e->nonnull[i]);
		fprintf(out, "\t\tnooks_param_fault(d, \"%s\", \"%s is NULL\");\n",
			e->symbol, e->nonnull[i]);
		emit_refuse_return(out, e, "\t\t");
		fputs("\t}\n", out);
	}
	if (e->sleeps || e->sleeps_gfp) {
		fputs("\tif (d && ", out);
		/* an allocation may sleep only when its gfp flags allow blocking */
		if (e->sleeps_gfp)
			fprintf(out, "gfpflags_allow_blocking(%s) && ", e->sleeps_gfp);
		fputs("unlikely(in_atomic() || irqs_disabled())) {\n", out);
		fprintf(out, "\t\tnooks_param_fault(d, \"%s\", \"may sleep, called in atomic context\");\n",
			e->symbol);
		emit_refuse_return(out, e, "\t\t");
		fputs("\t}\n", out);
	}
	if ((e->cls == WG_FREE || e->cls == WG_UNLOCK) && !e->nocheck) {
		fputs("\tif (d && ", out);
		if (e->nullok)
			fprintf(out, "(%s) && ", e->obj);
		fputs("unlikely(!nooks_tracked(d, ", out);
		emit_kind(out, e);
		fputs(", ", out);
		emit_obj(out, e);
		fputs("))) {\n", out);
		fprintf(out, "\t\tnooks_param_fault(d, \"%s\", \"%s %s\");\n", e->symbol, e->obj,
			e->cls == WG_UNLOCK ? "is not held by this domain"
					    : "is not an object this domain holds");
		emit_refuse_return(out, e, "\t\t");
		fputs("\t}\n", out);
	}
}

/* The call itself: fixed arguments, plus the forwarded varargs if any. */
static void emit_call(FILE *out, const struct wg_entry *e)
{
	bool pv = e->variadic && strcmp(e->va, "pV") == 0;
	const char *callee = e->variadic && !pv ? e->va : e->symbol;

	fputc('\t', out);
	if (!wg_returns_void(e))
		fputs("ret = ", out);
	fprintf(out, "%s(", callee);
	for (int i = 0; i < e->nparams; i++) {
		bool fmt = pv && i == e->nparams - 1;

		fprintf(out, "%s%s", i ? ", " : "", fmt ? "\"%pV\", &vaf" : e->params[i].name);
	}
	if (e->variadic && !pv)
		fputs(", args", out);
	fputs(");\n", out);
}

static void emit_untrack(FILE *out, const struct wg_entry *e, const char *indent)
{
	fprintf(out, "%snooks_untrack(d, ", indent);
	emit_kind(out, e);
	fputs(", ", out);
	emit_obj(out, e);
	fputs(");\n", out);
}

static void emit_wrapper(FILE *out, const struct wg_entry *e)
{
	const char *last = e->nparams ? e->params[e->nparams - 1].name : "";
	bool pv = e->variadic && strcmp(e->va, "pV") == 0;

	fprintf(out, "/* %s:%d %s */\n", "wrappers.tbl", e->line, wg_class_name(e->cls));
	emit_signature(out, e);
	/* First: with isolation=pagetable the whole wrapper runs off the domain root. */
	fputs("\n{\n\tNOOKS_PT_WRAPPER();\n\tstruct nooks_domain *d = nooks_current_domain();\n", out);
	if (!wg_returns_void(e))
		fprintf(out, "\t%s ret;\n", e->ret_type);
	if (e->variadic)
		fputs("\tva_list args;\n", out);
	if (pv)
		fputs("\tstruct va_format vaf;\n", out);
	fputc('\n', out);
	/*
	 * Releasing a lock the domain holds is never refused: a failed domain
	 * must not keep interrupts or preemption disabled until its recovery.
	 */
	if (e->cls != WG_UNLOCK) {
		fputs("\tif (d && unlikely(nooks_domain_failed(d)))\n", out);
		emit_refuse_return(out, e, "\t\t");
	}
	emit_checks(out, e);

	/*
	 * A free untracks first so a recovery never releases it twice. It
	 * untracks even outside a domain (d == NULL: driver code the kernel
	 * called through a pointer nooks does not shadow): nooks_untrack(NULL)
	 * drops the entry of whichever domain holds the object, so the tracker
	 * never keeps an object the kernel has already freed.
	 */
	if (e->cls == WG_FREE && !e->when) {
		if (e->nullok) {
			fprintf(out, "\tif (%s)\n", e->obj);
			emit_untrack(out, e, "\t\t");
		} else {
			emit_untrack(out, e, "\t");
		}
	}
	fprintf(out, "\tif (d)\n\t\tnooks_kernel_enter(d, \"%s\");\n", e->symbol);
	if (e->variadic) {
		fprintf(out, "\tva_start(args, %s);\n", last);
		if (pv)
			fprintf(out, "\tvaf.fmt = %s;\n\tvaf.va = &args;\n", last);
	}
	emit_call(out, e);
	if (e->variadic)
		fputs("\tva_end(args);\n", out);
	fputs("\tif (d)\n\t\tnooks_kernel_exit(d);\n", out);

	switch (e->cls) {
	case WG_ALLOC:
	case WG_LOCK:
		fputs("\tif (d", out);
		if (e->ok)
			fprintf(out, " && (%s)", e->ok);
		else if (e->cls == WG_ALLOC && strcmp(e->obj, "ret") == 0)
			fputs(" && ret", out);
		else if (e->cls == WG_ALLOC && !wg_returns_void(e))
			fputs(" && ret == 0", out);
		fputs(") {\n", out);
		if (e->consumes) {
			const char *colon = strchr(e->consumes, ':');

			fprintf(out, "\t\tnooks_untrack(d, NOOKS_OBJ_%.*s, (const void *)(unsigned long)(%s));\n",
				(int)(colon - e->consumes), e->consumes, colon + 1);
		}
		fprintf(out, "\t\t%s(d, ", e->aux2 || e->aux3 ? "nooks_track3" : "nooks_track");
		emit_kind(out, e);
		fputs(", ", out);
		emit_obj(out, e);
		fprintf(out, ", (unsigned long)(%s)", e->aux ? e->aux : "0");
		if (e->aux2 || e->aux3)
			fprintf(out, ", (unsigned long)(%s), (unsigned long)(%s)",
				e->aux2 ? e->aux2 : "0", e->aux3 ? e->aux3 : "0");
		fputs(");\n\t}\n", out);
		break;
	case WG_FREE:
		if (e->when) {
			fprintf(out, "\tif (%s)\n", e->when);
			emit_untrack(out, e, "\t\t");
		}
		break;
	case WG_UNLOCK:
		/* after the call: the lock is held until the kernel released it */
		emit_untrack(out, e, "\t");
		break;
	default:
		break;
	}
	if (!wg_returns_void(e))
		fputs("\treturn ret;\n", out);
	fprintf(out, "}\nEXPORT_SYMBOL_GPL(" WG_WRAPPER_PREFIX "%s);\n\n", e->symbol);
}

static void emit_banner(FILE *out, const char *table_name, const char *what)
{
	fprintf(out, "/* SPDX-License-Identifier: GPL-2.0 */\n"
		     "/* %s: generated by runtime/wrapgen from %s. Do not edit. */\n\n",
		what, table_name);
}

int wg_emit_c(const struct wg_table *t, FILE *out, const char *table_name)
{
	emit_banner(out, table_name, "nooks import wrappers");
	for (size_t i = 0; i < t->nincludes; i++)
		fprintf(out, "#include %s\n", t->includes[i]);
	fputs("#include <linux/preempt.h>\n#include <linux/irqflags.h>\n"
	      "#include \"wrapper_api.h\"\n\n", out);

	fputs("/*\n * Written by hand in the nooks core (class custom: they register or\n"
	      " * unregister driver callbacks). Declared here so a signature that drifts\n"
	      " * from the table fails to build.\n */\n", out);
	for (size_t i = 0; i < t->n; i++) {
		if (t->entries[i].cls != WG_CUSTOM)
			continue;
		emit_signature(out, &t->entries[i]);
		fputs(";\n", out);
	}
	fputc('\n', out);
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_entry *e = &t->entries[i];

		if (e->cls == WG_CUSTOM || e->cls == WG_KERNEL)
			continue;
		/* A prototype first: the kernel builds with -Wmissing-prototypes at W=1. */
		emit_signature(out, e);
		fputs(";\n", out);
		emit_wrapper(out, e);
	}
	return ferror(out) ? -1 : 0;
}

int wg_emit_header(const struct wg_table *t, FILE *out, const char *table_name)
{
	emit_banner(out, table_name, "prototypes of every nooks import wrapper");
	fputs("#ifndef NOOKS_GEN_WRAPPERS_H\n#define NOOKS_GEN_WRAPPERS_H\n\n", out);
	for (size_t i = 0; i < t->nincludes; i++)
		fprintf(out, "#include %s\n", t->includes[i]);
	fputc('\n', out);
	for (size_t i = 0; i < t->n; i++) {
		if (t->entries[i].cls == WG_KERNEL)
			continue;
		emit_signature(out, &t->entries[i]);
		fputs(";\n", out);
	}
	fputs("\n#endif\n", out);
	return ferror(out) ? -1 : 0;
}

int wg_emit_imports(const struct wg_table *t, FILE *out, const char *table_name)
{
	fprintf(out, "# nooks-imports.txt: generated by runtime/wrapgen from %s.\n"
		     "# wrap <kernel-symbol> <wrapper-symbol> <class>\n"
		     "# kernel <symbol> <reason>\n", table_name);
	for (size_t i = 0; i < t->n; i++) {
		const struct wg_entry *e = &t->entries[i];

		if (e->cls == WG_KERNEL)
			fprintf(out, "kernel %s %s\n", e->symbol, e->reason);
		else
			fprintf(out, "wrap %s " WG_WRAPPER_PREFIX "%s %s\n", e->symbol, e->symbol,
				wg_class_name(e->cls));
	}
	return ferror(out) ? -1 : 0;
}
