/* SPDX-License-Identifier: MIT */
/* The whole analysis on arbitrary bytes, with the real lexicons: no crash, no
 * leak, and a JSON body whose offsets stay inside the text in every unit. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "khabar/khabar.h"

static struct kh_pipeline *pipeline;
static struct kh_analyzer *analyzer;

static void open_once(void)
{
	const char *dir = getenv("KHABAR_DATA_DIR");
	struct kh_pipeline_options o = { .data_dir = dir != NULL ? dir : KH_SOURCE_DATA_DIR };
	char *err = NULL;

	pipeline = kh_pipeline_new(&o, &err);
	analyzer = kh_analyzer_new();
	FUZZ_ASSERT(pipeline != NULL && analyzer != NULL);
}

/* Every "start"/"end" in the tree is within [0, length]. */
static void check_offsets(json_t *node, json_int_t length)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(node)) {
		json_array_foreach(node, i, v)
			check_offsets(v, length);
		return;
	}
	if (!json_is_object(node))
		return;
	json_object_foreach(node, key, v) {
		if ((strcmp(key, "start") == 0 || strcmp(key, "end") == 0) && json_is_integer(v))
			FUZZ_ASSERT(json_integer_value(v) >= 0 && json_integer_value(v) <= length);
		else
			check_offsets(v, length);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kh_request req = { .text = (const char *)data, .text_len = size };
	struct kh_doc *doc = NULL;

	if (pipeline == NULL)
		open_once();
	if (kh_analyze(analyzer, pipeline, &req, &doc, NULL) != KH_OK)
		return 0;
	for (int u = KH_OFFSET_CODEPOINT; u <= KH_OFFSET_UTF8; u++) {
		size_t len = 0;
		char *s = kh_doc_to_json(doc, (enum kh_offset_unit)u, &len);
		json_t *root;

		FUZZ_ASSERT(s != NULL);
		root = json_loadb(s, len, 0, NULL);
		FUZZ_ASSERT(root != NULL);
		check_offsets(root, json_integer_value(json_object_get(root, "length")));
		json_decref(root);
		free(s);
	}
	kh_doc_free(doc);
	return 0;
}
