/* SPDX-License-Identifier: MIT */
/* The place gazetteer in data/gazetteer/places_*.tsv: every file loads, every line has a
 * valid TYPE, country code and kind, no folded key names two different places of the same
 * TYPE unless the homograph is listed below, and a few look-ups give the expected place. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "lexicon.h"
#include "normalize.h"
#include "tap.h"

/* Keys that really are shared by two places of the same TYPE (both readings are common). */
static const char *const homographs[] = {
	"عمان",   /* Oman / Amman */
	"طرابلس", /* Tripoli, Libya / Tripoli, Lebanon */
	"أريحا",  /* Jericho / Ariha (Idlib) */
	"بئر العبد", /* Bir al-Abd, North Sinai / Bir al-Abed, Beirut */
	"القنيطرة", /* Quneitra, Syria / Kenitra, Morocco */
	"الصويرة", /* Suwaira, Iraq / Essaouira, Morocco */
	"الجوف",   /* al-Jawf, Yemen / al-Jawf region, Saudi Arabia */
	"الرشيدية", /* Rashidieh camp, Lebanon / Errachidia, Morocco */
	NULL,
};

static const char *const kinds[] = {
	"country", "capital", "city", "town", "village", "governorate", "district", "region",
	"subregion", "river", "sea", "mountain", "island", "desert", "crossing", "airport", "port",
	"dam", "hospital", "square", "prison", "camp", "neighbourhood", NULL,
};

struct rec {
	char *key;
	const char *type;
	const char *canonical;
	const char *country;
	const char *where; /* FILE:LINE */
};

static struct rec *recs;
static size_t n_recs, cap_recs;
static char **lines; /* the line copies that recs point into */
static size_t n_lines, cap_lines;

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool valid_country(const char *cc)
{
	if (cc[0] == '\0')
		return true;
	return strlen(cc) == 2 && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z';
}

static void add_rec(char *key, const char *type, const char *canonical, const char *country,
		    const char *where)
{
	if (n_recs == cap_recs) {
		cap_recs = cap_recs != 0 ? cap_recs * 2 : 4096;
		recs = realloc(recs, cap_recs * sizeof(*recs));
		if (recs == NULL)
			abort();
	}
	recs[n_recs++] = (struct rec){ key, type, canonical, country, where };
}

/* Check the columns of every line of one file; remember its keys. @return bad lines */
static int check_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int bad = 0;

	if (f == NULL)
		return 1;
	while (getline(&line, &cap, f) >= 0) {
		char *cols[8] = { 0 };
		unsigned n = 0;
		char where[512];
		char *p;
		char *copy;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		copy = strdup(line);
		if (copy == NULL)
			abort();
		if (n_lines == cap_lines) {
			cap_lines = cap_lines != 0 ? cap_lines * 2 : 1024;
			lines = realloc(lines, cap_lines * sizeof(*lines));
			if (lines == NULL)
				abort();
		}
		lines[n_lines++] = copy;
		for (p = copy, cols[n++] = p; *p != '\0' && n < 8; p++) {
			if (*p == '\t') {
				*p = '\0';
				cols[n++] = p + 1;
			}
		}
		snprintf(where, sizeof(where), "%s:%u", strrchr(path, '/') + 1, lineno);
		if (n < 6 || kh_ent_type_parse(cols[1]) < 0 || !valid_country(cols[4]) ||
		    !in_list(kinds, cols[5]) || cols[2][0] == '\0' || cols[3][0] == '\0') {
			printf("# bad line %s: %s\n", where, line);
			bad++;
			continue;
		}
		for (char *v = cols[0];;) {
			char *bar = strchr(v, '|');
			size_t len = bar != NULL ? (size_t)(bar - v) : strlen(v);
			char *key = kh_norm_key(v, len);

			if (key == NULL)
				abort();
			add_rec(key, cols[1], cols[2], cols[4], strdup(where));
			if (bar == NULL)
				break;
			v = bar + 1;
		}
	}
	free(line);
	fclose(f);
	return bad;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a;
	const struct rec *y = b;
	int c = strcmp(x->key, y->key);

	if (c == 0)
		c = strcmp(x->type, y->type);
	return c;
}

/* @return duplicates that are not listed homographs */
static int check_duplicates(void)
{
	int unexpected = 0;

	qsort(recs, n_recs, sizeof(*recs), cmp_rec);
	for (size_t i = 1; i < n_recs; i++) {
		const struct rec *a = &recs[i - 1];
		const struct rec *b = &recs[i];
		char *hk;
		bool ok;

		if (strcmp(a->key, b->key) != 0 || strcmp(a->type, b->type) != 0)
			continue;
		if (strcmp(a->canonical, b->canonical) == 0 && strcmp(a->country, b->country) == 0 &&
		    strcmp(a->where, b->where) == 0)
			continue; /* two variants of one line that fold alike */
		ok = false;
		for (size_t h = 0; homographs[h] != NULL && !ok; h++) {
			hk = kh_norm_key(homographs[h], strlen(homographs[h]));
			ok = hk != NULL && strcmp(hk, a->key) == 0;
			free(hk);
		}
		printf("# %s key «%s» %s: %s (%s) %s / %s (%s) %s\n", ok ? "homograph" : "DUPLICATE",
		       a->key, a->type, a->canonical, a->country, a->where, b->canonical, b->country,
		       b->where);
		if (!ok)
			unexpected++;
	}
	return unexpected;
}

static void free_recs(void)
{
	for (size_t i = 0; i < n_recs; i++) {
		free(recs[i].key);
		free((char *)recs[i].where);
	}
	for (size_t i = 0; i < n_lines; i++)
		free(lines[i]);
	free(recs);
	free(lines);
}

/* Look up @p name; the first entry must have @p canonical, @p type and @p country. */
static void spot(const struct kh_lexicon *lx, const char *name, const char *type,
		 const char *canonical, const char *country)
{
	char *key = kh_norm_key(name, strlen(name));
	const struct kh_lex_entry *e = key != NULL ? kh_lex_get(lx, key) : NULL;

	tap_ok(e != NULL && e->n_fields >= 5 && strcmp(e->fields[0], type) == 0 &&
		       strcmp(e->fields[1], canonical) == 0 && strcmp(e->fields[3], country) == 0,
	       "%s → %s %s %s (got %s %s %s)", name, type, canonical, country,
	       e != NULL ? e->fields[0] : "-", e != NULL ? e->fields[1] : "-",
	       e != NULL && e->n_fields >= 4 ? e->fields[3] : "-");
	free(key);
}

/* Common words of news prose that some place is also called, or that a place name turns
 * into once hamza, ة or a proclitic is folded away: none may be a place key. */
static const char *const common_words[] = {
	"الباب", "صور", "الخبر", "الحد", "الأقصى", "الطبقة", "حديثة", "القائم", "الميادين",
	"كيف", "مالي", "المتوسط", "الصعيد", "بلد", "الدور", "السلمية", "عالية", "مالية", "إطار",
	"كبيرا", "بليون", "فاطمة", "بيوتا", "كريمة", "دورا", "بيتا", "مديرا", "حجة", "عمران",
	"الحراك", "القصير", "السفيرة", "التل", "الضمير", "الكرامة", "الثورة", "الحارة", "الشعب",
	"الحرية", "المنصور", "المدينة", "الوحدات", "البقعة", "الجزيرة", "القمر", "الريف",
	"الخارجة", "العصابة", "النعمة", "المصنعة", "بشار", "سلوك", "هجين", "قنوات", "عدوان",
	"الأناضول", "النشوة", "سترة", "فيفا", "الجراحي", "أدري", "الدية",
	"الشقيقة", "زلة", "الخمس", "طويلة", "المعادي", "المنتزه", "الحدث", "الخيام", "الشرقية", "الغربية", "الشمالية", "الجنوبية", NULL,
};

static void test_common_words(const struct kh_lexicon *lx)
{
	int found = 0;

	for (size_t i = 0; common_words[i] != NULL; i++) {
		char *key = kh_norm_key(common_words[i], strlen(common_words[i]));

		if (key != NULL && kh_lex_get(lx, key) != NULL) {
			printf("# common word «%s» is a place key\n", common_words[i]);
			found++;
		}
		free(key);
	}
	tap_is_int(found, 0, "no common word of news prose is a place key");
}

/* A deliberate homograph keeps one entry per place under its key. */
static void homograph_count(const struct kh_lexicon *lx, const char *name, int want)
{
	char *key = kh_norm_key(name, strlen(name));
	int n = 0;

	for (const struct kh_lex_entry *e = key != NULL ? kh_lex_get(lx, key) : NULL; e != NULL;
	     e = e->next)
		n++;
	tap_is_int(n, want, "%s names %d places", name, want);
	free(key);
}

int main(void)
{
	const char *dir = getenv("KHABAR_DATA_DIR");
	struct kh_lexicon *lx = kh_lex_new();
	char pattern[1024];
	glob_t g = { 0 };
	int bad = 0;
	int gr;

	if (dir == NULL)
		dir = KH_SOURCE_DATA_DIR;
	snprintf(pattern, sizeof(pattern), "%s/gazetteer/places_*.tsv", dir);
	gr = glob(pattern, 0, NULL, &g);
	tap_ok(gr == 0 && g.gl_pathc >= 2, "found %zu place files", g.gl_pathc);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *err = NULL;
		int r = kh_lex_load(lx, g.gl_pathv[i], 5, 6, &err);

		tap_ok(r > 0 && err == NULL, "%s loads: %d entries%s%s", strrchr(g.gl_pathv[i], '/') + 1,
		       r, err != NULL ? " — " : "", err != NULL ? err : "");
		free(err);
		bad += check_file(g.gl_pathv[i]);
	}
	tap_is_int(bad, 0, "every line has a valid TYPE, country code, kind and names");
	tap_is_int(check_duplicates(), 0, "no key names two places of one TYPE (bar homographs)");

	spot(lx, "سوريا", "GPE", "سوريا", "SY");
	spot(lx, "سورية", "GPE", "سوريا", "SY");
	spot(lx, "الجمهورية العربية السورية", "GPE", "سوريا", "SY");
	spot(lx, "الولايات المتحدة الأميركية", "GPE", "الولايات المتحدة", "US");
	spot(lx, "أمريكا", "GPE", "الولايات المتحدة", "US");
	spot(lx, "بريطانيا", "GPE", "المملكة المتحدة", "GB");
	spot(lx, "الامارات العربية المتحده", "GPE", "الإمارات", "AE");
	spot(lx, "المملكة العربية السعودية", "GPE", "السعودية", "SA");
	spot(lx, "اسطنبول", "GPE", "إسطنبول", "TR");
	spot(lx, "استانبول", "GPE", "إسطنبول", "TR");
	spot(lx, "موسكو", "GPE", "موسكو", "RU");
	spot(lx, "المنامة", "GPE", "المنامة", "BH");
	spot(lx, "ابو ظبي", "GPE", "أبوظبي", "AE");
	spot(lx, "كوسوفو", "GPE", "كوسوفو", "XK");
	spot(lx, "دير الزور", "GPE", "دير الزور", "SY");
	spot(lx, "أبو كمال", "GPE", "البوكمال", "SY");
	spot(lx, "البوكمال", "GPE", "البوكمال", "SY");
	spot(lx, "كوباني", "GPE", "عين العرب", "SY");
	spot(lx, "الرقة", "GPE", "الرقة", "SY");
	spot(lx, "هولير", "GPE", "أربيل", "IQ");
	spot(lx, "الموصل", "GPE", "الموصل", "IQ");
	spot(lx, "الشرق الاوسط", "LOC", "الشرق الأوسط", "");
	spot(lx, "الفرات", "LOC", "نهر الفرات", "");
	spot(lx, "الغوطة الشرقية", "LOC", "الغوطة الشرقية", "SY");
	spot(lx, "مطار دمشق الدولي", "FAC", "مطار دمشق الدولي", "SY");
	spot(lx, "سد الموصل", "FAC", "سد الموصل", "IQ");
	spot(lx, "معبر رفح", "FAC", "معبر رفح", "PS");
	spot(lx, "موريتانيا", "GPE", "موريتانيا", "MR");
	spot(lx, "نواكشوط", "GPE", "نواكشوط", "MR");
	spot(lx, "عدن", "GPE", "عدن", "YE");
	spot(lx, "بنغازي", "GPE", "بنغازي", "LY");
	spot(lx, "جدة", "GPE", "جدة", "SA");
	spot(lx, "النصيرات", "GPE", "النصيرات", "PS");
	spot(lx, "اليرموك", "GPE", "اليرموك", "SY");
	spot(lx, "إقليم كردستان", "GPE", "إقليم كردستان", "IQ");
	spot(lx, "كاليفورنيا", "GPE", "كاليفورنيا", "US");
	spot(lx, "شبه جزيرة القرم", "GPE", "القرم", "UA");
	spot(lx, "القامشلي", "GPE", "القامشلي", "SY");
	spot(lx, "قامشلو", "GPE", "القامشلي", "SY");
	homograph_count(lx, "عمان", 2);
	homograph_count(lx, "طرابلس", 2);
	test_common_words(lx);
	free_recs();
	globfree(&g);
	kh_lex_free(lx);
	return tap_done();
}
