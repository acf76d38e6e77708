/*
 * wrappers.tbl parser. A line is one of
 *   # comment / blank
 *   include <linux/header.h>
 *   <class> [attr=value | flag ...] | <C prototype>;
 *   kernel reason=<why> | <symbol>
 * Prototypes are parsed just enough to know the return type, the function
 * name and each parameter's name; the C compiler checks the rest when the
 * generated wrappers are built against the kernel headers.
 */
#include "table.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[WG_NR_CLASSES] = {
	[WG_PASS] = "pass", [WG_ALLOC] = "alloc", [WG_FREE] = "free",
	[WG_LOCK] = "lock", [WG_UNLOCK] = "unlock", [WG_CUSTOM] = "custom",
	[WG_KERNEL] = "kernel",
};

/* Must match enum nooks_obj_kind in runtime/wrapper_api.h (the unit test checks). */
const char *const wg_obj_kinds[] = {
	"KMALLOC", "VMALLOC", "PAGES", "DMA_MAP", "DMA_COHERENT", "SKB", "IRQ",
	"TIMER", "WORK", "NAPI", "NETDEV", "NETDEV_REG", "PCI_DRIVER",
	"PCI_ENABLE", "PCI_REGIONS", "IOREMAP", "SPINLOCK", "MUTEX", "OTHER",
	"PAGE_FRAG", NULL
};

const char *wg_class_name(enum wg_class cls)
{
	return cls < WG_NR_CLASSES ? class_names[cls] : "?";
}

bool wg_returns_void(const struct wg_entry *e)
{
	return e->ret_type && strcmp(e->ret_type, "void") == 0;
}

struct parse_ctx {
	const char *fname;
	int line;
	char *err;
	size_t errlen;
};

static int fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s:%d: ", c->fname, c->line);

	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p) {
		perror("wrapgen");
		exit(2);
	}
	return p;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static bool is_ident(const char *s, size_t n)
{
	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

/* The name a parameter declaration introduces: "(*poll)" or the last identifier. */
static char *param_name(const char *decl)
{
	const char *p = strstr(decl, "(*");
	size_t n;

	if (p) {
		p += 2;
		while (isspace((unsigned char)*p))
			p++;
		n = 0;
		while (isalnum((unsigned char)p[n]) || p[n] == '_')
			n++;
		return is_ident(p, n) ? xstrndup(p, n) : NULL;
	}
	n = strlen(decl);
	while (n > 0 && (isalnum((unsigned char)decl[n - 1]) || decl[n - 1] == '_'))
		n--;
	if (!is_ident(decl + n, strlen(decl + n)))
		return NULL;
	/* "int" alone (no name) is a type, not a parameter name */
	if (n == 0 || !(isspace((unsigned char)decl[n - 1]) || decl[n - 1] == '*'))
		return NULL;
	return xstrndup(decl + n, strlen(decl + n));
}

static int parse_params(struct parse_ctx *c, struct wg_entry *e, char *list)
{
	char *start = list;
	int depth = 0;

	list = trim(list);
	if (strcmp(list, "void") == 0)
		return 0;
	if (*list == '\0')
		return fail(c, "empty parameter list: write (void)");
	start = list;
	for (char *p = list;; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if ((*p == ',' && depth == 0) || *p == '\0') {
			bool last = *p == '\0';
			char *decl;

			*p = '\0';
			decl = trim(start);
			if (e->variadic)
				return fail(c, "'...' must be the last parameter");
			if (strcmp(decl, "...") == 0) {
				e->variadic = true;
			} else {
				char *name;

				if (e->nparams == WG_MAX_PARAMS)
					return fail(c, "more than %d parameters", WG_MAX_PARAMS);
				name = param_name(decl);
				if (!name)
					return fail(c, "parameter '%s' has no name", decl);
				for (int i = 0; i < e->nparams; i++)
					if (strcmp(e->params[i].name, name) == 0) {
						free(name);
						return fail(c, "parameter '%s' twice", decl);
					}
				e->params[e->nparams].decl = xstrndup(decl, strlen(decl));
				e->params[e->nparams].name = name;
				e->nparams++;
			}
			if (last)
				break;
			start = p + 1;
		}
	}
	if (depth != 0)
		return fail(c, "unbalanced parentheses in the parameter list");
	return 0;
}

static int parse_prototype(struct parse_ctx *c, struct wg_entry *e, char *proto)
{
	char *open, *close, *name_end, *name;
	size_t len;

	proto = trim(proto);
	len = strlen(proto);
	if (len == 0 || proto[len - 1] != ';')
		return fail(c, "prototype must end with ';'");
	proto[--len] = '\0';
	proto = trim(proto);
	open = strchr(proto, '(');
	close = strrchr(proto, ')');
	if (!open || !close || close < open || trim(close + 1)[0] != '\0')
		return fail(c, "not a function prototype: '%s'", proto);
	name_end = open;
	while (name_end > proto && isspace((unsigned char)name_end[-1]))
		name_end--;
	name = name_end;
	while (name > proto && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
		name--;
	if (!is_ident(name, name_end - name))
		return fail(c, "no function name before '('");
	if (name == proto)
		return fail(c, "no return type before '%.*s'", (int)(name_end - name), name);
	e->symbol = xstrndup(name, name_end - name);
	*name = '\0';
	e->ret_type = xstrndup(trim(proto), strlen(trim(proto)));
	*close = '\0';
	return parse_params(c, e, open + 1);
}

static bool has_param(const struct wg_entry *e, const char *name)
{
	for (int i = 0; i < e->nparams; i++)
		if (strcmp(e->params[i].name, name) == 0)
			return true;
	return false;
}

static int parse_attr(struct parse_ctx *c, struct wg_entry *e, char *tok)
{
	struct { const char *key; char **slot; } valued[] = {
		{ "kind", &e->kind }, { "obj", &e->obj }, { "aux", &e->aux },
		{ "aux2", &e->aux2 }, { "aux3", &e->aux3 }, { "consumes", &e->consumes },
		{ "sleeps_if_gfp", &e->sleeps_gfp },
		{ "err", &e->err }, { "ok", &e->ok }, { "when", &e->when },
		{ "va", &e->va }, { "reason", &e->reason },
	};
	char *eq = strchr(tok, '=');

	if (!eq) {
		if (strcmp(tok, "nullok") == 0)
			e->nullok = true;
		else if (strcmp(tok, "nocheck") == 0)
			e->nocheck = true;
		else if (strcmp(tok, "sleeps") == 0)
			e->sleeps = true;
		else
			return fail(c, "unknown flag '%s'", tok);
		return 0;
	}
	*eq = '\0';
	if (eq[1] == '\0')
		return fail(c, "attribute '%s' has no value", tok);
	if (strcmp(tok, "nonnull") == 0) {
		char *save = NULL;

		for (char *s = strtok_r(eq + 1, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			if (e->nnonnull == WG_MAX_NONNULL)
				return fail(c, "too many nonnull parameters");
			e->nonnull[e->nnonnull++] = xstrndup(s, strlen(s));
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++) {
		if (strcmp(tok, valued[i].key) != 0)
			continue;
		if (*valued[i].slot)
			return fail(c, "attribute '%s' given twice", tok);
		*valued[i].slot = xstrndup(eq + 1, strlen(eq + 1));
		return 0;
	}
	return fail(c, "unknown attribute '%s'", tok);
}

extern const char *const wg_obj_kinds[];

static bool known_kind(const char *kind)
{
	for (int i = 0; wg_obj_kinds[i]; i++)
		if (strcmp(wg_obj_kinds[i], kind) == 0)
			return true;
	return false;
}

/* Cross-checks an entry once its line is fully read. */
static int check_entry(struct parse_ctx *c, const struct wg_entry *e)
{
	bool tracks = e->cls == WG_ALLOC || e->cls == WG_FREE ||
		      e->cls == WG_LOCK || e->cls == WG_UNLOCK;

	if (strlen(WG_WRAPPER_PREFIX) + strlen(e->symbol) > WG_MODVERSION_NAME_MAX &&
	    e->cls != WG_KERNEL)
		return fail(c, "%s%s is longer than the %d bytes a modversion name may have",
			    WG_WRAPPER_PREFIX, e->symbol, WG_MODVERSION_NAME_MAX);
	if (e->cls == WG_KERNEL)
		return e->reason ? 0 : fail(c, "kernel entry %s needs reason=", e->symbol);
	if (e->reason)
		return fail(c, "reason= is only for kernel entries");
	if (tracks && (!e->kind || !e->obj))
		return fail(c, "%s entry %s needs kind= and obj=", wg_class_name(e->cls), e->symbol);
	if (!tracks && (e->kind || e->obj || e->aux || e->aux2 || e->aux3))
		return fail(c, "kind=/obj=/aux= only apply to alloc, free, lock and unlock");
	if (e->kind && !known_kind(e->kind))
		return fail(c, "unknown kind '%s' (enum nooks_obj_kind without NOOKS_OBJ_)", e->kind);
	if (e->obj && strcmp(e->obj, "ret") == 0 && wg_returns_void(e))
		return fail(c, "obj=ret but %s returns void", e->symbol);
	if (e->obj && is_ident(e->obj, strlen(e->obj)) && strcmp(e->obj, "ret") != 0 &&
	    !has_param(e, e->obj))
		return fail(c, "obj=%s is not a parameter of %s", e->obj, e->symbol);
	if ((e->aux2 || e->aux3) && !e->aux)
		return fail(c, "aux2=/aux3= need aux=");
	if (e->consumes) {
		char kind[64];
		const char *colon = strchr(e->consumes, ':');

		if (e->cls != WG_ALLOC || !colon || colon == e->consumes || !colon[1] ||
		    (size_t)(colon - e->consumes) >= sizeof(kind))
			return fail(c, "consumes= is KIND:expression, on alloc entries only");
		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - e->consumes), e->consumes);
		if (!known_kind(kind))
			return fail(c, "unknown kind '%s' in consumes=", kind);
	}
	if (e->sleeps_gfp && !has_param(e, e->sleeps_gfp))
		return fail(c, "sleeps_if_gfp=%s is not a parameter of %s", e->sleeps_gfp, e->symbol);
	if (e->ok && e->cls != WG_ALLOC)
		return fail(c, "ok= only applies to alloc");
	if (e->when && e->cls != WG_FREE)
		return fail(c, "when= only applies to free");
	if ((e->nullok || e->nocheck) && e->cls != WG_FREE && e->cls != WG_UNLOCK)
		return fail(c, "nullok/nocheck only apply to free and unlock");
	for (int i = 0; i < e->nnonnull; i++)
		if (!has_param(e, e->nonnull[i]))
			return fail(c, "nonnull=%s is not a parameter of %s", e->nonnull[i], e->symbol);
	if (!wg_returns_void(e) && !e->err && e->cls != WG_CUSTOM)
		return fail(c, "%s returns %s: it needs err= (the value for a refused call)",
			    e->symbol, e->ret_type);
	if (wg_returns_void(e) && e->err)
		return fail(c, "%s returns void: err= makes no sense", e->symbol);
	if (e->variadic) {
		if (e->cls != WG_PASS && e->cls != WG_CUSTOM)
			return fail(c, "variadic %s must be pass or custom", e->symbol);
		if (e->cls == WG_PASS && !e->va)
			return fail(c, "variadic %s needs va=pV or va=<va_list variant>", e->symbol);
		if (e->nparams == 0)
			return fail(c, "variadic %s needs a named parameter before '...'", e->symbol);
	} else if (e->va) {
		return fail(c, "va= only applies to variadic functions");
	}
	if (e->va && !is_ident(e->va, strlen(e->va)))
		return fail(c, "va=%s is not a function name", e->va);
	return 0;
}

static int add_entry(struct wg_table *t, struct wg_entry *e)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct wg_entry *p = realloc(t->entries, cap * sizeof(*p));

		if (!p)
			return -1;
		t->entries = p;
		t->cap = cap;
	}
	t->entries[t->n++] = *e;
	return 0;
}

static void free_entry(struct wg_entry *e)
{
	free(e->symbol);
	free(e->ret_type);
	for (int i = 0; i < e->nparams; i++) {
		free(e->params[i].decl);
		free(e->params[i].name);
	}
	free(e->kind); free(e->obj); free(e->aux); free(e->aux2); free(e->aux3);
	free(e->consumes); free(e->sleeps_gfp); free(e->err);
	free(e->ok); free(e->when); free(e->va); free(e->reason);
	for (int i = 0; i < e->nnonnull; i++)
		free(e->nonnull[i]);
	memset(e, 0, sizeof(*e));
}

static int parse_include(struct parse_ctx *c, struct wg_table *t, char *arg)
{
	char **p;
	size_t n;

	arg = trim(arg);
	n = strlen(arg);
	if (n < 3 || !((arg[0] == '<' && arg[n - 1] == '>') || (arg[0] == '"' && arg[n - 1] == '"')))
		return fail(c, "include needs <header.h> or \"header.h\"");
	p = realloc(t->includes, (t->nincludes + 1) * sizeof(*p));
	if (!p)
		return fail(c, "out of memory");
	t->includes = p;
	t->includes[t->nincludes++] = xstrndup(arg, n);
	return 0;
}

static int parse_entry_line(struct parse_ctx *c, struct wg_table *t, char *line)
{
	struct wg_entry e = { .line = c->line };
	char *bar = strchr(line, '|');
	char *tok, *save = NULL;
	int cls = -1;

	if (!bar)
		return fail(c, "expected '<class> [attributes] | <prototype>'");
	*bar = '\0';
	tok = strtok_r(line, " \t", &save);
	for (int i = 0; tok && i < WG_NR_CLASSES; i++)
		if (strcmp(tok, class_names[i]) == 0)
			cls = i;
	if (cls < 0)
		return fail(c, "unknown class '%s' (pass alloc free lock unlock custom kernel)",
			    tok ? tok : "");
	e.cls = cls;
	while ((tok = strtok_r(NULL, " \t", &save)))
		if (parse_attr(c, &e, tok))
			goto bad;
	if (e.cls == WG_KERNEL) {
		char *sym = trim(bar + 1);

		if (!is_ident(sym, strlen(sym))) {
			fail(c, "kernel entry needs one symbol name after '|', got '%s'", sym);
			goto bad;
		}
		e.symbol = xstrndup(sym, strlen(sym));
	} else if (parse_prototype(c, &e, bar + 1)) {
		goto bad;
	}
	if (check_entry(c, &e))
		goto bad;
	if (wg_find(t, e.symbol)) {
		fail(c, "%s is already in the table (line %d)", e.symbol, wg_find(t, e.symbol)->line);
		goto bad;
	}
	if (add_entry(t, &e)) {
		fail(c, "out of memory");
		goto bad;
	}
	return 0;
bad:
	free_entry(&e);
	return -1;
}

int wg_parse(FILE *in, const char *fname, struct wg_table *t, char *err, size_t errlen)
{
	struct parse_ctx c = { .fname = fname, .err = err, .errlen = errlen };
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	while ((n = getline(&buf, &cap, in)) >= 0) {
		char *line;

		c.line++;
		if (memchr(buf, '\0', n)) {
			rc = fail(&c, "NUL byte in the table");
			break;
		}
		line = trim(buf);
		if (*line == '\0' || *line == '#')
			continue;
		if (strncmp(line, "include", 7) == 0 && isspace((unsigned char)line[7]))
			rc = parse_include(&c, t, line + 8);
		else
			rc = parse_entry_line(&c, t, line);
		if (rc)
			break;
	}
	free(buf);
	if (!rc && ferror(in))
		rc = fail(&c, "read error");
	if (!rc && t->n == 0)
		rc = fail(&c, "the table has no entries");
	if (rc)
		wg_free(t);
	return rc;
}

const struct wg_entry *wg_find(const struct wg_table *t, const char *symbol)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->entries[i].symbol, symbol) == 0)
			return &t->entries[i];
	return NULL;
}

void wg_free(struct wg_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free_entry(&t->entries[i]);
	free(t->entries);
	for (size_t i = 0; i < t->nincludes; i++)
		free(t->includes[i]);
	free(t->includes);
	memset(t, 0, sizeof(*t));
}
