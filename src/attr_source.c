/* SPDX-License-Identifier: MIT */
/* The attribution stage, part 2: source phrases.  Parses the speaker phrase of a
 * reporting frame (the grammatical subject, not the nearest name), the medium a
 * statement was given to, and resolves the phrase to an entity, an unnamed source
 * or an earlier speaker (back-references such as الوكالة، المصدر، المتحدث). */
#include <string.h>

#include "attr_internal.h"
#include "normalize.h"

#define MAX_QUOTED_NAME 6u /* words of a quoted name inside a source phrase («الدرر الشامية») */
#define MAX_PP 5u          /* words of a prepositional phrase after an unnamed source */
#define MAX_BEFORE 8u      /* words of an SVO subject before its verb */
#define MAX_BACK_MENTIONS 300u

static const struct kh_token *T(const struct kh_attr_ctx *c, uint32_t i)
{
	return &c->tok[i];
}

static bool is_quote_open(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && c->mate[i] != KH_NONE && c->mate[i] > i;
}

/* Source-lexicon entry at token i (with a fallback for an unsplit proclitic). */
static uint32_t src_at(const struct kh_attr_ctx *c, uint32_t i, bool strip_li,
		       const struct kh_lex_entry **ret_e)
{
	const struct kh_lex_entry *e = NULL;
	uint32_t m;
	const struct kh_token *t;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return 0;
	t = T(c, i);
	/* kh_lex_match starts with the token key: no source begins with a key the filter lacks */
	m = kh_kf_has(&c->r->sources_filter, t->key, kh_tok_key_len(t)) ?
		    kh_lex_match(c->r->sources, c->doc, i, &e) : 0;
	if (m > 0) {
		*ret_e = e;
		return m;
	}
	/* "لوكالة" when the segmenter left the proclitic on: ل is two bytes in UTF-8 */
	if (strip_li && t->proclitics == 0 && strncmp(t->key, "ل", 2) == 0 && kh_tok_key_len(t) > 4) {
		e = kh_attr_lex_get_n(c->r->sources, &c->r->sources_filter, t->key + 2, kh_tok_key_len(t) - 2);
		if (e != NULL) {
			*ret_e = e;
			return 1;
		}
	}
	return 0;
}

static enum kh_attr_src_role src_role(const struct kh_lex_entry *e)
{
	const char *r = e->n_fields > 1 ? e->fields[1] : "";

	if (KH_ATTR_EQ(r, "anon"))
		return KH_SROLE_ANON;
	if (KH_ATTR_EQ(r, "backref"))
		return KH_SROLE_BACKREF;
	if (KH_ATTR_EQ(r, "name"))
		return KH_SROLE_NAME;
	return KH_SROLE_HEAD;
}

static uint8_t src_kind(const struct kh_lex_entry *e)
{
	int k = kh_source_kind_parse(e->n_fields > 0 ? e->fields[0] : "");

	return k < 0 ? KH_SRC_UNKNOWN : (uint8_t)k;
}

static const char *src_id(const struct kh_lex_entry *e)
{
	if (e->n_fields < 3 || e->fields[2][0] == '\0' || KH_ATTR_EQ(e->fields[2], "-"))
		return NULL;
	return e->fields[2];
}

bool kh_attr_is_date(const struct kh_attr_ctx *c, uint32_t i)
{
	uint32_t m = c->ment[i];

	if (m == KH_NONE)
		return false;
	m = c->doc->mentions.items[m].entity;
	return m < c->doc->entities.n && (c->doc->entities.items[m].type == KH_ENT_DATE ||
					  c->doc->entities.items[m].type == KH_ENT_TIME);
}

/* The entity type of the mention that starts at token t, or -1. */
static int mention_type_at(const struct kh_attr_ctx *c, uint32_t t)
{
	uint32_t mi;
	const struct kh_mention *m;

	if (t >= c->n || c->ment[t] == KH_NONE)
		return -1;
	mi = c->ment[t];
	m = &c->doc->mentions.items[mi];
	if (m->tok_first != t || m->entity >= c->doc->entities.n)
		return -1;
	return c->doc->entities.items[m->entity].type;
}

/* باسم، باسمه، باسمها، باسمهم: the ب + اسم of المتحدث باسم (with or without a pronoun suffix). */
static bool is_bism(const struct kh_attr_ctx *c, uint32_t t)
{
	const struct kh_token *tk;

	if (t >= c->n || c->tok[t].kind != KH_TOK_WORD)
		return false;
	tk = &c->tok[t];
	if ((tk->proclitics & KH_PRO_BI) == 0)
		return tk->proclitics == 0 && (KH_ATTR_EQ(tk->key, "باسمه") || KH_ATTR_EQ(tk->key, "باسمها") ||
					       KH_ATTR_EQ(tk->key, "باسمهم") || KH_ATTR_EQ(tk->key, "باسمهما"));
	return KH_ATTR_EQ(tk->key, "اسم") || (tk->stem_key != NULL && KH_ATTR_EQ(tk->stem_key, "اسم")) ||
	       KH_ATTR_EQ(tk->key, "اسمه") || KH_ATTR_EQ(tk->key, "اسمها") || KH_ATTR_EQ(tk->key, "اسمهم");
}

static bool is_frame_cue(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_lex_entry *e = NULL;

	return kh_attr_cue_at(c, i, &e) > 0 && kh_attr_cue_class(e) != KH_CUE_NOUN;
}

/* Closing parenthesis within a few tokens after an opening one, or KH_NONE. */
static uint32_t paren_close(const struct kh_attr_ctx *c, uint32_t i, uint32_t lim)
{
	for (uint32_t k = i + 1; k < lim && k <= i + 5; k++)
		if (kh_attr_punct_is(c, k, ")"))
			return k;
	return KH_NONE;
}

/* Is k one of the words that end an unnamed-source phrase (اسمه, هويته, ...)? */
static bool is_name_word(const char *k)
{
	static const char *const ends[] = { "اسمه", "اسمها", "اسمهم", "اسميهما", "هويته", "هويتها",
					    "هويتهم", "اسماءهم", "هوياتهم" };
	unsigned char a = (unsigned char)k[0], b = a != 0 ? (unsigned char)k[1] : 0;

	/* all begin with ا (D8 A7) or ه (D9 87): one test spares the compares for most words */
	if (!((a == 0xD8 && b == 0xA7) || (a == 0xD9 && b == 0x87)))
		return false;
	for (size_t x = 0; x < sizeof(ends) / sizeof(ends[0]); x++)
		if (strcmp(k, ends[x]) == 0)
			return true;
	return false;
}

/* مسؤول رفض الكشف عن اسمه، مصدر طلب عدم ذكر هويته: the clause belongs to the phrase. */
static uint32_t unnamed_tail(const struct kh_attr_ctx *c, uint32_t t, uint32_t lim)
{
	for (uint32_t k = t; k < lim && k < t + 6; k++) {
		if (T(c, k)->kind != KH_TOK_WORD)
			return t;
		if (is_name_word(T(c, k)->key) || (T(c, k)->full_key != NULL && is_name_word(T(c, k)->full_key)))
			return k + 1;
	}
	return t;
}

static bool outlet_at(const struct kh_attr_ctx *c, uint32_t t)
{
	const struct kh_lex_entry *e = NULL;
	uint8_t k;

	if (src_at(c, t, false, &e) > 0)
		return (src_kind(e) == KH_SRC_AGENCY || src_kind(e) == KH_SRC_MEDIA) && src_role(e) != KH_SROLE_ANON &&
		       src_role(e) != KH_SROLE_BACKREF;
	if (c->ment[t] == KH_NONE)
		return false;
	k = kh_attr_entity_kind(c, c->doc->mentions.items[c->ment[t]].entity, NULL);
	return k == KH_SRC_AGENCY || k == KH_SRC_MEDIA;
}

uint32_t kh_attr_addressee(struct kh_attr_ctx *c, uint32_t i, uint32_t lim, struct kh_span *ret_span,
			   uint32_t *ret_entity)
{
	uint32_t t = i;

	if (lim > c->n)
		lim = c->n;
	if (i >= lim || !outlet_at(c, i))
		return 0;
	*ret_entity = c->ment[i] != KH_NONE ? c->doc->mentions.items[c->ment[i]].entity : KH_NONE;
	while (t < lim && t < i + 6 && T(c, t)->kind == KH_TOK_WORD && !kh_attr_is_comp(c, t) &&
	       !kh_attr_has_bi(c, t) && !kh_attr_word_is(c, t, KH_AW_STOP))
		t++;
	if (is_quote_open(c, t) && c->mate[t] < lim && c->mate[t] <= t + 6)
		t = c->mate[t] + 1;
	if (t == i)
		return 0;
	ret_span->start = T(c, i)->core_start;
	ret_span->end = T(c, t - 1)->end;
	return t - i;
}

/* A title phrase [i, t) that no name opens, stopped at the preposition t (في، من، إلى):
 * the first token of a person mention within a few words after it, or KH_NONE. */
static uint32_t person_after_chain(const struct kh_attr_ctx *c, uint32_t i, uint32_t t, uint32_t lim)
{
	const char *k = T(c, t)->key;

	if (t == i || c->ment[i] != KH_NONE || T(c, t)->proclitics != 0 ||
	    (!KH_ATTR_EQ(k, "في") && !KH_ATTR_EQ(k, "من") && !KH_ATTR_EQ(k, "الي")))
		return KH_NONE;
	for (uint32_t k0 = i; k0 < t; k0++)
		if (mention_type_at(c, k0) == KH_ENT_PERSON)
			return KH_NONE;
	for (uint32_t k1 = t + 1; k1 < lim && k1 <= t + 6; k1++) {
		if (T(c, k1)->kind != KH_TOK_WORD || kh_attr_is_comp(c, k1) || is_frame_cue(c, k1) ||
		    kh_attr_is_date(c, k1) || (k1 > t + 1 && kh_attr_word_is(c, k1, KH_AW_STOP)))
			return KH_NONE;
		if (mention_type_at(c, k1) == KH_ENT_PERSON)
			return k1;
	}
	return KH_NONE;
}

void kh_attr_np_parse(struct kh_attr_ctx *c, uint32_t i, uint32_t lim, unsigned flags,
		      struct kh_attr_np *ret_np)
{
	const struct kh_lex_entry *e = NULL;
	uint32_t t = i, pp = 0;
	bool anon = false, head_def = false, in_pp = false;
	uint32_t m;

	ret_np->first = ret_np->end = i;
	ret_np->medium.start = ret_np->medium.end = 0;
	ret_np->medium_entity = KH_NONE;
	if (lim > c->n)
		lim = c->n;
	if (i >= lim)
		return;
	m = src_at(c, t, false, &e);
	if (m > 0 && src_role(e) == KH_SROLE_ANON) {
		anon = true;
		head_def = kh_attr_definite(c, t);
		t += m;
		t = unnamed_tail(c, t, lim);
	}
	while (t < lim && t - i < KH_ATTR_MAX_NP) {
		const struct kh_token *tk = T(c, t);

		if (tk->kind == KH_TOK_PUNCT) {
			if (is_quote_open(c, t)) {
				uint32_t q = c->mate[t];
				uint32_t words = q - t - 1;

				/* a quoted name belongs to the phrase (وكالة «سانا»، «المرصد»);
				 * a quotation that ends the sentence is the statement itself */
				if (words == 0 || words > MAX_QUOTED_NAME || q + 1 >= lim ||
				    kh_attr_punct_is(c, q + 1, ".") || kh_attr_punct_is(c, q + 1, "،"))
					break;
				t = q + 1;
				continue;
			}
			if (kh_attr_punct_is(c, t, "(") && t > i) {
				uint32_t q = paren_close(c, t, lim);

				if (q == KH_NONE)
					break;
				t = q + 1;
				continue;
			}
			break;
		}
		if (kh_attr_is_comp(c, t))
			break;
		if (kh_attr_word_is(c, t, KH_AW_STOP)) {
			uint32_t pk = person_after_chain(c, i, t, lim);

			/* مدير مكتب الصحة في المحافظة عبد العزيز X، المبعوث الأممي إلى اليمن X: a
			 * title whose complement runs on to the person who holds it */
			if (!anon && pk != KH_NONE) {
				t = pk;
				continue;
			}
			/* مصدر في الشرطة، مصادر من داخل المدينة */
			if (anon && !in_pp && t > i && kh_attr_word_is(c, t, KH_AW_PREP) && t + 1 < lim &&
			    !kh_attr_is_comp(c, t + 1) && !kh_attr_word_is(c, t + 1, KH_AW_STOP)) {
				in_pp = true;
				t++;
				continue;
			}
			break;
		}
		if (t > i && kh_attr_has_li(c, t)) {
			struct kh_span ms;
			uint32_t me;

			/* لـ«الحياة»، لوكالة رويترز: the medium ends the phrase; للرئيس، لوحدات
			 * حماية الشعب: a genitive inside it */
			if (in_pp || KH_ATTR_EQ(T(c, t)->key, "ل") || kh_attr_medium_parse(c, t, lim, &ms, &me) > 0)
				break;
			t++;
			continue;
		}
		if (t > i && kh_attr_has_bi(c, t)) {
			if (!is_bism(c, t))
				break;
			t++; /* المتحدث باسم الحكومة */
			continue;
		}
		if ((flags & KH_NP_TELL) != 0 && t > i && outlet_at(c, t))
			break;
		if (kh_attr_is_date(c, t) || tk->kind != KH_TOK_WORD || is_frame_cue(c, t))
			break;
		if (anon && !in_pp && t > i && kh_attr_definite(c, t) != head_def) {
			size_t hl = kh_tok_key_len(T(c, t - 1));
			const char *hk = T(c, t - 1)->key;

			/* تنسيقيات المجموعات: a construct (not after the sound plural ناشطون / ين) */
			if (head_def || t != i + m || hl < 4 || KH_ATTR_EQ(hk + hl - 4, "ون") ||
			    KH_ATTR_EQ(hk + hl - 4, "ين") || KH_ATTR_EQ(hk + hl - 4, "ان"))
				break; /* not an adjective of the head: the object of the verb */
			head_def = true;
		}
		if (in_pp && ++pp > MAX_PP)
			break;
		t++;
	}
	ret_np->end = t;
}

uint32_t kh_attr_medium_parse(struct kh_attr_ctx *c, uint32_t i, uint32_t lim, struct kh_span *ret_span,
			      uint32_t *ret_entity)
{
	const struct kh_lex_entry *e = NULL;
	uint32_t t, m;

	if (lim > c->n)
		lim = c->n;
	if (i >= lim || !kh_attr_has_li(c, i))
		return 0;
	*ret_entity = KH_NONE;
	/* لـ«الشرق الأوسط»: a lone ل before a quoted name */
	if (KH_ATTR_EQ(T(c, i)->key, "ل") || T(c, i)->core_start == T(c, i)->end) {
		if (!is_quote_open(c, i + 1) || c->mate[i + 1] >= lim || c->mate[i + 1] == i + 2)
			return 0;
		ret_span->start = T(c, i + 2)->start;
		ret_span->end = T(c, c->mate[i + 1] - 1)->end;
		if (c->ment[i + 2] != KH_NONE)
			*ret_entity = c->doc->mentions.items[c->ment[i + 2]].entity;
		return c->mate[i + 1] - i + 1;
	}
	m = src_at(c, i, true, &e);
	if (m == 0) {
		uint32_t mi = c->ment[i];
		uint8_t k;

		if (mi == KH_NONE)
			return 0;
		k = kh_attr_entity_kind(c, c->doc->mentions.items[mi].entity, NULL);
		if (k != KH_SRC_AGENCY && k != KH_SRC_MEDIA)
			return 0;
		*ret_entity = c->doc->mentions.items[mi].entity;
		t = c->doc->mentions.items[mi].tok_end;
		if (t <= i || t > lim)
			t = i + 1;
		ret_span->start = T(c, i)->core_start;
		ret_span->end = T(c, t - 1)->end;
		return t - i;
	}
	if (src_kind(e) != KH_SRC_AGENCY && src_kind(e) != KH_SRC_MEDIA)
		return 0;
	t = i + m;
	if (src_role(e) == KH_SROLE_HEAD) {
		if (is_quote_open(c, t) && c->mate[t] < lim && c->mate[t] > t + 1) {
			ret_span->start = T(c, t + 1)->start;
			ret_span->end = T(c, c->mate[t] - 1)->end;
			if (c->ment[t + 1] != KH_NONE)
				*ret_entity = c->doc->mentions.items[c->ment[t + 1]].entity;
			return c->mate[t] - i + 1;
		}
		while (t < lim && t < i + m + 4 && T(c, t)->kind == KH_TOK_WORD && !kh_attr_is_comp(c, t) &&
		       !kh_attr_word_is(c, t, KH_AW_STOP) && !is_frame_cue(c, t))
			t++;
	}
	ret_span->start = T(c, i)->core_start;
	ret_span->end = T(c, t - 1)->end;
	for (uint32_t k = i; k < t; k++) {
		if (c->ment[k] != KH_NONE) {
			*ret_entity = c->doc->mentions.items[c->ment[k]].entity;
			break;
		}
	}
	return t - i;
}

uint8_t kh_attr_entity_kind(const struct kh_attr_ctx *c, uint32_t entity, const char **ret_agency_id)
{
	static const struct {
		const char *prefix;
		uint8_t kind;
	} kinds[] = {
		{ "agency", KH_SRC_AGENCY },       { "news_agency", KH_SRC_AGENCY },
		{ "media", KH_SRC_MEDIA },         { "newspaper", KH_SRC_MEDIA },
		{ "tv", KH_SRC_MEDIA },            { "channel", KH_SRC_MEDIA },
		{ "outlet", KH_SRC_MEDIA },        { "website", KH_SRC_MEDIA },
		{ "radio", KH_SRC_MEDIA },         { "news", KH_SRC_MEDIA },
		{ "ministry", KH_SRC_GOVERNMENT }, { "government", KH_SRC_GOVERNMENT },
		{ "army", KH_SRC_GOVERNMENT },     { "military", KH_SRC_GOVERNMENT },
		{ "police", KH_SRC_GOVERNMENT },   { "security", KH_SRC_GOVERNMENT },
		{ "parliament", KH_SRC_GOVERNMENT }, { "presidency", KH_SRC_GOVERNMENT },
		{ "court", KH_SRC_GOVERNMENT },    { "state", KH_SRC_GOVERNMENT },
		{ "armed_group", KH_SRC_GROUP },   { "militia", KH_SRC_GROUP },
		{ "party", KH_SRC_GROUP },         { "movement", KH_SRC_GROUP },
		{ "rebel", KH_SRC_GROUP },         { "terror", KH_SRC_GROUP },
		{ "opposition", KH_SRC_GROUP },    { "group", KH_SRC_GROUP },
		{ "coalition", KH_SRC_GROUP },     { "ngo", KH_SRC_ORGANIZATION },
		{ "international", KH_SRC_ORGANIZATION }, { "company", KH_SRC_ORGANIZATION },
	};
	const struct kh_entity *e;

	if (entity >= c->doc->entities.n)
		return KH_SRC_UNKNOWN;
	e = &c->doc->entities.items[entity];
	/* outlets carry a stable id too: the kind decides agency or media */
	if (e->agency_id != NULL && ret_agency_id != NULL)
		*ret_agency_id = e->agency_id;
	if (e->kind != NULL) {
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (e->kind[0] == kinds[i].prefix[0] && /* the first letter spares most compares */
			    strncmp(e->kind, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
				return kinds[i].kind;
	}
	if (e->agency_id != NULL)
		return KH_SRC_AGENCY;
	switch (e->type) {
	case KH_ENT_PERSON:
		return KH_SRC_PERSON;
	case KH_ENT_GPE:
		return KH_SRC_GOVERNMENT;
	case KH_ENT_ORG:
		return KH_SRC_ORGANIZATION;
	case KH_ENT_NORP:
		return KH_SRC_GROUP;
	default:
		return KH_SRC_UNKNOWN;
	}
}

/* Span of tokens [first, end) without proclitics and without quotation marks at the edges. */
static struct kh_span tokens_span(const struct kh_attr_ctx *c, uint32_t first, uint32_t end)
{
	struct kh_span s = { 0, 0 };

	while (first < end && T(c, first)->kind == KH_TOK_PUNCT)
		first++;
	while (end > first && T(c, end - 1)->kind == KH_TOK_PUNCT && !kh_attr_punct_is(c, end - 1, ")"))
		end--;
	if (first >= end)
		return s;
	s.start = T(c, first)->core_start;
	s.end = T(c, end - 1)->end;
	if (s.start >= s.end)
		s.start = T(c, first)->start;
	return s;
}

static const char *span_text(struct kh_attr_ctx *c, struct kh_span s)
{
	if (s.end <= s.start || s.end > c->doc->norm_len)
		return NULL;
	return kh_doc_norm_strndup(c->doc, s.start, s.end);
}

static void from_entity(struct kh_attr_ctx *c, uint32_t mention, struct kh_attr_speaker *ret)
{
	const struct kh_mention *m = &c->doc->mentions.items[mention];

	memset(ret, 0, sizeof(*ret));
	ret->gender = -1;
	ret->valid = true;
	ret->entity = m->entity;
	ret->span.start = m->start;
	ret->span.end = m->end;
	ret->text = span_text(c, ret->span);
	ret->agency_id = NULL;
	ret->kind = kh_attr_entity_kind(c, m->entity, &ret->agency_id);
}

/* A person named in a phrase ending at np_end: the name without a leading باسمها (the
 * entity stage may take it in), and with the rest of a compound name the mention left out
 * (محمد | عبد السلام) or a one-word family name read as a place (عبد العزيز | الشدادي)
 * when it ends the phrase. */
static void person_span_fix(struct kh_attr_ctx *c, uint32_t mention, uint32_t np_end, struct kh_attr_speaker *ret)
{
	const struct kh_mention *m = &c->doc->mentions.items[mention];
	uint32_t t = m->tok_end;
	bool changed = false;

	if (m->tok_first >= c->n || t > c->n || t <= m->tok_first)
		return;
	if (is_bism(c, m->tok_first) && t > m->tok_first + 1) {
		ret->span.start = T(c, m->tok_first + 1)->core_start;
		changed = true;
	}
	if (t + 1 < np_end && T(c, t)->kind == KH_TOK_WORD && T(c, t + 1)->kind == KH_TOK_WORD &&
	    c->ment[t] == KH_NONE && T(c, t)->proclitics == 0 &&
	    (KH_ATTR_EQ(T(c, t)->key, "عبد") || KH_ATTR_EQ(T(c, t)->key, "ابو") ||
	     KH_ATTR_EQ(T(c, t)->key, "بن") || KH_ATTR_EQ(T(c, t)->key, "ابن"))) {
		ret->span.end = T(c, t + 1)->end;
		changed = true;
	} else if (t + 1 == np_end && T(c, t)->kind == KH_TOK_WORD && T(c, t)->proclitics == 0 &&
		   (mention_type_at(c, t) == KH_ENT_GPE || mention_type_at(c, t) == KH_ENT_LOC) &&
		   c->doc->mentions.items[c->ment[t]].tok_end == t + 1) {
		ret->span.end = T(c, t)->end;
		changed = true;
	}
	if (changed)
		ret->text = span_text(c, ret->span);
}

/* The mention that names the speaker inside tokens [first, end): a name at the start of the
 * phrase; else the last person (وزير الخارجية الروسي سيرغي لافروف); else the first other name. */
static uint32_t pick_mention(const struct kh_attr_ctx *c, uint32_t first, uint32_t end)
{
	uint32_t person = KH_NONE, other = KH_NONE;
	uint32_t lead = first;

	while (lead < end && T(c, lead)->kind == KH_TOK_PUNCT)
		lead++;
	for (uint32_t t = first; t < end; t++) {
		uint32_t mi = c->ment[t];
		const struct kh_mention *m;
		uint8_t type;

		if (mi == KH_NONE)
			continue;
		m = &c->doc->mentions.items[mi];
		if (m->tok_first != t || m->entity >= c->doc->entities.n)
			continue;
		type = c->doc->entities.items[m->entity].type;
		if (type != KH_ENT_PERSON && type != KH_ENT_ORG && type != KH_ENT_GPE && type != KH_ENT_NORP)
			continue;
		if (t == lead && type != KH_ENT_NORP)
			return mi;
		if (type == KH_ENT_PERSON)
			person = mi;
		else if (other == KH_NONE && type != KH_ENT_NORP)
			other = mi;
	}
	return person != KH_NONE ? person : other;
}

/* Does the earlier speaker s fit a back-reference of kind k with head key? */
static bool backref_fits(const struct kh_attr_speaker *s, uint8_t k, const char *stem, bool by_text)
{
	if (!s->valid)
		return false;
	if (by_text)
		return s->fold != NULL && stem[0] != '\0' && strstr(s->fold, stem) != NULL;
	if (k == KH_SRC_UNKNOWN)
		return true;
	return s->kind == k;
}

/* الوكالة، المصدر، المتحدث ...: the latest source of that kind. */
static bool resolve_backref(struct kh_attr_ctx *c, const struct kh_lex_entry *e, uint32_t tok,
			    uint32_t cue_tok, struct kh_attr_speaker *ret)
{
	uint8_t k = src_kind(e);
	const char *key = T(c, tok)->key;
	char stem[64];
	size_t kl = strlen(key);

	/* drop the article: المرصد → مرصد, matched inside the earlier source's name */
	if (kl > 4 && strncmp(key, "ال", 4) == 0) {
		key += 4;
		kl -= 4;
	}
	if (kl >= sizeof(stem))
		kl = sizeof(stem) - 1;
	memcpy(stem, key, kl);
	stem[kl] = '\0';
	bool institution = k == KH_SRC_GOVERNMENT || k == KH_SRC_GROUP || k == KH_SRC_ORGANIZATION;

	for (int pass = 0; pass < 2; pass++) {
		/* الوزارة، الحركة: only a source whose name holds the word; الوكالة، المصدر: the
		 * latest of that kind */
		if (pass == 1 && institution)
			break;
		for (uint32_t h = 0; h < c->nhist && h < KH_ATTR_HIST; h++) {
			const struct kh_attr_speaker *s = &c->hist[(c->nhist - 1 - h) % KH_ATTR_HIST];

			if (institution && s->kind == KH_SRC_PERSON)
				continue;
			if (backref_fits(s, k, stem, pass == 0)) {
				*ret = *s;
				return true;
			}
		}
	}
	if (k == KH_SRC_PERSON && c->focus.valid &&
	    (c->focus.kind == KH_SRC_PERSON || c->focus.kind == KH_SRC_UNKNOWN)) {
		*ret = c->focus; /* الدبلوماسي، الوزير: the person in focus */
		return true;
	}
	if (k == KH_SRC_PERSON || k == KH_SRC_ANONYMOUS || k == KH_SRC_UNKNOWN)
		return false;
	/* a named entity of that kind mentioned before the cue */
	for (uint32_t t = cue_tok, steps = 0; t > 0 && steps < MAX_BACK_MENTIONS; t--, steps++) {
		uint32_t mi = c->ment[t - 1];

		if (mi == KH_NONE)
			continue;
		uint8_t ek = kh_attr_entity_kind(c, c->doc->mentions.items[mi].entity, NULL);

		/* الخلية، الشبكة، الهيئة: any institution whose name holds the head noun */
		if (institution ? ek != KH_SRC_GOVERNMENT && ek != KH_SRC_GROUP && ek != KH_SRC_ORGANIZATION
				: ek != k)
			continue;
		if (institution) {
			const struct kh_entity *en = &c->doc->entities.items[c->doc->mentions.items[mi].entity];
			const char *f = en->name != NULL ? kh_norm_fold(&c->doc->arena, en->name, strlen(en->name)) : NULL;

			if (f == NULL || strstr(f, stem) == NULL)
				continue;
		}
		from_entity(c, mi, ret);
		return true;
	}
	return false;
}

void kh_attr_np_resolve(struct kh_attr_ctx *c, const struct kh_attr_np *np, uint32_t cue_tok,
			struct kh_attr_speaker *ret)
{
	const struct kh_lex_entry *e = NULL;
	uint32_t lead = np->first, m, mi;

	memset(ret, 0, sizeof(*ret));
	ret->gender = -1;
	ret->entity = KH_NONE;
	ret->kind = KH_SRC_UNKNOWN;
	if (np->end <= np->first)
		return;
	while (lead < np->end && T(c, lead)->kind == KH_TOK_PUNCT)
		lead++;
	if (lead >= np->end)
		return;
	ret->valid = true;
	ret->span = tokens_span(c, np->first, np->end);
	ret->text = span_text(c, ret->span);
	m = src_at(c, lead, false, &e);
	if (m > 0 && src_role(e) == KH_SROLE_BACKREF &&
	    np->end - lead <= (src_kind(e) == KH_SRC_UNKNOWN ? m : m + 1)) {
		/* المصدر، المصدر الأمني: back; التقرير السنوي: a new report */
		struct kh_attr_speaker prev;

		if (resolve_backref(c, e, lead, cue_tok, &prev)) {
			struct kh_span written = ret->span;

			*ret = prev;
			ret->span = written; /* the phrase as written, reported under the earlier name */
			return;
		}
		ret->kind = src_kind(e);
		return;
	}
	if (m > 0 && src_role(e) == KH_SROLE_ANON) {
		ret->kind = src_kind(e);
		ret->head = T(c, lead)->key;
		return;
	}
	mi = pick_mention(c, np->first, np->end);
	if (mi != KH_NONE && c->doc->entities.items[c->doc->mentions.items[mi].entity].type != KH_ENT_PERSON) {
		/* المسؤول الإعلامي لوحدات حماية الشعب روجهات روج: a name no lexicon has after the
		 * organisation of the title */
		uint32_t t = c->doc->mentions.items[mi].tok_end, u = t;

		while (u < np->end && u < t + 3 && T(c, u)->kind == KH_TOK_WORD && c->ment[u] == KH_NONE &&
		       !kh_attr_definite(c, u))
			u++;
		if (u > t && u == np->end && lead < c->doc->mentions.items[mi].tok_first &&
		    kh_attr_has_li(c, c->doc->mentions.items[mi].tok_first)) {
			ret->span.start = T(c, t)->core_start;
			ret->span.end = T(c, u - 1)->end;
			ret->text = span_text(c, ret->span);
			ret->kind = KH_SRC_PERSON;
			return;
		}
	}
	if (mi != KH_NONE && m > 0 && src_role(e) == KH_SROLE_HEAD &&
	    c->doc->entities.items[c->doc->mentions.items[mi].entity].type == KH_ENT_GPE &&
	    (src_kind(e) == KH_SRC_ORGANIZATION || src_kind(e) == KH_SRC_GROUP ||
	     src_kind(e) == KH_SRC_GOVERNMENT || src_kind(e) == KH_SRC_MEDIA)) {
		/* شبكة أطباء السودان: an institution named by a construct chain ending in a country */
		const struct kh_mention *mm = &c->doc->mentions.items[mi];
		bool chain = mm->tok_first > lead + m && mm->tok_first <= lead + m + 3;

		for (uint32_t t = lead + m; chain && t < mm->tok_first; t++)
			if (T(c, t)->kind != KH_TOK_WORD || c->ment[t] != KH_NONE || kh_attr_definite(c, t) ||
			    T(c, t)->proclitics != 0)
				chain = false;
		if (chain) {
			ret->span.start = T(c, lead)->core_start;
			ret->span.end = mm->end;
			ret->text = span_text(c, ret->span);
			ret->kind = src_kind(e) == KH_SRC_MEDIA ? KH_SRC_ORGANIZATION : src_kind(e);
			return;
		}
	}
	if (mi != KH_NONE) {
		from_entity(c, mi, ret);
		if (ret->kind == KH_SRC_PERSON)
			person_span_fix(c, mi, np->end, ret);
		if (m > 0 && src_role(e) == KH_SROLE_HEAD &&
		    (ret->kind == KH_SRC_ORGANIZATION || ret->kind == KH_SRC_UNKNOWN))
			ret->kind = src_kind(e);
		return;
	}
	if (m > 0) {
		ret->kind = src_kind(e);
		ret->agency_id = src_id(e);
		if (src_role(e) == KH_SROLE_HEAD && m < np->end - lead) {
			/* وكالة «سانا»: a known agency name after the head */
			const struct kh_lex_entry *e2 = NULL;
			uint32_t t = lead + m;

			if (t < np->end && T(c, t)->kind == KH_TOK_PUNCT)
				t++;
			if (src_at(c, t, false, &e2) > 0 && src_role(e2) == KH_SROLE_NAME) {
				ret->kind = src_kind(e2);
				ret->agency_id = src_id(e2);
			}
		}
		return;
	}
	/* «سانا» أفادت ...: a quoted known name */
	if (lead > np->first && src_at(c, lead, false, &e) > 0 && src_role(e) == KH_SROLE_NAME) {
		ret->kind = src_kind(e);
		ret->agency_id = src_id(e);
		return;
	}
	/* a short bare phrase without article or lexicon word: most often a person's name */
	if (lead == np->first && np->end - lead <= 3 && !kh_attr_definite(c, lead))
		ret->kind = KH_SRC_PERSON;
}

bool kh_attr_subject_before(struct kh_attr_ctx *c, uint32_t verb, struct kh_attr_speaker *ret)
{
	uint32_t sf = kh_attr_sent_first(c, verb);
	uint32_t k = verb, s;
	uint32_t best = KH_NONE;
	struct kh_attr_np np;

	for (uint32_t steps = 0; k > sf && steps < MAX_BEFORE; steps++) {
		uint32_t p = k - 1;

		if (c->tok[p].kind == KH_TOK_PUNCT && c->mate[p] != KH_NONE && c->mate[p] < p &&
		    c->mate[p] >= sf && p - c->mate[p] <= 6) {
			k = c->mate[p]; /* التحالف الدولي ضدّ «داعش» صرّح */
			continue;
		}
		if (c->tok[p].kind != KH_TOK_WORD || kh_attr_is_comp(c, p))
			break;
		k = p;
	}
	if (k == verb)
		return false;
	s = k;
	while (s < verb && kh_attr_word_is(c, s, KH_AW_STARTER))
		s++;
	if (s == k && k > sf && kh_attr_is_comp(c, k - 1))
		k--; /* إلا أنّ الولايات المتحدة أكّدت: the subject of a أنّ-clause */
	for (uint32_t t = s; t < verb; t++) {
		uint32_t mi = c->ment[t];
		const struct kh_mention *m;
		uint8_t type;

		if (mi == KH_NONE)
			continue;
		m = &c->doc->mentions.items[mi];
		if (m->entity >= c->doc->entities.n)
			continue;
		type = c->doc->entities.items[m->entity].type;
		if (type != KH_ENT_PERSON && type != KH_ENT_ORG && type != KH_ENT_GPE)
			continue;
		/* the subject opens the clause (التحالف الدولي ضدّ «داعش» صرّح); else a name
		 * right before the verb */
		if (m->tok_first <= s + 1) {
			best = mi;
			break;
		}
		if (s == k && m->tok_end + 4 >= verb)
			best = mi;
	}
	if (best != KH_NONE) {
		memset(ret, 0, sizeof(*ret));
		from_entity(c, best, ret);
		return true;
	}
	if (s == k || s >= verb || verb - s > 6)
		return false;
	np.first = s;
	np.end = verb;
	while (np.end > np.first + 1 && kh_attr_word_is(c, np.end - 1, KH_AW_STARTER))
		np.end--; /* وكانت المصادر قد ذكرت */
	np.medium.start = np.medium.end = 0;
	np.medium_entity = KH_NONE;
	kh_attr_np_resolve(c, &np, verb, ret);
	return ret->valid;
}

void kh_attr_focus_set(struct kh_attr_ctx *c, const struct kh_attr_speaker *s)
{
	if (!s->valid)
		return;
	c->focus = *s;
	if (c->focus.text != NULL && c->focus.fold == NULL)
		c->focus.fold = kh_norm_fold(&c->doc->arena, c->focus.text, strlen(c->focus.text));
	c->hist[c->nhist % KH_ATTR_HIST] = c->focus;
	c->nhist++;
}
