/* SPDX-License-Identifier: MIT */
/* Placeholder until the stage is written: adds nothing to the document. */
#include "events.h"

#include <errno.h>
#include <stdlib.h>

#include "doc.h"

struct kh_event_res {
	int unused;
};

int kh_event_res_load(const char *data_dir, const char *const *extra, struct kh_lexicon *known,
		       struct kh_event_res **ret_res, char **ret_err)
{
	struct kh_event_res *r = calloc(1, sizeof(*r));

	(void)data_dir;
	(void)extra;
	(void)known;
	(void)ret_err;
	if (r == NULL)
		return -ENOMEM;
	*ret_res = r;
	return 0;
}

struct kh_event_res *kh_event_res_free(struct kh_event_res *r)
{
	free(r);
	return NULL;
}

size_t kh_event_res_count(const struct kh_event_res *r, const char *name)
{
	(void)r;
	(void)name;
	return 0;
}

int kh_event_apply(const struct kh_event_res *r, struct kh_doc *doc)
{
	(void)r;
	(void)doc;
	return 0;
}
