/* SPDX-License-Identifier: MIT */
/* Token boundaries against the annotated seed article of the evaluation set
 * (../shared/eval/dev/seed.gold.json), when it is there; skipped otherwise
 * (a TAP skip).  Every annotated entity mention must begin where a token's core
 * begins (proclitics are outside mentions) and end where a token ends or where
 * its stem ends (before a pronoun suffix); every mention must lie within one
 * sentence.  Mentions after و or ل whose name no lexicon knows cannot align
 * (by design a proclitic is split only from a known rest), hence 90% for
 * starts.  Nothing of the article is copied into the repository. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uclean.h>

#include "khabar/khabar.h"
#include "tap.h"
#include "textdoc.h"

#ifndef KH_SHARED_EVAL_DIR
#define KH_SHARED_EVAL_DIR "../shared/eval"
#endif

/* Byte offset of code point @p cp of @p s. */
static uint32_t byte_of_cp(const char *s, uint32_t len, uint32_t cp)
{
	uint32_t at = 0;

	for (uint32_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (at == cp)
			return i;
		at++;
	}
	return len;
}

int main(void)
{
	const char *dir = getenv("KHABAR_EVAL_DIR") != NULL ? getenv("KHABAR_EVAL_DIR") : KH_SHARED_EVAL_DIR;
	char path[4096], *err = NULL;
	json_t *gold, *ents, *m;
	const char *text;
	struct kh_pipeline *pipe;
	struct kh_analyzer *an;
	struct kh_doc *doc = NULL;
	uint8_t *starts, *ends;
	uint32_t n = 0, ok_start = 0, ok_end = 0, one_sentence = 0;
	size_t i, j;

	snprintf(path, sizeof(path), "%s/dev/seed.gold.json", dir);
	gold = json_load_file(path, 0, NULL);
	if (gold == NULL) {
		printf("1..0 # SKIP %s not found\n", path);
		return 0; /* meson reads the TAP skip line */
	}
	text = json_string_value(json_object_get(gold, "text"));
	ents = json_object_get(gold, "entities");
	/* the whole pipeline, so that every lexicon's words are known */
	{
		struct kh_pipeline_options o = {
			.data_dir = getenv("KHABAR_DATA_DIR") != NULL ? getenv("KHABAR_DATA_DIR") : KH_SOURCE_DATA_DIR,
		};
		struct kh_request req = { .text = text, .text_len = strlen(text) };

		pipe = kh_pipeline_new(&o, &err);
		an = kh_analyzer_new();
		tap_ok(pipe != NULL && an != NULL && kh_analyze(an, pipe, &req, &doc, NULL) == KH_OK,
		       "analyze the seed article");
		free(err);
		if (doc == NULL)
			return tap_done();
	}
	/* original byte offsets where a core starts and where a token or stem ends */
	starts = calloc(doc->orig_len + 1, 1);
	ends = calloc(doc->orig_len + 1, 1);
	for (uint32_t k = 0; k < doc->tokens.n; k++) {
		const struct kh_token *t = &doc->tokens.items[k];
		uint32_t os, oe;

		kh_doc_orig_span(doc, t->core_start, t->end, &os, &oe);
		starts[os] = 1;
		ends[oe] = 1;
		if ((t->flags & KH_TOKF_ARTICLE) != 0 && t->key[0] != doc->norm[t->core_start]) {
			/* fused لل: a start anywhere inside the fused prefix counts */
			uint32_t a, b;

			kh_doc_orig_span(doc, t->start, t->stem_start, &a, &b);
			for (; a < b; a++)
				starts[a] = 1;
		}
		kh_doc_orig_span(doc, t->start, t->stem_end, &os, &oe);
		ends[oe] = 1;
	}
	json_array_foreach(ents, i, m)
	{
		uint32_t s = byte_of_cp(text, doc->orig_len, (uint32_t)json_integer_value(json_object_get(m, "start")));
		uint32_t e = byte_of_cp(text, doc->orig_len, (uint32_t)json_integer_value(json_object_get(m, "end")));
		bool in_one = false;

		n++;
		ok_start += starts[s];
		ok_end += ends[e];
		for (j = 0; j < doc->sentences.n; j++) {
			uint32_t ss, se;

			kh_doc_orig_span(doc, doc->sentences.items[j].start, doc->sentences.items[j].end, &ss, &se);
			in_one = in_one || (ss <= s && e <= se);
		}
		one_sentence += in_one;
		if (starts[s] == 0 || ends[e] == 0 || !in_one)
			printf("# %s %s%s%s\n", json_string_value(json_object_get(m, "text")),
			       starts[s] != 0 ? "" : "[start not at a core] ", ends[e] != 0 ? "" : "[end not at a token end] ",
			       in_one ? "" : "[crosses sentences]");
	}
	printf("# %u mentions: %u starts, %u ends aligned; %u within one sentence; %u sentences, %u tokens\n", n,
	       ok_start, ok_end, one_sentence, doc->sentences.n, doc->tokens.n);
	tap_ok(n > 0 && ok_start * 100 >= n * 90, "at least 90%% of mention starts are token cores");
	tap_ok(n > 0 && ok_end * 100 >= n * 95, "at least 95%% of mention ends are token or stem ends");
	tap_is_int(one_sentence, n, "every mention lies within one sentence");
	free(starts);
	free(ends);
	kh_doc_free(doc);
	json_decref(gold);
	kh_analyzer_free(an);
	kh_pipeline_unref(pipe);
	kh_seg_shutdown();
	u_cleanup();
	return tap_done();
}
