/* SPDX-License-Identifier: MIT */
/*
 * The lexicon data files of the organisation/person/NORP/names/titles area load with
 * kh_lex_load, every line has a valid TYPE and kind, ids appear only on news outlets,
 * no line repeats a variant that folding already covers, no variant is listed twice for
 * the same TYPE, and aliases reach the same canonical name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "lexicon.h"
#include "normalize.h"
#include "tap.h"

#define MAX_LINE 65536

enum file_kind { FK_GAZ, FK_GIVEN, FK_FAMILY, FK_TITLES };

struct data_file {
	const char *rel;
	enum file_kind kind;
	unsigned min_fields;
	unsigned max_fields;
};

static const struct data_file files[] = {
	{ "gazetteer/orgs_intl.tsv", FK_GAZ, 5, 6 },
	{ "gazetteer/orgs_media.tsv", FK_GAZ, 5, 6 },
	{ "gazetteer/orgs_mena.tsv", FK_GAZ, 5, 6 },
	{ "gazetteer/norp.tsv", FK_GAZ, 5, 6 },
	{ "gazetteer/people.tsv", FK_GAZ, 5, 6 },
	{ "titles.tsv", FK_TITLES, 1, 2 },
	{ "names/given.tsv", FK_GIVEN, 1, 2 },
	{ "names/family.tsv", FK_FAMILY, 0, 1 },
};

static const char *const gaz_kinds[] = {
	"country", "capital", "city", "town", "village", "governorate", "district", "region",
	"subregion", "river", "sea", "mountain", "island", "desert", "crossing", "airport", "port",
	"dam", "hospital", "square", "prison", "camp", "neighbourhood", "agency", "media",
	"ministry", "army", "security", "armed_group", "militia", "party", "movement", "intl_org",
	"government", "parliament", "court", "company", "union", "religious", "council",
	"nationality", "ethnic", "religious_group", "sect", "political_group", "person",
};

static const char *data_dir(void)
{
	const char *d = getenv("KHABAR_DATA_DIR");

	return d != NULL ? d : "data";
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static bool is_country_code(const char *s)
{
	if (s[0] == '\0')
		return true;
	return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static unsigned split(char *line, char **cols, unsigned max)
{
	unsigned n = 0;

	cols[n++] = line;
	for (char *p = line; *p != '\0' && n < max; p++) {
		if (*p == '\t') {
			*p = '\0';
			cols[n++] = p + 1;
		}
	}
	return n;
}

/*
 * Per-line checks kh_lex_load does not make.  @p seen collects every folded variant with
 * its TYPE (or file kind) as field 0, to find a variant listed twice.
 * @return number of problems found (each one printed as a TAP diagnostic)
 */
static unsigned check_lines(const struct data_file *df, const char *path, struct kh_lexicon *seen)
{
	char *buf = malloc(MAX_LINE);
	unsigned lineno = 0;
	unsigned bad = 0;
	FILE *f = fopen(path, "re");

	if (f == NULL || buf == NULL) {
		free(buf);
		if (f != NULL)
			fclose(f);
		return 1;
	}
	while (fgets(buf, MAX_LINE, f) != NULL) {
		char *cols[KH_LEX_MAX_FIELDS + 2] = { NULL };
		size_t len = strlen(buf);
		const char *tag;
		char *keys[64];
		unsigned n_keys = 0;
		unsigned n;

		lineno++;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0 || buf[0] == '#')
			continue;
		n = split(buf, cols, KH_LEX_MAX_FIELDS + 2);
		tag = df->kind == FK_GAZ && n > 1 ? cols[1] : df->rel;
		if (df->kind == FK_GAZ && n >= 6) {
			bool outlet = strcmp(cols[5], "agency") == 0 || strcmp(cols[5], "media") == 0;
			bool has_id = n > 6 && cols[6][0] != '\0';

			if (kh_ent_type_parse(cols[1]) < 0 || strcmp(cols[1], "DATE") == 0) {
				printf("# %s:%u: bad TYPE '%s'\n", path, lineno, cols[1]);
				bad++;
			}
			if (!in_list(cols[5], gaz_kinds, sizeof(gaz_kinds) / sizeof(gaz_kinds[0]))) {
				printf("# %s:%u: unknown kind '%s'\n", path, lineno, cols[5]);
				bad++;
			}
			if (has_id != outlet) {
				printf("# %s:%u: id must be given exactly on agency/media lines\n", path,
				       lineno);
				bad++;
			}
			if (!is_country_code(cols[4])) {
				printf("# %s:%u: bad country '%s'\n", path, lineno, cols[4]);
				bad++;
			}
			if (cols[3][0] == '\0' || cols[2][0] == '\0') {
				printf("# %s:%u: canonical and name_en are required\n", path, lineno);
				bad++;
			}
		}
		if ((df->kind == FK_GIVEN || df->kind == FK_FAMILY) && n >= 2 &&
		    strcmp(cols[1], "ar") != 0 &&
		    strcmp(cols[1], "foreign") != 0) {
			printf("# %s:%u: origin must be ar or foreign\n", path, lineno);
			bad++;
		}
		if (df->kind == FK_GIVEN && n >= 3 && strcmp(cols[2], "m") != 0 &&
		    strcmp(cols[2], "f") != 0 && cols[2][0] != '\0') {
			printf("# %s:%u: gender must be m, f or empty\n", path, lineno);
			bad++;
		}
		if (df->kind == FK_TITLES && n >= 2 && strcmp(cols[1], "title") != 0 &&
		    strcmp(cols[1], "role") != 0) {
			printf("# %s:%u: kind must be title or role\n", path, lineno);
			bad++;
		}
		/* variants: no two of a line fold to the same key; none repeated for the same TYPE */
		for (char *v = cols[0]; v != NULL && n_keys < 64;) {
			char *bar = strchr(v, '|');
			size_t vl = bar != NULL ? (size_t)(bar - v) : strlen(v);
			char *key = kh_norm_key(v, vl);
			const struct kh_lex_entry *e;

			if (key == NULL)
				break;
			for (unsigned i = 0; i < n_keys; i++) {
				if (strcmp(keys[i], key) == 0) {
					printf("# %s:%u: variant '%.*s' only differs by folding\n", path,
					       lineno, (int)vl, v);
					bad++;
				}
			}
			for (e = kh_lex_get(seen, key); e != NULL; e = e->next) {
				if (strcmp(e->fields[0], tag) == 0) {
					printf("# %s:%u: variant '%.*s' already listed at %s:%u\n", path,
					       lineno, (int)vl, v, e->file, e->line);
					bad++;
					break;
				}
			}
			keys[n_keys++] = key;
			v = bar != NULL ? bar + 1 : NULL;
		}
		for (unsigned i = 0; i < n_keys; i++) {
			const char *fields[1] = { tag };

			kh_lex_add(seen, keys[i], fields, 1, path, lineno);
			free(keys[i]);
		}
	}
	free(buf);
	fclose(f);
	return bad;
}

static struct kh_lexicon *gaz;
static struct kh_lexicon *names[FK_TITLES + 1];

static void test_files(void)
{
	struct kh_lexicon *seen = kh_lex_new();

	gaz = kh_lex_new();
	for (int k = FK_GIVEN; k <= FK_TITLES; k++)
		names[k] = kh_lex_new();
	names[FK_GAZ] = gaz;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct data_file *df = &files[i];
		struct kh_lexicon *lx = names[df->kind];
		char path[512];
		char *err = NULL;
		int r;

		snprintf(path, sizeof(path), "%s/%s", data_dir(), df->rel);
		r = kh_lex_load(lx, path, df->min_fields, df->max_fields, &err);
		tap_ok(r > 0, "%s loads: %d entries%s%s", df->rel, r, err != NULL ? " — " : "",
		       err != NULL ? err : "");
		free(err);
		tap_is_int(check_lines(df, path, seen), 0, "%s: lines are well-formed", df->rel);
	}
	kh_lex_free(seen);
}

/* The gazetteer entry of @p type found under the phrase @p text, or NULL. */
static const struct kh_lex_entry *lookup(const char *text, const char *type)
{
	char *key = kh_norm_key(text, strlen(text));
	const struct kh_lex_entry *e = key != NULL ? kh_lex_get(gaz, key) : NULL;

	free(key);
	while (e != NULL && strcmp(e->fields[0], type) != 0)
		e = e->next;
	return e;
}

static void same_entity(const char *a, const char *b, const char *type)
{
	const struct kh_lex_entry *ea = lookup(a, type);
	const struct kh_lex_entry *eb = lookup(b, type);

	tap_ok(ea != NULL && eb != NULL && strcmp(ea->fields[1], eb->fields[1]) == 0,
	       "%s and %s give the same %s (%s / %s)", a, b, type, ea != NULL ? ea->fields[1] : "-",
	       eb != NULL ? eb->fields[1] : "-");
}

static void has_id(const char *text, const char *id)
{
	const struct kh_lex_entry *e = lookup(text, "ORG");

	tap_ok(e != NULL && e->n_fields >= 6 && strcmp(e->fields[5], id) == 0, "%s has id %s", text,
	       id);
}

static void absent(const char *text, const char *why)
{
	char *key = kh_norm_key(text, strlen(text));

	tap_ok(key != NULL && kh_lex_get(gaz, key) == NULL, "%s is not listed (%s)", text, why);
	free(key);
}

static void test_orgs(void)
{
	same_entity("قسد", "قوات سوريا الديمقراطية", "ORG");
	same_entity("قوات سورية الديمقراطيّة", "قوات سوريا الديمقراطية", "ORG");
	same_entity("داعش", "تنظيم الدولة الإسلامية", "ORG");
	same_entity("الناتو", "حلف شمال الأطلسي", "ORG");
	same_entity("الجامعة العربية", "جامعة الدول العربية", "ORG");
	same_entity("جبهة النصرة", "النصرة", "ORG");
	same_entity("أنصار الله", "جماعة الحوثي", "ORG");
	same_entity("بي كا كا", "حزب العمال الكردستاني", "ORG");
	same_entity("الجيش الحر", "الجيش السوري الحر", "ORG");
	same_entity("مجلس الأمن", "مجلس الأمن الدولي", "ORG");
	same_entity("اليونيسيف", "اليونيسف", "ORG");
	has_id("سانا", "sana");
	has_id("الوكالة العربية السورية للأنباء", "sana");
	has_id("رويترز", "reuters");
	has_id("وكالة الصحافة الفرنسية", "afp");
	has_id("أ ف ب", "afp");
	has_id("سبوتنيك", "sputnik");
	has_id("وكالة الأنباء الألمانية", "dpa");
	has_id("وكالة أنباء الشرق الأوسط", "mena");
	has_id("روسيا اليوم", "rt");
	has_id("الشرق الأوسط", "aawsat");
	absent("فتح", "an ordinary verb");
	absent("الحياة", "life; only صحيفة الحياة");
	absent("الحوثيون", "NORP, not ORG");
	absent("تنظيم داعش", "the head is outside the span");
}

/* The entry of lexicon @p kind under @p text, or NULL. */
static const struct kh_lex_entry *get(enum file_kind kind, const char *text)
{
	char *key = kh_norm_key(text, strlen(text));
	const struct kh_lex_entry *e = key != NULL ? kh_lex_get(names[kind], key) : NULL;

	free(key);
	return e;
}

static void test_people_norp(void)
{
	const struct kh_lex_entry *e;

	same_entity("سيرجي لافروف", "لافروف", "PERSON");
	same_entity("سيرغي لافروف", "سيرجي لافروف", "PERSON");
	same_entity("أبو محمد الجولاني", "أحمد الشرع", "PERSON");
	same_entity("ستافان دي ميستورا", "دي ميستورا", "PERSON");
	e = lookup("ميخائيل بوغدانوف", "PERSON");
	tap_ok(e != NULL && strcmp(e->fields[2], "Mikhail Bogdanov") == 0 &&
		       strcmp(e->fields[3], "RU") == 0 && strcmp(e->fields[4], "person") == 0,
	       "ميخائيل بوغدانوف: name_en, country, kind");
	tap_ok(lookup("الأسد", "PERSON") == NULL, "الأسد alone is no person entry (the lion)");
	e = lookup("سوري", "NORP");
	tap_ok(e != NULL && strcmp(e->fields[3], "SY") == 0 && strcmp(e->fields[4], "nationality") == 0,
	       "سوري is a Syrian nationality");
	same_entity("الأكراد", "كردي", "NORP");
	same_entity("الأتراك", "تركي", "NORP");
	same_entity("أمريكي", "أميركي", "NORP");
	e = lookup("حوثي", "NORP");
	tap_ok(e != NULL && strcmp(e->fields[4], "political_group") == 0, "حوثي is a NORP political group");
	e = lookup("الدروز", "NORP");
	tap_ok(e != NULL && strcmp(e->fields[4], "sect") == 0, "الدروز is a sect");
	tap_ok(lookup("السنة", "NORP") == NULL, "السنة (also 'the year') is not listed");
}

static void test_names_titles(void)
{
	const struct kh_lex_entry *a = get(FK_GIVEN, "عبد الله");
	const struct kh_lex_entry *b = get(FK_GIVEN, "عبدالله");
	const struct kh_lex_entry *e;

	tap_ok(a != NULL && b != NULL && a->line == b->line, "عبد الله and عبدالله are one given name");
	e = get(FK_GIVEN, "سيرجي");
	tap_ok(e != NULL && strcmp(e->fields[0], "foreign") == 0 && strcmp(e->fields[1], "m") == 0,
	       "سيرجي is a foreign male given name");
	e = get(FK_GIVEN, "فاطمه");
	tap_ok(e != NULL && strcmp(e->fields[0], "ar") == 0 && strcmp(e->fields[1], "f") == 0,
	       "فاطمة is an Arabic female given name (folded ة)");
	tap_ok(get(FK_GIVEN, "باسم") == NULL, "باسم is left out (المتحدث باسم)");
	tap_ok(get(FK_GIVEN, "آمنة") == NULL, "آمنة is left out (منطقة آمنة)");
	tap_ok(get(FK_FAMILY, "البارزاني") != NULL, "البارزاني is a family name");
	e = get(FK_TITLES, "وزير الخارجية");
	tap_ok(e != NULL && strcmp(e->fields[0], "role") == 0 && strcmp(e->fields[1], "0") == 0,
	       "وزير الخارجية is a complete role");
	e = get(FK_TITLES, "الناطق الرسمي باسم");
	tap_ok(e != NULL && strcmp(e->fields[0], "role") == 0 && strcmp(e->fields[1], "1") == 0,
	       "الناطق الرسمي باسم needs its affiliation");
	e = get(FK_TITLES, "اللواء");
	tap_ok(e != NULL && strcmp(e->fields[0], "title") == 0, "اللواء is a title");
	e = get(FK_TITLES, "المسؤول الإعلامي");
	tap_ok(e != NULL && strcmp(e->fields[0], "role") == 0, "المسؤول الإعلامي is a role");
}

int main(void)
{
	test_files();
	test_orgs();
	test_people_norp();
	test_names_titles();
	for (int k = FK_GAZ; k <= FK_TITLES; k++)
		kh_lex_free(names[k]);
	return tap_done();
}
