/* SPDX-License-Identifier: MIT */
/* The Arabic number parser: digits, number words, compounds, vague counts, qualifiers. */
#include <stdio.h>
#include <string.h>

#include "evdoc.h"
#include "numbers.h"
#include "tap.h"

/* Parse the count at the first occurrence of @p at in @p text. */
static struct kh_count parse(const char *text, const char *at, uint32_t *ret_used)
{
	struct kh_doc *doc = evdoc_new(text, 0, 0, 0, NULL);
	struct kh_count c = { 0 };
	uint32_t t = evdoc_tok(doc, at[0] == '+' ? at + 1 : at);

	if (at[0] == '+' && t != UINT32_MAX)
		t++; /* the token after the word */
	uint32_t used = t == UINT32_MAX ? 0 : kh_num_parse(doc, t, doc->tokens.n, &c);
	static char span[600];

	snprintf(span, sizeof(span), "%s", c.present ? evdoc_text(doc, c.span) : "");
	c.span.start = 0; /* the doc goes away; keep the text */
	if (ret_used != NULL)
		*ret_used = used;
	kh_doc_free(doc);
	return c;
}

static void is_value(const char *text, const char *at, long long want, int bound, const char *name)
{
	uint32_t used = 0;
	struct kh_count c = parse(text, at, &used);

	tap_ok(used > 0 && c.present && !c.vague && c.value == want && c.bound == bound,
	       "%s: value %lld (got %lld, bound %d, used %u)", name, want, (long long)c.value, c.bound, used);
}

static void test_words(void)
{
	is_value("قتل 17 شخصا", "17", 17, KH_COUNT_EXACT, "digits");
	/* the text stage may already have turned them into ASCII digits: look after قتل */
	is_value("قتل ١٧ شخصا", "+قتل", 17, KH_COUNT_EXACT, "Arabic-Indic digits");
	is_value("قتل ثلاثة جنود", "ثلاثة", 3, KH_COUNT_EXACT, "a unit word");
	is_value("أصيب عشرة مدنيين", "عشرة", 10, KH_COUNT_EXACT, "ten");
	is_value("قتل أحد عشر مقاتلا", "أحد", 11, KH_COUNT_EXACT, "eleven");
	is_value("أسر اثنا عشر جنديا", "اثنا", 12, KH_COUNT_EXACT, "twelve");
	is_value("قتل ثلاثة عشر شخصا", "ثلاثة", 13, KH_COUNT_EXACT, "thirteen");
	is_value("سقط خمسة وعشرون قتيلا", "خمسة", 25, KH_COUNT_EXACT, "compound with و");
	is_value("نزح عشرون ألفا", "عشرون", 20000, KH_COUNT_EXACT, "tens times thousand");
	is_value("أكثر من ألفي مسلح", "ألفي", 2000, KH_COUNT_EXACT, "dual thousand");
	is_value("قتل ثلاثمئة شخص", "ثلاثمئة", 300, KH_COUNT_EXACT, "hundreds in one word");
	is_value("قتل ثلاث مئة شخص", "ثلاث", 300, KH_COUNT_EXACT, "hundreds in two words");
	is_value("نزح ثلاثة آلاف شخص", "ثلاثة", 3000, KH_COUNT_EXACT, "units times آلاف");
	is_value("نزح 400 ألف شخص", "400", 400000, KH_COUNT_EXACT, "digits times ألف");
	is_value("نزح 1.5 مليون شخص", "1.5", 1500000, KH_COUNT_EXACT, "decimal millions");
	is_value("بلغ العدد ألف وخمسمائة وثلاثة وعشرين", "ألف", 1523, KH_COUNT_EXACT, "long compound");
	is_value("قتل مئتا شخص", "مئتا", 200, KH_COUNT_EXACT, "two hundred");
}

static void test_qualifiers(void)
{
	is_value("قتل نحو 20 شخصا", "نحو", 20, KH_COUNT_APPROX, "نحو is approximate");
	is_value("قتل حوالي عشرين شخصا", "حوالي", 20, KH_COUNT_APPROX, "حوالي is approximate");
	is_value("قتل ما يقارب 30 شخصا", "ما", 30, KH_COUNT_APPROX, "ما يقارب is approximate");
	is_value("قتل أكثر من 50 شخصا", "أكثر", 50, KH_COUNT_MIN, "أكثر من is a minimum");
	is_value("قتل ما لا يقل عن 12 شخصا", "ما", 12, KH_COUNT_MIN, "ما لا يقل عن is a minimum");
	is_value("قتل أقل من عشرة أشخاص", "أقل", 10, KH_COUNT_MAX, "أقل من is a maximum");
	is_value("قتل 43 على الأقل", "43", 43, KH_COUNT_MIN, "على الأقل after the number");
}

static void test_vague(void)
{
	const char *vague[][2] = {
		{ "سقط عشرات الجرحى", "عشرات" },
		{ "نزح مئات الآلاف", "مئات" },
		{ "اعتقل عددا من الناشطين", "عددا" },
		{ "قتل العشرات", "العشرات" },
		{ "فر الآلاف من المدنيين", "الآلاف" },
		{ "قتل بضعة جنود", "بضعة" },
	};

	for (size_t i = 0; i < sizeof(vague) / sizeof(vague[0]); i++) {
		uint32_t used = 0;
		struct kh_count c = parse(vague[i][0], vague[i][1], &used);

		tap_ok(used > 0 && c.present && c.vague, "vague: %s", vague[i][0]);
	}
	{
		uint32_t used = 0;

		parse("مئات الآلاف من النازحين", "مئات", &used);
		tap_is_int(used, 2, "مئات الآلاف is one vague count");
		parse("عدد السكان كبير", "عدد", &used);
		tap_is_int(used, 0, "عدد alone is no count");
		parse("قال المتحدث", "قال", &used);
		tap_is_int(used, 0, "a word that is no number");
	}
}

static void test_word_value(void)
{
	tap_is_int(kh_num_word_value("ثلاثه"), 3, "folded word value");
	tap_is_int(kh_num_word_value("2017"), 2017, "digit value");
	tap_is_int(kh_num_word_value("عشرات"), -1, "a vague word has no value");
	tap_is_int(kh_num_word_value("99999999999999999999999999"), KH_NUM_MAX, "huge numbers are capped");
}

static void test_overflow(void)
{
	uint32_t used = 0;
	struct kh_count c = parse("مليار مليار مليار مليار مليار", "مليار", &used);

	tap_ok(c.value <= KH_NUM_MAX && c.value > 0, "repeated scales stay capped (%lld)", (long long)c.value);
	c = parse("999999999999999999 مليون", "999", &used);
	tap_ok(c.value == KH_NUM_MAX, "digits times a scale are capped");
}

int main(void)
{
	test_words();
	test_qualifiers();
	test_vague();
	test_word_value();
	test_overflow();
	return tap_done();
}
