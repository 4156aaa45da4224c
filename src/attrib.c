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

#define QUOTE_DEPTH 8u
#define DEDUP_WINDOW 8u
#define MIN_MIXED_QUOTE 3u /* words a quoted part needs to make an indirect clause "mixed" */
#define HEADLINE_MAX_SOURCE 4u

/* ---- closed-class words ------------------------------------------------------------------ */

static const struct {
	const char *role;
	const char *words;
} closed_words[] = {
	{ KH_AW_COMP, "أنّ|إنّ|أنه|أنها|أنهم|أنهما|أنهن|أننا|أنني|أني|أنكم|أنك|إنه|إنها|إنهم|إننا|إنني" },
	{ KH_AW_STOP, "في|خلال|أمس|اليوم|مساء|صباح|ليل|ليلة|فجر|ظهر|عصر|لدى|عقب|بعد|قبل|قبيل|أثناء|"
		      "من|على|عن|إلى|مع|عبر|ضمن|حول|بشأن|وسط|أيضا|أيضاً|كذلك|مجددا|مجدداً|مؤخرا|"
		      "مؤخراً|حاليا|حالياً|الاثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد|الذي|"
		      "التي|الذين|اللذين|اللتين|وهو|وهي|هو|هي|ما|لا|لم|لن|قد|كان|كانت|أمام|حين|عند|"
		      "منذ|تجاه|إزاء|إثر|غدا|غداً|الآن|يوم|ليلا|ليلاً|نهارا|صباحا|مساءً|مساءا|"
		      "ذلك|هذا|هذه|إن|أن|بأن|بأنّ|أول|الأول|الماضي|المقبل|قوله|قولها|قولهم|وهو|وهي|"
		      "كانون|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين|يناير|فبراير|مارس|"
		      "أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر" },
	{ KH_AW_PREP, "في|من" },
	{ KH_AW_STARTER, "لكن|ولكن|لكنّ|كان|كانت|وكان|وكانت|أما|وأما|أمّا|فيما|بينما|حيث|قد|وقد|ثم|كما|"
			 "وكما|إلا|بل" },
	{ KH_AW_LINK, "كما|وكما|إلا|إلّا|الأمر" },
	{ KH_AW_PRONPREP, "به|بها|بهم|عنه|عنها|عنهم|له|لها|لهم" },
};

/* ---- loading ----------------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static char *dup_err(const char *msg)
{
	return strdup(msg);
}

static int load_pair(struct kh_lexicon *lx, struct kh_lexicon *known, const char *path, unsigned min_f,
		     unsigned max_f, bool optional, char **ret_err)
{
	char *err = NULL;
	int r = kh_lex_load(lx, path, min_f, max_f, &err);

	if (r == -ENOENT && optional) {
		free(err); /* a data directory without this stage's lexicons: the stage finds nothing */
		return 0;
	}
	if (r < 0) {
		*ret_err = err;
		return r;
	}
	if (known != NULL) {
		r = kh_lex_load(known, path, min_f, max_f, &err);
		if (r < 0) {
			*ret_err = err;
			return r;
		}
	}
	return 0;
}

int kh_attr_res_load(const char *data_dir, const char *const *extra, struct kh_lexicon *known,
		     struct kh_attr_res **ret_res, char **ret_err)
{
	struct kh_attr_res *r = calloc(1, sizeof(*r));
	char path[4096];
	char *err = NULL;
	int rc = -ENOMEM;

	if (r == NULL)
		goto fail;
	r->cues = kh_lex_new();
	r->sources = kh_lex_new();
	r->words = kh_lex_new();
	if (r->cues == NULL || r->sources == NULL || r->words == NULL)
		goto fail;
	for (size_t i = 0; i < sizeof(closed_words) / sizeof(closed_words[0]); i++) {
		const char *f[1] = { closed_words[i].role };

		rc = kh_lex_add(r->words, closed_words[i].words, f, 1, "attrib.c", (uint32_t)i);
		if (rc < 0)
			goto fail;
	}
	snprintf(path, sizeof(path), "%s/cues.tsv", data_dir != NULL ? data_dir : ".");
	rc = load_pair(r->cues, known, path, 4, 4, true, &err);
	if (rc < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/sources.tsv", data_dir != NULL ? data_dir : ".");
	rc = load_pair(r->sources, known, path, 3, 3, true, &err);
	if (rc < 0)
		goto fail;
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		const char *b = base_name(extra[i]);

		if (strncmp(b, "cues", 4) == 0)
			rc = load_pair(r->cues, known, extra[i], 4, 4, false, &err);
		else if (strncmp(b, "sources", 7) == 0)
			rc = load_pair(r->sources, known, extra[i], 3, 3, false, &err);
		else
			rc = 0;
		if (rc < 0)
			goto fail;
	}
	*ret_res = r;
	return 0;
fail:
	kh_attr_res_free(r);
	if (err == NULL && rc == -ENOMEM)
		err = dup_err("out of memory");
	if (ret_err != NULL)
		*ret_err = err;
	else
		free(err);
	return rc < 0 ? rc : -ENOMEM;
}

struct kh_attr_res *kh_attr_res_free(struct kh_attr_res *r)
{
	if (r == NULL)
		return NULL;
	kh_lex_free(r->cues);
	kh_lex_free(r->sources);
	kh_lex_free(r->words);
	free(r);
	return NULL;
}

size_t kh_attr_res_count(const struct kh_attr_res *r, const char *name)
{
	if (r == NULL || name == NULL)
		return 0;
	if (strcmp(name, "cues") == 0)
		return kh_lex_count(r->cues);
	if (strcmp(name, "sources") == 0)
		return kh_lex_count(r->sources);
	return 0;
}

/* ---- token helpers ----------------------------------------------------------------------- */

static const struct kh_token *T(const struct kh_attr_ctx *c, uint32_t i)
{
	return &c->tok[i];
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool kh_attr_punct_is(const struct kh_attr_ctx *c, uint32_t i, const char *s)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && strcmp(c->tok[i].key, s) == 0;
}

static bool is_comma(const struct kh_attr_ctx *c, uint32_t i)
{
	return kh_attr_punct_is(c, i, "،") || kh_attr_punct_is(c, i, ",");
}

static bool is_stop_punct(const struct kh_attr_ctx *c, uint32_t i)
{
	return kh_attr_punct_is(c, i, ".") || kh_attr_punct_is(c, i, "؛") || kh_attr_punct_is(c, i, ";") ||
	       kh_attr_punct_is(c, i, "!") || kh_attr_punct_is(c, i, "؟") || kh_attr_punct_is(c, i, "?");
}

static bool role_in_chain(const struct kh_lex_entry *e, const char *role)
{
	for (; e != NULL; e = e->next)
		if (e->n_fields > 0 && strcmp(e->fields[0], role) == 0)
			return true;
	return false;
}

/* The key without an unsplit و or ف (two bytes each) when the segmenter left it on. */
static const char *strip_conj(const struct kh_token *t)
{
	if (t->proclitics == 0 && strlen(t->key) > 4 && (starts_with(t->key, "و") || starts_with(t->key, "ف")))
		return t->key + 2;
	return NULL;
}

bool kh_attr_word_is(const struct kh_attr_ctx *c, uint32_t i, const char *role)
{
	const struct kh_token *t;
	const char *k;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return false;
	t = T(c, i);
	/* folding makes the name علي and the preposition على one key: the text tells them apart */
	if (strcmp(t->key, "علي") == 0 && t->end >= 2 && t->end <= c->doc->norm_len &&
	    memcmp(c->doc->norm + t->end - 2, "ي", 2) == 0)
		return false;
	if (role_in_chain(kh_lex_get(c->r->words, t->key), role))
		return true;
	/* the whole token too: a closed-class word is never a clitic split (وكانت) */
	if (t->full_key != NULL && t->full_key != t->key &&
	    role_in_chain(kh_lex_get(c->r->words, t->full_key), role))
		return true;
	k = strip_conj(t);
	return k != NULL && role_in_chain(kh_lex_get(c->r->words, k), role);
}

bool kh_attr_has_li(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return false;
	t = T(c, i);
	if ((t->proclitics & KH_PRO_LI) != 0 || strcmp(t->key, "ل") == 0)
		return true;
	return t->proclitics == 0 && strlen(t->key) > 4 && starts_with(t->key, "ل") &&
	       kh_lex_get(c->r->sources, t->key + 2) != NULL;
}

bool kh_attr_has_bi(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return false;
	t = T(c, i);
	if ((t->proclitics & KH_PRO_BI) != 0 || strcmp(t->key, "ب") == 0)
		return true;
	return t->proclitics == 0 && starts_with(t->key, "بال") && strlen(t->key) > 8;
}

bool kh_attr_is_comp(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return false;
	t = T(c, i);
	if ((t->proclitics & (KH_PRO_WA | KH_PRO_FA)) != 0)
		return false;
	if (role_in_chain(kh_lex_get(c->r->words, t->key), KH_AW_COMP))
		return true;
	/* بأنّ with the ب still on */
	return t->proclitics == 0 && starts_with(t->key, "ب") && strlen(t->key) > 2 &&
	       role_in_chain(kh_lex_get(c->r->words, t->key + 2), KH_AW_COMP);
}

bool kh_attr_definite(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && ((c->tok[i].flags & KH_TOKF_ARTICLE) != 0 || starts_with(c->tok[i].key, "ال"));
}

uint32_t kh_attr_sent_end(const struct kh_attr_ctx *c, uint32_t i)
{
	uint32_t s;

	if (i >= c->n)
		return c->n;
	s = c->tok[i].sentence;
	if (s >= c->doc->sentences.n)
		return c->n;
	return c->doc->sentences.items[s].tok_end <= c->n ? c->doc->sentences.items[s].tok_end : c->n;
}

uint32_t kh_attr_sent_first(const struct kh_attr_ctx *c, uint32_t i)
{
	uint32_t s;

	if (i >= c->n)
		return c->n;
	s = c->tok[i].sentence;
	if (s >= c->doc->sentences.n || c->doc->sentences.items[s].tok_first > i)
		return i;
	return c->doc->sentences.items[s].tok_first;
}

enum kh_attr_cue_class kh_attr_cue_class(const struct kh_lex_entry *e)
{
	static const char *const names[] = { "verb", "verb_tell", "passive", "participle",
					     "noun", "according", "source", "verb_imp" };
	const char *s = e != NULL && e->n_fields > 1 ? e->fields[1] : "";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum kh_attr_cue_class)i;
	return KH_CUE_VERB;
}

uint32_t kh_attr_cue_at(const struct kh_attr_ctx *c, uint32_t i, const struct kh_lex_entry **ret_e)
{
	const struct kh_lex_entry *e = NULL;
	const struct kh_token *t;
	const char *k;
	uint32_t m;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return 0;
	t = T(c, i);
	m = kh_lex_match(c->r->cues, c->doc, i, &e);
	if (m > 0) {
		/* فحسب "only" is no according-frame */
		if ((t->proclitics & KH_PRO_FA) != 0 && kh_attr_cue_class(e) == KH_CUE_ACCORDING)
			return 0;
		*ret_e = e;
		return m;
	}
	k = strip_conj(t);
	if (k != NULL) {
		e = kh_lex_get(c->r->cues, k);
		if (e != NULL && !(starts_with(t->key, "ف") && kh_attr_cue_class(e) == KH_CUE_ACCORDING)) {
			*ret_e = e;
			return 1;
		}
	}
	if ((t->flags & KH_TOKF_SUFFIX) != 0 && t->stem_key != NULL) {
		e = kh_lex_get(c->r->cues, t->stem_key);
		if (e != NULL && kh_attr_cue_class(e) != KH_CUE_ACCORDING) {
			*ret_e = e;
			return 1;
		}
	}
	return 0;
}

/* The cue token carries و or ف (split off or not). */
static bool has_conj(const struct kh_attr_ctx *c, uint32_t i, bool *ret_fa)
{
	const struct kh_token *t = T(c, i);

	*ret_fa = (t->proclitics & KH_PRO_FA) != 0;
	if ((t->proclitics & (KH_PRO_WA | KH_PRO_FA)) != 0)
		return true;
	if (strip_conj(t) != NULL && kh_lex_get(c->r->cues, t->key) == NULL) {
		*ret_fa = starts_with(t->key, "ف");
		return true;
	}
	return false;
}

static bool is_quote_open(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && c->mate[i] != KH_NONE && c->mate[i] > i;
}

static bool is_quote_close(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && c->mate[i] != KH_NONE && c->mate[i] < i;
}

/* ---- quotation marks --------------------------------------------------------------------- */

static int quote_type(const struct kh_token *t)
{
	if ((t->flags & KH_TOKF_QUOTE_OPEN) != 0)
		return 1;
	if ((t->flags & KH_TOKF_QUOTE_CLOSE) != 0)
		return -1;
	if (t->kind != KH_TOK_PUNCT)
		return 0;
	if (strcmp(t->key, "«") == 0 || strcmp(t->key, "“") == 0)
		return 1;
	if (strcmp(t->key, "»") == 0 || strcmp(t->key, "”") == 0)
		return -1;
	if (strcmp(t->key, "\"") == 0)
		return 2; /* straight quote: decided by position */
	return 0;
}

static void pair_quotes(struct kh_attr_ctx *c)
{
	uint32_t stack[QUOTE_DEPTH];
	uint32_t depth = 0;

	for (uint32_t i = 0; i < c->n; i++) {
		const struct kh_token *t = T(c, i);
		int q;

		if ((t->flags & KH_TOKF_LINE_START) != 0)
			depth = 0; /* a quotation left open ends with its paragraph: not a pair */
		q = quote_type(t);
		if (q == 0)
			continue;
		if (q == 2) {
			bool top_straight = depth > 0 && strcmp(T(c, stack[depth - 1])->key, "\"") == 0;

			q = top_straight ? -1 : 1;
		}
		if (q == 1) {
			if (depth < QUOTE_DEPTH)
				stack[depth++] = i;
			continue;
		}
		if (depth == 0)
			continue;
		depth--;
		c->mate[stack[depth]] = i;
		c->mate[i] = stack[depth];
	}
	/* inside marks: each token lies in at most QUOTE_DEPTH pairs */
	for (uint32_t i = 0; i < c->n; i++) {
		if (!is_quote_open(c, i))
			continue;
		for (uint32_t k = i + 1; k < c->mate[i]; k++)
			c->inq[k] = 1;
	}
}

/* ---- content spans ----------------------------------------------------------------------- */

static uint32_t tok_start(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t = T(c, i);

	/* spans leave out و ف ب ل; a token read with other proclitics keeps its start */
	if (t->kind != KH_TOK_WORD || t->core_start >= t->end ||
	    (t->proclitics & ~(KH_PRO_WA | KH_PRO_FA | KH_PRO_BI | KH_PRO_LI)) != 0)
		return t->start;
	return t->core_start;
}

/* Does a new frame start at token i (after a comma)? */
static bool frame_starts(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_lex_entry *e = NULL;

	if (i >= c->n)
		return false;
	if (kh_attr_cue_at(c, i, &e) > 0 && kh_attr_cue_class(e) != KH_CUE_NOUN)
		return true;
	return kh_attr_word_is(c, i, KH_AW_LINK);
}

static bool frame_starts(const struct kh_attr_ctx *c, uint32_t i);

/* A quotation closed at q1 ends the reported clause (nothing but punctuation follows). */
static bool quote_ends_clause(const struct kh_attr_ctx *c, uint32_t q1)
{
	uint32_t a = q1 + 1;

	if (a >= c->n || (T(c, a)->sentence != T(c, q1)->sentence && T(c, a)->kind != KH_TOK_PUNCT))
		return true;
	if ((T(c, a)->flags & KH_TOKF_LINE_START) != 0)
		return true;
	if (T(c, a)->kind == KH_TOK_WORD)
		return frame_starts(c, a);
	return !is_quote_open(c, a) && !kh_attr_punct_is(c, a, "(");
}

/* After a comma: a short subject and a reporting verb (، إلا أنّ الولايات المتحدة أكّدت ...). */
static bool verb_clause_follows(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_lex_entry *e = NULL;

	for (uint32_t t = i; t < c->n && t < i + 5; t++) {
		if (c->tok[t].kind != KH_TOK_WORD)
			return false;
		if (t > i && kh_attr_cue_at(c, t, &e) > 0) {
			enum kh_attr_cue_class k = kh_attr_cue_class(e);

			return k == KH_CUE_VERB || k == KH_CUE_VERB_TELL;
		}
	}
	return false;
}

/* Last token of the clause that starts at c0. */
static uint32_t clause_end(const struct kh_attr_ctx *c, uint32_t c0)
{
	uint32_t se = kh_attr_sent_end(c, c0);
	uint32_t last = c0, t = c0;

	for (uint32_t steps = 0; t < c->n && steps < KH_ATTR_MAX_CLAUSE; steps++) {
		if (t > c0 && (T(c, t)->flags & KH_TOKF_LINE_START) != 0)
			break;
		if (is_quote_open(c, t)) {
			uint32_t q = c->mate[t];
			uint32_t qe = kh_attr_sent_end(c, q);

			if (qe > se)
				se = qe;
			last = q;
			t = q + 1;
			continue;
		}
		if (t >= se)
			break;
		if (is_stop_punct(c, t))
			break;
		if (is_comma(c, t) && (frame_starts(c, t + 1) || verb_clause_follows(c, t + 1)))
			break;
		last = t;
		t++;
	}
	return last;
}

/* Trim trailing punctuation (and a closing quotation mark) from [c0, end]. */
static uint32_t trim_end(const struct kh_attr_ctx *c, uint32_t c0, uint32_t end)
{
	while (end > c0 && T(c, end)->kind == KH_TOK_PUNCT && !kh_attr_punct_is(c, end, ")"))
		end--;
	return end;
}

static bool has_long_quote(const struct kh_attr_ctx *c, uint32_t c0, uint32_t end)
{
	for (uint32_t t = c0; t <= end && t < c->n; t++) {
		if (!is_quote_open(c, t))
			continue;
		if (c->mate[t] - t - 1 >= MIN_MIXED_QUOTE)
			return true;
		t = c->mate[t];
	}
	return false;
}

struct content {
	uint8_t kind;
	struct kh_span span;
	uint32_t last; /* last token of the content */
};

static bool quote_content(const struct kh_attr_ctx *c, uint32_t q, struct content *ret)
{
	uint32_t q1 = c->mate[q];

	if (q1 == KH_NONE || q1 <= q + 1)
		return false;
	ret->kind = KH_ATTR_DIRECT;
	ret->span.start = T(c, q + 1)->start;
	ret->span.end = T(c, q1 - 1)->end;
	ret->last = q1;
	return ret->span.end > ret->span.start;
}

/* Content of a reported clause starting at c0 (after a complementizer, colon or preposition). */
static bool clause_content(const struct kh_attr_ctx *c, uint32_t c0, bool direct, struct content *ret)
{
	uint32_t end;

	if (c0 >= c->n)
		return false;
	if (is_quote_open(c, c0) && quote_ends_clause(c, c->mate[c0]))
		return quote_content(c, c0, ret);
	if (T(c, c0)->kind == KH_TOK_PUNCT && !is_quote_open(c, c0) && !kh_attr_punct_is(c, c0, "("))
		return false;
	end = trim_end(c, c0, clause_end(c, c0));
	if (end < c0 || (end == c0 && T(c, c0)->kind == KH_TOK_PUNCT))
		return false;
	ret->kind = direct ? KH_ATTR_DIRECT : has_long_quote(c, c0, end) ? KH_ATTR_MIXED : KH_ATTR_INDIRECT;
	ret->span.start = tok_start(c, c0);
	ret->span.end = T(c, end)->end;
	ret->last = end;
	return ret->span.end > ret->span.start;
}

/* ---- output ------------------------------------------------------------------------------ */

static int emit(struct kh_attr_ctx *c, const struct content *ct, const struct kh_attr_speaker *sp,
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
		a->cue.start = tok_start(c, cue_first);
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
		size_t kl = fold_small(s, n, key, sizeof(key));

		if (kl == pl && memcmp(key, p, pl) == 0)
			return true;
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
	if (preps[0] == '\0' || strcmp(preps, "-") == 0 || tk->kind != KH_TOK_WORD)
		return false;
	if (strcmp(tk->key, "ب") == 0)
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
		return !frame_starts(c, a);
	if (kh_attr_punct_is(c, a, ":") || kh_attr_punct_is(c, a, "(") || is_quote_open(c, a))
		return true;
	return is_comma(c, a) && q1 - q - 1 <= 2;
}

/* A folded word ending in ة (folded to ه): a feminine participle or noun. */
static bool feminine(const char *key)
{
	size_t n = strlen(key);

	return n >= 2 && strcmp(key + n - 2, "ه") == 0;
}

/* The verb opens its clause: with و / ف on it, or at most three words after the sentence
 * start or a punctuation mark (من جهتها حمّلت ...، وفي السياق دعت ...). */
static bool clause_initial(const struct kh_attr_ctx *c, uint32_t i)
{
	uint32_t sf = kh_attr_sent_first(c, i), k = i;
	bool fa;

	if (has_conj(c, i, &fa))
		return true;
	while (k > sf && i - k < 4 && c->tok[k - 1].kind == KH_TOK_WORD)
		k--;
	return i - k < 4;
}

/* «...»، قال X: the quotation right before the verb. */
static uint32_t quote_before(const struct kh_attr_ctx *c, uint32_t i)
{
	uint32_t k = i;

	if (k > 0 && is_comma(c, k - 1))
		k--;
	if (k > 0 && is_quote_close(c, k - 1))
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
	struct content ct = { 0 };
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
				mode = is_quote_open(c, t + 1) ? M_QUOTE : M_COLON;
				q = t + 1;
				cstart = t + 1;
				break;
			}
			if (is_quote_open(c, t)) {
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
			if (is_comma(c, t)) {
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
			if (!attached && is_quote_open(c, nx)) {
				mode = M_QUOTE;
				q = nx;
				break;
			}
			if (strcmp(nominal, "yes") == 0 && skipped == 0 && nx < lim) {
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
		    t > 0 && is_comma(c, t - 1)) {
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
		if (frame_starts(c, t) && !kh_attr_word_is(c, t, KH_AW_LINK))
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
		if (!clause_content(c, cstart, false, &ct))
			return 0;
		break;
	case M_COLON:
		if (!clause_content(c, cstart, true, &ct))
			return 0;
		break;
	case M_QUOTE:
		if (!quote_content(c, q, &ct))
			return 0;
		/* «جريمة حرب» جديدة: a quotation the clause runs on after is a mixed clause */
		if (!quote_ends_clause(c, c->mate[q]) && !clause_content(c, q, false, &ct))
			return 0;
		break;
	case M_NOMINAL:
		if (!clause_content(c, cstart, false, &ct))
			return 0;
		break;
	default:
		if (cls != KH_CUE_VERB && cls != KH_CUE_VERB_TELL)
			return 0;
		q = quote_before(c, i);
		if (q == KH_NONE || !quote_content(c, q, &ct))
			return 0;
		break;
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
			   (!has_conj(c, i, &fa) || fa) && kh_attr_subject_before(c, i, &sp)) {
			written = true;
			subj = sp;
		} else if (cls == KH_CUE_PARTICIPLE && c->alt.valid && c->alt_sentence == T(c, i)->sentence &&
			   feminine(T(c, i)->key) && c->alt_fem) {
			/* ونقلت الشبكة عن مصادر أنّ ...، لافتةً: the participle agrees with الشبكة */
			sp = c->alt;
			written = false;
		} else if (cls != KH_CUE_PASSIVE && c->focus.valid) {
			sp = c->focus;
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

	if (j < se && (strcmp(T(c, j)->key, "ل") == 0 || strcmp(T(c, j)->key, "عن") == 0 ||
		       strcmp(T(c, j)->key, "الي") == 0))
		j++;
	if (j < se && (strcmp(T(c, j)->key, "ما") == 0 || strcmp(T(c, j)->key, "لما") == 0))
		j += 2;
	else if (j > i && strcmp(T(c, j - 1)->key, "حسبما") == 0)
		j += 1;
	if (j < se && j > i + m && kh_attr_word_is(c, j, KH_AW_PRONPREP))
		j++;
	return j < se ? j : se;
}

/* بيان صادر عن الجيش: the issuer after صادر عن; @return its first token or KH_NONE. */
static uint32_t issued_by(const struct kh_attr_ctx *c, uint32_t np_end, uint32_t se)
{
	const char *k;

	if (np_end == 0 || np_end + 1 >= se || strcmp(T(c, np_end)->key, "عن") != 0)
		return KH_NONE;
	k = T(c, np_end - 1)->key;
	if (strcmp(k, "صادر") == 0 || strcmp(k, "الصادر") == 0 || strcmp(k, "صادره") == 0 ||
	    strcmp(k, "الصادره") == 0)
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
	struct content ct = { 0 };
	bool written = false, found = false;
	const char *v;

	if (i < 2 || strcmp(T(c, i - 1)->key, "في") != 0 || T(c, i - 2)->kind != KH_TOK_WORD)
		return 0;
	v = T(c, i - 2)->key;
	if (strcmp(v, "جاء") != 0 && strcmp(v, "ورد") != 0 && strcmp(T(c, i - 2)->full_key, "وجاء") != 0 &&
	    strcmp(T(c, i - 2)->full_key, "وورد") != 0)
		return 0;
	lim = j + 16 < se ? j + 16 : se;
	for (t = j; t < lim; t++) {
		if (!sp.valid && (kh_attr_has_li(c, t) || strcmp(T(c, t)->key, "عن") == 0)) {
			uint32_t s0 = strcmp(T(c, t)->key, "عن") == 0 ? t + 1 : t;

			kh_attr_np_parse(c, s0, lim, 0, &np);
			if (np.end > np.first) {
				kh_attr_np_resolve(c, &np, i, &sp);
				written = sp.valid;
				t = np.end - 1;
				continue;
			}
		}
		if (kh_attr_is_comp(c, t)) {
			found = clause_content(c, t + 1, false, &ct);
			break;
		}
		if (kh_attr_punct_is(c, t, ":")) {
			found = clause_content(c, t + 1, true, &ct);
			break;
		}
		if (is_quote_open(c, t) && !name_quote(c, t)) {
			found = quote_content(c, t, &ct);
			break;
		}
		if (is_stop_punct(c, t) || frame_starts(c, t))
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
	struct content ct = { 0 };
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
		if (c0 < se && is_comma(c, c0))
			c0++;
		if (c0 < se && T(c, c0)->kind == KH_TOK_WORD &&
		    (starts_with(T(c, c0)->key, "فان") || strcmp(T(c, c0)->key, "ان") == 0) &&
		    strlen(T(c, c0)->key) <= 10)
			c0++;
		if (c0 >= se || !clause_content(c, c0, false, &ct))
			return 0;
	} else if (i > sf && (kh_attr_punct_is(c, i - 1, "-") || kh_attr_punct_is(c, i - 1, "("))) {
		/* a parenthesis inside the clause: the clause between commas around it */
		uint32_t a = i - 1, b = np.end;

		while (a > sf && !is_comma(c, a - 1) && i - a < KH_ATTR_MAX_CLAUSE)
			a--;
		if (b < se && (kh_attr_punct_is(c, b, "-") || kh_attr_punct_is(c, b, ")")))
			b++;
		c1 = b - 1; /* the last token of the parenthesis; b > i here */
		while (c1 + 1 < se && !is_comma(c, c1 + 1) && !is_stop_punct(c, c1 + 1) &&
		       c1 + 1 - b < KH_ATTR_MAX_CLAUSE) {
			if (is_quote_open(c, c1 + 1) && c->mate[c1 + 1] < se) {
				c1 = c->mate[c1 + 1];
				continue;
			}
			c1++;
		}
		c1 = trim_end(c, a, c1);
		if (c1 <= a)
			return 0;
		ct.kind = has_long_quote(c, a, c1) ? KH_ATTR_MIXED : KH_ATTR_INDIRECT;
		ct.span.start = tok_start(c, a);
		ct.span.end = T(c, c1)->end;
	} else if (i > sf && is_comma(c, i - 1) &&
		   (kh_attr_is_comp(c, np.end) || (is_comma(c, np.end) && kh_attr_is_comp(c, np.end + 1)))) {
		return 0; /* ذكرت الصحيفة، نقلاً عن مسؤولين، أنّ ...: part of the verb's frame */
	} else if (i > sf && is_comma(c, i - 1)) {
		/* after the content: the clause before it in the same sentence */
		uint32_t q = quote_before(c, i);

		if (q != KH_NONE && q >= sf) {
			if (!quote_content(c, q, &ct))
				return 0;
		} else {
			c1 = trim_end(c, sf, i - 1);
			c0 = sf;
			while (c0 < c1 && T(c, c0)->kind == KH_TOK_PUNCT && !is_quote_open(c, c0))
				c0++;
			if (c1 <= c0)
				return 0;
			ct.kind = has_long_quote(c, c0, c1) ? KH_ATTR_MIXED : KH_ATTR_INDIRECT;
			ct.span.start = tok_start(c, c0);
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
	struct content ct = { 0 };
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
	end = trim_end(c, colon + 1, s->tok_end - 1);
	/* بوغدانوف: ... وأنصاري يتحدّث عن ...: a second speaker's clause ends the first */
	for (uint32_t t = colon + 2; t < end; t++) {
		bool fa;

		if (has_conj(c, t, &fa) && verb_clause_follows(c, t)) {
			end = trim_end(c, colon + 1, t - 1);
			break;
		}
	}
	if (end <= colon + 1)
		return 0;
	np.first = s->tok_first;
	np.end = colon;
	np.medium.start = np.medium.end = 0;
	np.medium_entity = KH_NONE;
	kh_attr_np_resolve(c, &np, colon, &sp);
	ct.kind = KH_ATTR_SUMMARY;
	ct.span.start = tok_start(c, colon + 1);
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
	return !is_stop_punct(c, last) &&
	       (s->tok_end == c->n || (T(c, s->tok_end)->flags & KH_TOKF_LINE_START) != 0);
}

/* A sentence that opens with a verb and a person (والتقى لافروف ...) puts that person in focus. */
static void sentence_topic(struct kh_attr_ctx *c, uint32_t first)
{
	uint32_t mi;
	const struct kh_mention *m;
	struct kh_attr_speaker sp;

	if (first + 1 >= c->n || T(c, first)->kind != KH_TOK_WORD)
		return;
	mi = c->ment[first + 1];
	if (mi == KH_NONE || c->ment[first] != KH_NONE)
		return;
	m = &c->doc->mentions.items[mi];
	if (m->tok_first != first + 1 || m->entity >= c->doc->entities.n ||
	    c->doc->entities.items[m->entity].type != KH_ENT_PERSON)
		return;
	memset(&sp, 0, sizeof(sp));
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
	struct content ct = { 0 };

	if (!is_quote_open(c, first) || c->doc->attributions.n == 0 || !c->focus.valid)
		return 0;
	q1 = c->mate[first];
	if (q1 - first - 1 < 4 || (q1 + 1 < c->n && q1 + 1 < se && !is_stop_punct(c, q1 + 1)))
		return 0;
	prev = &c->doc->attributions.items[c->doc->attributions.n - 1];
	if (prev->kind != KH_ATTR_DIRECT || prev->content.end > T(c, first)->start ||
	    T(c, first)->sentence == 0)
		return 0;
	/* the statement before ends in the previous sentence */
	if (c->doc->sentences.items[T(c, first)->sentence - 1].start > prev->content.end)
		return 0;
	if (!quote_content(c, first, &ct))
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
	c.mate = kh_arena_alloc(&doc->arena, (size_t)c.n * sizeof(uint32_t));
	c.ment = kh_arena_alloc(&doc->arena, (size_t)c.n * sizeof(uint32_t));
	c.inq = kh_arena_alloc(&doc->arena, (size_t)c.n);
	if (c.mate == NULL || c.ment == NULL || c.inq == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < c.n; i++)
		c.mate[i] = c.ment[i] = KH_NONE;
	for (uint32_t k = 0; k < doc->mentions.n; k++) {
		const struct kh_mention *mn = &doc->mentions.items[k];

		if (mn->entity >= doc->entities.n)
			continue;
		for (uint32_t t = mn->tok_first; t < mn->tok_end && t < c.n; t++)
			if (c.ment[t] == KH_NONE)
				c.ment[t] = k;
	}
	pair_quotes(&c);
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
