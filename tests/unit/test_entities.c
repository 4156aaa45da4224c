/* SPDX-License-Identifier: MIT */
/* The entities stage: loader, lexicon matching, every pattern family, the second pass,
 * grouping and robustness.  The sentences are written for these tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc.h"
#include "ent_internal.h"
#include "ent_match.h"
#include "entities.h"
#include "khabar/khabar.h"
#include "lexicon.h"
#include "normalize.h"
#include "tap.h"

static char lexdir[4096];
static struct kh_pipeline *pipe_;
static struct kh_analyzer *an;

static struct kh_doc *analyze(const char *text)
{
	struct kh_request req = { 0 };
	struct kh_doc *doc = NULL;

	req.text = text;
	req.text_len = strlen(text);
	if (kh_analyze(an, pipe_, &req, &doc, NULL) != KH_OK)
		return NULL;
	return doc;
}

static const char *mtext(const struct kh_doc *doc, const struct kh_mention *m)
{
	static char buf[1024];
	size_t n = m->end - m->start;

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, doc->norm + m->start, n);
	buf[n] = '\0';
	return buf;
}

/* Index of the entity that has a mention with this text (folded) and type, or -1. */
static int find_mention(const struct kh_doc *doc, const char *text, int type)
{
	char *want = kh_norm_key(text, strlen(text));
	int found = -1;

	for (uint32_t i = 0; doc != NULL && want != NULL && i < doc->mentions.n && found < 0; i++) {
		const struct kh_mention *m = &doc->mentions.items[i];
		const char *t = mtext(doc, m);
		char *got;

		if (doc->entities.items[m->entity].type != type)
			continue;
		got = kh_norm_key(t, strlen(t));
		if (got != NULL && strcmp(got, want) == 0)
			found = (int)m->entity;
		free(got);
	}
	free(want);
	return found;
}

static int count_type(const struct kh_doc *doc, int type)
{
	int n = 0;

	for (uint32_t i = 0; doc != NULL && i < doc->mentions.n; i++)
		n += doc->entities.items[doc->mentions.items[i].entity].type == type;
	return n;
}

static void dump(const struct kh_doc *doc)
{
	for (uint32_t i = 0; doc != NULL && i < doc->mentions.n; i++) {
		const struct kh_mention *m = &doc->mentions.items[i];

		printf("#   mention %s [%s] e%u\n", mtext(doc, m),
		       kh_ent_type_name(doc->entities.items[m->entity].type), m->entity);
	}
}

static void expect(const char *text, const char *name, int type, const char *what)
{
	struct kh_doc *doc = analyze(text);
	bool ok = find_mention(doc, name, type) >= 0;

	tap_ok(ok, "%s: %s %s", what, kh_ent_type_name(type), name);
	if (!ok)
		dump(doc);
	kh_doc_free(doc);
}

static void expect_none(const char *text, const char *name, int type, const char *what)
{
	struct kh_doc *doc = analyze(text);
	bool ok = doc != NULL && find_mention(doc, name, type) < 0;

	tap_ok(ok, "%s: no %s %s", what, kh_ent_type_name(type), name);
	if (!ok)
		dump(doc);
	kh_doc_free(doc);
}

static char *write_temp(const char *content)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/khabar-ent-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		return NULL;
	close(fd);
	return path;
}

/* ---- loader ------------------------------------------------------------------------------ */

static void test_loader(void)
{
	struct kh_lexicon *known1 = kh_lex_new(), *known2 = kh_lex_new();
	struct kh_ent_res *r1 = NULL, *r2 = NULL;
	char *err = NULL;
	static const char *const names[] = { "gazetteer", "norp_forms", "given_names", "family_names",
					     "titles", "heads", "stopwords" };

	tap_is_int(kh_ent_res_load(lexdir, NULL, known1, &r1, &err), 0, "load the test lexicons (%s)",
		   err != NULL ? err : "");
	tap_is_int(kh_ent_res_load(lexdir, NULL, known2, &r2, &err), 0, "load them again");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		tap_ok(kh_ent_res_count(r1, names[i]) > 0, "%s loaded (%zu)", names[i],
		       kh_ent_res_count(r1, names[i]));
		tap_is_int((long long)kh_ent_res_count(r1, names[i]), (long long)kh_ent_res_count(r2, names[i]),
			   "loading twice gives the same %s count", names[i]);
	}
	tap_is_int((long long)kh_lex_count(known1), (long long)kh_lex_count(known2),
		   "the same known words both times");
	tap_ok(kh_lex_get(known1, "بوتين") != NULL, "a name word is a known word");
	tap_ok(kh_lex_get(known1, "السوريين") != NULL, "a NORP inflection is a known word");
	tap_is_int((long long)kh_ent_res_count(r1, "no such lexicon"), 0, "unknown lexicon name: 0");
	kh_ent_res_free(r1);
	kh_ent_res_free(r2);
	kh_lex_free(known1);
	kh_lex_free(known2);
}

static void test_bad_lines(void)
{
	struct kh_ent_res *r = NULL;
	char *err = NULL;
	const char *extra[2] = { NULL, NULL };
	char path[64];

	strcpy(path, write_temp("# user lexicon\nحمص\tGPE\tحمص\tHoms\tSY\tcity\nحماة\tCITY\tحماة\tHama\tSY\tcity\n"));
	extra[0] = path;
	tap_is_int(kh_ent_res_load(lexdir, extra, NULL, &r, &err), -EINVAL, "a bad TYPE fails the load");
	tap_ok(err != NULL && strstr(err, path) != NULL && strstr(err, ":3:") != NULL,
	       "the message names file and line 3: %s", err != NULL ? err : "");
	tap_ok(r == NULL, "no resources on failure");
	free(err);
	err = NULL;
	unlink(path);

	strcpy(path, write_temp("حمص\tGPE\tحمص\n"));
	extra[0] = path;
	tap_is_int(kh_ent_res_load(lexdir, extra, NULL, &r, &err), -EINVAL, "too few columns fail the load");
	tap_ok(err != NULL && strstr(err, ":1:") != NULL, "the message names line 1: %s",
	       err != NULL ? err : "");
	free(err);
	err = NULL;
	unlink(path);

	strcpy(path, write_temp("حمص\tGPE\tحمص\tHoms\tsyr\tcity\n"));
	extra[0] = path;
	tap_is_int(kh_ent_res_load(lexdir, extra, NULL, &r, &err), -EINVAL, "a bad country code fails");
	free(err);
	err = NULL;
	unlink(path);

	strcpy(path, write_temp("# a user's own places\nكفرنبل\tGPE\tكفرنبل\tKafranbel\tSY\ttown\n"));
	extra[0] = path;
	tap_is_int(kh_ent_res_load(lexdir, extra, NULL, &r, &err), 0, "a good user lexicon loads");
	tap_is_int((long long)kh_ent_res_count(r, "user_lexicons"), 1, "one user entry counted");
	kh_ent_res_free(r);
	free(err);
	unlink(path);
}

static void test_norp_forms(void)
{
	char buf[2048];
	size_t n = kh_ent_norp_forms("سوري", buf, sizeof(buf));

	tap_ok(n > 0, "forms of سوري");
	tap_ok(strstr(buf, "سورية|") != NULL && strstr(buf, "|سوريون|") != NULL &&
		       strstr(buf, "|السوريين|") != NULL && strstr(buf, "|السوريتين") != NULL &&
		       strstr(buf, "|سوريا|") != NULL,
	       "feminine, plurals, article and tanwin forms: %s", buf);
	tap_is_int((long long)kh_ent_norp_forms("أكراد", buf, sizeof(buf)), 0,
		   "a collective noun is not inflected");
	tap_is_int((long long)kh_ent_norp_forms("سوري", buf, 16), 0, "a short buffer gives nothing");
}

/* ---- lexicon matches --------------------------------------------------------------------- */

static void test_lexicon_matches(void)
{
	expect("وصل الوفد إلى موسكو أمس.", "موسكو", KH_ENT_GPE, "plain name");
	expect("زار الوزير دمشق وموسكو.", "موسكو", KH_ENT_GPE, "proclitic و is outside the span");
	expect("وقعت اشتباكات بريف حلب الشمالي.", "حلب", KH_ENT_GPE, "ب + place head ريف");
	expect("سيطرت قوات سورية الديمقراطية على البلدة.", "قوات سورية الديمقراطية", KH_ENT_ORG,
	       "longest match wins over the country");
	expect("دعا الوزير الولايات المتحدة الأميركية إلى الحوار.", "الولايات المتحدة الأميركية",
	       KH_ENT_GPE, "three-word variant");
	expect("وجه الوفد رسالة إلى الأمم المتحدة.", "الأمم المتحدة", KH_ENT_ORG, "organisation");
	expect("قال الوزير إن الأزمة في «الشرق الأوسط» تتفاقم.", "الشرق الأوسط", KH_ENT_LOC,
	       "quotes are outside the span");
	expect("وقال المصدر لـ«الشرق الأوسط» إن الهجوم فشل.", "الشرق الأوسط", KH_ENT_ORG,
	       "لـ« chooses the newspaper reading");
	expect("قالت الحكومة السورية إن الطرق مفتوحة.", "السورية", KH_ENT_NORP, "NORP after a common noun");
	expect("تحدث اللاجئون السوريّون عن أوضاعهم.", "السوريّون", KH_ENT_NORP,
	       "NORP plural with shadda");
	expect("يعيش الأكراد في الشمال.", "الأكراد", KH_ENT_NORP, "irregular plural variant");
	expect("شاركت قوات كردية سورية في المعركة.", "سورية", KH_ENT_NORP,
	       "feminine NORP after a NORP, not the country");
	expect("أكد التقرير أن سورية تعاني.", "سورية", KH_ENT_GPE, "the country alone");
	expect("وقال مراسل (أ ف ب) إن القصف استمر.", "أ ف ب", KH_ENT_ORG, "agency abbreviation");
	expect("وقال مراسل (أ.ف.ب) إن القصف استمر.", "أ.ف.ب", KH_ENT_ORG, "agency abbreviation with dots");
	expect("تقدمت البيشمركة الكردية نحو البلدة.", "البيشمركة", KH_ENT_ORG,
	       "a nationality tail of an organisation variant is left out");
	expect("تقدمت البيشمركة الكردية نحو البلدة.", "الكردية", KH_ENT_NORP,
	       "and is a NORP of its own");
	expect("زار الوفد إقليم كردستان العراق أمس.", "إقليم كردستان", KH_ENT_GPE,
	       "a place tail of a place variant is left out");
	expect("زار الوفد إقليم كردستان العراق أمس.", "العراق", KH_ENT_GPE, "and is a place of its own");
	expect("رحبت منظمة التحرير الفلسطينية بالقرار.", "منظمة التحرير الفلسطينية", KH_ENT_ORG,
	       "the canonical full name keeps its NORP");
	expect("صوت مجلس النواب الليبي على القانون.", "مجلس النواب الليبي", KH_ENT_ORG,
	       "a generic parliament takes the NORP after it");
	expect_none("عاد الجنود في ليل الخميس.", "ليل", KH_ENT_GPE, "a one-word name that is a stop word");
}

/* The phrase table answers what the lexicons would: every token, lexicon and reading mode
 * gives the same match through kh_ent_alts_match as through kh_ent_match. */
static void test_phrase_table(void)
{
	static const char *const texts[] = {
		"زار الوزير دمشق وموسكو ثم وصل إلى الولايات المتحدة الأميركية.",
		"وقعت اشتباكات بريف حلب الشمالي وقال المتحدث باسم الأمم المتحدة إن الوضع خطير.",
		"وجه الوفد رسالة للأمم المتحدة ولمجلس الأمن الدولي، وقال الرئيس بشار الأسد إنه يرحب.",
		"سيطرت قوات سورية الديمقراطية على وكفر نبل وتل تمر ودير الزور وقرى وبلدات ريف إدلب.",
		"وقالت وزارة الخارجية الروسية إن سيرغي لافروف التقى كيري وفالسوريون والكرديات والبيشمركة.",
		"(أ ف ب) - قال مصدر لـ«الشرق الأوسط» إن منظمة التحرير الفلسطينية ومجلس النواب الليبي اجتمعا.",
	};
	const struct kh_lexicon *lxs[KH_PHR_N_LEX];
	struct kh_lexicon *known = kh_lex_new();
	struct kh_ent_res *r = NULL;
	char *err = NULL;
	unsigned bad = 0, checked = 0;

	if (!tap_ok(known != NULL && kh_ent_res_load(lexdir, NULL, known, &r, &err) == 0,
		    "load the test lexicons for the phrase table"))
		goto out;
	lxs[0] = r->gaz;
	lxs[1] = r->given;
	lxs[2] = r->family;
	lxs[3] = r->titles;
	lxs[4] = r->heads;
	lxs[5] = r->stop;
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		struct kh_doc *doc = analyze(texts[t]);
		struct kh_ent_alts al = { 0 };

		if (doc == NULL || kh_ent_alts_build(&al, r->first, doc) < 0) {
			bad++;
			kh_ent_alts_done(&al);
			kh_doc_free(doc);
			continue;
		}
		for (uint32_t i = 0; i < doc->tokens.n; i++) {
			for (unsigned b = 0; b < KH_PHR_N_LEX; b++) {
				for (int strip = 0; strip <= 1; strip++) {
					struct kh_ent_m want = { 0 }, got = { 0 };
					uint32_t nw = kh_ent_match(lxs[b], doc, i, doc->tokens.n, strip, &want);
					uint32_t ng = (al.mask[i] & (1u << b)) == 0 ? 0
						      : kh_ent_alts_match(&al, r->first, lxs[b], 1u << b, doc, i,
									  doc->tokens.n, strip, &got);

					checked++;
					if (nw != ng || (nw > 0 && (want.start != got.start || want.entry != got.entry))) {
						bad++;
						fprintf(stderr, "# token %u lexicon %u strip %d: %u vs %u\n", i, b,
							strip, nw, ng);
					}
				}
			}
		}
		kh_ent_alts_done(&al);
		kh_doc_free(doc);
	}
	tap_ok(checked > 0 && bad == 0, "phrase table and lexicons agree (%u look-ups)", checked);
out:
	kh_ent_res_free(r);
	kh_lex_free(known);
	free(err);
}

/* kh_ent_alts_table_add fills the surface table as kh_ent_table_add_tokens does: every span
 * of up to four tokens of the texts, then the same matches at every token. */
static void test_alts_table_add(void)
{
	static const char *const texts[] = {
		"قال وزير الخارجية ميخائيل بوغدانوف إن الحوار مستمر مع الولايات المتحدة.",
		"وقالت وزارة الخارجية الروسية إن سيرغي لافروف التقى كيري وفالسوريون للأمم المتحدة.",
		"(أ ف ب) - قال مصدر لـ«الشرق الأوسط» إن منظمة التحرير الفلسطينية اجتمعت.",
	};
	unsigned bad = 0, checked = 0;

	for (size_t x = 0; x < sizeof(texts) / sizeof(texts[0]); x++) {
		struct kh_doc *doc = analyze(texts[x]);
		struct kh_ent_alts al = { 0 };
		struct kh_ent_table *a = kh_ent_table_new(), *b = kh_ent_table_new();

		if (doc == NULL || a == NULL || b == NULL || kh_ent_alts_build(&al, NULL, doc) < 0) {
			bad++;
			goto next;
		}
		for (uint32_t tf = 0; tf < doc->tokens.n; tf++)
			for (uint32_t te = tf + 1; te <= doc->tokens.n && te <= tf + 4; te++) {
				uint32_t st = doc->tokens.items[tf].core_start, v = tf * 8 + te;

				if (kh_ent_table_add_tokens(a, doc, tf, te, st, v) < 0 ||
				    kh_ent_alts_table_add(&al, b, doc, tf, te, st, v) < 0)
					bad++;
			}
		for (uint32_t i = 0; i < doc->tokens.n; i++) {
			struct kh_ent_m ma = { 0 }, mb = { 0 };
			uint32_t na = kh_ent_alts_table_match(&al, a, doc, i, doc->tokens.n, &ma);
			uint32_t nb = kh_ent_alts_table_match(&al, b, doc, i, doc->tokens.n, &mb);

			checked++;
			if (na != nb || ma.start != mb.start || ma.value != mb.value) {
				bad++;
				fprintf(stderr, "# token %u: %u vs %u\n", i, na, nb);
			}
		}
	next:
		kh_ent_table_free(a);
		kh_ent_table_free(b);
		kh_ent_alts_done(&al);
		kh_doc_free(doc);
	}
	tap_ok(checked > 0 && bad == 0, "surface table from the readings as from the keys (%u tokens)", checked);
}

/* ---- patterns ---------------------------------------------------------------------------- */

static void test_title_patterns(void)
{
	struct kh_doc *doc;
	int e, aff;

	expect("قال وزير الخارجية ميخائيل بوغدانوف إن الحوار مستمر.", "ميخائيل بوغدانوف",
	       KH_ENT_PERSON, "role + given name + unknown word");
	expect("أعلن وزير الدفاع سيرغي شويغو أن القوات انسحبت.", "سيرغي شويغو", KH_ENT_PERSON,
	       "role + two unknown words");
	expect("قال الرئيس الأميركي دونالد ترامب إن بلاده لن تنسحب.", "دونالد ترامب", KH_ENT_PERSON,
	       "title + NORP + name");
	expect("شن الفريق خليفة حفتر هجوما على المدينة.", "خليفة حفتر", KH_ENT_PERSON,
	       "military rank + name");
	expect_none("قال الرئيس إن الاتفاق صامد.", "إن", KH_ENT_PERSON, "a title alone makes no person");

	doc = analyze("والتقى نائب وزير الخارجية الإيراني حسين جابري أنصاري نظيره الروسي.");
	e = find_mention(doc, "حسين جابري أنصاري", KH_ENT_PERSON);
	tap_ok(e >= 0, "role chain + NORP + name");
	if (e >= 0) {
		const struct kh_entity *en = &doc->entities.items[e];

		tap_ok(en->n_titles == 1 && strcmp(en->titles[0], "نائب وزير الخارجية") == 0,
		       "title is the role without the NORP: %s", en->n_titles > 0 ? en->titles[0] : "-");
		aff = (int)en->affiliation;
		tap_ok(aff >= 0 && (uint32_t)aff < doc->entities.n &&
			       doc->entities.items[aff].country != NULL &&
			       strcmp(doc->entities.items[aff].country, "IR") == 0,
		       "affiliation is the Iranian NORP (IR)");
	} else {
		dump(doc);
	}
	tap_ok(find_mention(doc, "الإيراني", KH_ENT_NORP) >= 0, "the NORP in the chain is a mention");
	kh_doc_free(doc);

	doc = analyze("وصل بريت ماكغورك، مبعوث الرئيس الأميركي، إلى المدينة.");
	e = find_mention(doc, "بريت ماكغورك", KH_ENT_PERSON);
	tap_ok(e >= 0 && doc->entities.items[e].n_titles == 1 &&
		       strncmp(doc->entities.items[e].titles[0], "مبعوث الرئيس", strlen("مبعوث الرئيس")) == 0,
	       "a title after the name (apposition)");
	if (e < 0)
		dump(doc);
	kh_doc_free(doc);
}

static void test_more_patterns(void)
{
	struct kh_doc *doc;
	int e;

	expect("وأفادت لوبا سمري المتحدثة باسم الشرطة أن التحقيق بدأ.", "لوبا سمري", KH_ENT_PERSON,
	       "reporting verb + unknown name + title");
	doc = analyze("وأفادت لوبا سمري المتحدثة باسم الشرطة أن التحقيق بدأ.");
	e = find_mention(doc, "لوبا سمري", KH_ENT_PERSON);
	tap_ok(e >= 0 && doc->entities.items[e].n_titles == 1, "the title after the name is kept");
	kh_doc_free(doc);
	doc = analyze("وقال المتحدث باسم الأمم المتحدة اللواء سامي العبدالله إن القوافل وصلت.");
	e = find_mention(doc, "سامي العبدالله", KH_ENT_PERSON);
	tap_ok(e >= 0 && doc->entities.items[e].n_titles == 2 &&
		       strcmp(doc->entities.items[e].titles[0], "المتحدث باسم الأمم المتحدة") == 0 &&
		       strcmp(doc->entities.items[e].titles[1], "اللواء") == 0,
	       "a role with its organisation and a rank are two titles");
	if (e < 0)
		dump(doc);
	kh_doc_free(doc);
	expect("تعهد رئيس إقليم كردستان مسعود بارزاني بالرد.", "إقليم كردستان", KH_ENT_GPE,
	       "a place named inside a title");
	expect("تعهد رئيس إقليم كردستان مسعود بارزاني بالرد.", "مسعود بارزاني", KH_ENT_PERSON,
	       "and the person after it");
	expect("وقال مصدر عسكري لـ«الوطن» إن الهجوم فشل.", "الوطن", KH_ENT_ORG,
	       "a quoted name after لـ is an outlet");
	expect_none("ودعا إلى التصدي للإرهاب بشكل منسق وفعال، وبسرعة.", "وفعال", KH_ENT_PERSON,
		    "a word with a leftover و after a role word is no name");
	expect_none("وقال الناطق باسم المتمردين إن الهدنة انتهت.", "المتمردين", KH_ENT_PERSON,
		    "a lone definite common word after a title is no name");
}

static void test_given_names(void)
{
	expect("وصل محمد الحسيني إلى دمشق.", "محمد الحسيني", KH_ENT_PERSON, "given name + family word");
	expect("وقال حسين كاظم الموسوي إن الوضع هادئ.", "حسين كاظم الموسوي", KH_ENT_PERSON,
	       "given name + two words");
	expect_none("وصل محمد إلى دمشق.", "محمد", KH_ENT_PERSON, "a lone given name is left alone");
	expect_none("يتطلب الوضع حلا سياسيا عادلا.", "حلا سياسيا عادلا", KH_ENT_PERSON,
		    "accusative common words after a word that is also a given name");
	expect("استقبل الملك محمد بن علي آل خليفة الوفد.", "محمد بن علي آل خليفة", KH_ENT_PERSON,
	       "بن and آل link the parts of a name");
	expect("نفى علي عبد الله التهم.", "علي عبد الله", KH_ENT_PERSON, "compound with عبد");
}

static void test_org_heads(void)
{
	expect("ذكرت وكالة «سانا» أن الطريق أغلق.", "سانا", KH_ENT_ORG, "agency head + quoted name");
	expect("أعلن تنظيم «داعش» مسؤوليته.", "داعش", KH_ENT_ORG, "descriptor head + quoted name");
	expect("تقدمت قوات البيشمركة نحو البلدة.", "البيشمركة", KH_ENT_ORG,
	       "descriptor head + known organisation");
	expect("أصدرت وزارة الدفاع الروسية بيانا.", "وزارة الدفاع الروسية", KH_ENT_ORG,
	       "ministry + genitive + NORP");
	expect("ناقش مجلس الأمن الدولي القرار.", "مجلس الأمن الدولي", KH_ENT_ORG,
	       "council + genitive chain");
	expect("قالت حكومة إقليم كردستان إن النازحين عادوا.", "حكومة إقليم كردستان", KH_ENT_ORG,
	       "government + place name");
	expect("قاتل عناصر حزب الله في الجبال.", "حزب الله", KH_ENT_ORG, "a lexicon name with its head");
	expect("نقل مكتب أخبار سورية عن مصادر أن الطريق أغلق.", "مكتب أخبار سورية", KH_ENT_ORG,
	       "an indefinite noun in construct with a known place");
	expect_none("تقدمت قوات النظام نحو البلدة.", "قوات النظام", KH_ENT_ORG,
		    "descriptor head + common noun is no organisation");
}

static void test_place_heads(void)
{
	struct kh_doc *doc;

	expect("قصفت الطائرات مدينة البوكمال أمس.", "البوكمال", KH_ENT_GPE, "city head is outside");
	expect("قتل مدنيون في بلدة كفر دوما.", "كفر دوما", KH_ENT_GPE, "two-word name with a prefix");
	expect("استهدفت الغارات مشفى عائشة في المدينة.", "مشفى عائشة", KH_ENT_FAC,
	       "facility head is inside");
	expect("هبطت الطائرة في مطار منغ العسكري.", "مطار منغ", KH_ENT_FAC,
	       "facility: a describing adjective stays outside");
	expect("تجمع المتظاهرون في دوار الشهداء وسط المدينة.", "دوار الشهداء", KH_ENT_FAC,
	       "facility named by a definite common word");
	expect("قتل شخص في كفر دوما شرق العاصمة.", "كفر دوما", KH_ENT_GPE,
	       "place prefix without a head");
	expect("نقل المصابون إلى مستشفى الملك فهد في المدينة.", "مستشفى الملك فهد", KH_ENT_FAC,
	       "a facility named after a king");
	expect("أعلنت جامعة الملك عبد الله عن منح جديدة.", "جامعة الملك عبد الله", KH_ENT_ORG,
	       "an organisation named after a king");
	expect_none("أضرمت النيران في منزل بقرية قريبة من المدينة.", "قريبة", KH_ENT_GPE,
		    "an adjective after a place head is no name");
	doc = analyze("سيطرت الفصائل على قرى تل رفعت والشيخ عيسى وحربل في الريف.");
	tap_ok(find_mention(doc, "تل رفعت", KH_ENT_GPE) >= 0 &&
		       find_mention(doc, "الشيخ عيسى", KH_ENT_GPE) >= 0 &&
		       find_mention(doc, "حربل", KH_ENT_GPE) >= 0,
	       "a list after a plural place head gives three places");
	dump(doc);
	kh_doc_free(doc);
	expect("قتل شخصان في محافظتي الحسكة ودير الزور.", "دير الزور", KH_ENT_GPE,
	       "a list of known places");
	expect("شنت الطائرات غارات على ريف الحسكة والمالكية والقحطانية.", "القحطانية", KH_ENT_GPE,
	       "a list of definite names after a singular head");
	expect_none("وصل الجنود إلى مدينة الحسكة والمناطق المجاورة لها.", "المناطق", KH_ENT_GPE,
		    "a common word after و ends the list");
	expect("قصفت المدفعية مناطق مطار منغ وكفر أنطون أمس.", "كفر أنطون", KH_ENT_GPE,
	       "a place prefix after و in a list");
}

static void test_second_pass_and_grouping(void)
{
	struct kh_doc *doc = analyze(
		"بوغدانوف: الحل سياسي\nقال نائب وزير الخارجية ميخائيل بوغدانوف إن الحوار مستمر. "
		"وأضاف بوغدانوف أن موسكو مستعدة. وسيطرت «قسد» على البلدة، وقالت قوات سورية "
		"الديمقراطية إن المعارك انتهت. وقصفت الطائرات مدينة البوكمال، ثم عادت إلى البوكمال.");
	int e = find_mention(doc, "ميخائيل بوغدانوف", KH_ENT_PERSON);
	int n_bog = 0;

	tap_ok(e >= 0, "the full name is found");
	for (uint32_t i = 0; doc != NULL && i < doc->mentions.n; i++)
		if ((int)doc->mentions.items[i].entity == e)
			n_bog++;
	tap_is_int(n_bog, 3, "the last name alone is found twice more, headline included");
	tap_ok(e >= 0 && strcmp(doc->entities.items[e].name, "ميخائيل بوغدانوف") == 0,
	       "name is the fullest form");
	tap_ok(e >= 0 && doc->entities.items[e].n_mentions == 3, "entity counts its mentions");
	tap_ok(find_mention(doc, "قسد", KH_ENT_ORG) >= 0 &&
		       find_mention(doc, "قسد", KH_ENT_ORG) ==
			       find_mention(doc, "قوات سورية الديمقراطية", KH_ENT_ORG),
	       "the acronym and the full name are one entity");
	tap_is_int(count_type(doc, KH_ENT_GPE) >= 3, 1, "البوكمال found again without its head");
	tap_ok(find_mention(doc, "البوكمال", KH_ENT_GPE) >= 0, "pattern place is a GPE");
	{
		int mos = find_mention(doc, "موسكو", KH_ENT_GPE);

		tap_ok(mos >= 0 && doc->entities.items[mos].name_en != NULL &&
			       strcmp(doc->entities.items[mos].name_en, "Moscow") == 0 &&
			       strcmp(doc->entities.items[mos].country, "RU") == 0,
		       "name_en and country come from the lexicon");
	}
	for (uint32_t i = 1; doc != NULL && i < doc->mentions.n; i++)
		if (doc->mentions.items[i].start < doc->mentions.items[i - 1].start) {
			tap_ok(false, "mentions are in text order");
			break;
		}
	kh_doc_free(doc);

	doc = analyze("التقى الرئيس بشار الأسد الوفد. وقال الأسد إن الحرب انتهت.");
	tap_ok(doc != NULL && find_mention(doc, "الأسد", KH_ENT_PERSON) >= 0 &&
		       find_mention(doc, "الأسد", KH_ENT_PERSON) ==
			       find_mention(doc, "بشار الأسد", KH_ENT_PERSON),
	       "a family name alone joins the full name");
	dump(doc);
	kh_doc_free(doc);
}

/* ---- robustness -------------------------------------------------------------------------- */

static void test_robustness(void)
{
	static const char *const odd[] = {
		"«", "» «", "مدينة", "قرى و و و", "وزير وزير وزير", "«سانا", "أ . ف . ب", "محمد",
		"مدينة «", "وكالة «»", "قرى ، ، ،", "الرئيس الأميركي", "\n\n\n", "a b c",
	};
	char buf[4096];
	unsigned seed = 12345;
	int fine = 1;

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		struct kh_doc *doc = analyze(odd[i]);

		kh_doc_free(doc);
	}
	/* random Arabic-ish words from a small alphabet of heads, names and marks */
	for (int round = 0; round < 200; round++) {
		static const char *const words[] = { "مدينة", "قرى", "و", "«", "»", "،", "وزير",
						     "الخارجية", "محمد", "بوغدانوف", "سورية", "قسد", ".",
						     "وكالة", "الأميركي", "أ", "ف", "ب", "\n", "مشفى" };
		size_t n = 0;

		for (int w = 0; w < 60; w++) {
			const char *s;

			seed = seed * 1103515245u + 12345u;
			s = words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))];
			if (n + strlen(s) + 2 >= sizeof(buf))
				break;
			memcpy(buf + n, s, strlen(s));
			n += strlen(s);
			buf[n++] = ' ';
		}
		buf[n] = '\0';
		{
			struct kh_doc *doc = analyze(buf);

			if (doc != NULL)
				for (uint32_t m = 0; m < doc->mentions.n; m++)
					if (doc->mentions.items[m].end > doc->norm_len ||
					    doc->mentions.items[m].start > doc->mentions.items[m].end)
						fine = 0;
			kh_doc_free(doc);
		}
	}
	tap_ok(fine, "random word salads give well-formed spans and no crash");
}

int main(void)
{
	const char *data = getenv("KHABAR_DATA_DIR");
	struct kh_pipeline_options po = { 0 };
	char *err = NULL;

	snprintf(lexdir, sizeof(lexdir), "%s/../tests/data/lex", data != NULL ? data : "data");
	po.data_dir = lexdir;
	pipe_ = kh_pipeline_new(&po, &err);
	an = kh_analyzer_new();
	if (!tap_ok(pipe_ != NULL && an != NULL, "pipeline over the test lexicons (%s)",
		    err != NULL ? err : "ok"))
		return tap_done();
	test_loader();
	test_bad_lines();
	test_norp_forms();
	test_lexicon_matches();
	test_phrase_table();
	test_alts_table_add();
	test_title_patterns();
	test_given_names();
	test_more_patterns();
	test_org_heads();
	test_place_heads();
	test_second_pass_and_grouping();
	test_robustness();
	kh_analyzer_free(an);
	kh_pipeline_unref(pipe_);
	return tap_done();
}
