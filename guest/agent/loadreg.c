/* Load registry; see loadreg.h. */
#include "loadreg.h"

#include <stdio.h>
#include <string.h>

#include "moddep.h"

#define LOADREG_MAX 32

static struct loadrec recs[LOADREG_MAX];
static int nrecs;

void loadreg_record(const char *name, const char *path, const char *params)
{
	char norm[64];
	struct loadrec *r = NULL;

	moddep_name_of(name, norm, sizeof(norm));
	for (int i = 0; i < nrecs; i++)
		if (strcmp(recs[i].name, norm) == 0)
			r = &recs[i];
	if (!r) {
		if (nrecs == LOADREG_MAX)
			return;
		r = &recs[nrecs++];
	}
	snprintf(r->name, sizeof(r->name), "%s", norm);
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->params, sizeof(r->params), "%s", params ? params : "");
}

const struct loadrec *loadreg_find(const char *name)
{
	char norm[64];

	moddep_name_of(name, norm, sizeof(norm));
	for (int i = 0; i < nrecs; i++)
		if (strcmp(recs[i].name, norm) == 0)
			return &recs[i];
	return NULL;
}
