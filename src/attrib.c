/* SPDX-License-Identifier: MIT */
/* The attribution stage: who said what, according to whom.
 *
 * Per document, in one left-to-right pass over the tokens:
 *   1. pair the quotation marks (« » “ ” and the straight " the text stage unified),
 *      nesting allowed, a pair may run over several sentences of one paragraph;
 *   2. at every reporting cue outside a quotation (cues.tsv) build a frame:
 *      verb + subject + [medium] + complement (أنّ-clause, colon, quotation, or a
 *      preposition the cue takes), participle continuations (مضيفاً أنّ ...), "according
 *      to" frames before or after their content (بحسب، وفقاً لـ، نقلاً عن), quotations
 *      followed by their cue («...»، قال X), headline attributions (X: ...);
 *   3. resolve the source: the grammatical subject (attr_source.c), an SVO subject
 *      before the verb, or, for implied speakers (وقال:، وأضاف، مشيراً), the speaker in
 *      focus; back-references (الوكالة، المصدر) to the latest source of that kind.
 * Every loop is bounded by the token count times a small constant. */
#include "attrib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"
#include "doc.h"
#include "lexicon.h"

#define DEDUP_WINDOW 8u
#define HEADLINE_MAX_SOURCE 4u

static const struct kh_token *T(const struct kh_attr_ctx *c, uint32_t i)
{
	return &c->tok[i];
}

/* ---- output ------------------------------------------------------------------------------ */

static int emit(struct kh_attr_ctx *c, const struct kh_attr_content *ct, const struct kh_attr_speaker *sp,
		bool written, uint32_t cue_first, uint32_t cue_end, const struct kh_lex_entry *cue,
		const struct kh_span *medium, uint32_t medium_entity)
{
	struct kh_doc *doc = c->doc;
	struct kh_attribution *a;
	uint32_t n = doc->attributions.n;

	if (ct->span.end <= ct->span.start || n >= KH_ATTR_MAX_ITEMS)
		return 0;
	for (uint32_t k = n > DEDUP_WINDOW ? n - DEDUP_WINDOW : 0; k < n; k++) {
		const struct kh_span *o = &doc->attributions.items[k].content;
		uint32_t lo = o->start > ct->span.start ? o->start : ct->span.start;
		uint32_t hi = o->end < ct->span.end ? o->end : ct->span.end;
		uint32_t ulo = o->start < ct->span.start ? o->start : ct->span.start;
		uint32_t uhi = o->end > ct->span.end ? o->end : ct->span.end;

		if (hi > lo && (uint64_t)(hi - lo) * 2 >= (uint64_t)(uhi - ulo))
			return 0;
	}
	a = kh_vec_push(&doc->attributions);
	if (a == NULL)
		return -ENOMEM;
	a->kind = ct->kind;
	a->content = ct->span;
	a->source_entity = KH_NONE;
	a->medium_entity = KH_NONE;
	a->source_kind = KH_SRC_UNKNOWN;
	if (sp != NULL && sp->valid) {
		a->source_kind = sp->kind;
		a->source_entity = sp->entity;
		a->agency_id = sp->agency_id;
		if (written && sp->span.end > sp->span.start) {
			a->source = sp->span;
			/* a back-reference is reported under the name it points to */
			if (sp->text != NULL && sp->span.end - sp->span.start != strlen(sp->text))
				a->source_text = sp->text;
			else if (sp->text != NULL &&
				 strncmp(doc->norm + sp->span.start, sp->text, sp->span.end - sp->span.start) != 0)
				a->source_text = sp->text;
		} else {
			a->source_text = sp->text;
		}
	}
	if (cue_end > cue_first && cue_end <= c->n) {
		/* a headline's cue is its colon; a continued quotation has none */
		a->cue.start = kh_attr_tok_start(c, cue_first);
		a->cue.end = T(c, cue_end - 1)->end;
		a->cue_lemma = cue != NULL && cue->n_fields > 0 ? cue->fields[0] : NULL;
	}
	if (medium != NULL && medium->end > medium->start) {
		a->medium = *medium;
		a->medium_entity = medium_entity;
	}
	a->sentence = T(c, cue_first < c->n ? cue_first : 0)->sentence;
	return 0;
}

/* ---- frames ------------------------------------------------------------------------------ */

enum mode { M_NONE = 0, M_CLAUSE, M_COLON, M_QUOTE, M_NOMINAL };

/* Fold a short lexicon word like the match keys (أ إ آ ٱ → ا, ى → ي, ة → ه, no marks). */
static size_t fold_small(const char *s, size_t n, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	for (size_t i = 0; i < n && o + 2 < cap;) {
		if (i + 1 < n && u[i] == 0xD8 && (u[i + 1] == 0xA3 || u[i + 1] == 0xA5 || u[i + 1] == 0xA2)) {
			out[o++] = (char)0xD8;
			out[o++] = (char)0xA7;
		} else if (i + 1 < n && u[i] == 0xD9 && u[i + 1] == 0xB1) {
			out[o++] = (char)0xD8;
			out[o++] = (char)0xA7;
		} else if (i + 1 < n && u[i] == 0xD9 && u[i + 1] == 0x89) {
			out[o++] = (char)0xD9;
			out[o++] = (char)0x8A;
		} else if (i + 1 < n && u[i] == 0xD8 && u[i + 1] == 0xA9) {
			out[o++] = (char)0xD9;
			out[o++] = (char)0x87;
		} else if (i + 1 < n && u[i] == 0xD9 && ((u[i + 1] >= 0x8B && u[i + 1] <= 0x9F) || u[i + 1] == 0xB0)) {
			/* a diacritic: dropped */
		} else {
			size_t k = u[i] < 0x80 ? 1 : u[i] < 0xE0 ? 2 : u[i] < 0xF0 ? 3 : 4;

			for (size_t b = 0; b < k && i < n && o + 1 < cap; b++)
				out[o++] = (char)u[i++];
			continue;
		}
		i += 2;
	}
	out[o] = '\0';
	return o;
}

static bool prep_listed(const char *preps, const char *p)
{
	size_t pl = strlen(p);

	for (const char *s = preps; *s != '\0';) {
		const char *bar = strchr(s, '|');
		size_t n = bar != NULL ? (size_t)(bar - s) : strlen(s);
		char key[32];

		/* folding never lengthens: a listed word shorter than p cannot fold to it */
		if (n >= pl) {
			size_t kl = fold_small(s, n, key, sizeof(key));

			if (kl == pl && memcmp(key, p, pl) == 0)
				return true;
		}
		if (bar == NULL)
			break;
		s = bar + 1;
	}
	return false;
}

/* Is token t a preposition the cue takes?  Sets ret_attached when it is a ب on the word. */
static bool prep_at(const struct kh_attr_ctx *c, uint32_t t, const char *preps, bool *ret_attached)
{
	const struct kh_token *tk = T(c, t);

	*ret_attached = false;
	if (preps[0] == '\0' || KH_ATTR_EQ(preps, "-") || tk->kind != KH_TOK_WORD)
		return false;
	if (KH_ATTR_EQ(tk->key, "ب"))
		return prep_listed(preps, "ب");
	if ((tk->proclitics & KH_PRO_BI) != 0 && tk->core_start < tk->end) {
		*ret_attached = true;
		return prep_listed(preps, "ب");
	}
	if (tk->proclitics != 0)
		return false;
	return prep_listed(preps, tk->key);
}

/* A short quotation inside a phrase (ضدّ «داعش»: ...، ذرائع «داعش» الواهية): a name, not a statement. */
static bool name_quote(const struct kh_attr_ctx *c, uint32_t q)
{
	uint32_t q1 = c->mate[q], a;

	if (q1 == KH_NONE || q1 <= q || q1 - q - 1 > 6)
		return false;
	a = q1 + 1;
	if (a >= c->n || (T(c, a)->flags & KH_TOKF_LINE_START) != 0)
		return false;
	if (T(c, a)->kind == KH_TOK_WORD)
		return !kh_attr_frame_starts(c, a);
	if (kh_attr_punct_is(c, a, ":") || kh_attr_punct_is(c, a, "(") || kh_attr_quote_open(c, a))
		return true;
	return kh_attr_is_comma(c, a) && q1 - q - 1 <= 2;
}

/* A folded word ending in ة (folded to ه): a feminine participle or noun. */
static bool feminine(const char *key)
{
	size_t n = strlen(key);

	return n >= 2 && KH_ATTR_EQ(key + n - 2, "ه");
}

/* The verb opens its clause: with و / ف on it, or at most three words after the sentence
 * start or a punctuation mark (من جهتها حمّلت ...، وفي السياق دعت ...). */
static bool clause_initial(const struct kh_attr_ctx *c, uint32_t i)
{
	uint32_t sf = kh_attr_sent_first(c, i), k = i;
	bool fa;

	if (kh_attr_has_conj(c, i, &fa))
		return true;
	while (k > sf && i - k < 4 && c->tok[k - 1].kind == KH_TOK_WORD)
		k--;
	return i - k < 4;
}

/* Grammatical gender of a cue form: 1 feminine (قالت، تقول، مضيفةً), 0 masculine, -1 unknown. */
static int cue_gender(const struct kh_attr_ctx *c, uint32_t i, const struct kh_lex_entry *e)
{
	char lemma[64];
	const char *k = T(c, i)->key;
	size_t kl = strlen(k), ll;

	if (e->n_fields < 1)
		return -1;
	ll = fold_small(e->fields[0], strlen(e->fields[0]), lemma, sizeof(lemma));
	if (kh_attr_cue_class(e) == KH_CUE_PARTICIPLE)
		return feminine(k) ? 1 : 0;
	if (kl == ll + 2 && strncmp(k, lemma, ll) == 0 && KH_ATTR_EQ(k + ll, "ت"))
		return 1; /* perfect 3fs: قال → قالت */
	if (kl == ll && strcmp(k, lemma) == 0)
		return 0;
	if (KH_ATTR_STARTS(k, "ت") && !KH_ATTR_STARTS(lemma, "ت"))
		return 1; /* imperfect 3fs: تقول */
	if (KH_ATTR_STARTS(k, "ي"))
		return 0;
	return -1;
}

/* Could speaker s be the subject of a verb of that gender?  Persons are taken as men unless
 * their name ends in ة; institutions, outlets and countries agree in the feminine. */
static bool gender_fits(const struct kh_attr_speaker *s, int g)
{
	bool fem_word = false;

	if (g < 0 || !s->valid)
		return true;
	if (s->gender >= 0)
		return s->gender == g; /* agreement seen with its own verb (وأفادت لوبا سمري) */
	if (s->fold != NULL) {
		const char *sp = strchr(s->fold, ' ');
		size_t n = sp != NULL ? (size_t)(sp - s->fold) : strlen(s->fold);

		fem_word = n >= 2 && strncmp(s->fold + n - 2, "ه", 2) == 0;
	}
	if (s->kind == KH_SRC_PERSON || s->kind == KH_SRC_UNKNOWN)
		return g == 1 ? fem_word : !fem_word;
	if (s->kind == KH_SRC_ANONYMOUS)
		return true;
	return g == 1 ? true : !fem_word;
}

/* The implied speaker: the speaker in focus, or the latest one whose gender fits the verb
 * (وقالت الوزارة ... وقال الوزير ... وأضافت: the ministry). */
static struct kh_attr_speaker implied_speaker(const struct kh_attr_ctx *c, uint32_t i,
					      const struct kh_lex_entry *e)
{
	int g = cue_gender(c, i, e);

	if (gender_fits(&c->focus, g))
		return c->focus;
	for (uint32_t h = 0; h < c->nhist && h < 6; h++) {
		const struct kh_attr_speaker *s = &c->hist[(c->nhist - 1 - h) % KH_ATTR_HIST];

		if (s->valid && (s->kind == KH_SRC_PERSON || s->kind == KH_SRC_GOVERNMENT ||
				 s->kind == KH_SRC_ORGANIZATION || s->kind == KH_SRC_GROUP ||
				 s->kind == KH_SRC_AGENCY || s->kind == KH_SRC_MEDIA) &&
		    gender_fits(s, g))
			return *s;
	}
	return c->focus;
}

/* «...»، قال X: the quotation right before the verb. */
static uint32_t quote_before(const struct kh_attr_ctx *c, uint32_t i)
{
	uint32_t k = i;

	if (k > 0 && kh_attr_is_comma(c, k - 1))
		k--;
	if (k > 0 && kh_attr_quote_close(c, k - 1))
		return c->mate[k - 1];
	return KH_NONE;
}

static uint32_t according_source_start(const struct kh_attr_ctx *c, uint32_t i, uint32_t m, uint32_t se);

static int frame_verb(struct kh_attr_ctx *c, uint32_t i, uint32_t m, const struct kh_lex_entry *e)
{
	enum kh_attr_cue_class cls = kh_attr_cue_class(e);
	const char *preps = e->n_fields > 2 ? e->fields[2] : "-";
	const char *nominal = e->n_fields > 3 ? e->fields[3] : "no";
	uint32_t j = i + m, se = kh_attr_sent_end(c, i), lim, p, t, cstart = 0, q = KH_NONE;
	uint32_t commas = 0, skipped = 0;
	struct kh_attr_np np = { j, j, { 0, 0 }, KH_NONE };
	struct kh_attr_speaker subj = { 0 }, sp = { 0 };
	struct kh_span medium = { 0, 0 };
	uint32_t medium_entity = KH_NONE;
	struct kh_attr_content ct = { 0 };
	enum mode mode = M_NONE;
	bool written = false, attached = false, fa = false;
	const struct kh_lex_entry *ae = NULL;

	lim = j + KH_ATTR_MAX_SCAN < se ? j + KH_ATTR_MAX_SCAN : se;
	if (cls == KH_CUE_VERB || cls == KH_CUE_VERB_TELL || cls == KH_CUE_SOURCE || cls == KH_CUE_VERB_IMPERSONAL) {
		kh_attr_np_parse(c, j, lim, cls == KH_CUE_VERB_TELL ? KH_NP_TELL : 0, &np);
		if (np.end > np.first)
			kh_attr_np_resolve(c, &np, i, &subj);
	}
	p = np.end;
	for (t = p; t < lim; t++) {
		const struct kh_token *tk = T(c, t);

		if (tk->kind == KH_TOK_PUNCT) {
			if (kh_attr_punct_is(c, t, ":")) {
				mode = kh_attr_quote_open(c, t + 1) ? M_QUOTE : M_COLON;
				q = t + 1;
				cstart = t + 1;
				break;
			}
			if (kh_attr_quote_open(c, t)) {
				if (name_quote(c, t)) {
					t = c->mate[t];
					continue;
				}
				if (skipped > 3)
					break;
				mode = M_QUOTE;
				q = t;
				break;
			}
			if (kh_attr_is_comma(c, t)) {
				if (++commas > 3)
					break;
				continue;
			}
			if (kh_attr_punct_is(c, t, "(")) {
				/* (د.ب.أ): skip a short parenthesis whole */
				for (uint32_t k = t + 1; k < lim && k <= t + 8; k++) {
					if (kh_attr_punct_is(c, k, ")")) {
						t = k;
						break;
					}
				}
				continue;
			}
			if (kh_attr_punct_is(c, t, ")") || kh_attr_punct_is(c, t, "-"))
				continue;
			break;
		}
		if (kh_attr_is_comp(c, t)) {
			mode = M_CLAUSE;
			cstart = t + 1;
			break;
		}
		if (prep_at(c, t, preps, &attached)) {
			uint32_t nx = attached ? t : t + 1;

			if (cls == KH_CUE_SOURCE && !attached && !sp.valid) {
				struct kh_attr_np snp;

				kh_attr_np_parse(c, t + 1, lim, 0, &snp);
				if (snp.end > snp.first) {
					kh_attr_np_resolve(c, &snp, i, &sp);
					written = true;
					t = snp.end - 1;
					continue;
				}
			}
			if (!attached && kh_attr_is_comp(c, nx)) {
				mode = M_CLAUSE;
				cstart = nx + 1;
				break;
			}
			if (!attached && kh_attr_quote_open(c, nx)) {
				mode = M_QUOTE;
				q = nx;
				break;
			}
			if (KH_ATTR_EQ(nominal, "yes") && skipped == 0 && nx < lim) {
				mode = M_NOMINAL;
				cstart = nx;
				break;
			}
			continue;
		}
		if (cls == KH_CUE_VERB_TELL && medium.end == 0 && t == p) {
			uint32_t u = kh_attr_addressee(c, t, lim, &medium, &medium_entity);

			if (u > 0) {
				t += u - 1;
				continue;
			}
		}
		if (kh_attr_has_li(c, t) && medium.end == 0) {
			uint32_t u = kh_attr_medium_parse(c, t, lim, &medium, &medium_entity);

			if (u > 0) {
				t += u - 1;
				continue;
			}
		}
		if (!sp.valid && kh_attr_cue_at(c, t, &ae) > 0 && kh_attr_cue_class(ae) == KH_CUE_ACCORDING &&
		    t > 0 && kh_attr_is_comma(c, t - 1)) {
			/* ذكرت الصحيفة، نقلاً عن مسؤولين، أنّ ...: the quoted source */
			uint32_t a0 = according_source_start(c, t, kh_attr_cue_at(c, t, &ae), lim);
			struct kh_attr_np anp;

			kh_attr_np_parse(c, a0, lim, 0, &anp);
			if (anp.end > anp.first) {
				kh_attr_np_resolve(c, &anp, i, &sp);
				written = sp.valid;
				t = anp.end - 1;
				continue;
			}
		}
		if (kh_attr_frame_starts(c, t) && !kh_attr_word_is(c, t, KH_AW_LINK))
			break;
		if (!kh_attr_word_is(c, t, KH_AW_STOP) && !kh_attr_is_date(c, t))
			skipped++;
	}
	if (cls == KH_CUE_SOURCE && !sp.valid)
		mode = M_NONE; /* نقل without عن X is no report (نقل المصاب إلى المشفى) */
	if (mode == M_NONE && subj.valid && subj.kind != KH_SRC_ANONYMOUS && subj.kind != KH_SRC_UNKNOWN &&
	    clause_initial(c, i))
		kh_attr_focus_set(c, &subj); /* أعلن التنظيم مسؤوليته ...، وقال: the speaker in focus */
	switch (mode) {
	case M_CLAUSE:
		if (!kh_attr_clause_content(c, cstart, false, &ct))
			return 0;
		break;
	case M_COLON:
		if (!kh_attr_clause_content(c, cstart, true, &ct))
			return 0;
		break;
	case M_QUOTE:
		if (!kh_attr_quote_content(c, q, &ct))
			return 0;
		/* «جريمة حرب» جديدة: a quotation the clause runs on after is a mixed clause */
		if (!kh_attr_quote_ends_clause(c, c->mate[q]) && !kh_attr_clause_content(c, q, false, &ct))
			return 0;
		break;
	case M_NOMINAL:
		if (!kh_attr_clause_content(c, cstart, false, &ct))
			return 0;
		break;
	default:
		if (cls != KH_CUE_VERB && cls != KH_CUE_VERB_TELL)
			return 0;
		q = quote_before(c, i);
		if (q == KH_NONE || !kh_attr_quote_content(c, q, &ct))
			return 0;
		break;
	}
	if (subj.valid) {
		subj.gender = (int8_t)cue_gender(c, i, e);
		if (cls == KH_CUE_SOURCE)
			subj.gender = -1; /* نقلت الشبكة عن ...: kept for the outlet only */
	}
	/* يُتوقّع أن ...، يُرجّح أن ...: an impersonal verb without a subject reports nobody */
	if (cls == KH_CUE_VERB_IMPERSONAL && !subj.valid && !sp.valid)
		return 0;
	/* the source */
	if (!sp.valid) {
		if (subj.valid) {
			sp = subj;
			written = true;
		} else if (cls != KH_CUE_PARTICIPLE && cls != KH_CUE_PASSIVE &&
			   (!kh_attr_has_conj(c, i, &fa) || fa) && kh_attr_subject_before(c, i, &sp)) {
			written = true;
			subj = sp;
		} else if (cls == KH_CUE_PARTICIPLE && c->alt.valid && c->alt_sentence == T(c, i)->sentence &&
			   feminine(T(c, i)->key) && c->alt_fem) {
			/* ونقلت الشبكة عن مصادر أنّ ...، لافتةً: the participle agrees with الشبكة */
			sp = c->alt;
			written = false;
		} else if (cls != KH_CUE_PASSIVE && c->focus.valid) {
			sp = implied_speaker(c, i, e);
			written = false;
		}
	}
	if (cls == KH_CUE_SOURCE && sp.valid) {
		/* the quoted source speaks on; the reporting outlet stays at hand for agreement */
		if (subj.valid) {
			kh_attr_focus_set(c, &subj);
			c->alt = c->focus;
			c->alt_sentence = T(c, i)->sentence;
			c->alt_fem = np.end > np.first && feminine(T(c, np.first)->key);
		}
		kh_attr_focus_set(c, &sp);
	} else if (subj.valid) {
		kh_attr_focus_set(c, &subj);
	} else if (written && sp.valid) {
		kh_attr_focus_set(c, &sp);
	}
	return emit(c, &ct, &sp, written, i, i + m, e, medium.end > medium.start ? &medium : np.medium.end > 0 ? &np.medium : NULL,
		    medium_entity);
}

/* First token of the source phrase of an according-frame at i (m tokens): after لـ / عن /
 * إلى, and after ما + verb (بحسب ما ذكر X، وفقاً لما صرّح به X). */
static uint32_t according_source_start(const struct kh_attr_ctx *c, uint32_t i, uint32_t m, uint32_t se)
{
	uint32_t j = i + m;

	if (j < se && (KH_ATTR_EQ(T(c, j)->key, "ل") || KH_ATTR_EQ(T(c, j)->key, "عن") ||
		       KH_ATTR_EQ(T(c, j)->key, "الي")))
		j++;
	if (j < se && (KH_ATTR_EQ(T(c, j)->key, "ما") || KH_ATTR_EQ(T(c, j)->key, "لما")))
		j += 2;
	else if (j > i && KH_ATTR_EQ(T(c, j - 1)->key, "حسبما"))
		j += 1;
	if (j < se && j > i + m && kh_attr_word_is(c, j, KH_AW_PRONPREP))
		j++;
	return j < se ? j : se;
}

/* حصيلة أعلنتها وزارة الصحة، بيان أصدرته الوزارة، أرقام نشرتها المنظمة: an indefinite noun
 * with a relative clause whose verb carries the resumptive pronoun; the subject of that verb
 * is the source.  @return the first token of that subject, or KH_NONE. */
static uint32_t relative_subject(const struct kh_attr_ctx *c, const struct kh_attr_np *np, uint32_t se)
{
	for (uint32_t k = np->first + 1; k <= np->end && k <= np->first + 2 && k + 1 < se; k++) {
		const struct kh_token *tk = T(c, k);
		size_t kl;

		if (tk->kind != KH_TOK_WORD || tk->full_key == NULL || kh_attr_definite(c, k) || c->ment[k] != KH_NONE)
			return KH_NONE;
		kl = kh_tok_full_len(tk);
		if ((tk->flags & KH_TOKF_SUFFIX) != 0 ||
		    (kl > 6 && (KH_ATTR_EQ(tk->full_key + kl - 4, "ها") || KH_ATTR_EQ(tk->full_key + kl - 4, "ته") ||
				KH_ATTR_EQ(tk->full_key + kl - 4, "وه")))) {
			for (uint32_t b = np->first; b < k; b++)
				if (T(c, b)->kind != KH_TOK_WORD || kh_attr_definite(c, b) || c->ment[b] != KH_NONE)
					return KH_NONE;
			return T(c, k + 1)->kind == KH_TOK_WORD ? k + 1 : KH_NONE;
		}
	}
	return KH_NONE;
}

/* بيان صادر عن الجيش: the issuer after صادر عن; @return its first token or KH_NONE. */
static uint32_t issued_by(const struct kh_attr_ctx *c, uint32_t np_end, uint32_t se)
{
	const char *k;

	if (np_end == 0 || np_end + 1 >= se || !KH_ATTR_EQ(T(c, np_end)->key, "عن"))
		return KH_NONE;
	k = T(c, np_end - 1)->key;
	if (KH_ATTR_EQ(k, "صادر") || KH_ATTR_EQ(k, "الصادر") || KH_ATTR_EQ(k, "صادره") ||
	    KH_ATTR_EQ(k, "الصادره"))
		return np_end + 1;
	return KH_NONE;
}

/* وجاء في بيان لوزارة الخارجية أنّ ...، وورد في التقرير: «...»: the verbal noun is the cue; the
 * issuer follows it (لـX، صادر عن X) or is the speaker in focus. */
static int frame_noun(struct kh_attr_ctx *c, uint32_t i, uint32_t m, const struct kh_lex_entry *e)
{
	uint32_t se = kh_attr_sent_end(c, i), lim, t, j = i + m;
	struct kh_attr_speaker sp = { 0 };
	struct kh_attr_np np;
	struct kh_attr_content ct = { 0 };
	bool written = false, found = false;
	const char *v;

	if (i < 2 || !KH_ATTR_EQ(T(c, i - 1)->key, "في") || T(c, i - 2)->kind != KH_TOK_WORD)
		return 0;
	v = T(c, i - 2)->key;
	if (!KH_ATTR_EQ(v, "جاء") && !KH_ATTR_EQ(v, "ورد") && !KH_ATTR_EQ(T(c, i - 2)->full_key, "وجاء") &&
	    !KH_ATTR_EQ(T(c, i - 2)->full_key, "وورد"))
		return 0;
	lim = j + 16 < se ? j + 16 : se;
	for (t = j; t < lim; t++) {
		if (!sp.valid && (kh_attr_has_li(c, t) || KH_ATTR_EQ(T(c, t)->key, "عن"))) {
			uint32_t s0 = KH_ATTR_EQ(T(c, t)->key, "عن") ? t + 1 : t;

			kh_attr_np_parse(c, s0, lim, 0, &np);
			if (np.end > np.first) {
				kh_attr_np_resolve(c, &np, i, &sp);
				written = sp.valid;
				t = np.end - 1;
				continue;
			}
		}
		if (kh_attr_is_comp(c, t)) {
			found = kh_attr_clause_content(c, t + 1, false, &ct);
			break;
		}
		if (kh_attr_punct_is(c, t, ":")) {
			found = kh_attr_clause_content(c, t + 1, true, &ct);
			break;
		}
		if (kh_attr_quote_open(c, t) && !name_quote(c, t)) {
			found = kh_attr_quote_content(c, t, &ct);
			break;
		}
		if (kh_attr_is_stop_punct(c, t) || kh_attr_frame_starts(c, t))
			break;
	}
	if (!found)
		return 0;
	if (!sp.valid && c->focus.valid) {
		sp = c->focus;
		written = false;
	}
	if (written)
		kh_attr_focus_set(c, &sp);
	return emit(c, &ct, &sp, written, i, i + m, e, NULL, KH_NONE);
}

/* بحسب X، وفقاً لـX، نقلاً عن X، على حدّ قوله: before or after their content. */
static int frame_according(struct kh_attr_ctx *c, uint32_t i, uint32_t m, const struct kh_lex_entry *e)
{
	uint32_t sf = kh_attr_sent_first(c, i), se = kh_attr_sent_end(c, i);
	uint32_t j = i + m, c0, c1;
	struct kh_attr_np np;
	struct kh_attr_speaker sp = { 0 };
	struct kh_attr_content ct = { 0 };
	bool written = true, pronoun = m > 1; /* على حد قوله: the speaker in focus */

	j = according_source_start(c, i, m, se);
	if (pronoun) {
		np.first = np.end = j;
		np.medium.start = np.medium.end = 0;
		np.medium_entity = KH_NONE;
	} else {
		kh_attr_np_parse(c, j, se, 0, &np);
		/* the lone ل of وفقاً لـ stays on the name with a real segmenter */
		if (np.end == np.first)
			return 0;
		if (relative_subject(c, &np, se) != KH_NONE) {
			struct kh_attr_np rnp;

			kh_attr_np_parse(c, relative_subject(c, &np, se), se, 0, &rnp);
			if (rnp.end > rnp.first)
				np = rnp; /* وفق حصيلة أعلنتها وزارة الصحة */
		}
		if (issued_by(c, np.end, se) != KH_NONE) {
			struct kh_attr_np inp;

			kh_attr_np_parse(c, np.end + 1, se, 0, &inp);
			if (inp.end > inp.first)
				np = inp; /* بحسب بيان صادر عن الجيش */
		}
		kh_attr_np_resolve(c, &np, i, &sp);
	}
	if (!sp.valid && c->focus.valid) {
		sp = c->focus;
		written = false;
	}
	/* before the content: at the start of the sentence (after و), then "، فإنّ" */
	if (i == sf || (i == sf + 1 && T(c, sf)->kind == KH_TOK_PUNCT)) {
		c0 = np.end;
		if (c0 < se && kh_attr_is_comma(c, c0))
			c0++;
		if (c0 < se && T(c, c0)->kind == KH_TOK_WORD &&
		    (KH_ATTR_STARTS(T(c, c0)->key, "فان") || KH_ATTR_EQ(T(c, c0)->key, "ان")) &&
		    kh_tok_key_len(T(c, c0)) <= 10)
			c0++;
		if (c0 >= se || !kh_attr_clause_content(c, c0, false, &ct))
			return 0;
	} else if (i > sf && (kh_attr_punct_is(c, i - 1, "-") || kh_attr_punct_is(c, i - 1, "("))) {
		/* a parenthesis inside the clause: the clause between commas around it */
		uint32_t a = i - 1, b = np.end;

		while (a > sf && !kh_attr_is_comma(c, a - 1) && i - a < KH_ATTR_MAX_CLAUSE)
			a--;
		if (b < se && (kh_attr_punct_is(c, b, "-") || kh_attr_punct_is(c, b, ")")))
			b++;
		c1 = b - 1; /* the last token of the parenthesis; b > i here */
		while (c1 + 1 < se && !kh_attr_is_comma(c, c1 + 1) && !kh_attr_is_stop_punct(c, c1 + 1) &&
		       c1 + 1 - b < KH_ATTR_MAX_CLAUSE) {
			if (kh_attr_quote_open(c, c1 + 1) && c->mate[c1 + 1] < se) {
				c1 = c->mate[c1 + 1];
				continue;
			}
			c1++;
		}
		c1 = kh_attr_trim_end(c, a, c1);
		if (c1 <= a)
			return 0;
		ct.kind = kh_attr_has_long_quote(c, a, c1) ? KH_ATTR_MIXED : KH_ATTR_INDIRECT;
		ct.span.start = kh_attr_tok_start(c, a);
		ct.span.end = T(c, c1)->end;
	} else if (i > sf && kh_attr_is_comma(c, i - 1) &&
		   (kh_attr_is_comp(c, np.end) || (kh_attr_is_comma(c, np.end) && kh_attr_is_comp(c, np.end + 1)))) {
		return 0; /* ذكرت الصحيفة، نقلاً عن مسؤولين، أنّ ...: part of the verb's frame */
	} else if (i > sf && kh_attr_is_comma(c, i - 1)) {
		/* after the content: the clause before it in the same sentence */
		uint32_t q = quote_before(c, i);

		if (q != KH_NONE && q >= sf) {
			if (!kh_attr_quote_content(c, q, &ct))
				return 0;
		} else {
			c1 = kh_attr_trim_end(c, sf, i - 1);
			c0 = sf;
			while (c0 < c1 && T(c, c0)->kind == KH_TOK_PUNCT && !kh_attr_quote_open(c, c0))
				c0++;
			if (c1 <= c0)
				return 0;
			ct.kind = kh_attr_has_long_quote(c, c0, c1) ? KH_ATTR_MIXED : KH_ATTR_INDIRECT;
			ct.span.start = kh_attr_tok_start(c, c0);
			ct.span.end = T(c, c1)->end;
		}
	} else {
		return 0;
	}
	if (written && sp.valid)
		kh_attr_focus_set(c, &sp);
	return emit(c, &ct, &sp, written, i, i + m, e, NULL, KH_NONE);
}

/* A headline "X: statement" (بوغدانوف: ...) as a summary attribution. */
static int frame_headline(struct kh_attr_ctx *c, const struct kh_sentence *s)
{
	uint32_t colon = KH_NONE;
	struct kh_attr_np np;
	struct kh_attr_speaker sp = { 0 };
	struct kh_attr_content ct = { 0 };
	uint32_t end;

	if (s->tok_end > c->n || s->tok_first >= s->tok_end)
		return 0;
	for (uint32_t t = s->tok_first; t < s->tok_end && t <= s->tok_first + HEADLINE_MAX_SOURCE; t++) {
		const struct kh_lex_entry *e = NULL;

		if (kh_attr_punct_is(c, t, ":")) {
			colon = t;
			break;
		}
		if (T(c, t)->kind != KH_TOK_WORD || kh_attr_cue_at(c, t, &e) > 0 || c->inq[t])
			return 0;
	}
	if (colon == KH_NONE || colon == s->tok_first || colon + 2 >= s->tok_end)
		return 0;
	end = kh_attr_trim_end(c, colon + 1, s->tok_end - 1);
	/* بوغدانوف: ... وأنصاري يتحدّث عن ...: a second speaker's clause ends the first */
	for (uint32_t t = colon + 2; t < end; t++) {
		bool fa;

		if (kh_attr_has_conj(c, t, &fa) && kh_attr_verb_clause_follows(c, t)) {
			end = kh_attr_trim_end(c, colon + 1, t - 1);
			break;
		}
	}
	if (end <= colon + 1)
		return 0;
	{
		/* بغداد: حمزة مصطفى، القاهرة: «الشرق الأوسط»: a dateline and byline, no statement */
		uint32_t words = 0;
		int lt = -1;

		for (uint32_t t = colon + 1; t <= end; t++)
			if (T(c, t)->kind == KH_TOK_WORD)
				words++;
		if (c->ment[s->tok_first] != KH_NONE &&
		    c->doc->mentions.items[c->ment[s->tok_first]].tok_end == colon &&
		    c->doc->mentions.items[c->ment[s->tok_first]].entity < c->doc->entities.n)
			lt = c->doc->entities.items[c->doc->mentions.items[c->ment[s->tok_first]].entity].type;
		if (words <= 2 || (words <= 3 && (lt == KH_ENT_GPE || lt == KH_ENT_LOC)))
			return 0;
	}
	np.first = s->tok_first;
	np.end = colon;
	np.medium.start = np.medium.end = 0;
	np.medium_entity = KH_NONE;
	kh_attr_np_resolve(c, &np, colon, &sp);
	ct.kind = KH_ATTR_SUMMARY;
	ct.span.start = kh_attr_tok_start(c, colon + 1);
	ct.span.end = T(c, end)->end;
	return emit(c, &ct, &sp, true, colon, colon + 1, NULL, NULL, KH_NONE);
}

static bool is_headline(const struct kh_attr_ctx *c, uint32_t si)
{
	const struct kh_sentence *s = &c->doc->sentences.items[si];
	uint32_t last;

	if (s->headline)
		return true;
	if (si != 0 || s->tok_end == 0 || s->tok_end > c->n)
		return false;
	last = s->tok_end - 1;
	return !kh_attr_is_stop_punct(c, last) &&
	       (s->tok_end == c->n || (T(c, s->tok_end)->flags & KH_TOKF_LINE_START) != 0);
}

/* A sentence that opens with a verb and a person (والتقى لافروف ...) puts that person in focus. */
static void sentence_topic(struct kh_attr_ctx *c, uint32_t first)
{
	uint32_t mi;
	const struct kh_mention *m;
	struct kh_attr_speaker sp;

	uint32_t p = first + 1;

	if (first + 1 >= c->n || T(c, first)->kind != KH_TOK_WORD || c->ment[first] != KH_NONE)
		return;
	/* most sentences have no mention among the words the loop below may reach: it would
	 * return then whatever the tests of each word say (they only fill caches) */
	for (; p < c->n && p <= first + 7 && T(c, p)->kind == KH_TOK_WORD; p++)
		if (c->ment[p] != KH_NONE)
			break;
	if (p >= c->n || p > first + 7 || T(c, p)->kind != KH_TOK_WORD)
		return;
	p = first + 1;
	/* والتقى وزير الخارجية الأردني X، ودعا المبعوث الأممي إلى اليمن X: a title phrase
	 * (places and organisations inside it) before the person */
	for (; p < c->n && p <= first + 7; p++) {
		uint32_t pm = c->ment[p];
		const struct kh_lex_entry *ce = NULL;

		if (T(c, p)->kind != KH_TOK_WORD || kh_attr_is_comp(c, p) || kh_attr_cue_at(c, p, &ce) > 0 ||
		    kh_attr_is_date(c, p))
			return;
		if (pm == KH_NONE)
			continue;
		if (c->doc->mentions.items[pm].entity >= c->doc->entities.n)
			return;
		if (c->doc->entities.items[c->doc->mentions.items[pm].entity].type == KH_ENT_PERSON)
			break;
		if (p == first + 1)
			return; /* the sentence opens with an organisation or a place */
	}
	if (p >= c->n || p > first + 7)
		return;
	mi = c->ment[p];
	m = &c->doc->mentions.items[mi];
	if (m->tok_first != p || m->entity >= c->doc->entities.n)
		return;
	memset(&sp, 0, sizeof(sp));
	sp.gender = -1;
	sp.valid = true;
	sp.entity = m->entity;
	sp.span.start = m->start;
	sp.span.end = m->end;
	sp.kind = KH_SRC_PERSON;
	sp.text = kh_doc_norm_strndup(c->doc, m->start, m->end);
	kh_attr_focus_set(c, &sp);
}

/* وبعدما حذّر من أنّ ...، اعتبر حفتر أنّ ...: a statement without any speaker takes the next
 * speaker of its sentence. */
static void fill_cataphora(struct kh_attr_ctx *c)
{
	struct kh_doc *doc = c->doc;

	for (uint32_t k = 0; k + 1 < doc->attributions.n; k++) {
		struct kh_attribution *a = &doc->attributions.items[k];
		const struct kh_attribution *b = &doc->attributions.items[k + 1];

		if (a->source.end > a->source.start || a->source_text != NULL || a->kind == KH_ATTR_SUMMARY)
			continue;
		if (b->sentence != a->sentence || b->cue.start < a->cue.start)
			continue;
		if (b->source.end > b->source.start && b->source_text == NULL)
			a->source_text = kh_doc_norm_strndup(doc, b->source.start, b->source.end);
		else
			a->source_text = b->source_text;
		a->source_entity = b->source_entity;
		a->source_kind = b->source_kind;
		a->agency_id = b->agency_id;
	}
}

/* A sentence that is one quotation right after a direct statement continues it:
 * وقال الوزير: «...». «ولن نتراجع عن وعودنا». */
static int quote_continuation(struct kh_attr_ctx *c, uint32_t first)
{
	const struct kh_attribution *prev;
	uint32_t q1, se = kh_attr_sent_end(c, first);
	struct kh_attr_content ct = { 0 };

	if (!kh_attr_quote_open(c, first) || c->doc->attributions.n == 0 || !c->focus.valid)
		return 0;
	q1 = c->mate[first];
	if (q1 - first - 1 < 4 || (q1 + 1 < c->n && q1 + 1 < se && !kh_attr_is_stop_punct(c, q1 + 1)))
		return 0;
	prev = &c->doc->attributions.items[c->doc->attributions.n - 1];
	if (prev->kind != KH_ATTR_DIRECT || prev->content.end > T(c, first)->start ||
	    T(c, first)->sentence == 0)
		return 0;
	/* the statement before ends in the previous sentence */
	if (c->doc->sentences.items[T(c, first)->sentence - 1].start > prev->content.end)
		return 0;
	if (!kh_attr_quote_content(c, first, &ct))
		return 0;
	return emit(c, &ct, &c->focus, false, first, first, NULL, NULL, KH_NONE);
}

/* ---- the stage --------------------------------------------------------------------------- */

int kh_attr_apply(const struct kh_attr_res *r, struct kh_doc *doc)
{
	struct kh_attr_ctx c;
	uint32_t cur_sent = KH_NONE;
	int rc;

	if (r == NULL || doc == NULL || doc->tokens.n == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.doc = doc;
	c.tok = doc->tokens.items;
	c.n = doc->tokens.n;
	c.focus.entity = KH_NONE;
	c.mate = kh_arena_alloc_uninit(&doc->arena, (size_t)c.n * sizeof(uint32_t)); /* set below */
	c.ment = kh_arena_alloc_uninit(&doc->arena, (size_t)c.n * sizeof(uint32_t)); /* set below */
	c.inq = kh_arena_alloc(&doc->arena, (size_t)c.n);
	c.cue_len = kh_arena_alloc_uninit(&doc->arena, (size_t)c.n); /* set below */
	/* read only where cue_len says it was set */
	c.cue_ent = kh_arena_alloc_uninit(&doc->arena, (size_t)c.n * sizeof(*c.cue_ent));
	c.roles = kh_arena_alloc(&doc->arena, (size_t)c.n * sizeof(*c.roles));
	if (c.mate == NULL || c.ment == NULL || c.inq == NULL || c.cue_len == NULL || c.cue_ent == NULL ||
	    c.roles == NULL)
		return -ENOMEM;
	memset(c.cue_len, 0xFF, c.n);
	/* KH_NONE is all ones */
	memset(c.mate, 0xFF, (size_t)c.n * sizeof(*c.mate));
	memset(c.ment, 0xFF, (size_t)c.n * sizeof(*c.ment));
	for (uint32_t k = 0; k < doc->mentions.n; k++) {
		const struct kh_mention *mn = &doc->mentions.items[k];

		if (mn->entity >= doc->entities.n)
			continue;
		for (uint32_t t = mn->tok_first; t < mn->tok_end && t < c.n; t++)
			if (c.ment[t] == KH_NONE)
				c.ment[t] = k;
	}
	kh_attr_pair_quotes(&c);
	for (uint32_t s = 0; s < doc->sentences.n && s < 4; s++) {
		if (!is_headline(&c, s))
			continue;
		rc = frame_headline(&c, &doc->sentences.items[s]);
		if (rc < 0)
			return rc;
	}
	for (uint32_t i = 0; i < c.n; i++) {
		const struct kh_lex_entry *e = NULL;
		uint32_t m;

		if (c.tok[i].sentence != cur_sent) {
			cur_sent = c.tok[i].sentence;
			sentence_topic(&c, i);
			rc = quote_continuation(&c, i);
			if (rc < 0)
				return rc;
		}
		if (c.inq[i] || c.tok[i].kind != KH_TOK_WORD)
			continue;
		m = kh_attr_cue_at(&c, i, &e);
		if (m == 0)
			continue;
		switch (kh_attr_cue_class(e)) {
		case KH_CUE_ACCORDING:
			rc = frame_according(&c, i, m, e);
			break;
		case KH_CUE_NOUN:
			rc = frame_noun(&c, i, m, e);
			break;
		default:
			rc = frame_verb(&c, i, m, e);
			break;
		}
		if (rc < 0)
			return rc;
		i += m - 1;
	}
	fill_cataphora(&c);
	return 0;
}
