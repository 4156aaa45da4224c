/* SPDX-License-Identifier: MIT */
/**
 * @file doc.h
 * The document model: the one thing the stages share.  normalize fills the
 * analysis view and its offset map; segment adds sentences and tokens; entities,
 * attributions and events each add their own layer and only read earlier ones.
 *
 * Every span inside the model is a pair of byte offsets into the *analysis view*
 * (doc->norm).  kh_doc_orig_span() maps it back to bytes of the text exactly as
 * the client sent it; the JSON writer converts those to the requested unit.
 * Strings hang off doc->arena; arrays are kh_vec (malloc'd, freed by kh_doc_free).
 */
#ifndef KHABAR_DOC_H
#define KHABAR_DOC_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "khabar/khabar.h"

#define KH_NONE UINT32_MAX /**< "no index" for entity / attribution references */

/** A growable array; items is malloc'd. */
#define KH_VEC(type)                                                                               \
	struct {                                                                                   \
		type *items;                                                                       \
		uint32_t n;                                                                        \
		uint32_t cap;                                                                      \
	}

/** Append one zeroed element to a KH_VEC; returns a pointer to it or NULL on OOM. */
#define kh_vec_push(v) ((__typeof__((v)->items))kh_vec_grow((void **)&(v)->items, &(v)->n, &(v)->cap, sizeof(*(v)->items)))
void *kh_vec_grow(void **items, uint32_t *n, uint32_t *cap, size_t size);
#define kh_vec_free(v) (free((v)->items), (v)->items = NULL, (v)->n = (v)->cap = 0)

struct kh_span {
	uint32_t start; /**< analysis-view byte offset */
	uint32_t end;   /**< exclusive; start == end means absent */
};

/* ---- text layer (normalize, segment) ---------------------------------------------------- */

enum kh_tok_kind {
	KH_TOK_WORD = 0, /**< letters (Arabic or other scripts) */
	KH_TOK_NUMBER,   /**< digits, possibly with a decimal point (3.5) */
	KH_TOK_PUNCT,    /**< one punctuation mark: « » " ، . : ... */
	KH_TOK_OTHER,    /**< symbols, emoji */
};

/** Proclitics split off the front of a word token (bit set). */
enum kh_proclitic {
	KH_PRO_WA = 1 << 0, /**< و and */
	KH_PRO_FA = 1 << 1, /**< ف so */
	KH_PRO_BI = 1 << 2, /**< ب with, in */
	KH_PRO_LI = 1 << 3, /**< ل for, to (also the ل of fused لل) */
	KH_PRO_KA = 1 << 4, /**< ك like */
	KH_PRO_SA = 1 << 5, /**< س future (before an imperfect verb) */
};

enum kh_tok_flag {
	KH_TOKF_LINE_START = 1 << 0,  /**< first token of a line (after a line break or at 0) */
	KH_TOKF_SPACE_BEFORE = 1 << 1,/**< whitespace precedes the token */
	KH_TOKF_ARTICLE = 1 << 2,     /**< the core begins with the article ال (or fused لل) */
	KH_TOKF_QUOTE_OPEN = 1 << 3,  /**< an opening quotation mark (« “ or a " that opens) */
	KH_TOKF_QUOTE_CLOSE = 1 << 4, /**< a closing quotation mark */
	KH_TOKF_SUFFIX = 1 << 5,      /**< a pronoun suffix was split off (stem_end < end) */
	KH_TOKF_FUSED = 1 << 6,       /**< fused لل: the key is "ا" + the core, 2 bytes longer */
};

struct kh_token {
	uint32_t start, end;  /**< the whole token */
	uint32_t core_start;  /**< after proclitics; the article ال stays in the core */
	uint32_t stem_start;  /**< after the article too (== core_start when there is none) */
	uint32_t stem_end;    /**< before a pronoun suffix (== end when there is none) */
	const char *key;      /**< folded match key of [core_start, end) with لل restored to ال */
	const char *stem_key; /**< folded match key of [stem_start, stem_end) */
	const char *full_key; /**< folded match key of the whole token */
	uint32_t sentence;
	uint8_t kind;       /**< enum kh_tok_kind */
	uint8_t proclitics; /**< enum kh_proclitic bits */
	uint8_t flags;      /**< enum kh_tok_flag bits */
};

/* The keys' lengths follow from the spans because folding keeps lengths and the
 * normalized text has no NUL; the stages use them instead of strlen on every key. */

/** @return strlen(t->full_key) */
static inline uint32_t kh_tok_full_len(const struct kh_token *t)
{
	return t->end - t->start;
}

/** @return strlen(t->key) */
static inline uint32_t kh_tok_key_len(const struct kh_token *t)
{
	return t->end - t->core_start + ((t->flags & KH_TOKF_FUSED) != 0 ? 2u : 0u);
}

/** @return strlen(t->stem_key) */
static inline uint32_t kh_tok_stem_len(const struct kh_token *t)
{
	return t->stem_end - t->stem_start;
}

struct kh_sentence {
	uint32_t start, end;           /**< analysis-view bytes, trimmed of surrounding space */
	uint32_t tok_first, tok_end;   /**< tokens [tok_first, tok_end) */
	bool headline;                 /**< a line without a final stop (title, dateline) */
};

/* ---- entity layer ----------------------------------------------------------------------- */

enum kh_ent_type {
	KH_ENT_PERSON = 0,
	KH_ENT_NORP,
	KH_ENT_FAC,
	KH_ENT_ORG,
	KH_ENT_GPE,
	KH_ENT_LOC,
	KH_ENT_DATE,
	KH_ENT_TIME,
	KH_ENT_CARDINAL,
	KH_ENT_QUANTITY,
	KH_ENT_PERCENT,
	KH_ENT_MONEY,
	KH_ENT_EVENT,
	KH_ENT__MAX
};

struct kh_mention {
	uint32_t start, end;         /**< the name (no proclitics, no quotation marks) */
	uint32_t tok_first, tok_end; /**< tokens covered */
	uint32_t entity;             /**< index into doc->entities */
	uint32_t sentence;
};

struct kh_entity {
	uint8_t type;            /**< enum kh_ent_type */
	const char *name;        /**< fullest form, as in the analysis view */
	const char *canonical;   /**< lexicon canonical name, or NULL */
	const char *name_en;     /**< English name from the lexicon, or NULL */
	const char *country;     /**< ISO 3166 alpha-2, or NULL */
	const char *translit;    /**< Latin transliteration (ICU), or NULL */
	const char *kind;        /**< finer class from the lexicon (agency, militia, ministry ...), or NULL */
	const char *agency_id;   /**< stable id of a news agency/outlet ("sana", "reuters"), or NULL */
	const char *value;       /**< DATE: ISO 8601 value; CARDINAL: the number; or NULL */
	const char *precision;   /**< DATE: "day" | "month" | "year" | "week"; or NULL */
	const char **titles;     /**< arena array of titles/roles from appositions */
	uint32_t n_titles;
	uint32_t affiliation;    /**< entity a title ties it to (نائب وزير الخارجية الإيراني → Iran), or KH_NONE */
	uint32_t first_mention;  /**< index into doc->mentions of the first mention */
	uint32_t n_mentions;
};

/* ---- attribution layer ------------------------------------------------------------------ */

enum kh_attr_kind { KH_ATTR_DIRECT = 0, KH_ATTR_INDIRECT, KH_ATTR_MIXED, KH_ATTR_SUMMARY };

enum kh_source_kind {
	KH_SRC_PERSON = 0,
	KH_SRC_ORGANIZATION,
	KH_SRC_AGENCY,
	KH_SRC_MEDIA,
	KH_SRC_GOVERNMENT,
	KH_SRC_GROUP,
	KH_SRC_ANONYMOUS,
	KH_SRC_UNKNOWN,
};

struct kh_attribution {
	uint8_t kind;            /**< enum kh_attr_kind */
	uint8_t source_kind;     /**< enum kh_source_kind */
	struct kh_span source;   /**< the speaker as written nearest the statement; may be absent */
	uint32_t source_entity;  /**< index into doc->entities or KH_NONE */
	const char *source_text; /**< when the source resolves to an earlier speaker, that name */
	const char *agency_id;   /**< for agencies */
	struct kh_span cue;
	const char *cue_lemma;
	struct kh_span content;
	struct kh_span medium;   /**< the outlet a statement was given to (لوكالة «سبوتنيك») */
	uint32_t medium_entity;
	uint32_t sentence;
};

/* ---- event layer ------------------------------------------------------------------------ */

enum kh_event_type {
	KH_EV_MEETING = 0,
	KH_EV_VISIT,
	KH_EV_AGREEMENT,
	KH_EV_AIR_STRIKE,
	KH_EV_SHELLING,
	KH_EV_EXPLOSION,
	KH_EV_ARMED_CLASH,
	KH_EV_TERRITORY_CHANGE,
	KH_EV_ATTACK,
	KH_EV_ABDUCTION,
	KH_EV_ARREST,
	KH_EV_PROTEST,
	KH_EV_MILITARY_AID,
	KH_EV_DEFECTION,
	KH_EV_DISPLACEMENT,
	KH_EV__MAX
};

enum kh_modality { KH_MOD_ASSERTED = 0, KH_MOD_PLANNED, KH_MOD_NEGATED, KH_MOD_REPORTED };

enum kh_count_bound {
	KH_COUNT_EXACT = 0,
	KH_COUNT_APPROX, /**< نحو، حوالي، قرابة */
	KH_COUNT_MIN,    /**< على الأقل، أكثر من */
	KH_COUNT_MAX,    /**< أقل من */
};

struct kh_count {
	bool present;
	bool vague;       /**< عشرات، مئات: value is meaningless */
	uint8_t bound;    /**< enum kh_count_bound */
	int64_t value;
	struct kh_span span;
};

struct kh_arg {
	struct kh_span span;
	uint32_t entity; /**< KH_NONE when the argument is a phrase, not an entity */
};

struct kh_event {
	uint8_t type;     /**< enum kh_event_type */
	uint8_t modality; /**< enum kh_modality */
	struct kh_span trigger;
	uint32_t sentence;
	struct kh_arg *actors;
	uint32_t n_actors;
	struct kh_arg *targets;
	uint32_t n_targets;
	struct kh_arg *locations;
	uint32_t n_locations;
	struct kh_span time;     /**< the DATE mention, or absent */
	const char *time_value;  /**< ISO 8601, or NULL */
	struct kh_count killed, injured, abducted, arrested;
	uint32_t attribution;    /**< index into doc->attributions or KH_NONE */
};

/* ---- the document ----------------------------------------------------------------------- */

struct kh_doc {
	struct kh_arena arena;

	const char *id;        /**< arena copy, or NULL */
	const char *lang;      /**< "ar" */
	int pub_year, pub_month, pub_day; /**< 0 when no published date was given */

	const char *orig;      /**< the text as sent (arena copy, NUL-terminated) */
	uint32_t orig_len;

	char *norm;            /**< analysis view, UTF-8, NUL-terminated */
	uint32_t norm_len;
	uint32_t *norm_ostart; /**< [norm_len + 1] original byte where the source of norm byte i starts */
	uint32_t *norm_oend;   /**< [norm_len + 1] original byte where the source of norm byte i ends */
	uint32_t input_repairs;

	KH_VEC(struct kh_sentence) sentences;
	KH_VEC(struct kh_token) tokens;
	KH_VEC(struct kh_entity) entities;
	KH_VEC(struct kh_mention) mentions;
	KH_VEC(struct kh_attribution) attributions;
	KH_VEC(struct kh_event) events;

	double stage_seconds[8]; /**< time per stage, for the benchmark and /metrics */
};

/** Stages, in pipeline order (index of doc->stage_seconds). */
enum kh_stage {
	KH_STAGE_NORMALIZE = 0,
	KH_STAGE_SEGMENT,
	KH_STAGE_ENTITIES,
	KH_STAGE_DATES,
	KH_STAGE_ATTRIBUTIONS,
	KH_STAGE_EVENTS,
	KH_STAGE__MAX
};

const char *kh_stage_name(enum kh_stage s);
const char *kh_ent_type_name(enum kh_ent_type t);
const char *kh_event_type_name(enum kh_event_type t);
const char *kh_attr_kind_name(enum kh_attr_kind k);
const char *kh_source_kind_name(enum kh_source_kind k);
const char *kh_modality_name(enum kh_modality m);

/** Parse a name back (for lexicon files); -1 when unknown. */
int kh_ent_type_parse(const char *name);
int kh_event_type_parse(const char *name);
int kh_source_kind_parse(const char *name);

/** New empty document; NULL on OOM. */
struct kh_doc *kh_doc_new(void);

/** Map an analysis-view span to original byte offsets. */
void kh_doc_orig_span(const struct kh_doc *doc, uint32_t start, uint32_t end, uint32_t *ret_start,
		      uint32_t *ret_end);

/** Arena copy of the analysis-view bytes [start, end); NULL on OOM. */
const char *kh_doc_norm_strndup(struct kh_doc *doc, uint32_t start, uint32_t end);

#endif
