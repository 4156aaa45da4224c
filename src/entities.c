/* SPDX-License-Identifier: MIT */
/* The entities stage.  One left-to-right pass per sentence finds names from the
 * lexicons and from patterns (title + name, given name + words, head noun + name,
 * lists after a place head, outlets after لـ«); a second pass finds every accepted
 * surface again elsewhere in the document (hashed); ent_group.c then groups the
 * mentions into entities.  Lexicons are loaded by ent_lexicon.c, phrases matched by
 * ent_match.c.  Per token the work is a handful of memoised hash look-ups. */
#include "entities.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "ent_internal.h"
#include "ent_match.h"
#include "lexicon.h"

#define ENT_MAX_NAME_WORDS 4u  /* words of a person name found by a pattern */
#define ENT_MAX_CHAIN 8u       /* tokens of a title chain or a genitive chain */
#define ENT_MAX_LIST 12u       /* items in a list after a place head */
#define ENT_MAX_QUOTED 6u      /* words inside «» after a head */
#define ENT_MAX_GENITIVE 4u   /* words of a genitive chain after an organisation head */

#include "ent_group.h"

/* The lexicon of a phrase-table bit (enum kh_ent_lex_bit). */
static const struct kh_lexicon *bit_lex(const struct kh_ent_ctx *c, uint32_t bit)
{
	switch (bit) {
	case KH_LB_GAZ:
		return c->r->gaz;
	case KH_LB_GIVEN:
		return c->r->given;
	case KH_LB_FAMILY:
		return c->r->family;
	case KH_LB_TITLES:
		return c->r->titles;
	case KH_LB_HEADS:
		return c->r->heads;
	case KH_LB_STOP:
		return c->r->stop;
	default:
		return NULL;
	}
}

/* Inline like lx_match: at each caller bit is a constant, so bit_lex is no switch there.
 * Only the gazetteer's and the heads' rules read the entry of a match (the others its
 * span, or the stop class the phrase table keeps): the others leave its row unread. */
static inline uint32_t lx_match_at(const struct kh_ent_ctx *c, uint32_t bit, uint32_t i, uint32_t end,
				   int strip, struct kh_ent_m *m)
{
	if (bit == KH_LB_GAZ || bit == KH_LB_HEADS)
		return kh_ent_alts_match(&c->alts, c->r->first, bit_lex(c, bit), bit, c->doc, i, end, strip, m);
	return kh_ent_alts_span(&c->alts, c->r->first, bit_lex(c, bit), bit, c->doc, i, end, strip, m);
}

/* kh_ent_match of the lexicon of @p bit, skipped at once (inline: most calls stop here)
 * when no phrase of it starts with the token. */
static inline uint32_t lx_match(const struct kh_ent_ctx *c, uint32_t bit, uint32_t i, uint32_t end,
				int strip, struct kh_ent_m *m)
{
	if (i >= c->doc->tokens.n || (c->alts.mask[i] & bit) == 0)
		return 0;
	return lx_match_at(c, bit, i, end, strip, m);
}

/* Does lexicon lx (enum kh_ent_lex_bit bit) hold token i's key?  A word's first reading is
 * its key, and the phrase table already told whether lx holds it. */
static bool key_in(const struct kh_ent_ctx *c, uint32_t i, const struct kh_lexicon *lx, uint32_t bit)
{
	if (i < c->doc->tokens.n && c->alts.n[i] > 0)
		return (c->alts.items.items[c->alts.first[i]].phrase & KH_PHR_FOUND(bit)) != 0;
	return kh_lex_get_n(lx, tok(c, i)->key, kh_tok_key_len(tok(c, i))) != NULL;
}

enum memo_flag { F_GIVEN = 0, F_FAMILY, F_TITLES, F_HEADS, F_GAZ, F_STOP, F_COMMON, F_COMMON_NS };

static bool memo_get(const struct kh_ent_ctx *c, uint32_t i, enum memo_flag f, bool *ret)
{
	uint16_t v = c->memo[i] >> (2 * f);

	if ((v & 1) == 0)
		return false;
	*ret = (v & 2) != 0;
	return true;
}

static bool memo_put(const struct kh_ent_ctx *c, uint32_t i, enum memo_flag f, bool val)
{
	c->memo[i] |= (uint16_t)((1u | (val ? 2u : 0u)) << (2 * f));
	return val;
}

/* ---- small helpers --------------------------------------------------------------------- */

/* strcmp(a, b) == 0 for the short keys of punctuation, without a call. */
static bool key_eq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}


static bool is_word(const struct kh_ent_ctx *c, uint32_t i)
{
	return i < c->sent_end && tok(c, i)->kind == KH_TOK_WORD;
}

static bool is_punct_str(const struct kh_ent_ctx *c, uint32_t i, const char *s)
{
	const struct kh_token *t;

	if (i >= c->sent_end)
		return false;
	t = tok(c, i);
	return t->kind == KH_TOK_PUNCT && key_eq(t->full_key, s);
}

/* inline (like stop_class): asked at every token of pass 1, and mostly answered at once */
static inline bool is_quote_open(const struct kh_ent_ctx *c, uint32_t i)
{
	const struct kh_token *t;

	if (i >= c->sent_end)
		return false;
	t = tok(c, i);
	return t->kind == KH_TOK_PUNCT &&
	       ((t->flags & KH_TOKF_QUOTE_OPEN) != 0 || key_eq(t->full_key, "\xc2\xab") ||
		key_eq(t->full_key, "\xe2\x80\x9c"));
}

static bool is_quote_close(const struct kh_ent_ctx *c, uint32_t i)
{
	const struct kh_token *t;

	if (i >= c->sent_end)
		return false;
	t = tok(c, i);
	return t->kind == KH_TOK_PUNCT &&
	       ((t->flags & KH_TOKF_QUOTE_CLOSE) != 0 || key_eq(t->full_key, "\xc2\xbb") ||
		key_eq(t->full_key, "\xe2\x80\x9d") || key_eq(t->full_key, "\""));
}


static int gaz_type(const struct kh_lex_entry *e)
{
	const char *t = gaz_field(e, KH_GAZ_TYPE);

	return t != NULL ? kh_ent_type_parse(t) : -1;
}

static bool is_generated(const struct kh_lex_entry *e)
{
	return gaz_field(e, KH_GAZ_GENERATED) != NULL;
}

/* Stop-word class at token i (any first-token reading), KH_STOP_NONE when none. */
static uint8_t stop_class_raw(const struct kh_ent_ctx *c, uint32_t i)
{
	struct kh_ent_m m;
	uint8_t cls;

	if (lx_match(c, KH_LB_STOP, i, c->sent_end, 1, &m) == 0)
		return KH_STOP_NONE;
	/* a proclitic the segmenter left on (وقال): but a listed name stays a name (كيري) */
	if (m.start != tok(c, i)->core_start &&
	    (key_in(c, i, c->r->gaz, KH_LB_GAZ) || key_in(c, i, c->r->given, KH_LB_GIVEN) ||
	     key_in(c, i, c->r->family, KH_LB_FAMILY)))
		return KH_STOP_NONE;
	/* the phrase table knows the class without reading the (cold) entry */
	cls = kh_ent_phrase_stop_cls(c->r->first, m.value);
	if (cls != KH_STOP_NONE)
		return cls;
	if (m.entry == NULL)
		kh_ent_alts_match(&c->alts, c->r->first, c->r->stop, KH_LB_STOP, c->doc, i, c->sent_end, 1, &m);
	return kh_ent_stop_cls_parse(m.entry->n_fields > 0 ? m.entry->fields[0] : "");
}

/* inline: most calls end at the mask or the memo */
static inline uint8_t stop_class(const struct kh_ent_ctx *c, uint32_t i)
{
	bool v;

	if (i < c->doc->tokens.n && (c->alts.mask[i] & KH_LB_STOP) == 0)
		return KH_STOP_NONE; /* no stop phrase starts here */
	if (c->memo == NULL || i >= c->doc->tokens.n)
		return stop_class_raw(c, i);
	if (memo_get(c, i, F_STOP, &v))
		return v ? c->stop_cls[i] : KH_STOP_NONE;
	c->stop_cls[i] = stop_class_raw(c, i);
	memo_put(c, i, F_STOP, c->stop_cls[i] != KH_STOP_NONE);
	return c->stop_cls[i];
}

static bool is_stop(const struct kh_ent_ctx *c, uint32_t i)
{
	return stop_class(c, i) != KH_STOP_NONE;
}

static bool same_line(const struct kh_lex_entry *a, const struct kh_lex_entry *b)
{
	for (const struct kh_lex_entry *x = a; x != NULL; x = x->next)
		for (const struct kh_lex_entry *y = b; y != NULL; y = y->next)
			if (x->line == y->line && x->file == y->file)
				return true;
	return false;
}

static int first_type(const struct kh_lex_entry *e)
{
	const char *t = e != NULL && e->n_fields > 0 ? e->fields[0] : NULL;

	return t != NULL ? kh_ent_type_parse(t) : -1;
}

static bool is_common_word_x(const struct kh_ent_ctx *c, uint32_t i, bool stem);

/* Is the tail [from, to) of a longer variant a separate mention in news style: a place
 * (إقليم كردستان العراق, التحالف الدولي بقيادة الولايات المتحدة), a nationality after an
 * organisation (البيشمركة الكردية), or a describing adjective (الضفة الغربية المحتلة)? */
static bool separable_tail(const struct kh_ent_ctx *c, uint32_t from, uint32_t to, int type)
{
	for (uint32_t k = from; k < to; k++) {
		struct kh_ent_m t;

		if (lx_match(c, KH_LB_GAZ, k, to, 1, &t) > 0) {
			int ty = first_type(t.entry);

			if (ty == KH_ENT_GPE || ty == KH_ENT_LOC)
				return true;
			if (ty == KH_ENT_NORP && to - from == 1)
				return type == KH_ENT_ORG; /* الولايات المتحدة الأميركية stays whole */
		}
	}
	return to - from == 1 && type != KH_ENT_NORP && is_common_word_x(c, from, true);
}

static bool is_canonical_variant(const struct kh_lex_entry *e)
{
	for (const struct kh_lex_entry *x = e; x != NULL; x = x->next)
		if (x->n_fields > 1 && strcmp(x->surface, x->fields[1]) == 0)
			return true;
	return false;
}

/* The gazetteer at i; a one-word match that is a stop word (ليل night / Lille) is none, and a
 * variant with a separable tail gives way to the shorter variant of the same entry. */
static uint32_t gaz_match_raw(const struct kh_ent_ctx *c, uint32_t i, uint32_t end, struct kh_ent_m *m)
{
	uint32_t n = lx_match(c, KH_LB_GAZ, i, end, 1, m);

	if (n == 1 && is_stop(c, i))
		return 0;
	if (n > 1 && is_canonical_variant(m->entry))
		return n; /* منظمة التحرير الفلسطينية, الضفة الغربية: the full official name */
	for (uint32_t k = n > 1 ? n - 1 : 0; k >= 1; k--) {
		struct kh_ent_m s;

		if (lx_match(c, KH_LB_GAZ, i, i + k, 1, &s) != k || !same_line(s.entry, m->entry))
			continue;
		if (separable_tail(c, i + k, i + n, first_type(m->entry))) {
			*m = s;
			return k;
		}
		break;
	}
	return n;
}

static uint32_t gaz_match_memo(const struct kh_ent_ctx *c, uint32_t i, uint32_t end, struct kh_ent_m *m)
{
	if (c->gaz_n == NULL || end != c->sent_end || i >= c->doc->tokens.n)
		return gaz_match_raw(c, i, end, m);
	if (c->gaz_n[i] == UINT8_MAX)
		c->gaz_n[i] = (uint8_t)gaz_match_raw(c, i, end, &c->gaz_m[i]);
	if (c->gaz_n[i] > 0)
		*m = c->gaz_m[i];
	return c->gaz_n[i];
}

/* inline: at most tokens the mask answers (pass 1 asks at every word) */
static inline uint32_t gaz_match(const struct kh_ent_ctx *c, uint32_t i, uint32_t end, struct kh_ent_m *m)
{
	if (i < c->doc->tokens.n && (c->alts.mask[i] & KH_LB_GAZ) == 0)
		return 0; /* no name of the gazetteer starts here */
	return gaz_match_memo(c, i, end, m);
}

/* A stop word that ends a genitive chain (function word, verb, time, direction). */
static bool is_hard_stop(const struct kh_ent_ctx *c, uint32_t i)
{
	uint8_t cl = stop_class(c, i);

	return cl != KH_STOP_NONE && cl != KH_STOP_NOUN && cl != KH_STOP_ADJ;
}

/* Does a phrase of the lexicon of @p bit (not KH_LB_STOP) start at token i?  Memoised. */
static inline bool has_lex(uint32_t bit, const struct kh_ent_ctx *c, uint32_t i)
{
	struct kh_ent_m m;
	enum memo_flag f = bit == KH_LB_GIVEN ? F_GIVEN : bit == KH_LB_FAMILY ? F_FAMILY
			   : bit == KH_LB_TITLES ? F_TITLES : bit == KH_LB_HEADS ? F_HEADS : F_GAZ;
	bool v;

	if (i >= c->doc->tokens.n || (c->alts.mask[i] & bit) == 0)
		return false; /* what lx_match would say at once */
	/* whether, not which: kh_ent_alts_span leaves the entry's row unread */
	if (c->memo == NULL)
		return kh_ent_alts_span(&c->alts, c->r->first, bit_lex(c, bit), bit, c->doc, i, c->sent_end, 1, &m) > 0;
	if (memo_get(c, i, f, &v))
		return v;
	return memo_put(c, i, f,
			kh_ent_alts_span(&c->alts, c->r->first, bit_lex(c, bit), bit, c->doc, i, c->sent_end, 1, &m) > 0);
}

/* A word that a dictionary knows and no name list holds. */
static bool is_common_word_raw(const struct kh_ent_ctx *c, uint32_t i, bool stem)
{
	const struct kh_token *t = tok(c, i);
	struct kh_ent_m m;
	size_t n;

	if (kh_lex_get_n(c->r->personwords, t->key, kh_tok_key_len(t)) != NULL)
		return false;
	if (t->end - t->stem_end == 2 && t->stem_start == t->core_start)
		stem = false; /* أنصاري: the final ي is a nisba more often than "my" */
	if (kh_lex_get_n(c->r->common, t->key, kh_tok_key_len(t)) != NULL ||
	    (stem && t->stem_key[0] != '\0' && kh_lex_get_n(c->r->common, t->stem_key, kh_tok_stem_len(t)) != NULL))
		return true;
	/* هجوما، سياسيا: the accusative tanwin is written with an alif; the key without it is
	 * looked up in place (keys of 256 bytes or more never were) */
	n = kh_tok_key_len(t);
	if (n >= 8 && n < 256 && memcmp(t->key + n - 2, "\xd8\xa7", 2) == 0 &&
	    kh_lex_get_n(c->r->common, t->key, n - 2) != NULL)
		return true;
	/* لشؤون: a proclitic the segmenter left on a known word of four letters or more */
	return t->core_start == t->start && kh_tok_full_len(t) >= 8 &&
	       kh_ent_alts_match(&c->alts, NULL, c->r->common, 0, c->doc, i, i + 1, 1, &m) == 1 &&
	       !key_in(c, i, c->r->gaz, KH_LB_GAZ);
}

static bool is_common_word_x(const struct kh_ent_ctx *c, uint32_t i, bool stem)
{
	enum memo_flag f = stem ? F_COMMON : F_COMMON_NS;
	bool v;

	if (c->memo == NULL || i >= c->doc->tokens.n)
		return is_common_word_raw(c, i, stem);
	if (memo_get(c, i, f, &v))
		return v;
	return memo_put(c, i, f, is_common_word_raw(c, i, stem));
}

static bool is_common_word(const struct kh_ent_ctx *c, uint32_t i)
{
	return is_common_word_x(c, i, true);
}

/* The token's key, undoing a proclitic split that left two letters or fewer (وكفر → كفر,
 * not و + ك + فر). */
static inline const char *word_key(const struct kh_ent_ctx *c, uint32_t i, size_t *ret_len)
{
	const struct kh_token *t = tok(c, i);

	if ((t->proclitics & (KH_PRO_WA | KH_PRO_FA)) != 0 &&
	    (t->proclitics & ~(KH_PRO_WA | KH_PRO_FA)) != 0 && kh_tok_key_len(t) <= 4 &&
	    kh_tok_full_len(t) >= 8) {
		*ret_len = kh_tok_full_len(t) - 2;
		return t->full_key + 2;
	}
	*ret_len = kh_tok_key_len(t);
	return t->key;
}

static bool has_proclitic(const struct kh_ent_ctx *c, uint32_t i)
{
	return tok(c, i)->proclitics != 0 || tok(c, i)->core_start != tok(c, i)->start;
}

static bool is_definite(const struct kh_ent_ctx *c, uint32_t i)
{
	const struct kh_token *t = tok(c, i);
	const char *k = t->key;
	size_t n = kh_tok_key_len(t);

	if ((t->flags & KH_TOKF_ARTICLE) != 0 || (strncmp(k, "\xd8\xa7\xd9\x84", 4) == 0 && n > 6))
		return true;
	/* a proclitic the segmenter left on: وال بال كال فال، and fused لل */
	if (t->proclitics == 0 && t->core_start == t->start && n > 8) {
		const char *p = k;

		if (strncmp(p, "\xd9\x88", 2) == 0 || strncmp(p, "\xd9\x81", 2) == 0)
			p += 2;
		if ((strncmp(p, "\xd8\xa8\xd8\xa7\xd9\x84", 6) == 0 ||
		     strncmp(p, "\xd9\x83\xd8\xa7\xd9\x84", 6) == 0) &&
		    n - (size_t)(p - k) >= 12)
			return true;
		if ((strncmp(p, "\xd9\x84\xd9\x84", 4) == 0 || strncmp(p, "\xd8\xa7\xd9\x84", 4) == 0) &&
		    n - (size_t)(p - k) >= 10)
			return true;
	}
	return false;
}

/* The token after i starts a conjunct (و) of a list. */
static bool starts_with_wa(const struct kh_ent_ctx *c, uint32_t i)
{
	const struct kh_token *t = tok(c, i);

	return (t->proclitics & KH_PRO_WA) != 0 ||
	       (t->proclitics == 0 && strncmp(t->full_key, "\xd9\x88", 2) == 0 &&
		kh_tok_full_len(t) > 4);
}

/* ---- candidates ------------------------------------------------------------------------ */

static uint32_t add_cand(struct kh_ent_ctx *c, uint32_t tf, uint32_t te, uint32_t start, int type,
			 uint8_t src, const struct kh_lex_entry *e)
{
	struct kh_ent_cand *k;

	if (tf >= te || te > c->doc->tokens.n || type < 0)
		return KH_NONE;
	for (uint32_t i = tf; i < te; i++)
		if (c->covered[i] != 0)
			return KH_NONE;
	k = kh_vec_push(&c->cands);
	if (k == NULL)
		return KH_NONE;
	k->tf = tf;
	k->te = te;
	k->start = start;
	k->end = tok(c, te - 1)->end;
	k->type = (uint8_t)type;
	k->src = src;
	k->entry = e;
	k->aff = KH_NONE;
	k->rep = c->cands.n - 1;
	k->parent = c->cands.n - 1;
	k->entity = KH_NONE;
	for (uint32_t i = tf; i < te; i++)
		c->covered[i] = 1;
	return c->cands.n - 1;
}

static void add_title(struct kh_ent_ctx *c, uint32_t ci, uint32_t start, uint32_t end)
{
	struct kh_ent_cand *k;
	const char *s;

	if (ci == KH_NONE || start >= end)
		return;
	s = kh_doc_norm_strndup(c->doc, start, end);
	k = &c->cands.items[ci];
	if (s == NULL || k->n_titles >= ENT_MAX_TITLES)
		return;
	for (uint32_t i = 0; i < k->n_titles; i++)
		if (strcmp(k->titles[i], s) == 0)
			return;
	k->titles[k->n_titles++] = s;
}

/* Choose among homographs: a NORP reading after a NORP word (كردية سورية), a media
 * reading after لـ« or a newspaper head, else the first entry the files wrote (not a
 * generated inflection). */
static const struct kh_lex_entry *choose_entry(const struct kh_ent_ctx *c, uint32_t i,
					       const struct kh_lex_entry *e)
{
	const struct kh_lex_entry *first = NULL, *gen = NULL, *norp = NULL, *media = NULL;
	bool after_norp = c->cands.n > 0 && c->cands.items[c->cands.n - 1].type == KH_ENT_NORP &&
			  c->cands.items[c->cands.n - 1].te == i;
	bool medium_ctx = false;

	if (e == NULL || e->next == NULL)
		return e;
	if (i >= 2 && is_quote_open(c, i - 1)) {
		const char *k = tok(c, i - 2)->full_key;

		medium_ctx = strcmp(k, "\xd9\x84") == 0; /* لـ« */
	}
	for (const struct kh_lex_entry *x = e; x != NULL; x = x->next) {
		const char *kind = gaz_field(x, KH_GAZ_KIND);

		if (gaz_type(x) == KH_ENT_NORP && norp == NULL)
			norp = x;
		if (kind != NULL && strcmp(kind, "media") == 0 && media == NULL)
			media = x;
		if (is_generated(x)) {
			if (gen == NULL)
				gen = x;
		} else if (first == NULL && (x != media || x->next == NULL)) {
			first = x;
		}
	}
	if (after_norp && norp != NULL)
		return norp;
	if (medium_ctx && media != NULL)
		return media;
	if (first != NULL)
		return first;
	return gen != NULL ? gen : e;
}

/* ---- person names ---------------------------------------------------------------------- */

#define ENT_LIST_WORD 16u /* bytes of a word of a fixed list, NUL padding included */

/* The second bytes of the list's words, as bits (6 low bits each): a key whose second byte
 * (its first letter's) is none of them is no word of the list.  Computed once (a race
 * computes the same value twice). */
static uint64_t list_sig(const char (*list)[ENT_LIST_WORD], size_t n, _Atomic uint64_t *sig)
{
	uint64_t v = atomic_load_explicit(sig, memory_order_relaxed);

	if (v != 0)
		return v;
	for (size_t i = 0; i < n; i++)
		v |= 1ull << ((unsigned char)list[i][1] & 63);
	atomic_store_explicit(sig, v, memory_order_relaxed);
	return v;
}

/* Is k (@p kl bytes) one of the n words of list, none longer than @p max bytes?  Most keys
 * are answered by their length or their first letter (@p sig); another is copied into two
 * registers as the words lie in memory, so that each word costs two integer comparisons. */
static inline bool in_list(const char *k, size_t kl, const char (*list)[ENT_LIST_WORD], size_t n,
		    size_t max, _Atomic uint64_t *sig)
{
	uint64_t w[2] = { 0, 0 };

	if (kl > max || kl >= ENT_LIST_WORD || kl < 2 ||
	    ((list_sig(list, n, sig) >> ((unsigned char)k[1] & 63)) & 1) == 0)
		return false;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	memcpy(w, k, kl); /* kh_lex_tail_word gives little-endian words */
#else
	if (kl >= 8) {
		memcpy(&w[0], k, 8);
		w[1] = kh_lex_tail_word(k + 8, kl - 8);
	} else {
		w[0] = kh_lex_tail_word(k, kl);
	}
#endif
	for (size_t i = 0; i < n; i++) {
		uint64_t a, b;

		memcpy(&a, list[i], 8);
		memcpy(&b, list[i] + 8, 8);
		if (a == w[0] && b == w[1])
			return true;
	}
	return false;
}

#define ENT_LINK_MAX 6u /* bytes of the longest link word */

static inline bool is_link_word(const char *k, size_t kl)
{
	static const char links[][ENT_LIST_WORD] = {
		"\xd8\xb9\xd8\xa8\xd8\xaf",         /* عبد */
		"\xd8\xa7\xd8\xa8\xd9\x88",         /* ابو */
		"\xd8\xa7\xd8\xa8\xd9\x8a",         /* ابي */
		"\xd8\xa8\xd9\x86",                 /* بن */
		"\xd8\xa7\xd8\xa8\xd9\x86",         /* ابن */
		"\xd8\xa8\xd9\x86\xd8\xaa",         /* بنت */
		"\xd8\xa7\xd9\x84",                 /* ال */
		"\xd8\xaf\xd9\x8a",                 /* دي */
		"\xd8\xaf\xd9\x88",                 /* دو */
		"\xd9\x81\xd8\xa7\xd9\x86",         /* فان */
		"\xd9\x81\xd9\x88\xd9\x86",         /* فون */
		"\xd9\x88\xd9\x84\xd8\xaf",         /* ولد */
		"\xd8\xa7\xd9\x84",                 /* آل (folded) */
	};

	static _Atomic uint64_t sig;

	return in_list(k, kl, links, sizeof(links) / sizeof(links[0]), ENT_LINK_MAX, &sig);
}

/* Is token i's key a link word? */
static inline bool link_key(const struct kh_ent_ctx *c, uint32_t i)
{
	return is_link_word(tok(c, i)->key, kh_tok_key_len(tok(c, i)));
}

/* The token as written ends in ي (not ى). */
static bool ends_with_ya(const struct kh_ent_ctx *c, uint32_t i)
{
	const struct kh_token *t = tok(c, i);

	return t->end - t->start >= 2 && memcmp(c->doc->norm + t->end - 2, "\xd9\x8a", 2) == 0;
}

/* Can token i continue (or, with first, start) a person name? */
static bool name_word_ok(const struct kh_ent_ctx *c, uint32_t i, bool first)
{
	const struct kh_token *t;
	struct kh_ent_m m;

	if (!is_word(c, i) || c->covered[i] != 0)
		return false;
	t = tok(c, i);
	/* a pronoun suffix ends no name word, except ي which is also the nisba (أنصاري) */
	if ((t->flags & KH_TOKF_SUFFIX) != 0 && !first && t->end - t->stem_end != 2)
		return false;
	if (kh_tok_full_len(t) < 4)
		return false; /* one letter: لـ, an initial */
	if (!first && has_proclitic(c, i))
		return false;
	if (!first && starts_with_wa(c, i) && !has_lex(KH_LB_GIVEN, c, i) &&
	    !has_lex(KH_LB_FAMILY, c, i))
		return false;
	if (is_stop(c, i) && !(has_lex(KH_LB_GIVEN, c, i) && ends_with_ya(c, i)))
		return false; /* على is a stop word, علي a name: folding joins them */
	if (has_lex(KH_LB_TITLES, c, i) || has_lex(KH_LB_HEADS, c, i))
		return false;
	if (gaz_match(c, i, c->sent_end, &m) > 0) {
		int ty = gaz_type(choose_entry(c, i, m.entry));

		if (ty != KH_ENT_PERSON)
			return false;
	}
	/* عبد الله, أبو بكر: a link word and the word it links are dictionary words too */
	if (link_key(c, i) || (i > 0 && !first && link_key(c, i - 1)))
		return true;
	if (is_common_word(c, i))
		return false;
	return true;
}

/* Person name words from i: returns the end token (i when none). */
static uint32_t person_extent(const struct kh_ent_ctx *c, uint32_t i, uint32_t max_words)
{
	uint32_t j = i, words = 0;

	while (j < c->sent_end && words < max_words + 2 && name_word_ok(c, j, j == i)) {
		j++;
		words++;
	}
	/* a link word cannot end a name */
	while (j > i && is_link_word(tok(c, j - 1)->full_key, kh_tok_full_len(tok(c, j - 1))))
		j--;
	return j;
}

/* A listed name followed by a link word and a name word: سلمان بن عبدالعزيز آل سعود. */
static uint32_t person_tail(const struct kh_ent_ctx *c, uint32_t end)
{
	for (int k = 0; k < 2 && end + 1 < c->sent_end; k++) {
		if (!is_word(c, end) || c->covered[end] != 0 || has_proclitic(c, end) ||
		    !link_key(c, end) || !name_word_ok(c, end + 1, false))
			break;
		end += 2;
	}
	return end;
}

static uint32_t emit_person(struct kh_ent_ctx *c, uint32_t i, uint32_t end, uint8_t src)
{
	struct kh_ent_m m;
	uint32_t n = gaz_match(c, i, end, &m);
	const struct kh_lex_entry *e = NULL;

	if (n > 0 && gaz_type(m.entry) == KH_ENT_PERSON &&
	    (n == end - i || (n < end - i && link_key(c, i + n))))
		e = m.entry; /* سلمان بن عبدالعزيز + آل سعود is still the listed person */
	else
		m.start = tok(c, i)->core_start;
	return add_cand(c, i, end, m.start, KH_ENT_PERSON, e != NULL ? KH_ENT_SRC_LEX : src, e);
}

/* Apposition after a person: "X، مبعوث الرئيس الأميركي" adds the title. */
static void apposition(struct kh_ent_ctx *c, uint32_t ci)
{
	uint32_t j = c->cands.items[ci].te, end;
	struct kh_ent_m m;

	if (!is_punct_str(c, j, "\xd8\x8c") && !is_punct_str(c, j, ","))
		return;
	j++;
	if (!is_word(c, j) || lx_match(c, KH_LB_TITLES, j, c->sent_end, 0, &m) == 0)
		return;
	end = j + m.n;
	while (end < c->sent_end && end < j + ENT_MAX_CHAIN && is_word(c, end) &&
	       !has_proclitic(c, end) && is_definite(c, end) && !is_hard_stop(c, end) &&
	       !has_lex(KH_LB_GAZ, c, end))
		end++;
	add_title(c, ci, m.start, tok(c, end - 1)->end);
}

/* ---- the lexicon match at a token -------------------------------------------------------- */

static uint32_t emit_gaz(struct kh_ent_ctx *c, uint32_t i, const struct kh_ent_m *m)
{
	const struct kh_lex_entry *e = choose_entry(c, i, m->entry);

	return add_cand(c, i, i + m->n, m->start, gaz_type(e), KH_ENT_SRC_LEX, e);
}

/* ---- title + name ---------------------------------------------------------------------- */

/* وفعال: a و the segmenter left on a word that no name list knows. */
static bool leftover_wa(const struct kh_ent_ctx *c, uint32_t i)
{
	const struct kh_token *t = tok(c, i);

	return t->core_start == t->start && kh_tok_full_len(t) >= 8 &&
	       (strncmp(t->full_key, "\xd9\x88", 2) == 0 || strncmp(t->full_key, "\xd9\x81", 2) == 0) &&
	       !has_lex(KH_LB_GIVEN, c, i) && !has_lex(KH_LB_FAMILY, c, i) &&
	       kh_lex_get_n(c->r->personwords, t->key, kh_tok_key_len(t)) == NULL &&
	       !key_in(c, i, c->r->gaz, KH_LB_GAZ);
}

/* A single definite word may be a name only when a name list knows it (الرئيس الأسد);
 * otherwise it is a common noun (الناطق باسم المتمردين). */
static bool lone_definite_ok(const struct kh_ent_ctx *c, uint32_t i)
{
	return has_lex(KH_LB_FAMILY, c, i) || has_lex(KH_LB_GIVEN, c, i) ||
	       kh_lex_get_n(c->r->personwords, tok(c, i)->key, kh_tok_key_len(tok(c, i))) != NULL;
}

/* Emit the places and organisations named inside a title (رئيس إقليم كردستان). */
static uint32_t title_inner(struct kh_ent_ctx *c, uint32_t from, uint32_t to, uint32_t aff)
{
	for (uint32_t k = from; k < to && k < c->sent_end;) {
		struct kh_ent_m g;
		uint32_t n = gaz_match(c, k, c->sent_end, &g);

		if (n > 0 && c->covered[k] == 0) {
			const struct kh_lex_entry *e = choose_entry(c, k, g.entry);
			uint32_t ci = add_cand(c, k, k + n, g.start, gaz_type(e), KH_ENT_SRC_LEX, e);

			if (aff == KH_NONE && ci != KH_NONE)
				aff = ci;
			k += n;
		} else {
			k++;
		}
	}
	return aff;
}

/* A title or role chain at i followed by a person name.  Emits the places and NORPs met in
 * the chain and the person.  @return the token after what was consumed, i when nothing. */
static uint32_t try_title(struct kh_ent_ctx *c, uint32_t i)
{
	struct kh_ent_m m;
	uint32_t j, aff = KH_NONE, last_def = KH_NONE, name_end, p;
	/* title segments: "المتحدث باسم قيادة العمليات المشتركة" + "اللواء"; a NORP ends one */
	uint32_t seg_start[ENT_MAX_TITLES], seg_end[ENT_MAX_TITLES], nseg = 0;
	bool after_name = false; /* the last chain element was a place or organisation */

	if (lx_match(c, KH_LB_TITLES, i, c->sent_end, 0, &m) == 0)
		return i;
	seg_start[0] = m.start;
	j = i + m.n;
	seg_end[0] = j;
	nseg = 1;
	if (m.n > 1)
		aff = title_inner(c, i + 1, j, aff);
	for (uint32_t steps = 0; steps < ENT_MAX_CHAIN && j < c->sent_end && is_word(c, j); steps++) {
		struct kh_ent_m g;

		if (c->covered[j] != 0) {
			/* a place inside the title ran past it */
			while (j < c->sent_end && c->covered[j] != 0)
				j++;
			seg_end[nseg - 1] = j;
			continue;
		}
		if (lx_match(c, KH_LB_TITLES, j, c->sent_end, 0, &g) > 0 &&
		    !has_proclitic(c, j)) {
			if (g.n > 1)
				aff = title_inner(c, j + 1, j + g.n, aff);
			if ((j != seg_end[nseg - 1] || after_name) && nseg < ENT_MAX_TITLES) {
				seg_start[nseg] = g.start;
				nseg++;
			}
			j += g.n;
			seg_end[nseg - 1] = j;
			last_def = KH_NONE;
			after_name = false;
			continue;
		}
		if (gaz_match(c, j, c->sent_end, &g) > 0) {
			const struct kh_lex_entry *e = choose_entry(c, j, g.entry);
			int ty = gaz_type(e);
			uint32_t ci;

			if (ty == KH_ENT_PERSON)
				break;
			/* المسؤول الإعلامي لوحدات حماية الشعب: a genitive ل is fine, a و is not */
			if (ty != KH_ENT_NORP && (starts_with_wa(c, j) ||
						 (tok(c, j)->proclitics & (KH_PRO_WA | KH_PRO_FA)) != 0))
				break;
			ci = add_cand(c, j, j + g.n, g.start, ty, KH_ENT_SRC_LEX, e);
			if (aff == KH_NONE && ci != KH_NONE)
				aff = ci;
			if (ty != KH_ENT_NORP && j == seg_end[nseg - 1])
				seg_end[nseg - 1] = j + g.n; /* المتحدث باسم الشرطة */
			after_name = true;
			j += g.n;
			last_def = KH_NONE;
			continue;
		}
		if (is_definite(c, j) && !has_proclitic(c, j) && !is_stop(c, j) &&
		    !has_lex(KH_LB_GIVEN, c, j) && !has_lex(KH_LB_FAMILY, c, j) && aff == KH_NONE &&
		    !has_lex(KH_LB_HEADS, c, j)) {
			last_def = j;
			j++;
			if (j - 1 == seg_end[nseg - 1])
				seg_end[nseg - 1] = j;
			continue;
		}
		break;
	}
	/* the name */
	p = j;
	name_end = p;
	if (is_word(c, p) && c->covered[p] == 0 && !has_proclitic(c, p) && !leftover_wa(c, p)) {
		if (gaz_match(c, p, c->sent_end, &m) > 0 && gaz_type(m.entry) == KH_ENT_PERSON)
			name_end = person_tail(c, p + m.n);
		else
			name_end = person_extent(c, p, ENT_MAX_NAME_WORDS);
		if (name_end == p + 1 && is_definite(c, p) && !lone_definite_ok(c, p))
			name_end = p;
	}
	if (name_end == p && last_def != KH_NONE && last_def + 1 == j && lone_definite_ok(c, last_def)) {
		/* الرئيس الأسد: the definite word taken for the chain was the name */
		p = last_def;
		if (seg_end[nseg - 1] > last_def)
			seg_end[nseg - 1] = last_def;
		name_end = last_def + 1;
	}
	if (name_end > p) {
		uint32_t ci = emit_person(c, p, name_end, KH_ENT_SRC_PATTERN);

		if (ci != KH_NONE) {
			for (uint32_t k = 0; k < nseg; k++)
				if (seg_end[k] > i && seg_end[k] <= c->doc->tokens.n)
					add_title(c, ci, seg_start[k], tok(c, seg_end[k] - 1)->end);
			c->cands.items[ci].aff = aff;
			apposition(c, ci);
			return name_end;
		}
	}
	return j > i ? j : i;
}

/* A reporting verb, then unknown words, then a title: أفادت لوبا سمري المتحدثة باسم ...
 * @return the end of the name, i when the pattern does not hold. */
static uint32_t try_name_before_title(struct kh_ent_ctx *c, uint32_t i)
{
	uint32_t end, ci;
	struct kh_ent_m m;

	if (i <= c->sent_first)
		return i;
	if (stop_class(c, i - 1) != KH_STOP_VERB || is_definite(c, i) || has_proclitic(c, i))
		return i;
	end = person_extent(c, i, 3);
	if (end == i || end >= c->sent_end)
		return i;
	if (lx_match(c, KH_LB_TITLES, end, c->sent_end, 0, &m) == 0 || !is_definite(c, end))
		return i;
	ci = emit_person(c, i, end, KH_ENT_SRC_PATTERN);
	if (ci == KH_NONE)
		return i;
	{
		uint32_t te = end + m.n;

		while (te < c->sent_end && te < end + m.n + ENT_MAX_CHAIN && is_word(c, te) &&
		       !has_proclitic(c, te) && is_definite(c, te) && !is_stop(c, te) &&
		       !has_lex(KH_LB_GAZ, c, te))
			te++;
		add_title(c, ci, m.start, tok(c, te - 1)->end);
	}
	return end;
}

/* ---- head + name ----------------------------------------------------------------------- */

/* Words at the start of a place name that always take the next word (دير الزور, كفر دوما). */
#define ENT_PLACE_PREFIX_MAX 10u /* bytes of the longest place prefix (الشيخ) */

static bool is_place_prefix(const char *k, size_t kl)
{
	static const char pre[][ENT_LIST_WORD] = {
		"\xd8\xaf\xd9\x8a\xd8\xb1", /* دير */
		"\xd9\x83\xd9\x81\xd8\xb1", /* كفر */
		"\xd8\xaf\xd8\xa7\xd8\xb1", /* دار */
		"\xd8\xaa\xd9\x84",         /* تل */
		"\xd8\xb9\xd9\x8a\xd9\x86", /* عين */
		"\xd8\xac\xd8\xb3\xd8\xb1", /* جسر */
		"\xd8\xa8\xd9\x8a\xd8\xb1", /* بير */
		"\xd8\xa8\xd8\xa6\xd8\xb1", /* بئر */
		"\xd8\xb1\xd8\xa7\xd8\xb3", /* راس */
		"\xd8\xb1\xd8\xa7\xd9\x94\xd8\xb3",
		"\xd8\xb3\xd9\x88\xd9\x82", /* سوق */
		"\xd8\xac\xd8\xa8\xd9\x84", /* جبل */
		"\xd8\xae\xd8\xa7\xd9\x86", /* خان */
		"\xd8\xa8\xd9\x8a\xd8\xaa", /* بيت */
		"\xd8\xa7\xd8\xa8\xd9\x88", /* ابو */
		"\xd9\x85\xd8\xb1\xd8\xac", /* مرج */
		"\xd8\xa8\xd8\xa7\xd8\xa8", /* باب */
		"\xd9\x82\xd8\xb5\xd8\xb1", /* قصر */
		"\xd8\xb3\xd9\x8a\xd8\xaf\xd9\x8a", /* سيدي */
		"\xd8\xb9\xd8\xa8\xd8\xaf", /* عبد */
		"\xd8\xa7\xd9\x85",         /* ام */
		"\xd8\xaa\xd9\x84\xd8\xa9", /* تلة */
		"\xd8\xaa\xd9\x84\xd9\x87",
		"\xd8\xb1\xd8\xa7\xd9\x85", /* رام */
		"\xd8\xb4\xd9\x8a\xd8\xae", /* شيخ */
		"\xd8\xa7\xd9\x84\xd8\xb4\xd9\x8a\xd8\xae", /* الشيخ */
		"\xd8\xad\xd8\xb1\xd9\x81", /* حرف */
		"\xd9\x88\xd8\xa7\xd8\xaf\xd9\x8a", /* وادي */
	};
	static _Atomic uint64_t sig;

	return in_list(k, kl, pre, sizeof(pre) / sizeof(pre[0]), ENT_PLACE_PREFIX_MAX, &sig);
}

static bool place_prefix_at(const struct kh_ent_ctx *c, uint32_t i)
{
	size_t kl;
	const char *k = word_key(c, i, &kl);

	return is_place_prefix(k, kl);
}

/* Ends in ي or ية (folded يه): a nisba adjective. */
static bool is_nisba(const char *k)
{
	size_t n = strlen(k);

	return (n >= 6 && strcmp(k + n - 2, "\xd9\x8a") == 0) ||
	       (n >= 8 && strcmp(k + n - 4, "\xd9\x8a\xd9\x87") == 0);
}

static bool ends_with_ta(const char *k)
{
	size_t n = strlen(k);

	return n >= 2 && strcmp(k + n - 2, "\xd9\x87") == 0; /* folded ة */
}

/* Can token i be a word of an unknown place name after a head? */
static bool place_word_ok(const struct kh_ent_ctx *c, uint32_t i, bool first, bool head_fem,
			  bool after_prefix)
{
	const struct kh_token *t;

	if (!is_word(c, i) || c->covered[i] != 0)
		return false;
	t = tok(c, i);
	if ((t->flags & KH_TOKF_SUFFIX) != 0)
		return false;
	if (!first && (has_proclitic(c, i) || starts_with_wa(c, i)))
		return false;
	if (is_stop(c, i) || has_lex(KH_LB_HEADS, c, i))
		return false;
	if (!first && has_lex(KH_LB_TITLES, c, i))
		return false;
	if (first && !place_prefix_at(c, i) && has_lex(KH_LB_TITLES, c, i))
		return false;
	if (first && head_fem && !is_definite(c, i) && ends_with_ta(t->key) &&
	    !has_lex(KH_LB_GAZ, c, i))
		return false; /* قرية قريبة: an adjective agreeing with the head */
	if (!after_prefix && is_common_word_x(c, i, false) && !(first && place_prefix_at(c, i)))
		return false;
	return true;
}

/* End token of an unknown place name at i (i when none). */
static uint32_t person_extent(const struct kh_ent_ctx *c, uint32_t i, uint32_t max_words);

/* مستشفى الملك فهد, جامعة الملك سعود: a title and a person's name name a place. */
static uint32_t honorific_extent(const struct kh_ent_ctx *c, uint32_t i)
{
	struct kh_ent_m m;
	uint32_t end;

	if (!is_word(c, i) || c->covered[i] != 0 || has_proclitic(c, i) ||
	    lx_match(c, KH_LB_TITLES, i, c->sent_end, 0, &m) != 1 || !is_definite(c, i))
		return i;
	end = person_extent(c, i + 1, 3);
	return end > i + 1 ? end : i;
}

static uint32_t place_extent(const struct kh_ent_ctx *c, uint32_t i, bool head_fem)
{
	uint32_t j = i;

	j = honorific_extent(c, i);
	if (j > i)
		return j;

	if (!place_word_ok(c, i, true, head_fem, false))
		return i;
	j = i + 1;
	if (place_prefix_at(c, i)) {
		if (!place_word_ok(c, j, false, false, true))
			return i; /* a prefix alone is no name */
		return j + 1;
	}
	/* a second word: only a definite one that is no NORP, or a known name word */
	if (place_word_ok(c, j, false, false, false) && !has_lex(KH_LB_GAZ, c, j) && !is_stop(c, j) &&
	    !is_nisba(tok(c, j)->key) && !is_common_word_x(c, j, true))
		return j + 1;
	return j;
}

/* One item of a place list at i: a gazetteer place or an unknown name.  Returns the end
 * token, i when nothing. */
static uint32_t place_item(struct kh_ent_ctx *c, uint32_t i, int head_type, bool head_fem,
			   bool allow_unknown, int strip_wa, uint32_t *ret_cand)
{
	struct kh_ent_m m;
	uint32_t end;

	*ret_cand = KH_NONE;
	if (!is_word(c, i) || c->covered[i] != 0)
		return i;
	if (gaz_match(c, i, c->sent_end, &m) > 0) {
		const struct kh_lex_entry *e = choose_entry(c, i, m.entry);
		int ty = gaz_type(e);

		if (ty == KH_ENT_GPE || ty == KH_ENT_LOC || ty == KH_ENT_FAC) {
			*ret_cand = add_cand(c, i, i + m.n, m.start, ty, KH_ENT_SRC_LEX, e);
			return *ret_cand != KH_NONE ? i + m.n : i;
		}
		if (ty == KH_ENT_NORP || ty == KH_ENT_PERSON)
			return i;
		/* مدينة الميادين: the head says place, whatever outlet shares the name */
		if (!allow_unknown)
			return i;
		*ret_cand = add_cand(c, i, i + m.n, m.start, head_type, KH_ENT_SRC_PATTERN, NULL);
		return *ret_cand != KH_NONE ? i + m.n : i;
	}
	if (!allow_unknown)
		return i;
	end = place_extent(c, i, head_fem);
	if (end == i)
		return i;
	*ret_cand = add_cand(c, i, end, kh_ent_core_start(c->doc, i, strip_wa), head_type,
			     KH_ENT_SRC_PATTERN, NULL);
	return *ret_cand != KH_NONE ? end : i;
}

/* Quoted name after a head: «سانا».  Returns the token after the closing mark, i when none. */
static uint32_t quoted_name(struct kh_ent_ctx *c, uint32_t q, int type)
{
	uint32_t j = q + 1, end;
	struct kh_ent_m m;
	const struct kh_lex_entry *e = NULL;

	while (j < c->sent_end && j < q + 1 + ENT_MAX_QUOTED && is_word(c, j))
		j++;
	if (j == q + 1 || !is_quote_close(c, j))
		return q;
	end = j;
	if (gaz_match(c, q + 1, end, &m) == end - (q + 1)) {
		e = choose_entry(c, q + 1, m.entry);
		if (gaz_type(e) == KH_ENT_NORP)
			return q;
		type = gaz_type(e);
	}
	if (add_cand(c, q + 1, end, tok(c, q + 1)->core_start, type, e != NULL ? KH_ENT_SRC_LEX : KH_ENT_SRC_PATTERN,
		     e) == KH_NONE)
		return q;
	return end + 1;
}

/* Genitive chain after an organisation head, from token j.  chain bit 1: definite words
 * (مجلس الأمن الدولي); bit 2: places and organisations (حكومة إقليم كردستان, بعثة الأمم
 * المتحدة).  Returns the end. */
static uint32_t org_chain(const struct kh_ent_ctx *c, uint32_t j, int chain)
{
	uint32_t start = j;

	while (j < c->sent_end && j < start + ENT_MAX_GENITIVE && is_word(c, j) && c->covered[j] == 0) {
		struct kh_ent_m m;

		if (has_proclitic(c, j) || starts_with_wa(c, j) || (tok(c, j)->flags & KH_TOKF_SUFFIX) != 0)
			break;
		if (j == start && honorific_extent(c, j) > j)
			return honorific_extent(c, j);
		if (has_lex(KH_LB_TITLES, c, j) || has_lex(KH_LB_GIVEN, c, j))
			break;
		if (gaz_match(c, j, c->sent_end, &m) > 0) {
			const struct kh_lex_entry *e = choose_entry(c, j, m.entry);
			int ty = gaz_type(e);

			if (ty == KH_ENT_NORP) {
				if (j == start || !is_definite(c, j))
					break;
				j += m.n; /* a NORP adjective closes the name */
				break;
			}
			if ((ty == KH_ENT_GPE || ty == KH_ENT_LOC || ty == KH_ENT_ORG) && (chain & 2) != 0) {
				j += m.n;
				continue;
			}
			break;
		}
		if ((chain & 1) != 0 && !is_definite(c, j) && !is_stop(c, j) && j + 1 < c->sent_end &&
		    !has_proclitic(c, j + 1) && gaz_match(c, j + 1, c->sent_end, &m) > 0) {
			int ty = gaz_type(choose_entry(c, j + 1, m.entry));

			/* قيادة عمليات صلاح الدين, مكتب أخبار سوريا: an indefinite noun in construct
			 * with a known name */
			if (ty == KH_ENT_GPE || ty == KH_ENT_LOC || ty == KH_ENT_ORG) {
				j += 1 + m.n;
				break;
			}
		}
		if ((chain & 1) == 0 || !is_definite(c, j) || is_stop(c, j))
			break;
		j++;
		/* a nisba adjective after the first genitive closes the name (مجلس الأمن الدولي) */
		if (j - 1 > start && is_nisba(tok(c, j - 1)->key))
			break;
	}
	return j;
}

/* A head noun at i and what follows it.  Returns the end of what was consumed, i when the
 * head did not introduce a name. */
static uint32_t try_head(struct kh_ent_ctx *c, uint32_t i, uint32_t gaz_len)
{
	struct kh_ent_m m;
	const char *cls;
	int type, keep, chain;
	uint32_t j, ci, end;
	bool fem;

	if (lx_match(c, KH_LB_HEADS, i, c->sent_end, 1, &m) == 0)
		return i;
	if (is_definite(c, i))
		return i; /* المدينة، الحكومة: no construct state, no name */
	cls = m.entry->fields[KH_HEAD_CLASS];
	type = kh_ent_type_parse(m.entry->fields[KH_HEAD_TYPE]);
	keep = strcmp(m.entry->fields[KH_HEAD_KEEP], "1") == 0;
	chain = m.entry->n_fields > KH_HEAD_CHAIN ? atoi(m.entry->fields[KH_HEAD_CHAIN]) : 0;
	fem = ends_with_ta(tok(c, i + m.n - 1)->key);
	j = i + m.n;
	/* قرى وبلدات ومدن X */
	while (j < c->sent_end && starts_with_wa(c, j) && has_lex(KH_LB_HEADS, c, j))
		j++;
	if (is_quote_open(c, j)) {
		end = quoted_name(c, j, type);
		return end > j ? end : i;
	}
	if (strcmp(cls, "org_head") == 0) {
		if (gaz_match(c, j, c->sent_end, &m) > 0 &&
		    gaz_type(choose_entry(c, j, m.entry)) == KH_ENT_ORG && !keep) {
			/* تنظيم داعش, قوات البيشمركة: the known name without the head */
			ci = emit_gaz(c, j, &m);
			return ci != KH_NONE ? j + m.n : i;
		}
		if (!keep || chain == 0 || gaz_len > 0)
			return i;
		end = org_chain(c, j, chain);
		if (end == j || end - i <= gaz_len)
			return i;
		ci = add_cand(c, i, end, kh_ent_core_start(c->doc, i, 0), type, KH_ENT_SRC_PATTERN, NULL);
		return ci != KH_NONE ? end : i;
	}
	if (strcmp(cls, "fac_head") == 0) {
		if (gaz_match(c, j, c->sent_end, &m) > 0) {
			int ty = gaz_type(choose_entry(c, j, m.entry));

			if (ty != KH_ENT_GPE && ty != KH_ENT_LOC && ty != KH_ENT_PERSON)
				return i;
			end = j + m.n;
		} else {
			end = place_extent(c, j, fem);
			/* دوار الشهداء, ساحة التحرير: a definite common word names a facility */
			if (end == j && is_word(c, j) && c->covered[j] == 0 && is_definite(c, j) &&
			    !has_proclitic(c, j) && !is_hard_stop(c, j) && !has_lex(KH_LB_HEADS, c, j) &&
			    (tok(c, j)->flags & KH_TOKF_SUFFIX) == 0)
				end = j + 1;
			if (end == j)
				return i;
		}
		if (end - i <= gaz_len)
			return i;
		ci = add_cand(c, i, end, kh_ent_core_start(c->doc, i, 0), type, KH_ENT_SRC_PATTERN, NULL);
		return ci != KH_NONE ? end : i;
	}
	/* place_head, place_list */
	{
		bool list = strcmp(cls, "place_list") == 0;
		uint32_t items = 0;

		if (gaz_len > 0)
			return i;
		end = place_item(c, j, type, fem, true, 0, &ci);
		if (end == j)
			return i;
		items++;
		while (items < ENT_MAX_LIST && end < c->sent_end) {
			uint32_t k = end, e2;

			if (list && (is_punct_str(c, k, "\xd8\x8c") || is_punct_str(c, k, ",")))
				k++;
			else if (!(is_word(c, k) && starts_with_wa(c, k)))
				break;
			/* after a singular head (محافظة الحسكة والكشكية والطيبة) only a known place or
			 * a definite name that is no dictionary word continues the list */
			if (!list && is_common_word_x(c, k, true))
				break;
			e2 = place_item(c, k, type, false, list || is_definite(c, k), k == end, &ci);
			if (e2 == k)
				break;
			end = e2;
			items++;
		}
		return end;
	}
	(void)keep;
}

/* ---- given names, family names, abbreviations ------------------------------------------- */

static uint32_t try_given(struct kh_ent_ctx *c, uint32_t i)
{
	uint32_t end;
	const char *k;

	if (!has_lex(KH_LB_GIVEN, c, i) && !link_key(c, i))
		return i;
	k = tok(c, i)->key;
	if (link_key(c, i) && strcmp(k, "\xd8\xa7\xd9\x84") == 0)
		return i;
	end = person_extent(c, i, ENT_MAX_NAME_WORDS);
	if (end < i + 2)
		return i; /* a given name alone is too ambiguous */
	if (emit_person(c, i, end, KH_ENT_SRC_PATTERN) == KH_NONE)
		return i;
	apposition(c, c->cands.n - 1);
	return end;
}

static uint32_t try_family(struct kh_ent_ctx *c, uint32_t i)
{
	struct kh_ent_m m;
	uint32_t ci;

	if (lx_match(c, KH_LB_FAMILY, i, c->sent_end, 1, &m) == 0)
		return i;
	/* العدوان the family, العدوان aggression: alone, a dictionary word is not taken */
	if (m.n == 1 && kh_lex_get_n(c->r->common, tok(c, i)->key, kh_tok_key_len(tok(c, i))) != NULL)
		return i;
	/* العدوان الإسرائيلي: a noun with its adjective, not a person */
	if (i + m.n < c->sent_end && is_word(c, i + m.n) && is_definite(c, i + m.n)) {
		struct kh_ent_m g;

		if (gaz_match(c, i + m.n, c->sent_end, &g) > 0 &&
		    gaz_type(choose_entry(c, i + m.n, g.entry)) == KH_ENT_NORP)
			return i;
	}
	ci = add_cand(c, i, i + m.n, m.start, KH_ENT_PERSON, KH_ENT_SRC_PATTERN, NULL);
	if (ci == KH_NONE)
		return i;
	apposition(c, ci);
	return i + m.n;
}

/* (أ ف ب), د.ب.أ: single letters with dots or spaces, looked up as one word. */
static uint32_t try_abbrev(struct kh_ent_ctx *c, uint32_t i)
{
	char dots[64], spaces[64], spaced_dots[128];
	size_t sd = 0;
	size_t n = 0;
	uint32_t j = i, last = i, letters = 0;
	const struct kh_lex_entry *e;

	while (j < c->sent_end && letters < 6) {
		const struct kh_token *t = tok(c, j);

		if (t->kind != KH_TOK_WORD || t->full_key[0] == '\0' || t->full_key[1] == '\0' ||
		    t->full_key[2] != '\0')
			break;
		if (n + 4 >= sizeof(dots))
			break;
		if (n > 0) {
			dots[n] = '.';
			spaces[n] = ' ';
			n++;
		}
		if (sd > 0) {
			memcpy(spaced_dots + sd, " . ", 3);
			sd += 3;
		}
		memcpy(spaced_dots + sd, t->full_key, 2);
		sd += 2;
		memcpy(dots + n, t->full_key, 2);
		memcpy(spaces + n, t->full_key, 2);
		n += 2;
		letters++;
		last = j;
		j++;
		if (is_punct_str(c, j, ".") && j + 1 < c->sent_end && tok(c, j + 1)->kind == KH_TOK_WORD)
			j++;
	}
	if (letters < 2)
		return i;
	dots[n] = spaces[n] = '\0';
	spaced_dots[sd] = '\0';
	e = kh_lex_get(c->r->gaz, dots);
	if (e == NULL)
		e = kh_lex_get(c->r->gaz, spaces);
	if (e == NULL)
		e = kh_lex_get(c->r->gaz, spaced_dots);
	if (e == NULL)
		return i;
	e = choose_entry(c, i, e);
	if (add_cand(c, i, last + 1, tok(c, i)->start, gaz_type(e), KH_ENT_SRC_LEX, e) == KH_NONE)
		return i;
	return last + 1;
}

/* A generic organisation from the lexicon (no country: مجلس النواب, وزارة الخارجية) takes
 * the NORP that follows it into its name: مجلس النواب الليبي.  Returns tokens added. */
static uint32_t extend_with_norp(struct kh_ent_ctx *c, uint32_t ci)
{
	struct kh_ent_cand *k = &c->cands.items[ci];
	uint32_t j = k->te;
	struct kh_ent_m m;

	const char *kind = gaz_field(k->entry, KH_GAZ_KIND);
	static const char *const generic[] = { "ministry", "parliament", "government", "court",
					       "council", "security" };
	bool ok = false;

	for (size_t g = 0; kind != NULL && g < sizeof(generic) / sizeof(generic[0]); g++)
		ok = ok || strcmp(kind, generic[g]) == 0;
	if (!ok || gaz_field(k->entry, KH_GAZ_COUNTRY) != NULL || j >= c->sent_end || !is_word(c, j) ||
	    c->covered[j] != 0 || has_proclitic(c, j) || !is_definite(c, j))
		return 0;
	if (gaz_match(c, j, c->sent_end, &m) != 1 || gaz_type(choose_entry(c, j, m.entry)) != KH_ENT_NORP)
		return 0;
	k->te = j + 1;
	k->end = tok(c, j)->end;
	k->entry = NULL;
	k->src = KH_ENT_SRC_PATTERN;
	c->covered[j] = 1;
	return 1;
}

/* لـ«X»: a quoted name after a bare لـ is the outlet a statement was given to. */
static uint32_t try_medium(struct kh_ent_ctx *c, uint32_t q)
{
	uint32_t j = q + 1, end;
	struct kh_ent_m m;
	const struct kh_lex_entry *e = NULL;

	if (q <= c->sent_first || strcmp(tok(c, q - 1)->full_key, "\xd9\x84") != 0)
		return q;
	while (j < c->sent_end && j < q + 1 + ENT_MAX_QUOTED && is_word(c, j))
		j++;
	if (j == q + 1 || !is_quote_close(c, j))
		return q;
	end = j;
	if (gaz_match(c, q + 1, end, &m) == end - (q + 1)) {
		e = choose_entry(c, q + 1, m.entry);
		if (gaz_type(e) != KH_ENT_ORG)
			e = NULL;
	}
	if (add_cand(c, q + 1, end, tok(c, q + 1)->core_start, KH_ENT_ORG,
		     e != NULL ? KH_ENT_SRC_LEX : KH_ENT_SRC_PATTERN, e) == KH_NONE)
		return q;
	return end + 1;
}

/* Words that begin a place name even without a head: كفر دوما, دير حافر, تل تمر. */
#define ENT_STRONG_PREFIX_MAX 6u /* bytes of the longest strong place prefix */

static inline bool is_strong_place_prefix(const char *k, size_t kl)
{
	static const char pre[][ENT_LIST_WORD] = {
		"\xd9\x83\xd9\x81\xd8\xb1", /* كفر */
		"\xd8\xaf\xd9\x8a\xd8\xb1", /* دير */
		"\xd8\xaa\xd9\x84",         /* تل */
		"\xd8\xb9\xd9\x8a\xd9\x86", /* عين */
		"\xd8\xae\xd8\xa7\xd9\x86", /* خان */
		"\xd8\xac\xd8\xb3\xd8\xb1", /* جسر */
		"\xd9\x85\xd8\xb1\xd8\xac", /* مرج */
		"\xd8\xa8\xd8\xa6\xd8\xb1", /* بئر */
	};

	static _Atomic uint64_t sig;

	return in_list(k, kl, pre, sizeof(pre) / sizeof(pre[0]), ENT_STRONG_PREFIX_MAX, &sig);
}

static inline bool strong_place_prefix_at(const struct kh_ent_ctx *c, uint32_t i)
{
	size_t kl;
	const char *k = word_key(c, i, &kl);

	return is_strong_place_prefix(k, kl);
}

static uint32_t try_place_prefix(struct kh_ent_ctx *c, uint32_t i)
{
	if (!strong_place_prefix_at(c, i) || i + 1 >= c->sent_end ||
	    !place_word_ok(c, i + 1, false, false, true))
		return i;
	if (add_cand(c, i, i + 2, kh_ent_core_start(c->doc, i, 0), KH_ENT_GPE, KH_ENT_SRC_PATTERN, NULL) ==
	    KH_NONE)
		return i;
	return i + 2;
}

/* ---- pass 1 ---------------------------------------------------------------------------- */

static void scan_sentence(struct kh_ent_ctx *c, uint32_t first, uint32_t end)
{
	uint32_t i = first;

	c->sent_first = first;
	c->sent_end = end;
	while (i < end) {
		struct kh_ent_m g = { 0 };
		uint32_t n, glen, next;

		if (c->covered[i] == 0 && is_quote_open(c, i)) {
			next = try_medium(c, i);
			if (next > i) {
				i = next;
				continue;
			}
		}
		if (c->covered[i] != 0 || tok(c, i)->kind != KH_TOK_WORD) {
			i++;
			continue;
		}
		/* the rules below start with a look-up the token's mask answers: most tokens
		 * take no call to them */
		next = (c->alts.mask[i] & KH_LB_TITLES) != 0 ? try_title(c, i) : i;
		if (next > i) {
			i = next;
			continue;
		}
		glen = gaz_match(c, i, end, &g);
		next = (c->alts.mask[i] & KH_LB_HEADS) != 0 ? try_head(c, i, glen) : i;
		if (next > i) {
			i = next;
			continue;
		}
		if (glen > 0) {
			uint32_t ci = emit_gaz(c, i, &g);

			if (ci != KH_NONE && c->cands.items[ci].type == KH_ENT_PERSON)
				apposition(c, ci);
			if (ci != KH_NONE && c->cands.items[ci].type == KH_ENT_ORG)
				glen += extend_with_norp(c, ci);
			i += glen;
			continue;
		}
		/* an abbreviation starts with a one-letter word */
		n = kh_tok_full_len(tok(c, i)) == 2 ? try_abbrev(c, i) : i;
		if (n == i)
			n = try_name_before_title(c, i);
		if (n == i)
			n = try_place_prefix(c, i);
		if (n == i)
			n = try_given(c, i);
		if (n == i)
			n = try_family(c, i);
		i = n > i ? n : i + 1;
	}
}

/* ---- pass 2: every accepted surface again ---------------------------------------------- */

static bool is_suffix_worthy(const struct kh_ent_ctx *c, uint32_t i)
{
	const char *k = tok(c, i)->full_key;

	return kh_tok_full_len(tok(c, i)) >= 6 && !is_link_word(k, kh_tok_full_len(tok(c, i))) && !is_stop(c, i) && !has_lex(KH_LB_TITLES, c, i);
}

static int register_surfaces(struct kh_ent_ctx *c)
{
	uint32_t n = c->cands.n;

	for (uint32_t ci = 0; ci < n; ci++) {
		const struct kh_ent_cand *k = &c->cands.items[ci];
		int r;

		if (k->type == KH_ENT_NORP && k->entry != NULL)
			continue; /* the lexicon finds them everywhere already */
		r = kh_ent_alts_table_add(&c->alts, c->surf, c->doc, k->tf, k->te, k->start, ci);
		if (r < 0)
			return r;
		if (k->type != KH_ENT_PERSON || k->te - k->tf < 2)
			continue;
		/* the last words alone: بوغدانوف after ميخائيل بوغدانوف */
		for (uint32_t s = k->tf + 1; s < k->te; s++) {
			if (!is_suffix_worthy(c, s))
				continue;
			r = kh_ent_alts_table_add(&c->alts, c->surf, c->doc, s, k->te, tok(c, s)->start, ci);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static void second_pass(struct kh_ent_ctx *c)
{
	for (uint32_t s = 0; s < c->doc->sentences.n; s++) {
		const struct kh_sentence *st = &c->doc->sentences.items[s];
		uint32_t end = st->tok_end <= c->doc->tokens.n ? st->tok_end : c->doc->tokens.n;

		c->sent_first = st->tok_first;
		c->sent_end = end;
		for (uint32_t i = st->tok_first; i < end;) {
			struct kh_ent_m m;
			uint32_t n, ci;

			/* most words start no stored surface: skip them in one call */
			i = kh_ent_alts_table_next(&c->alts, c->surf, c->doc, i, end, c->covered);
			if (i >= end)
				break;
			n = kh_ent_alts_table_match(&c->alts, c->surf, c->doc, i, end, &m);
			if (n == 0) {
				i++;
				continue;
			}
			{
				uint32_t rep = m.value;
				bool free_span = true;

				for (uint32_t k = i; k < i + n; k++)
					free_span = free_span && c->covered[k] == 0;
				if (!free_span) {
					i++;
					continue;
				}
				ci = add_cand(c, i, i + n, m.start, c->cands.items[rep].type, KH_ENT_SRC_SECOND,
					      c->cands.items[rep].entry);
				if (ci != KH_NONE) {
					c->cands.items[ci].rep = rep;
					if (c->cands.items[ci].type == KH_ENT_PERSON)
						apposition(c, ci);
				}
			}
			i += n;
		}
	}
}

int kh_ent_apply(const struct kh_ent_res *r, struct kh_doc *doc)
{
	struct kh_ent_ctx c = { .r = r, .doc = doc };
	int rc = 0;

	if (r == NULL || doc == NULL || doc->tokens.n == 0)
		return 0;
	c.covered = kh_arena_alloc(&doc->arena, doc->tokens.n);
	c.memo = kh_arena_alloc(&doc->arena, sizeof(*c.memo) * doc->tokens.n);
	/* read only where memo or gaz_n says they were written */
	c.stop_cls = kh_arena_alloc_uninit(&doc->arena, sizeof(*c.stop_cls) * doc->tokens.n);
	c.gaz_m = kh_arena_alloc_uninit(&doc->arena, sizeof(*c.gaz_m) * doc->tokens.n);
	c.gaz_n = kh_arena_alloc_uninit(&doc->arena, sizeof(*c.gaz_n) * doc->tokens.n);
	c.surf = kh_ent_table_new();
	if (c.covered == NULL || c.memo == NULL || c.stop_cls == NULL || c.gaz_m == NULL ||
	    c.gaz_n == NULL || c.surf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = kh_ent_alts_build(&c.alts, r->first, doc);
	if (rc < 0)
		goto out;
	memset(c.gaz_n, UINT8_MAX, sizeof(*c.gaz_n) * doc->tokens.n);
	for (uint32_t s = 0; s < doc->sentences.n; s++) {
		const struct kh_sentence *st = &doc->sentences.items[s];
		uint32_t end = st->tok_end <= doc->tokens.n ? st->tok_end : doc->tokens.n;

		if (st->tok_first < end)
			scan_sentence(&c, st->tok_first, end);
	}
	rc = register_surfaces(&c);
	if (rc < 0)
		goto out;
	second_pass(&c);
	rc = kh_ent_group(&c);
	if (rc < 0)
		goto out;
	rc = kh_ent_build(&c);
out:
	kh_ent_alts_done(&c.alts);
	kh_ent_table_free(c.surf);
	kh_vec_free(&c.cands);
	return rc;
}
