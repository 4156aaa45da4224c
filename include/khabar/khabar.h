/* SPDX-License-Identifier: MIT */
/**
 * @file khabar.h
 * The public API of libkhabar: read an Arabic news article, return what it names,
 * who said what and what happened.  No HTTP in here; the server, the CLI and the
 * tests all call kh_analyze().
 *
 * Ownership: a kh_pipeline holds the immutable resources (lexicons, ICU
 * prototypes) and is shared by all threads by reference; a kh_analyzer is one
 * thread's scratch state (ICU clones); a kh_doc is one analysed article.
 */
#ifndef KHABAR_KHABAR_H
#define KHABAR_KHABAR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KH_VERSION "0.1.0"

/** Unit of every start/end offset in the output. */
enum kh_offset_unit {
	KH_OFFSET_CODEPOINT = 0, /**< Unicode code points (Python string indices), default */
	KH_OFFSET_UTF16,         /**< UTF-16 code units (JavaScript string indices) */
	KH_OFFSET_UTF8,          /**< UTF-8 bytes */
};

/** Why an analysis failed; negative errno values are used for system errors. */
enum kh_status {
	KH_OK = 0,
	KH_E_INVALID_UTF8 = 1,   /**< text is not valid UTF-8 (see ret_bad_offset) */
	KH_E_EMPTY_TEXT,         /**< text is empty or only whitespace */
	KH_E_TOO_LARGE,          /**< text is over the analyzer's limit */
	KH_E_BAD_DATE,           /**< published is not YYYY-MM-DD */
	KH_E_UNSUPPORTED_LANG,   /**< lang is given and is not one we analyse */
	KH_E_NUL_BYTE,           /**< text holds a NUL byte (see ret_bad_offset) */
	KH_E_CANCELLED,          /**< the cancel flag was raised between stages */
};

struct kh_pipeline;
struct kh_analyzer;
struct kh_doc;

/** What a pipeline is built from. */
struct kh_pipeline_options {
	const char *data_dir;        /**< directory holding the built-in lexicons */
	const char *const *extra_lexicons; /**< NULL-terminated list of user lexicon files, or NULL */
};

/** One article to analyse.  All pointers are borrowed for the duration of the call. */
struct kh_request {
	const char *text;      /**< UTF-8, need not be NUL-terminated */
	size_t text_len;       /**< bytes */
	const char *id;        /**< echoed back, or NULL */
	const char *published; /**< "YYYY-MM-DD" anchor for relative dates, or NULL */
	const char *lang;      /**< "ar" or NULL */
	const volatile int *cancel; /**< checked between stages when not NULL */
};

/**
 * Load lexicons and open ICU prototypes.
 * @param[in] opts what to load
 * @param[out] ret_err on failure, a malloc'd message naming the file and line (caller frees)
 * @return a pipeline with one reference, or NULL on failure
 */
struct kh_pipeline *kh_pipeline_new(const struct kh_pipeline_options *opts, char **ret_err);

/** Take one more reference. @return p */
struct kh_pipeline *kh_pipeline_ref(struct kh_pipeline *p);

/** Drop a reference; frees on the last one. Accepts NULL. @return NULL */
struct kh_pipeline *kh_pipeline_unref(struct kh_pipeline *p);

/** Number of entries the pipeline's lexicons hold, by lexicon name ("places", "cues", ...). */
size_t kh_pipeline_lexicon_size(const struct kh_pipeline *p, const char *name);

/**
 * Per-thread analysis state: ICU break iterators and transliterators cloned
 * from the pipeline's prototypes.  Not thread-safe; one per worker.
 * @return the analyzer, or NULL on OOM or ICU failure
 */
struct kh_analyzer *kh_analyzer_new(void);

/** Free an analyzer. Accepts NULL. @return NULL */
struct kh_analyzer *kh_analyzer_free(struct kh_analyzer *a);

/**
 * Analyse one article with the resources of pipeline @p p.
 * @param[in] a this thread's analyzer
 * @param[in] p the pipeline (borrowed; the caller holds a reference)
 * @param[in] req the article
 * @param[out] ret_doc the analysed document, owned by the caller (kh_doc_free)
 * @param[out] ret_bad_offset for KH_E_INVALID_UTF8 and KH_E_NUL_BYTE, the byte offset of the
 *             first bad byte (may be NULL)
 * @return KH_OK, a positive enum kh_status, or a negative errno (-ENOMEM)
 */
int kh_analyze(struct kh_analyzer *a, struct kh_pipeline *p, const struct kh_request *req,
	       struct kh_doc **ret_doc, size_t *ret_bad_offset);

/** Free a document. Accepts NULL. @return NULL */
struct kh_doc *kh_doc_free(struct kh_doc *doc);

/**
 * Memory an analysed document holds (its arena and arrays, as allocated): what one request
 * in flight costs, about 30 bytes per byte of text.
 */
size_t kh_doc_memory(const struct kh_doc *doc);

/**
 * Serialise a document as the API's JSON response body.
 * @param[in] doc the document
 * @param[in] unit the offset unit of every start/end
 * @param[out] ret_len length of the returned text
 * @return a malloc'd NUL-terminated JSON text (caller frees), or NULL on OOM
 */
char *kh_doc_to_json(const struct kh_doc *doc, enum kh_offset_unit unit, size_t *ret_len);

/**
 * Parse an offsets= value.
 * @return 0 and *ret_unit set, or -EINVAL for an unknown name
 */
int kh_offset_unit_parse(const char *name, enum kh_offset_unit *ret_unit);

/** Stable short name of a status ("invalid_utf8", ...). */
const char *kh_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif
