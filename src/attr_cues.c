/* SPDX-License-Identifier: MIT */
/* The attribution stage, part 1: its lexicons (data/cues.tsv, data/sources.tsv and the
 * closed-class words below) and the token tests every frame is built from: cues,
 * complementizers, proclitics, punctuation, sentence bounds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"
#include "attrib.h"
#include "doc.h"
#include "lexicon.h"

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
	kh_kf_add_lexicon(&r->words_filter, r->words);
	kh_kf_add_lexicon(&r->cues_filter, r->cues);
	kh_kf_add_lexicon(&r->sources_filter, r->sources);
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
	if (KH_ATTR_EQ(name, "cues"))
		return kh_lex_count(r->cues);
	if (KH_ATTR_EQ(name, "sources"))
		return kh_lex_count(r->sources);
	return 0;
}

/* ---- token helpers ----------------------------------------------------------------------- */

static const struct kh_token *T(const struct kh_attr_ctx *c, uint32_t i)
{
	return &c->tok[i];
}

bool kh_attr_punct_is(const struct kh_attr_ctx *c, uint32_t i, const char *s)
{
	return i < c->n && c->tok[i].kind == KH_TOK_PUNCT && strcmp(c->tok[i].key, s) == 0;
}

bool kh_attr_comma_key(const char *k)
{
	return KH_ATTR_EQ(k, "،") || KH_ATTR_EQ(k, ",");
}

bool kh_attr_stop_punct_key(const char *k)
{
	return KH_ATTR_EQ(k, ".") || KH_ATTR_EQ(k, "؛") || KH_ATTR_EQ(k, ";") || KH_ATTR_EQ(k, "!") ||
	       KH_ATTR_EQ(k, "؟") || KH_ATTR_EQ(k, "?");
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
	const unsigned char *u = (const unsigned char *)t->key;
	uint32_t len = kh_tok_key_len(t);
	unsigned u1 = u[len > 1]; /* byte 1, or byte 0 of a shorter key: never past its NUL */
	bool conj;

	/* و (D9 88) or ف (D9 81) after no proclitic, in a key of more than four bytes, tested as
	 * one expression: each test is data (half the words start with D9, a third are short
	 * function words), and tested one by one they mispredicted on most words */
	conj = (t->proclitics == 0) & (len > 4) & (u[0] == 0xD9u) & ((u1 == 0x88u) | (u1 == 0x81u));
	return conj ? t->key + 2 : NULL;
}

/* The same order as kh_attr_role_index (attr_internal.h): bit r of word_roles is role r. */
static const char *const role_names[] = { KH_AW_COMP, KH_AW_STOP, KH_AW_PREP, KH_AW_STARTER, KH_AW_LINK,
					   KH_AW_PRONPREP };

/* Index in role_names of a role field, or -1: one string compare, chosen by two letters. */
static int role_index(const char *f)
{
	int r;

	switch (f[0]) {
	case 'c':
		r = 0;
		break;
	case 's':
		r = f[1] == 't' && f[2] == 'o' ? 1 : 3;
		break;
	case 'p':
		r = f[1] == 'r' && f[2] == 'e' ? 2 : 5;
		break;
	case 'l':
		r = 4;
		break;
	default:
		return -1;
	}
	return strcmp(f, role_names[r]) == 0 ? r : -1;
}

static uint16_t chain_roles(const struct kh_lex_entry *e)
{
	uint16_t m = 0;

	for (; e != NULL; e = e->next) {
		int r = e->n_fields > 0 ? role_index(e->fields[0]) : -1;

		if (r >= 0)
			m |= (uint16_t)(1u << r);
	}
	return m;
}

/* Bit of word_roles: the chain of the token key itself holds KH_AW_COMP (kh_attr_is_comp
 * asks exactly that, and word_roles has the chain in hand). */
#define ROLE_KEY_COMP (1u << 6)

/* Roles of word token i, computed once per token (bit 15 marks "computed"). */
static uint16_t word_roles(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t = T(c, i);
	uint16_t m = 0;
	const char *k;

	if (c->roles != NULL && (c->roles[i] & 0x8000u) != 0)
		return c->roles[i] & 0x7FFFu;
	/* folding makes the name علي and the preposition على one key: the text tells them apart */
	if (!(t->key[0] == "علي"[0] && t->key[1] == "علي"[1] && KH_ATTR_EQ(t->key, "علي") && t->end >= 2 && t->end <= c->doc->norm_len &&
	      memcmp(c->doc->norm + t->end - 2, "ي", 2) == 0)) {
		m |= chain_roles(kh_attr_lex_get_n(c->r->words, &c->r->words_filter, t->key, kh_tok_key_len(t)));
		if ((m & 1u) != 0)
			m |= ROLE_KEY_COMP;
		/* the whole token too: a closed-class word is never a clitic split (وكانت) */
		if (t->full_key != NULL && t->full_key != t->key)
			m |= chain_roles(kh_attr_lex_get_n(c->r->words, &c->r->words_filter, t->full_key,
							     kh_tok_full_len(t)));
		k = strip_conj(t);
		if (k != NULL)
			m |= chain_roles(kh_attr_lex_get_n(c->r->words, &c->r->words_filter, k, kh_tok_key_len(t) - 2));
	}
	if (c->roles != NULL)
		c->roles[i] = (uint16_t)(m | 0x8000u);
	return m;
}

uint16_t kh_attr_word_roles(const struct kh_attr_ctx *c, uint32_t i)
{
	return word_roles(c, i);
}

bool kh_attr_has_li(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return false;
	t = T(c, i);
	if ((t->proclitics & KH_PRO_LI) != 0 || KH_ATTR_EQ(t->key, "ل"))
		return true;
	return t->proclitics == 0 && kh_tok_key_len(t) > 4 && KH_ATTR_STARTS(t->key, "ل") &&
	       kh_attr_lex_get_n(c->r->sources, &c->r->sources_filter, t->key + 2, kh_tok_key_len(t) - 2) != NULL;
}

bool kh_attr_has_bi(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return false;
	t = T(c, i);
	if ((t->proclitics & KH_PRO_BI) != 0 || KH_ATTR_EQ(t->key, "ب"))
		return true;
	return t->proclitics == 0 && KH_ATTR_STARTS(t->key, "بال") && kh_tok_key_len(t) > 8;
}

bool kh_attr_is_comp(const struct kh_attr_ctx *c, uint32_t i)
{
	const struct kh_token *t;

	if (i >= c->n || c->tok[i].kind != KH_TOK_WORD)
		return false;
	t = T(c, i);
	if ((t->proclitics & (KH_PRO_WA | KH_PRO_FA)) != 0)
		return false;
	if ((word_roles(c, i) & ROLE_KEY_COMP) != 0)
		return true;
	/* بأنّ with the ب still on */
	return t->proclitics == 0 && KH_ATTR_STARTS(t->key, "ب") && kh_tok_key_len(t) > 2 &&
	       role_in_chain(kh_attr_lex_get_n(c->r->words, &c->r->words_filter, t->key + 2, kh_tok_key_len(t) - 2),
			     KH_AW_COMP);
}

bool kh_attr_definite(const struct kh_attr_ctx *c, uint32_t i)
{
	return i < c->n && ((c->tok[i].flags & KH_TOKF_ARTICLE) != 0 || KH_ATTR_STARTS(c->tok[i].key, "ال"));
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
	const char *s = e != NULL && e->n_fields > 1 ? e->fields[1] : "";

	/* by the first letter, then one or two compares (frames ask this of every cue they
	 * meet); a name not listed reads as a verb */
	switch (s[0]) {
	case 'v':
		if (KH_ATTR_EQ(s, "verb_tell"))
			return KH_CUE_VERB_TELL;
		if (KH_ATTR_EQ(s, "verb_imp"))
			return KH_CUE_VERB_IMPERSONAL;
		return KH_CUE_VERB;
	case 'p':
		if (KH_ATTR_EQ(s, "passive"))
			return KH_CUE_PASSIVE;
		return KH_ATTR_EQ(s, "participle") ? KH_CUE_PARTICIPLE : KH_CUE_VERB;
	case 'n':
		return KH_ATTR_EQ(s, "noun") ? KH_CUE_NOUN : KH_CUE_VERB;
	case 'a':
		return KH_ATTR_EQ(s, "according") ? KH_CUE_ACCORDING : KH_CUE_VERB;
	case 's':
		return KH_ATTR_EQ(s, "source") ? KH_CUE_SOURCE : KH_CUE_VERB;
	default:
		return KH_CUE_VERB;
	}
}

static uint32_t cue_lookup(const struct kh_attr_ctx *c, uint32_t i, const struct kh_lex_entry **ret_e);

uint32_t kh_attr_cue_find(const struct kh_attr_ctx *c, uint32_t i, const struct kh_lex_entry **ret_e)
{
	const struct kh_lex_entry *e = NULL;
	uint32_t m;

	/* computed once per token (kh_attr_cue_at reads the cache) */
	m = cue_lookup(c, i, &e);
	if (c->cue_len != NULL) {
		c->cue_len[i] = (uint8_t)(m < 0xFF ? m : 0);
		c->cue_ent[i] = e;
		if (m >= 0xFF)
			return 0;
	}
	if (m > 0)
		*ret_e = e;
	return m;
}

static uint32_t cue_lookup(const struct kh_attr_ctx *c, uint32_t i, const struct kh_lex_entry **ret_e)
{
	const struct kh_lex_entry *e = NULL;
	const struct kh_token *t = T(c, i);
	const char *k;
	uint32_t m;

	/* kh_lex_match starts with the token key: no cue begins with a key the filter lacks */
	m = kh_kf_has(&c->r->cues_filter, t->key, kh_tok_key_len(t)) ? kh_lex_match(c->r->cues, c->doc, i, &e) : 0;
	if (m > 0) {
		/* فحسب "only" is no according-frame */
		if ((t->proclitics & KH_PRO_FA) != 0 && kh_attr_cue_class(e) == KH_CUE_ACCORDING)
			return 0;
		*ret_e = e;
		return m;
	}
	k = strip_conj(t);
	if (k != NULL) {
		e = kh_attr_lex_get_n(c->r->cues, &c->r->cues_filter, k, kh_tok_key_len(t) - 2);
		if (e != NULL && !(KH_ATTR_STARTS(t->key, "ف") && kh_attr_cue_class(e) == KH_CUE_ACCORDING)) {
			*ret_e = e;
			return 1;
		}
	}
	if ((t->flags & KH_TOKF_SUFFIX) != 0 && t->stem_key != NULL) {
		e = kh_attr_lex_get_n(c->r->cues, &c->r->cues_filter, t->stem_key, kh_tok_stem_len(t));
		if (e != NULL && kh_attr_cue_class(e) != KH_CUE_ACCORDING) {
			*ret_e = e;
			return 1;
		}
	}
	return 0;
}

/* The cue token carries و or ف (split off or not). */
bool kh_attr_has_conj(const struct kh_attr_ctx *c, uint32_t i, bool *ret_fa)
{
	const struct kh_token *t = T(c, i);

	*ret_fa = (t->proclitics & KH_PRO_FA) != 0;
	if ((t->proclitics & (KH_PRO_WA | KH_PRO_FA)) != 0)
		return true;
	if (strip_conj(t) != NULL &&
	    kh_attr_lex_get_n(c->r->cues, &c->r->cues_filter, t->key, kh_tok_key_len(t)) == NULL) {
		*ret_fa = KH_ATTR_STARTS(t->key, "ف");
		return true;
	}
	return false;
}


