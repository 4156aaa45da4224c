/* SPDX-License-Identifier: MIT */
/**
 * @file attr_internal.h
 * Shared between the modules of the attribution stage (attrib.c: frames and
 * quotes; attr_source.c: source phrases and their resolution) and the unit tests.
 * Not a public interface.
 */
#ifndef KHABAR_ATTR_INTERNAL_H
#define KHABAR_ATTR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "doc.h"
#include "keyfilt.h"
#include "lexicon.h"

/* Byte compares against a literal, unrolled in place by the compiler (the libc calls cost
 * more than the compare of the short keys asked): KH_ATTR_EQ(s, "lit") is strcmp(s, "lit")
 * == 0, KH_ATTR_STARTS(s, "lit") strncmp(s, "lit", strlen("lit")) == 0.  They stop at the
 * first byte that differs (a NUL of @p s does), so read no further than strcmp would. */
static inline __attribute__((always_inline)) bool kh_attr_starts_n(const char *s, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != lit[i])
			return false;
	return true;
}

static inline __attribute__((always_inline)) bool kh_attr_eq_n(const char *s, const char *lit, size_t n)
{
	return kh_attr_starts_n(s, lit, n) && s[n] == '\0';
}

#define KH_ATTR_EQ(s, lit) kh_attr_eq_n((s), (lit), sizeof(lit) - 1)
#define KH_ATTR_STARTS(s, lit) kh_attr_starts_n((s), (lit), sizeof(lit) - 1)

#define KH_ATTR_HIST 32u         /**< speakers remembered for back-references */
#define KH_ATTR_MAX_NP 18u       /**< tokens in a source phrase */
#define KH_ATTR_MAX_SCAN 40u     /**< tokens between a cue and its content */
#define KH_ATTR_MAX_CLAUSE 400u  /**< tokens in one reported clause */
#define KH_ATTR_MAX_ITEMS 20000u /**< attributions in one document */

/** Cue classes (column 3 of cues.tsv). */
enum kh_attr_cue_class {
	KH_CUE_VERB = 0,
	KH_CUE_VERB_TELL,
	KH_CUE_PASSIVE,
	KH_CUE_PARTICIPLE,
	KH_CUE_NOUN,
	KH_CUE_ACCORDING,
	KH_CUE_SOURCE,
	KH_CUE_VERB_IMPERSONAL, /**< imperfect read as passive without a subject (يُتوقّع أن) */
};

/** Roles of a source phrase (column 3 of sources.tsv). */
enum kh_attr_src_role { KH_SROLE_ANON = 0, KH_SROLE_BACKREF, KH_SROLE_HEAD, KH_SROLE_NAME };

struct kh_attr_res {
	struct kh_lexicon *cues;    /**< data/cues.tsv + user cue files */
	struct kh_lexicon *sources; /**< data/sources.tsv + user source files */
	struct kh_lexicon *words;   /**< closed-class words: complementizers, stops, starters */
	/* the keys of each: every word token is looked up, and most are in none */
	struct kh_keyfilt cues_filter;
	struct kh_keyfilt sources_filter;
	struct kh_keyfilt words_filter;
};

/** kh_attr_lex_get() of a key of @p len bytes (token keys know their length). */
static inline const struct kh_lex_entry *kh_attr_lex_get_n(const struct kh_lexicon *lx,
							    const struct kh_keyfilt *f, const char *key,
							    size_t len)
{
	return kh_kf_has(f, key, len) ? kh_lex_get_n(lx, key, len) : NULL;
}

/** kh_lex_get() behind the filter of that lexicon: NULL at once for most words. */
static inline const struct kh_lex_entry *kh_attr_lex_get(const struct kh_lexicon *lx,
							  const struct kh_keyfilt *f, const char *key)
{
	return kh_attr_lex_get_n(lx, f, key, strlen(key));
}

/** Closed-class word roles in kh_attr_res.words (field 0). */
#define KH_AW_COMP "comp"       /**< أنّ إنّ أنه ... */
#define KH_AW_STOP "stop"       /**< ends a source phrase: في، خلال، أمس ... */
#define KH_AW_STARTER "starter" /**< opens an SVO clause: لكن، كان، أما ... */
#define KH_AW_LINK "link"       /**< after a comma, starts a new clause: كما، فيما ... */
#define KH_AW_PREP "prep"       /**< prepositions that may carry a PP inside a source phrase */
#define KH_AW_PRONPREP "pronprep" /**< به، عنه ...: after the verb of وفقاً لما صرّح به */

#define KH_NP_TELL 1u /**< the verb's addressee follows its subject (أبلغ المصدر الوكالة) */

/** One resolved speaker. */
struct kh_attr_speaker {
	bool valid;
	struct kh_span span;   /**< as written (may be absent) */
	const char *text;      /**< the name to report (arena), or NULL to use the span */
	uint32_t entity;       /**< KH_NONE when none */
	uint8_t kind;          /**< enum kh_source_kind */
	const char *agency_id; /**< or NULL */
	const char *head;      /**< folded head key of an unnamed source (مصدر), or NULL */
	const char *fold;      /**< folded text, for matching back-references (arena), or NULL */
	int8_t gender;         /**< 1 feminine, 0 masculine (from its verb's agreement), -1 unknown */
};

/** Per-document working state. */
struct kh_attr_ctx {
	const struct kh_attr_res *r;
	struct kh_doc *doc;
	const struct kh_token *tok;
	uint32_t n;
	uint32_t *mate;     /**< [n] the matching quotation mark, or KH_NONE */
	uint8_t *inq;       /**< [n] 1 inside a paired quotation */
	uint32_t *ment;     /**< [n] mention covering the token, or KH_NONE */
	uint8_t *cue_len;   /**< [n] cache: tokens of the cue at the token, 0xFF not yet looked up */
	const struct kh_lex_entry **cue_ent; /**< [n] cache: its entry */
	uint16_t *roles;    /**< [n] cache: closed-class roles, bit 15 = computed */
	struct kh_attr_speaker focus;
	struct kh_attr_speaker alt; /**< the outlet of the last نقل X عن Y frame */
	uint32_t alt_sentence;
	bool alt_fem; /**< the outlet's head noun is feminine (الشبكة، الوكالة) */
	struct kh_attr_speaker hist[KH_ATTR_HIST];
	uint32_t nhist;
};

/* ---- token helpers (attrib.c) ---- */

/** True when token @p i is the punctuation @p s. */
bool kh_attr_punct_is(const struct kh_attr_ctx *c, uint32_t i, const char *s);
/** Closed-class roles of word token @p i: bit r for the role kh_attr_role_index gives r
 *  (computed once per token, then read from c->roles). */
uint16_t kh_attr_word_roles(const struct kh_attr_ctx *c, uint32_t i);

/** Index of a closed-class role (KH_AW_*), -1 for none.  Inline: called with a KH_AW_*
 *  literal, the compares fold away.  The order is attr_cues.c's role_names. */
static inline int kh_attr_role_index(const char *role)
{
	static const char *const names[] = { KH_AW_COMP, KH_AW_STOP, KH_AW_PREP, KH_AW_STARTER, KH_AW_LINK,
					     KH_AW_PRONPREP };

	for (int r = 0; r < (int)(sizeof(names) / sizeof(names[0])); r++)
		if (strcmp(role, names[r]) == 0)
			return r;
	return -1;
}

/** True when token @p i is a word whose folded key is in the closed-class list @p role. */
static inline bool kh_attr_word_is(const struct kh_attr_ctx *c, uint32_t i, const char *role)
{
	int r;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return false;
	r = kh_attr_role_index(role); /* the role names differ, so at most one matches */
	return r >= 0 && (kh_attr_word_roles(c, i) & (1u << r)) != 0;
}
/** True when token @p i carries the proclitic ل (split off, or a lone ل before a quote). */
bool kh_attr_has_li(const struct kh_attr_ctx *c, uint32_t i);
/** True when token @p i carries the proclitic ب. */
bool kh_attr_has_bi(const struct kh_attr_ctx *c, uint32_t i);
/** True when token @p i is a complementizer (أنّ إنّ بأنّ أنه ...). */
bool kh_attr_is_comp(const struct kh_attr_ctx *c, uint32_t i);
/** kh_attr_cue_at past its cache: look the cue up and remember it for the token. */
uint32_t kh_attr_cue_find(const struct kh_attr_ctx *c, uint32_t i, const struct kh_lex_entry **ret_e);

/** Cue starting at token @p i: tokens matched (0 none), entry in @p ret_e.  Inline: frames
 *  ask the same tokens again and again, and the per-token cache answers. */
static inline uint32_t kh_attr_cue_at(const struct kh_attr_ctx *c, uint32_t i, const struct kh_lex_entry **ret_e)
{
	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return 0;
	if (c->cue_len != NULL && c->cue_len[i] != 0xFF) {
		if (c->cue_len[i] > 0)
			*ret_e = c->cue_ent[i];
		return c->cue_len[i];
	}
	return kh_attr_cue_find(c, i, ret_e);
}
/** Class of a cue entry. */
enum kh_attr_cue_class kh_attr_cue_class(const struct kh_lex_entry *e);
/** True when the token key starts with the article ال. */
bool kh_attr_definite(const struct kh_attr_ctx *c, uint32_t i);
/** End token (exclusive) of the sentence holding token @p i. */
uint32_t kh_attr_sent_end(const struct kh_attr_ctx *c, uint32_t i);
/** First token of the sentence holding token @p i. */
uint32_t kh_attr_sent_first(const struct kh_attr_ctx *c, uint32_t i);

/* ---- source phrases (attr_source.c) ---- */

/** A source phrase: tokens [first, end), the medium found inside, and its resolution. */
struct kh_attr_np {
	uint32_t first, end;
	struct kh_span medium;
	uint32_t medium_entity;
};

/**
 * Parse the speaker phrase that starts at token @p i (right after a verb, or after
 * بحسب / نقلاً عن), not past token @p lim.
 * @param[out] ret_np the phrase (first == end when empty)
 */
void kh_attr_np_parse(struct kh_attr_ctx *c, uint32_t i, uint32_t lim, unsigned flags,
		      struct kh_attr_np *ret_np);

/** The addressee of أبلغ / أخبر (a news outlet) at token @p i; @return tokens used, 0 none. */
uint32_t kh_attr_addressee(struct kh_attr_ctx *c, uint32_t i, uint32_t lim, struct kh_span *ret_span,
			   uint32_t *ret_entity);

/** True when token @p i lies in a DATE or TIME mention. */
bool kh_attr_is_date(const struct kh_attr_ctx *c, uint32_t i);

/** Parse a medium (لـ«الشرق الأوسط»، لوكالة سبوتنيك) at token @p i; @return tokens used, 0 none. */
uint32_t kh_attr_medium_parse(struct kh_attr_ctx *c, uint32_t i, uint32_t lim, struct kh_span *ret_span,
			      uint32_t *ret_entity);

/**
 * Resolve a non-empty phrase to a speaker: the entity it names, an unnamed source,
 * a back-reference to an earlier source, or the phrase itself.
 */
void kh_attr_np_resolve(struct kh_attr_ctx *c, const struct kh_attr_np *np, uint32_t cue_tok,
			struct kh_attr_speaker *ret);

/** Subject written before the verb (SVO: لكن كيري قال، وكانت الوزارة قالت); @return false when none. */
bool kh_attr_subject_before(struct kh_attr_ctx *c, uint32_t verb, struct kh_attr_speaker *ret);

/** Remember @p s as the speaker in focus and in the back-reference history. */
void kh_attr_focus_set(struct kh_attr_ctx *c, const struct kh_attr_speaker *s);

/** The source kind an entity implies (person, agency, government ...). */
uint8_t kh_attr_entity_kind(const struct kh_attr_ctx *c, uint32_t entity, const char **ret_agency_id);

/* ---- more token helpers (attr_cues.c) ---- */

/** True when the punctuation key @p k is a comma (، or ,). */
bool kh_attr_comma_key(const char *k);
/** True when the punctuation key @p k ends a clause for good (. ؛ ! ؟). */
bool kh_attr_stop_punct_key(const char *k);

/* The token tests below are inline: the clause walks ask them of nearly every token, and
 * most answer from the token kind alone. */

/** True when token @p i is a comma (، or ,). */
static inline bool kh_attr_is_comma(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && kh_attr_comma_key(c->tok[i].key);
}

/** True when token @p i ends a clause for good (. ؛ ! ؟). */
static inline bool kh_attr_is_stop_punct(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && kh_attr_stop_punct_key(c->tok[i].key);
}

/** True when the cue token @p i carries و or ف; @p ret_fa tells which. */
bool kh_attr_has_conj(const struct kh_attr_ctx *c, uint32_t i, bool *ret_fa);

/** True when token @p i opens a paired quotation. */
static inline bool kh_attr_quote_open(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && c->mate[i] != KH_NONE && c->mate[i] > i;
}

/** True when token @p i closes a paired quotation. */
static inline bool kh_attr_quote_close(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && c->mate[i] != KH_NONE && c->mate[i] < i;
}

/* ---- quotations and content extent (attr_quotes.c) ---- */

/** Reported content: its kind (direct, indirect, mixed), span and last token. */
struct kh_attr_content {
	uint8_t kind;
	struct kh_span span;
	uint32_t last; /* last token of the content */
};

/** Pair the quotation marks of the document: fills c->mate and c->inq. */
void kh_attr_pair_quotes(struct kh_attr_ctx *c);
/** Start of token @p i without the proclitics و ف ب ل. */
uint32_t kh_attr_tok_start(const struct kh_attr_ctx *c, uint32_t i);
/** Does a new reporting frame start at token @p i (a cue, or كما ...)? */
bool kh_attr_frame_starts(const struct kh_attr_ctx *c, uint32_t i);
/** Does the quotation closed at @p q1 end the reported clause? */
bool kh_attr_quote_ends_clause(const struct kh_attr_ctx *c, uint32_t q1);
/** After a comma at @p i - 1: a short subject and a reporting verb? */
bool kh_attr_verb_clause_follows(const struct kh_attr_ctx *c, uint32_t i);
/** Last token of [c0, end] without trailing punctuation. */
uint32_t kh_attr_trim_end(const struct kh_attr_ctx *c, uint32_t c0, uint32_t end);
/** Does [c0, end] hold a quotation of several words (a mixed clause)? */
bool kh_attr_has_long_quote(const struct kh_attr_ctx *c, uint32_t c0, uint32_t end);
/** Content inside the quotation opened at @p q; false when empty. */
bool kh_attr_quote_content(const struct kh_attr_ctx *c, uint32_t q, struct kh_attr_content *ret);
/** Content of the clause starting at @p c0 (@p direct after a colon); false when none. */
bool kh_attr_clause_content(const struct kh_attr_ctx *c, uint32_t c0, bool direct, struct kh_attr_content *ret);

#endif
