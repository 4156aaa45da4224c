/* SPDX-License-Identifier: MIT */
/* Clitic analysis: proclitics, the article, fused لل, pronoun suffixes, and
 * names that only look as if they began with a proclitic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uclean.h>

#include "clitics.h"
#include "tap.h"
#include "textdoc.h"

static struct kh_segmenter *sg;
static struct kh_lexicon *known;

/* One word through the segmenter: check core, stem, keys and flags. */
static void word_is(const char *word, const char *core, const char *stem, const char *key,
		    const char *stem_key, uint8_t proclitics, uint8_t flags)
{
	struct kh_doc *doc = td_seg(sg, known, word);
	const struct kh_token *t;

	if (!tap_is_int(doc != NULL ? doc->tokens.n : 0, 1, "%s: one token", word)) {
		kh_doc_free(doc);
		return;
	}
	t = &doc->tokens.items[0];
	tap_is_str(td_view(doc, t->core_start, t->end), core, "%s: core", word);
	tap_is_str(td_view(doc, t->stem_start, t->stem_end), stem, "%s: stem", word);
	tap_is_str(t->key, key, "%s: key", word);
	tap_is_str(t->stem_key, stem_key, "%s: stem key", word);
	tap_is_int(t->proclitics, proclitics, "%s: proclitics", word);
	tap_is_int(t->flags & (KH_TOKF_ARTICLE | KH_TOKF_SUFFIX), flags, "%s: article/suffix flags", word);
	kh_doc_free(doc);
}

static void whole(const char *word)
{
	char *k = kh_norm_key(word, strlen(word));

	word_is(word, word, word, k, k, 0, 0);
	free(k);
}

static void test_proclitics(void)
{
	word_is("وقال", "قال", "قال", "قال", "قال", KH_PRO_WA, 0);
	word_is("فقال", "قال", "قال", "قال", "قال", KH_PRO_FA, 0);
	word_is("لبيروت", "بيروت", "بيروت", "بيروت", "بيروت", KH_PRO_LI, 0);
	word_is("وبغداد", "بغداد", "بغداد", "بغداد", "بغداد", KH_PRO_WA, 0);
	word_is("كمصدر", "مصدر", "مصدر", "مصدر", "مصدر", KH_PRO_KA, 0);
	word_is("وبمشاركة", "مشاركة", "مشاركة", "مشاركه", "مشاركه", KH_PRO_WA | KH_PRO_BI, 0);
	word_is("سيزور", "يزور", "يزور", "يزور", "يزور", KH_PRO_SA, 0);
	word_is("وستعقد", "تعقد", "تعقد", "تعقد", "تعقد", KH_PRO_WA | KH_PRO_SA, 0);
	word_is("لليبيا", "ليبيا", "ليبيا", "ليبيا", "ليبيا", KH_PRO_LI, 0);
	/* the shortest proclitic whose rest is known */
	word_is("وكفر", "كفر", "كفر", "كفر", "كفر", KH_PRO_WA, 0);
	word_is("فكان", "كان", "كان", "كان", "كان", KH_PRO_FA, 0);
	word_is("وبالتالي", "التالي", "تالي", "التالي", "تالي", KH_PRO_WA | KH_PRO_BI, KH_TOKF_ARTICLE);
}

static void test_article(void)
{
	word_is("الحكومة", "الحكومة", "حكومة", "الحكومه", "حكومه", 0, KH_TOKF_ARTICLE);
	word_is("والحكومة", "الحكومة", "حكومة", "الحكومه", "حكومه", KH_PRO_WA, KH_TOKF_ARTICLE);
	word_is("بالقرب", "القرب", "قرب", "القرب", "قرب", KH_PRO_BI, KH_TOKF_ARTICLE);
	/* the rest begins with the article: split even when the word is unknown */
	word_is("وبالمدينة", "المدينة", "مدينة", "المدينه", "مدينه", KH_PRO_WA | KH_PRO_BI, KH_TOKF_ARTICLE);
	word_is("كالعادة", "العادة", "عادة", "العاده", "عاده", KH_PRO_KA, KH_TOKF_ARTICLE);
	word_is("فالأمر", "الأمر", "أمر", "الامر", "امر", KH_PRO_FA, KH_TOKF_ARTICLE);
	/* fused لل = ل + ال */
	word_is("للأمم", "لأمم", "أمم", "الامم", "امم", KH_PRO_LI, KH_TOKF_ARTICLE);
	word_is("وللمرة", "لمرة", "مرة", "المره", "مره", KH_PRO_WA | KH_PRO_LI, KH_TOKF_ARTICLE);
	/* ال that is not the article */
	word_is("التي", "التي", "التي", "التي", "التي", 0, 0);
	word_is("والتي", "التي", "التي", "التي", "التي", KH_PRO_WA, 0);
	word_is("التزام", "التزام", "التزام", "التزام", "التزام", 0, 0);
}

static void test_suffixes(void)
{
	word_is("زيارته", "زيارته", "زيارت", "زيارته", "زياره", 0, KH_TOKF_SUFFIX);
	word_is("وزيارتها", "زيارتها", "زيارت", "زيارتها", "زياره", KH_PRO_WA, KH_TOKF_SUFFIX);
	word_is("موقفهم", "موقفهم", "موقف", "موقفهم", "موقف", 0, KH_TOKF_SUFFIX);
	word_is("بلادنا", "بلادنا", "بلاد", "بلادنا", "بلاد", 0, KH_TOKF_SUFFIX);
	word_is("مستواه", "مستواه", "مستوا", "مستواه", "مستوي", 0, KH_TOKF_SUFFIX);
	/* ي: the pronoun after ة kept as ت; a nisba adjective stays whole */
	word_is("زيارتي", "زيارتي", "زيارت", "زيارتي", "زياره", 0, KH_TOKF_SUFFIX);
	whole("بيروتي");
	word_is("بنظرائه", "نظرائه", "نظرائ", "نظرائه", "نظراء", KH_PRO_BI, KH_TOKF_SUFFIX);
	word_is("أعضاؤها", "أعضاؤها", "أعضاؤ", "اعضاؤها", "اعضاء", 0, KH_TOKF_SUFFIX);
	/* a known word ending in a suffix letter stays whole */
	word_is("وزيره", "وزيره", "وزير", "وزيره", "وزير", 0, KH_TOKF_SUFFIX);
	whole("مدينة");
	whole("الله");
}

static void test_names(void)
{
	static const char *const names[] = {
		"بوغدانوف", "بيروت", "لبنان", "كركوك", "فرنسا", "سوريا", "وهران", "بغداد", "لندن",
		"بنغازي", "كمال", "وليد", "فلسطين", "سامراء",
	};

	/* known names are never cut, unknown names are not cut when the rest is unknown */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		whole(names[i]);
}

static void test_not_arabic(void)
{
	struct kh_clitics c;

	tap_ok(!kh_clitics_analyze(known, "wall", NULL, 4, &c) && c.stem_end == 4, "Latin words are not analysed");
	tap_ok(!kh_clitics_analyze(known, "و", NULL, 2, &c), "a single letter is not analysed");
	tap_ok(kh_clitics_known(known, "زيارت", strlen("زيارت"), 0x629), "known with ة restored");
	tap_ok(!kh_clitics_known(NULL, "قال", strlen("قال"), 0), "nothing is known without a lexicon");
}

static int add_words(const char *words)
{
	char *copy = strdup(words);
	int r = 0;

	for (char *w = strtok(copy, " "); w != NULL && r == 0; w = strtok(NULL, " "))
		r = kh_lex_add(known, w, NULL, 0, "test", 1);
	free(copy);
	return r;
}

int main(void)
{
	sg = kh_seg_new();
	known = kh_lex_new();
	tap_ok(sg != NULL && known != NULL, "segmenter and lexicon open");
	/* a small known-word list of our own, so the test does not follow data/words.txt */
	tap_is_int(add_words("قال بيروت بغداد لبنان ليبيا مصدر مشاركة يزور تعقد حكومة قرب أمم مرة "
			     "زيارة موقف بلاد مستوى وزير مدينة التزام كمال وليد فلسطين سامراء "
			     "بنان ريم مال عد نظراء أعضاء كفر فر كان أن"),
		   0, "known words added");
	test_proclitics();
	test_article();
	test_suffixes();
	test_names();
	test_not_arabic();
	kh_lex_free(known);
	kh_seg_free(sg);
	kh_seg_shutdown();
	u_cleanup();
	return tap_done();
}
