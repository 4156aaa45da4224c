/* SPDX-License-Identifier: MIT */
/**
 * @file events.h
 * The events stage: events: triggers typed in context, their actors, targets, places, time, casualty counts, modality and attribution.
 * Resources (lexicons) are loaded once into a kh_event_res, immutable and shared
 * by all threads.
 */
#ifndef KHABAR_EVENTS_H
#define KHABAR_EVENTS_H

#include <stddef.h>

struct kh_doc;
struct kh_lexicon;
struct kh_event_res;

/**
 * Load this stage's lexicons from @p data_dir.
 * @param[in] extra NULL-terminated user lexicon files, or NULL
 * @param[in,out] known the words that the segmenter treats as known; this stage adds its own
 * @param[out] ret_res the resources
 * @param[out] ret_err on failure, malloc'd "FILE:LINE: message"
 * @return 0, -EINVAL for a bad lexicon line, -errno otherwise
 */
int kh_event_res_load(const char *data_dir, const char *const *extra, struct kh_lexicon *known,
		       struct kh_event_res **ret_res, char **ret_err);

/** Free resources. Accepts NULL. @return NULL */
struct kh_event_res *kh_event_res_free(struct kh_event_res *r);

/** Entries in the lexicon called @p name, 0 when this stage has no such lexicon. */
size_t kh_event_res_count(const struct kh_event_res *r, const char *name);

/**
 * Add this stage's layer to @p doc.
 * @return 0, or -ENOMEM
 */
int kh_event_apply(const struct kh_event_res *r, struct kh_doc *doc);

#endif
