/* SPDX-License-Identifier: MIT */
/* The entity stage's lexicons: gazetteer files (with generated NORP inflections),
 * given and family names, titles, head nouns, stop words and user lexicons.
 * Loading is side-effect free apart from the words it adds to the shared `known`
 * lexicon, so a reload can build a whole new pipeline next to the old one. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "ent_internal.h"
#include "ent_match.h"
#include "normalize.h"
#include "entities.h"
#include "lexicon.h"

#define ENT_MAX_LINE (64u * 1024u)
#define ENT_MAX_FILES 4096u
#define ENT_NORP_BUF 4096u

static const char YA[] = "\xd9\x8a";         /* ي */
static const char ALIF_MAQSURA[] = "\xd9\x89"; /* ى */
static const char ARTICLE[] = "\xd8\xa7\xd9\x84"; /* ال */

/* Endings added to a nisba adjective ending in ي: f.sg, accusative tanwin (written
 * with alif), m.pl nom/obl, dual m nom, dual f nom/obl, f.pl. */
static const char *const NORP_ENDINGS[] = {
	"\xd8\xa9",                 /* ة */
	"\xd8\xa7",                 /* ا  (فلسطينيًا) */
	"\xd9\x88\xd9\x86",         /* ون */
	"\xd9\x8a\xd9\x86",         /* ين */
	"\xd8\xa7\xd9\x86",         /* ان */
	"\xd8\xaa\xd8\xa7\xd9\x86", /* تان */
	"\xd8\xaa\xd9\x8a\xd9\x86", /* تين */
	"\xd8\xa7\xd8\xaa",         /* ات */
};

static int append(char *out, size_t cap, size_t *len, const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	size_t need = (*len > 0 ? 1 : 0) + alen + blen;

	if (*len + need + 1 > cap)
		return -1;
	if (*len > 0)
		out[(*len)++] = '|';
	memcpy(out + *len, a, alen);
	*len += alen;
	memcpy(out + *len, b, blen);
	*len += blen;
	out[*len] = '\0';
	return 0;
}

size_t kh_ent_norp_forms(const char *word, char *out, size_t cap)
{
	size_t wl = strlen(word);
	size_t len = 0;
	bool has_article = wl >= 4 && memcmp(word, ARTICLE, 4) == 0;
	char art[512];

	if (cap == 0)
		return 0;
	out[0] = '\0';
	if (wl < 4 || wl + 16 > sizeof(art) || strchr(word, ' ') != NULL)
		return 0;
	if (memcmp(word + wl - 2, YA, 2) != 0 && memcmp(word + wl - 2, ALIF_MAQSURA, 2) != 0)
		return 0;
	for (size_t e = 0; e < sizeof(NORP_ENDINGS) / sizeof(NORP_ENDINGS[0]); e++)
		if (append(out, cap, &len, word, wl, NORP_ENDINGS[e]) < 0)
			return 0;
	if (!has_article) {
		memcpy(art, ARTICLE, 4);
		memcpy(art + 4, word, wl);
		if (append(out, cap, &len, art, wl + 4, "") < 0)
			return 0;
		for (size_t e = 0; e < sizeof(NORP_ENDINGS) / sizeof(NORP_ENDINGS[0]); e++) {
			if (e == 1)
				continue; /* no tanwin with the article */
			if (append(out, cap, &len, art, wl + 4, NORP_ENDINGS[e]) < 0)
				return 0;
		}
	}
	return len;
}

/* ---- line scanning ----------------------------------------------------------------------- */

static int add_first_words(struct kh_ent_res *r, const char *variants, uint32_t bit);

typedef int (*line_fn)(struct kh_ent_res *r, char **cols, unsigned n, const char *file,
		       unsigned line, char **ret_err);

struct scan_state {
	struct kh_ent_res *r;
	const char *file;
	line_fn fn;
	char **ret_err;
};

static int scan_each(char *line, size_t len, unsigned lineno, void *ud)
{
	struct scan_state *st = ud;
	char *cols[KH_LEX_MAX_FIELDS + 2];
	unsigned n;
	int rc;

	if (len == 0 || line[0] == '#')
		return 0;
	n = kh_lex_split_tabs(line, cols, KH_LEX_MAX_FIELDS + 2);
	rc = st->r->cur_bit != 0 ? add_first_words(st->r, cols[0], st->r->cur_bit) : 0;
	if (rc == 0)
		rc = st->fn(st->r, cols, n, st->file, lineno, st->ret_err);
	return rc;
}

/* Calls fn for every non-comment line, split on tabs (the file was validated by kh_lex_load). */
static int scan_lines(struct kh_ent_res *r, const char *path, const char *file, line_fn fn,
		      char **ret_err)
{
	struct scan_state st = { .r = r, .file = file, .fn = fn, .ret_err = ret_err };

	return kh_lex_each_line(path, 0, scan_each, &st, ret_err);
}

/* Record every variant in the phrase table under bit (its first word, its word prefixes,
 * the whole key), so that matching asks the lexicon only about keys it holds. */
static int add_first_words(struct kh_ent_res *r, const char *variants, uint32_t bit)
{
	for (const char *v = variants; v != NULL && *v != '\0';) {
		const char *bar = strchr(v, '|');
		size_t n = bar != NULL ? (size_t)(bar - v) : strlen(v);
		char *key = kh_norm_key(v, n);
		int rc;

		if (key == NULL)
			return -ENOMEM;
		rc = kh_ent_phrase_add(r->first, key, bit);
		free(key);
		if (rc < 0)
			return rc;
		v = bar != NULL ? bar + 1 : NULL;
	}
	return 0;
}

/* Add every word of every variant to `known`, one entry per word. */
static int add_known_words(struct kh_ent_res *r, const char *variants, const char *file,
			   unsigned line, bool name, bool person)
{
	char buf[1024];
	size_t n = 0;

	for (const char *p = variants;; p++) {
		bool sep = *p == '\0' || *p == '|' || *p == ' ';

		if (!sep) {
			if (n + 1 >= sizeof(buf))
				return 0; /* absurdly long: nothing to learn from it */
			buf[n++] = *p;
		} else if (n > 0) {
			buf[n] = '\0';
			/* a word that normalizes to nothing is skipped, not an error here */
			if (r->known != NULL &&
			    kh_lex_add((struct kh_lexicon *)r->known, buf, NULL, 0, file, line) == -ENOMEM)
				return -ENOMEM;
			if (person && kh_lex_add(r->personwords, buf, NULL, 0, file, line) == -ENOMEM)
				return -ENOMEM;
			n = 0;
		}
		if (*p == '\0')
			break;
	}
	return 0;
}

static int known_line(struct kh_ent_res *r, char **cols, unsigned n, const char *file,
		      unsigned line, char **ret_err)
{
	(void)n;
	(void)ret_err;
	return add_known_words(r, cols[0], file, line, false, false);
}

static int name_line(struct kh_ent_res *r, char **cols, unsigned n, const char *file,
		     unsigned line, char **ret_err)
{
	(void)n;
	(void)ret_err;
	return add_known_words(r, cols[0], file, line, true, true);
}

static bool valid_country(const char *c)
{
	return c[0] == '\0' ||
	       (strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z');
}

/* Validate TYPE and country, generate NORP inflections, learn the words. */
static int gaz_line(struct kh_ent_res *r, char **cols, unsigned n, const char *file,
		    unsigned line, char **ret_err)
{
	const char *fields[KH_GAZ__N];
	int type = n > 1 ? kh_ent_type_parse(cols[1]) : -1;
	char forms[ENT_NORP_BUF];
	int rc;

	if (type < 0 || type > KH_ENT_LOC) {
		*ret_err = kh_lex_errorf(file, line, "TYPE must be one of PERSON NORP FAC ORG GPE LOC");
		return -EINVAL;
	}
	if (n > 4 && !valid_country(cols[4])) {
		*ret_err = kh_lex_errorf(file, line, "country must be an ISO 3166 alpha-2 code or empty");
		return -EINVAL;
	}
	if (n > 2 && cols[2][0] == '\0') {
		*ret_err = kh_lex_errorf(file, line, "canonical name is empty");
		return -EINVAL;
	}
	r->n_gaz++;
	rc = add_known_words(r, cols[0], file, line, type != KH_ENT_NORP, type == KH_ENT_PERSON);
	if (rc < 0 || type != KH_ENT_NORP)
		return rc;
	for (unsigned i = 0; i < KH_GAZ__N; i++)
		fields[i] = i + 1 < n ? cols[i + 1] : "";
	fields[KH_GAZ_GENERATED] = "1";
	for (char *v = cols[0]; v != NULL;) {
		char *bar = strchr(v, '|');
		size_t len;

		if (bar != NULL)
			*bar = '\0';
		len = kh_ent_norp_forms(v, forms, sizeof(forms));
		if (len > 0) {
			rc = kh_lex_add(r->gaz, forms, fields, KH_GAZ__N, file, line);
			if (rc == -ENOMEM)
				return rc;
			if (rc < 0) {
				*ret_err = kh_lex_errorf(file, line, "a generated NORP form is empty");
				return rc;
			}
			r->n_norp_forms++;
			rc = add_first_words(r, forms, KH_LB_GAZ);
			if (rc < 0)
				return rc;
			rc = add_known_words(r, forms, file, line, false, false);
			if (rc < 0)
				return rc;
		}
		v = bar != NULL ? bar + 1 : NULL;
	}
	return 0;
}

static int head_line(struct kh_ent_res *r, char **cols, unsigned n, const char *file,
		     unsigned line, char **ret_err)
{
	static const char *const classes[] = { "org_head", "place_head", "place_list", "fac_head" };
	bool ok = false;
	int type = n > 2 ? kh_ent_type_parse(cols[2]) : -1;

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		ok = ok || strcmp(cols[1], classes[i]) == 0;
	if (!ok) {
		*ret_err = kh_lex_errorf(file, line, "class must be org_head, place_head, place_list or fac_head");
		return -EINVAL;
	}
	if (type < 0 || type > KH_ENT_LOC) {
		*ret_err = kh_lex_errorf(file, line, "TYPE must be one of PERSON NORP FAC ORG GPE LOC");
		return -EINVAL;
	}
	if (n > 3 && strcmp(cols[3], "0") != 0 && strcmp(cols[3], "1") != 0) {
		*ret_err = kh_lex_errorf(file, line, "keep must be 0 or 1");
		return -EINVAL;
	}
	return add_known_words(r, cols[0], file, line, false, false);
}

static const char *intern(struct kh_ent_res *r, const char *s)
{
	return kh_arena_strndup(&r->arena, s, strlen(s));
}

/* Load one file into lx (columns checked by kh_lex_load), then run fn over its lines. */
static int load_file(struct kh_ent_res *r, struct kh_lexicon *lx, const char *path,
		     unsigned min_fields, unsigned max_fields, bool optional, line_fn fn,
		     size_t *ret_count, char **ret_err)
{
	char *err = NULL;
	const char *file;
	int n = kh_lex_load(lx, path, min_fields, max_fields, &err);

	if (n == -ENOENT && optional) {
		free(err);
		return 0;
	}
	if (n < 0) {
		*ret_err = err;
		return n;
	}
	free(err);
	file = intern(r, path);
	if (file == NULL)
		return -ENOMEM;
	if (ret_count != NULL && fn != gaz_line)
		*ret_count += (size_t)n;
	r->cur_bit = lx == r->gaz ? KH_LB_GAZ : lx == r->given ? KH_LB_GIVEN
		     : lx == r->family ? KH_LB_FAMILY : lx == r->titles ? KH_LB_TITLES
		     : lx == r->heads ? KH_LB_HEADS : lx == r->stop ? KH_LB_STOP : 0;
	return fn != NULL ? scan_lines(r, path, file, fn, ret_err) : 0;
}

/* dir/name into buf; -ENAMETOOLONG when it does not fit. */
static int join_path(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Every *.tsv in dir, sorted; a missing folder holds no files. */
static int load_gazetteer_dir(struct kh_ent_res *r, const char *dir, char **ret_err)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		char **grown;

		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".tsv"))
			continue;
		if (n >= ENT_MAX_FILES)
			break;
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 16;
			grown = realloc(names, cap * sizeof(*names));
			if (grown == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[4096];

		rc = join_path(path, sizeof(path), dir, names[i]);
		if (rc < 0)
			break;
		rc = load_file(r, r->gaz, path, 5, 6, false, gaz_line, NULL, ret_err);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

struct common_state {
	struct kh_ent_res *r;
	const char *file;
	bool names; /* inside a section of names */
};

static int common_each(char *line, size_t len, unsigned lineno, void *ud)
{
	struct common_state *st = ud;
	int rc;

	if (strncmp(line, "# ----", 6) == 0) {
		st->names = strstr(line, "names") != NULL;
		return 0;
	}
	if (len == 0 || line[0] == '#' || st->names || strchr(line, '\t') != NULL)
		return 0;
	rc = kh_lex_add(st->r->common, line, NULL, 0, st->file, lineno);
	return rc == -ENOMEM ? rc : 0; /* a malformed line is the segmenter's to report */
}

/* The general vocabulary of words.txt, less its sections of names (a heading line
 * "# ---- names ..." that the segmenter keeps whole): those are no common words. */
static int load_common_words(struct kh_ent_res *r, const char *path, char **ret_err)
{
	struct common_state st = { .r = r, .file = intern(r, path) };
	char *err = NULL;
	int rc;

	if (st.file == NULL)
		return -ENOMEM;
	rc = kh_lex_each_line(path, 0, common_each, &st, &err);
	if (rc == -ENOENT)
		rc = 0; /* no general vocabulary: nothing to leave out */
	else if (rc == -ENOMEM && err == NULL)
		err = strdup("out of memory");
	if (rc < 0 && ret_err != NULL) {
		*ret_err = err;
		err = NULL;
	}
	free(err);
	return rc;
}

struct kh_ent_res *kh_ent_res_free(struct kh_ent_res *r)
{
	if (r == NULL)
		return NULL;
	kh_lex_free(r->gaz);
	kh_lex_free(r->given);
	kh_lex_free(r->family);
	kh_lex_free(r->titles);
	kh_lex_free(r->heads);
	kh_lex_free(r->stop);
	kh_lex_free(r->common);
	kh_lex_free(r->personwords);
	kh_ent_table_free(r->first);
	kh_arena_done(&r->arena);
	free(r);
	return NULL;
}

int kh_ent_res_load(const char *data_dir, const char *const *extra, struct kh_lexicon *known,
		    struct kh_ent_res **ret_res, char **ret_err)
{
	struct kh_ent_res *r = calloc(1, sizeof(*r));
	char path[4096];
	char *err = NULL;
	int rc = -ENOMEM;

	if (r == NULL)
		goto fail;
	r->known = known;
	r->gaz = kh_lex_new();
	r->given = kh_lex_new();
	r->family = kh_lex_new();
	r->titles = kh_lex_new();
	r->heads = kh_lex_new();
	r->stop = kh_lex_new();
	r->common = kh_lex_new();
	r->personwords = kh_lex_new();
	r->first = kh_ent_table_new();
	if (r->first == NULL || r->common == NULL || r->personwords == NULL ||
	    r->gaz == NULL || r->given == NULL || r->family == NULL || r->titles == NULL ||
	    r->heads == NULL || r->stop == NULL)
		goto fail;
	rc = join_path(path, sizeof(path), data_dir, "gazetteer");
	if (rc == 0)
		rc = load_gazetteer_dir(r, path, &err);
	if (rc < 0)
		goto fail;
	rc = join_path(path, sizeof(path), data_dir, "names/given.tsv");
	if (rc == 0)
		rc = load_file(r, r->given, path, 1, 2, true, name_line, &r->n_given, &err);
	if (rc < 0)
		goto fail;
	rc = join_path(path, sizeof(path), data_dir, "names/family.tsv");
	if (rc == 0)
		rc = load_file(r, r->family, path, 0, 2, true, name_line, &r->n_family, &err);
	if (rc < 0)
		goto fail;
	rc = join_path(path, sizeof(path), data_dir, "titles.tsv");
	if (rc == 0)
		rc = load_file(r, r->titles, path, 1, 2, true, known_line, &r->n_titles, &err);
	if (rc < 0)
		goto fail;
	rc = join_path(path, sizeof(path), data_dir, "heads.tsv");
	if (rc == 0)
		rc = load_file(r, r->heads, path, 3, 4, true, head_line, &r->n_heads, &err);
	if (rc < 0)
		goto fail;
	rc = join_path(path, sizeof(path), data_dir, "words.txt");
	if (rc == 0)
		rc = load_common_words(r, path, &err);
	if (rc < 0)
		goto fail;
	rc = join_path(path, sizeof(path), data_dir, "stopwords.tsv");
	if (rc == 0)
		rc = load_file(r, r->stop, path, 0, 1, true, known_line, &r->n_stop, &err);
	if (rc < 0)
		goto fail;
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		size_t before = r->n_gaz;

		rc = load_file(r, r->gaz, extra[i], 5, 6, false, gaz_line, NULL, &err);
		if (rc < 0)
			goto fail;
		r->n_extra += r->n_gaz - before;
	}
	{
		/* in the order of enum kh_ent_lex_bit */
		const struct kh_lexicon *by_bit[KH_PHR_N_LEX] = { r->gaz, r->given, r->family,
								  r->titles, r->heads, r->stop };

		rc = kh_ent_phrase_resolve(r->first, by_bit, KH_PHR_N_LEX);
		if (rc < 0)
			goto fail;
	}
	*ret_res = r;
	return 0;
fail:
	kh_ent_res_free(r);
	if (rc == -ENOMEM && err == NULL)
		err = strdup("out of memory");
	if (ret_err != NULL)
		*ret_err = err;
	else
		free(err);
	return rc < 0 ? rc : -ENOMEM;
}

size_t kh_ent_res_count(const struct kh_ent_res *r, const char *name)
{
	if (r == NULL || name == NULL)
		return 0;
	if (strcmp(name, "gazetteer") == 0)
		return r->n_gaz;
	if (strcmp(name, "norp_forms") == 0)
		return r->n_norp_forms;
	if (strcmp(name, "given_names") == 0)
		return r->n_given;
	if (strcmp(name, "family_names") == 0)
		return r->n_family;
	if (strcmp(name, "titles") == 0)
		return r->n_titles;
	if (strcmp(name, "heads") == 0)
		return r->n_heads;
	if (strcmp(name, "stopwords") == 0)
		return r->n_stop;
	if (strcmp(name, "user_lexicons") == 0)
		return r->n_extra;
	return 0;
}
