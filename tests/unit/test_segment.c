/* SPDX-License-Identifier: MIT */
/* Tokens and sentences: boundaries on our own news article, the rules one by
 * one, and offset round trips in code points, UTF-16 units and UTF-8 bytes. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uclean.h>

#include "khabar/khabar.h"
#include "segment_internal.h"
#include "tap.h"
#include "textdoc.h"

#ifndef KH_TEST_DATA_DIR
#define KH_TEST_DATA_DIR "tests/data"
#endif

static struct kh_segmenter *sg;

static void sentences_are(const char *text, const char *const *want, size_t n, const char *what)
{
	struct kh_doc *doc = td_seg(sg, NULL, text);

	if (!tap_is_int(doc->sentences.n, (long long)n, "%s: sentence count", what)) {
		for (uint32_t i = 0; i < doc->sentences.n; i++)
			printf("#   [%s]\n", td_view(doc, doc->sentences.items[i].start, doc->sentences.items[i].end));
	}
	for (size_t i = 0; i < n && i < doc->sentences.n; i++)
		tap_is_str(td_view(doc, doc->sentences.items[i].start, doc->sentences.items[i].end), want[i],
			   "%s: sentence %zu", what, i);
	kh_doc_free(doc);
}

static void headline_is(const char *text, bool want, const char *what)
{
	struct kh_doc *doc = td_seg(sg, NULL, text);

	tap_ok(doc->sentences.n > 0 && doc->sentences.items[0].headline == want, "%s", what);
	kh_doc_free(doc);
}

static void tokens_are(const char *text, const char *const *want, size_t n, const char *what)
{
	struct kh_doc *doc = td_seg(sg, NULL, text);
	char got[1024] = "", exp[1024] = "";

	for (uint32_t i = 0; i < doc->tokens.n; i++) {
		strncat(got, td_tok(doc, i), sizeof(got) - strlen(got) - 2);
		strcat(got, "|");
	}
	for (size_t i = 0; i < n; i++) {
		strncat(exp, want[i], sizeof(exp) - strlen(exp) - 2);
		strcat(exp, "|");
	}
	tap_is_str(got, exp, "%s", what);
	kh_doc_free(doc);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_article(void)
{
	static const char *const want[] = {
		"وزير الخارجية يبحث مع نظيره الفرنسي تطورات الأزمة في المنطقة",
		"عمان - 12 آذار (وكالات)",
		"بحث وزير الخارجية سامر الخطيب مع نظيره الفرنسي، خلال اتصال هاتفي مساء أمس الثلاثاء، آخر التطورات في المنطقة.",
		"وقال الخطيب إن «الحل السياسي هو السبيل الوحيد لإنهاء الأزمة.»",
		"وأضاف أن بلاده «ستواصل العمل مع شركائها الأوروبيين».",
		"وأوضح المتحدث باسم الوزارة د. هاني القاضي أن المحادثات تناولت أيضا ملف اللاجئين، مشيرا إلى أن نسبة النمو الاقتصادي بلغت 3.5 بالمئة العام الماضي، وأن عدد اللاجئين المسجلين تجاوز 1,300,000 لاجئ حتى 10/7.",
		"وتساءل الوزير: \"هل يمكن للمجتمع الدولي أن يتحمل موجة نزوح جديدة؟\"",
		"ثم أجاب: \"لا أظن ذلك\".",
		"وكانت الوزارة قد أعلنت عن مؤتمر للمانحين!",
		"ومن المقرر أن يزور الخطيب باريس الأسبوع المقبل للمشاركة في اجتماع وزاري للأمم المتحدة",
	};
	static const bool headline[] = { true, true, false, false, false, false, false, false, false, true };
	size_t len = 0;
	char *text = td_read_file(KH_TEST_DATA_DIR "/article_ar.txt", &len);
	struct kh_doc *doc;
	uint32_t i, k;
	bool ok = true;

	if (!tap_ok(text != NULL, "read tests/data/article_ar.txt"))
		return;
	doc = td_norm(text, len);
	kh_seg_apply(sg, NULL, doc);
	tap_is_int(doc->sentences.n, N(want), "article: sentence count");
	for (i = 0; i < N(want) && i < doc->sentences.n; i++) {
		const struct kh_sentence *s = &doc->sentences.items[i];

		tap_is_str(td_view(doc, s->start, s->end), want[i], "article: sentence %u", i);
		tap_is_int(s->headline, headline[i], "article: sentence %u headline flag", i);
	}
	/* sentences tile the tokens; tokens know their sentence */
	for (i = 0, k = 0; i < doc->sentences.n; i++) {
		const struct kh_sentence *s = &doc->sentences.items[i];

		ok = ok && s->tok_first == k && s->tok_end > s->tok_first;
		for (; k < s->tok_end; k++)
			ok = ok && doc->tokens.items[k].sentence == i;
	}
	tap_ok(ok && k == doc->tokens.n, "article: sentences cover every token once, in order");
	/* the span of a sentence in the original text ends before the CR LF */
	tap_is_str(td_orig(doc, doc->sentences.items[1].start, doc->sentences.items[1].end),
		   "عمّان - 12 آذار (وكالات)", "article: dateline's original span keeps the shadda, not the CR");

	k = td_find(doc, "3.5", 0);
	tap_ok(k != UINT32_MAX && doc->tokens.items[k].kind == KH_TOK_NUMBER, "3.5 is one number token");
	k = td_find(doc, "1,300,000", 0);
	tap_ok(k != UINT32_MAX && doc->tokens.items[k].kind == KH_TOK_NUMBER, "1,300,000 is one number token");
	tap_is_str(td_orig(doc, doc->tokens.items[k].start, doc->tokens.items[k].end), "١٬٣٠٠٬٠٠٠",
		   "its original text is in Arabic-Indic digits");
	k = td_find(doc, "10/7", 0);
	tap_ok(k != UINT32_MAX && doc->tokens.items[k].kind == KH_TOK_NUMBER, "10/7 is one number token");
	k = td_find(doc, "«", 0);
	tap_ok(k != UINT32_MAX && (doc->tokens.items[k].flags & KH_TOKF_QUOTE_OPEN) != 0, "« opens");
	k = td_find(doc, "»", 0);
	tap_ok(k != UINT32_MAX && (doc->tokens.items[k].flags & KH_TOKF_QUOTE_CLOSE) != 0, "» closes");
	k = td_find(doc, "\"", 0);
	tap_ok(k != UINT32_MAX && (doc->tokens.items[k].flags & KH_TOKF_QUOTE_OPEN) != 0, "“ → \" opens");
	tap_is_str(td_orig(doc, doc->tokens.items[k].start, doc->tokens.items[k].end), "“", "its original is “");
	k = td_find(doc, "\"", k + 1);
	tap_ok(k != UINT32_MAX && (doc->tokens.items[k].flags & KH_TOKF_QUOTE_CLOSE) != 0, "” → \" closes");
	k = td_find(doc, "\"", k + 1);
	tap_ok(k != UINT32_MAX && (doc->tokens.items[k].flags & KH_TOKF_QUOTE_OPEN) != 0, "plain \" opens");
	k = td_find(doc, "\"", k + 1);
	tap_ok(k != UINT32_MAX && (doc->tokens.items[k].flags & KH_TOKF_QUOTE_CLOSE) != 0,
	       "plain \" before . closes");
	k = td_find(doc, "عمان", 0);
	tap_ok(k != UINT32_MAX && (doc->tokens.items[k].flags & KH_TOKF_LINE_START) != 0,
	       "first token of a line has LINE_START");
	k = td_find(doc, "،", 0);
	tap_ok(k != UINT32_MAX && (doc->tokens.items[k].flags & KH_TOKF_SPACE_BEFORE) == 0,
	       "a comma right after a word has no SPACE_BEFORE");
	tap_ok((doc->tokens.items[k + 1].flags & KH_TOKF_SPACE_BEFORE) != 0, "the word after it has");
	kh_doc_free(doc);
	free(text);
}

static void test_sentence_rules(void)
{
	static const char *const s1[] = { "قال.", "ثم غادر." };
	static const char *const s2[] = { "التقى أ.د. سمير خليل بالوفد." };
	static const char *const s3[] = { "تأسست عام 1948م.", "وقال الوزير." };
	static const char *const s4[] = { "هل حضر؟!", "نعم." };
	static const char *const s5[] = { "(وصل الوفد.)", "ثم بدأ." };
	static const char *const s6[] = { "العنوان", "النص." };
	static const char *const s7[] = { "قال الماضي.", "وقال" };
	static const char *const s8[] = { "Mr. Smith met Dr. Jones.", "They left." };
	static const char *const s9[] = { "بلغت النسبة 3.5 بالمئة." };
	static const char *const s10[] = { "قال: «لن نتراجع!»", "وغادر." };
	static const char *const s11[] = { "1. تعزيز الأمن.", "2. إعادة الإعمار." };
	static const char *const s13[] = { "قال.", "نعم. also" };
	static const char *const s12[] = { "قال.", "نعم.", "ثم 😀 غادر.", "لا." };

	sentences_are("قال. ثم غادر.", s1, N(s1), "two stops");
	sentences_are("التقى أ.د. سمير خليل بالوفد.", s2, N(s2), "single-letter abbreviations do not end");
	sentences_are("تأسست عام 1948م. وقال الوزير.", s3, N(s3), "م. after a year ends");
	sentences_are("هل حضر؟! نعم.", s4, N(s4), "?! is one stop");
	sentences_are("(وصل الوفد.) ثم بدأ.", s5, N(s5), "a closing bracket stays with its sentence");
	sentences_are("العنوان\nالنص.", s6, N(s6), "a line break ends a sentence");
	sentences_are("قال الماضي.وقال", s7, N(s7), "a stop without a space still ends");
	sentences_are("Mr. Smith met Dr. Jones. They left.", s8, N(s8), "Latin abbreviations");
	sentences_are("بلغت النسبة 3.5 بالمئة.", s9, N(s9), "a decimal point does not end");
	sentences_are("قال: «لن نتراجع!» وغادر.", s10, N(s10), "» after ! stays");
	sentences_are("1. تعزيز الأمن.\n2. إعادة الإعمار.", s11, N(s11), "list numbers do not end a sentence");
	sentences_are("قال. نعم. ثم 😀 غادر. لا.", s12, N(s12), "one-word sentences one after another");
	sentences_are("قال. نعم. also", s13, N(s13), "ICU: no break before a small Latin letter, asked right after another stop");
	headline_is("مذبحة في المدينة..\nقتل عشرة.", true, "a headline trailing off with .. is a headline");
	headline_is("قال الوزير:\n«نعم».", false, "a line ending with a colon is no headline");
	headline_is("انتهى الاجتماع.", false, "a line with a final stop is no headline");
	headline_is("وقال المصدر إن الاجتماع الذي عقد في العاصمة بحضور ممثلين عن الأطراف كافة ناقش "
		    "ملفات الأمن والاقتصاد وعودة اللاجئين إلى مدنهم وقراهم التي نزحوا عنها خلال السنوات "
		    "الماضية وسبل تمويل إعادة إعمار ما دمرته الحرب في المحافظات الشرقية والجنوبية",
		    false, "a long line without a stop is a paragraph, not a headline");
}

static void test_token_rules(void)
{
	static const char *const t1[] = { "عام", "2017", "م" };
	static const char *const t2[] = { "ال", "3", "ملايين" };
	static const char *const t3[] = { "الماضي", ".", "وقال" };
	static const char *const t4[] = { "U.S", ".", "F", "-", "16" };
	static const char *const t5[] = { "قال", "(", "«", "نعم", "»", ")", "،", ".", ".", "." };
	static const char *const t6[] = { "نحو", "50", "%", "و", "1.5", "مليون" };
	static const char *const t8[] = { "ال", "CNN", "و", "BBC" };
	static const char *const t7[] = { "😀", "قال", "👍🏽", "𠀀", "ب" };

	tokens_are("عام 2017م", t1, N(t1), "digits and Arabic letters are cut apart");
	tokens_are("الـ3 ملايين", t2, N(t2), "الـ3: article and number apart");
	tokens_are("الماضي.وقال", t3, N(t3), "a full stop between Arabic words is a token");
	tokens_are("U.S. F-16", t4, N(t4), "Latin words keep ICU's rules");
	tokens_are("قال («نعم»)،...", t5, N(t5), "every punctuation mark is a token (… becomes three)");
	tokens_are("نحو 50٪ و1.5 مليون", t6, N(t6), "percent sign and a number after و");
	tokens_are("😀قال👍🏽 𠀀ب", t7, N(t7), "emoji and supplementary CJK are tokens of their own");
	tokens_are("الـCNN وBBC", t8, N(t8), "Arabic letters and Latin letters are cut apart");
}

/* ---- offsets in three units ------------------------------------------------------------- */

/* Offset in @p unit of original byte @p b. */
static uint32_t unit_of(const char *s, uint32_t b, enum kh_offset_unit unit)
{
	uint32_t u = 0;

	if (unit == KH_OFFSET_UTF8)
		return b;
	for (uint32_t i = 0; i < b; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			u += unit == KH_OFFSET_UTF16 && (unsigned char)s[i] >= 0xF0 ? 2 : 1;
	return u;
}

/* Byte offset of unit offset @p u; UINT32_MAX when u falls inside a character. */
static uint32_t byte_of(const char *s, uint32_t len, uint32_t u, enum kh_offset_unit unit)
{
	uint32_t at = 0;

	if (unit == KH_OFFSET_UTF8)
		return u <= len && (u == len || ((unsigned char)s[u] & 0xC0) != 0x80) ? u : UINT32_MAX;
	for (uint32_t i = 0; i <= len; i++) {
		if (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (at == u)
			return i;
		if (at > u || i == len)
			return UINT32_MAX;
		at += unit == KH_OFFSET_UTF16 && (unsigned char)s[i] >= 0xF0 ? 2 : 1;
	}
	return UINT32_MAX;
}

static void test_round_trip(void)
{
	/* non-BMP characters before, inside and after words and mentions */
	const char *text = "😀 قال 𠀀الوزير😀 سامر‌ الخطيب 🇸🇾 في دمشق𠀀.\r\n«نعم» قالت 👍🏽الوزارة وال😀خارجية ب𠀀غداد.";
	struct kh_doc *doc = td_seg(sg, NULL, text);
	static const enum kh_offset_unit units[] = { KH_OFFSET_CODEPOINT, KH_OFFSET_UTF16, KH_OFFSET_UTF8 };
	bool ok = true, differ;
	uint32_t k;

	for (size_t u = 0; u < 3; u++) {
		for (k = 0; k < doc->tokens.n; k++) {
			const struct kh_token *t = &doc->tokens.items[k];
			uint32_t os, oe, us, ue, bs, be;

			kh_doc_orig_span(doc, t->start, t->end, &os, &oe);
			us = unit_of(doc->orig, os, units[u]);
			ue = unit_of(doc->orig, oe, units[u]);
			bs = byte_of(doc->orig, doc->orig_len, us, units[u]);
			be = byte_of(doc->orig, doc->orig_len, ue, units[u]);
			if (bs != os || be != oe) {
				printf("# token %u (%s): unit %d [%u,%u) back to [%u,%u), want [%u,%u)\n", k,
				       td_tok(doc, k), (int)units[u], us, ue, bs, be, os, oe);
				ok = false;
			}
		}
	}
	tap_ok(ok, "every token's span round-trips through code points, UTF-16 and UTF-8");
	/* slicing the original by a token's offsets gives the token's text (once normalized) */
	ok = true;
	for (k = 0; k < doc->tokens.n; k++) {
		const struct kh_token *t = &doc->tokens.items[k];
		uint32_t os, oe;
		struct kh_doc *piece;
		char want[512];

		kh_doc_orig_span(doc, t->start, t->end, &os, &oe);
		piece = td_norm(doc->orig + os, oe - os);
		snprintf(want, sizeof(want), "%s", td_tok(doc, k));
		if (piece == NULL || strcmp(piece->norm, want) != 0) {
			printf("# token %u: original slice normalizes to '%s', token is '%s'\n", k,
			       piece != NULL ? piece->norm : "(null)", want);
			ok = false;
		}
		kh_doc_free(piece);
	}
	tap_ok(ok, "every token's original slice normalizes to the token");
	k = td_find(doc, "الوزير", 0);
	tap_is_str(td_orig(doc, doc->tokens.items[k].start, doc->tokens.items[k].end), "الوزير",
		   "token after 𠀀 slices to itself");
	k = td_find(doc, "سامر", 0);
	tap_is_str(td_orig(doc, doc->tokens.items[k].start, doc->tokens.items[k].end), "سامر",
		   "token before a ZWNJ slices without it");
	differ = unit_of(text, doc->sentences.items[1].start, KH_OFFSET_CODEPOINT) !=
			 unit_of(text, doc->sentences.items[1].start, KH_OFFSET_UTF16) &&
		 unit_of(text, doc->sentences.items[1].start, KH_OFFSET_UTF16) !=
			 unit_of(text, doc->sentences.items[1].start, KH_OFFSET_UTF8);
	tap_ok(differ, "the three units really differ here");
	kh_doc_free(doc);
}

/* Through the JSON writer: sentence offsets in each unit slice the text as sent. */
static void test_json_units(void)
{
	const char *text = "😀 قال 𠀀الوزير.\n«نعم» 👍🏽 قالت.";
	struct kh_doc *doc = td_seg(sg, NULL, text);
	static const enum kh_offset_unit units[] = { KH_OFFSET_CODEPOINT, KH_OFFSET_UTF16, KH_OFFSET_UTF8 };
	static const char *const want[] = { "😀 قال 𠀀الوزير.", "«نعم» 👍🏽 قالت." };

	for (size_t u = 0; u < 3; u++) {
		char *js = kh_doc_to_json(doc, units[u], NULL);
		json_t *root = json_loads(js, 0, NULL);
		json_t *sents = json_object_get(root, "sentences");

		tap_is_int((long long)json_array_size(sents), 2, "JSON unit %d: two sentences", (int)units[u]);
		for (size_t i = 0; i < json_array_size(sents) && i < 2; i++) {
			json_t *s = json_array_get(sents, i);
			uint32_t a = byte_of(text, (uint32_t)strlen(text),
					     (uint32_t)json_integer_value(json_object_get(s, "start")), units[u]);
			uint32_t b = byte_of(text, (uint32_t)strlen(text),
					     (uint32_t)json_integer_value(json_object_get(s, "end")), units[u]);
			char got[256] = "(inside a character)";

			if (a != UINT32_MAX && b != UINT32_MAX && b >= a)
				snprintf(got, sizeof(got), "%.*s", (int)(b - a), text + a);
			tap_is_str(got, want[i], "JSON unit %d: sentence %zu slices to its text", (int)units[u], i);
		}
		json_decref(root);
		free(js);
	}
	kh_doc_free(doc);
}

static void test_threads_share_nothing(void)
{
	struct kh_segmenter *b = kh_seg_new();
	struct kh_doc *d1 = td_seg(sg, NULL, "قال الوزير.");
	struct kh_doc *d2 = td_seg(b, NULL, "قال الوزير.");

	tap_ok(b != NULL && d1->tokens.n == d2->tokens.n && d1->tokens.n == 3,
	       "a second segmenter gives the same tokens");
	kh_doc_free(d1);
	kh_doc_free(d2);
	kh_seg_free(b);
}

static bool same_raw(const struct kh_seg_raw *a, int na, const struct kh_seg_raw *b, int nb)
{
	if (na != nb || na < 0)
		return false;
	for (int i = 0; i < na && i < 128; i++)
		if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].kind != b[i].kind ||
		    a[i].flags != b[i].flags)
			return false;
	return true;
}

/* Our own word break against ICU's iterator: the same raw tokens on random
 * strings of letters, digits, the marks between them and other punctuation (a
 * string with a character ours leaves to ICU must say so). */
static void test_own_word_break(void)
{
	static const char *const pieces[] = {
		"ا", "ل", "ب", "و", "ة", "ی", "a", "Z", "é", "α", "ж", "0", "7", "٣", ".", ",", ":", ";", "'", "\"",
		"،", "؛", "؟", "؍", "٫", "٬", " ", " ", "\n", "-", "–", "—", "«", "»", "(", ")", "%", "/", "!", "?",
		"·", "·", "…", "’", "‘", "“", "€", "$", "#", "*", "۔", "\xd8\x8e", "ж", "١", "ء", "ک",
	};
	/* characters ours leaves to ICU */
	static const char *const hard[] = {
		"©", "ـ", "@", "_", "ּ", "א", "中", "ก", "😀", "\xe2\x80\x8d", "\xcc\x81", "\r", "\xd8\x9c",
	};
	struct kh_seg_raw own[128], icu[128];
	unsigned seed = 12345;
	int compared = 0, differ = 0, left = 0;

	for (int it = 0; it < 20000; it++) {
		char text[256];
		size_t len = 0;
		int n = 1 + (int)(seed % 24), a, b;

		for (int i = 0; i < n; i++) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			if ((seed >> 20) % 64 == 0)
				p = hard[(seed >> 8) % N(hard)];
			else
				p = pieces[(seed >> 8) % N(pieces)];
			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		text[len] = '\0';
		a = kh_seg_raw_tokens(sg, text, (uint32_t)len, false, own, N(own));
		b = kh_seg_raw_tokens(sg, text, (uint32_t)len, true, icu, N(icu));
		if (a == -EAGAIN) {
			left++;
			continue;
		}
		compared++;
		if (!same_raw(own, a, icu, b)) {
			if (differ++ < 5)
				printf("# word breaks differ on [%s]: %d vs %d tokens\n", text, a, b);
		}
	}
	tap_ok(differ == 0 && compared > 10000 && left > 1000,
	       "own word break = ICU's on %d random strings (%d left to ICU)", compared, left);
}

int main(void)
{
	sg = kh_seg_new();
	if (!tap_ok(sg != NULL, "segmenter opens"))
		return tap_done();
	test_article();
	test_sentence_rules();
	test_token_rules();
	test_round_trip();
	test_json_units();
	test_threads_share_nothing();
	test_own_word_break();
	kh_seg_free(sg);
	kh_seg_shutdown();
	u_cleanup();
	return tap_done();
}
