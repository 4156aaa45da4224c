/* SPDX-License-Identifier: MIT */
/* The analysis view: one check per normalization rule, and the offset map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uclean.h>

#include "tap.h"
#include "textdoc.h"

/* The view of @p text must be @p want. */
static void view_is(const char *text, const char *want, const char *what)
{
	struct kh_doc *doc = td_norm(text, strlen(text));

	tap_is_str(doc != NULL ? doc->norm : NULL, want, "%s", what);
	kh_doc_free(doc);
}

/* Every byte of the view maps to whole characters of the original, in order. */
static bool map_ok(const struct kh_doc *doc)
{
	const unsigned char *o = (const unsigned char *)doc->orig;

	if (doc->norm_ostart[doc->norm_len] != doc->orig_len || doc->norm_oend[doc->norm_len] != doc->orig_len)
		return false;
	for (uint32_t i = 0; i < doc->norm_len; i++) {
		uint32_t s = doc->norm_ostart[i], e = doc->norm_oend[i];

		if (s >= e || e > doc->orig_len || (i > 0 && s < doc->norm_ostart[i - 1]))
			return false;
		if ((o[s] & 0xC0) == 0x80 || (e < doc->orig_len && (o[e] & 0xC0) == 0x80))
			return false;
	}
	return true;
}

static void test_marks(void)
{
	struct kh_doc *doc;
	const char *t = "مُحَمَّدٌ قال";

	view_is("مُحَمَّدٌ", "محمد", "harakat, shadda and tanwin are dropped");
	view_is("هٰذا", "هذا", "superscript alef U+0670 is dropped");
	view_is("ٱلْحَمْدُ", "ٱلحمد", "sukun dropped, alef wasla kept in the view");
	view_is("صَلَّى ٱللَّهُ عَلَيْهِ ۖ وَسَلَّمَ ۚ", "صلى ٱلله عليه  وسلم ",
		"Quranic pause marks U+06D6.. are dropped");
	view_is("بِسْمِ\u0610 اللّٰه", "بسم الله", "Quranic honorific U+0610 dropped");
	view_is("الـعـربيـة", "العربية", "tatweel is dropped");
	doc = td_norm(t, strlen(t));
	tap_is_str(doc->norm, "محمد قال", "view without marks");
	tap_is_str(td_orig(doc, 0, 8), "مُحَمَّدٌ", "the word's span covers its trailing marks");
	tap_is_str(td_orig(doc, 6, 8), "دٌ", "the last letter's span covers its tanwin");
	tap_ok(map_ok(doc), "map is ordered and on character boundaries");
	kh_doc_free(doc);
	t = "الـعـربيـة";
	doc = td_norm(t, strlen(t));
	tap_is_str(td_orig(doc, 0, doc->norm_len), t, "tatweel inside the word's span");
	tap_is_str(td_orig(doc, 0, 4), "الـ", "tatweel extends the letter before it");
	kh_doc_free(doc);
}

static void test_invisible(void)
{
	struct kh_doc *doc;
	const char *t = "ab\xE2\x80\x8F" "c"; /* RLM between b and c */

	view_is("مي\u200Cخائيل", "ميخائيل", "ZWNJ dropped");
	view_is("ب\u200Dب", "بب", "ZWJ dropped");
	view_is("a\u200Bb", "ab", "ZWSP dropped");
	view_is("\u200Eقال\u200F", "قال", "LRM and RLM dropped");
	view_is("\u061Cقال", "قال", "ALM U+061C dropped");
	view_is("\u202Bنص\u202C \u2067نص\u2069", "نص نص", "embeddings and isolates dropped");
	view_is("\xEF\xBB\xBFقال", "قال", "BOM dropped");
	view_is("co\xC2\xAD" "operation", "cooperation", "soft hyphen dropped");
	doc = td_norm(t, strlen(t));
	tap_is_int(doc->norm_oend[1], 2, "a dropped control does not extend the character before it");
	tap_is_int(doc->norm_ostart[2], 5, "the next character starts after the control");
	kh_doc_free(doc);
}

static void test_digits(void)
{
	view_is("عام ٢٠١٧", "عام 2017", "Arabic-Indic digits to ASCII");
	view_is("۱۳۹۹", "1399", "Eastern Arabic-Indic digits to ASCII");
	view_is("٣٫٥", "3.5", "Arabic decimal separator to .");
	view_is("١٬٢٠٠", "1,200", "Arabic thousands separator to ,");
	view_is("٥٠٪", "50%", "Arabic percent sign to %");
	view_is("１２３", "123", "full-width digits to ASCII (NFKC)");
}

static void test_letters(void)
{
	view_is("کرکوک", "كركوك", "Persian kaf to Arabic kaf");
	view_is("ایران", "ايران", "Farsi yeh to Arabic yeh");
	view_is("ڪلمة", "كلمة", "swash kaf to kaf");
	view_is("خانە", "خانه", "ae to heh");
	view_is("ۀ ہ ھ", "ه ه ه", "heh variants to heh");
	view_is("ٹ ڈ ں", "ت د ن", "Urdu retroflex letters to Arabic");
	view_is("ی\u0654", "ئ", "Farsi yeh with a combining hamza composes like yeh");
	view_is("ا\u0653", "آ", "alef with combining madda composes (NFKC)");
	view_is("و\u0654", "ؤ", "waw with combining hamza composes");
	view_is("أإآى ة", "أإآى ة", "hamza forms, alef maqsura and taa marbuta are kept in the view");
}

static void test_nfkc(void)
{
	view_is("\uFEFB", "لا", "lam-alef ligature to two letters");
	view_is("\uFEE3\uFEA4\uFEE4\uFEAA", "محمد", "presentation forms to letters");
	view_is("\uFDF2", "الله", "Allah ligature");
	view_is("ＡＢＣ，", "ABC,", "full-width Latin and comma");
	view_is("\uFB01le", "file", "fi ligature");
	view_is("e\u0301", "\u00E9", "e + combining acute composes");
}

static void test_punct_space(void)
{
	view_is("«نص»", "«نص»", "guillemets kept");
	view_is("\u201Cنص\u201D \u201Eنص\u201F", "\"نص\" \"نص\"", "typographic double quotes to \"");
	view_is("قال \u2033نعم\u2033", "قال \"نعم\"", "double prime used as a quote to \"");
	view_is("أ، ب؛ ج؟", "أ، ب؛ ج؟", "Arabic comma, semicolon and question mark kept");
	view_is("a\xC2\xA0" "b\u2009c\u3000d\te", "a b c d e", "NBSP, thin, ideographic space and tab to space");
	view_is("a\r\nb\rc\nd", "a\nb\nc\nd", "CR LF and CR to LF");
	view_is("a\u2028b\u2029c", "a\nb\nc", "line and paragraph separators to LF");
	view_is("a\x01" "b", "a b", "other control characters to space");
	view_is("\u2026", "...", "ellipsis to three full stops (NFKC)");
}

static void test_map(void)
{
	const char *t = "«وزيرُ» 😀 \r\nﷺ ق";
	struct kh_doc *doc = td_norm(t, strlen(t));
	uint32_t lf;

	tap_ok(map_ok(doc), "map ordered, on character boundaries, ends at orig_len");
	lf = (uint32_t)(strchr(doc->norm, '\n') - doc->norm);
	tap_is_str(td_orig(doc, lf, lf + 1), "\r\n", "the LF of a CR LF maps to both bytes");
	tap_is_str(td_orig(doc, 0, doc->norm_len), t, "the whole view maps to the whole text");
	tap_is_str(td_orig(doc, lf + 1, lf + 3), "ﷺ", "part of an expansion maps to the whole ligature");
	kh_doc_free(doc);
}

static void test_long_marks(void)
{
	/* a letter with 5000 marks: stream-safe cutting keeps it linear and the map sane */
	size_t n = 2 + 5000 * 2;
	char *t = malloc(n + 1);
	struct kh_doc *doc;

	memcpy(t, "ب", 2);
	for (size_t i = 0; i < 5000; i++)
		memcpy(t + 2 + 2 * i, i % 2 != 0 ? "\xD9\x8E" : "\xD9\x91", 2);
	t[n] = '\0';
	doc = td_norm(t, n);
	tap_is_str(doc->norm, "ب", "5000 marks on one letter are all dropped");
	tap_is_int(doc->norm_oend[0], (long long)n, "the letter's span covers all its marks");
	kh_doc_free(doc);
	free(t);
}

static void test_keys(void)
{
	struct kh_arena a = { 0 };
	char *k;

	tap_is_str(kh_norm_fold(&a, "أإآٱى ة", strlen("أإآٱى ة")), "ااااي ه", "fold hamza forms, alef maqsura, taa marbuta");
	tap_is_str(kh_norm_fold(&a, "Reuters", 7), "reuters", "fold ASCII case");
	kh_arena_done(&a);
	k = kh_norm_key("  الأُمَمُ   المتّحدة\n", strlen("  الأُمَمُ   المتّحدة\n"));
	tap_is_str(k, "الامم المتحده", "key: normalized, folded, one space between words");
	free(k);
	k = kh_norm_key("جبهة (النصرة)", strlen("جبهة (النصرة)"));
	tap_is_str(k, "جبهه ( النصره )", "key: punctuation marks are words of their own");
	free(k);
	k = kh_norm_key("مستشفى ٣٠ تشرين", strlen("مستشفى ٣٠ تشرين"));
	tap_is_str(k, "مستشفي 30 تشرين", "key: digits to ASCII");
	free(k);
	k = kh_norm_key("ﷲ", strlen("ﷲ"));
	tap_is_str(k, "الله", "key: NFKC");
	free(k);
	k = kh_norm_key("\u200F", 3);
	tap_is_str(k, "", "key: nothing left");
	free(k);
}

int main(void)
{
	test_marks();
	test_invisible();
	test_digits();
	test_letters();
	test_nfkc();
	test_punct_space();
	test_map();
	test_long_marks();
	test_keys();
	kh_seg_shutdown();
	u_cleanup();
	return tap_done();
}
