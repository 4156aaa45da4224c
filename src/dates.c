/* SPDX-License-Identifier: MIT */
/* The dates stage: finds DATE expressions token by token and normalizes them. */
#include "dates.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "keyfilt.h"
#include "lexicon.h"
#include "numbers.h"

enum dw_class {
	DW_REL_DAY = 1, /* أمس -1, اليوم 0, غدا +1 */
	DW_AWWAL,       /* أول (أمس / من أمس) */
	DW_BAAD,        /* بعد (غد) */
	DW_GHAD,        /* غد */
	DW_WEEKDAY,     /* value 0 = Sunday */
	DW_MONTH,       /* value 1..12 */
	DW_MONTH_AMB,   /* a month name that is also a common word (آب، مارس): needs context */
	DW_MONTH_HEAD,  /* كانون / تشرين: value = month of "الأول"; "الثاني" is the next one */
	DW_ORD_FIRST,   /* الأول / أول */
	DW_ORD_SECOND,  /* الثاني / ثاني */
	DW_UNIT,        /* يوم ... value: 1 day 2 week 3 month 4 year; count in ->count */
	DW_PERIOD,      /* الأسبوع الشهر العام السنة: value as DW_UNIT */
	DW_PERIODS,     /* الأيام الأسابيع الأشهر السنوات (vague with الماضية) */
	DW_DIR,         /* value -1 الماضي, +1 المقبل, 0 الحالي */
	DW_PART,        /* صباح مساء ليل ظهر عصر فجر */
	DW_MONTHPART,   /* مطلع أواخر منتصف نهاية بداية */
	DW_YEARWORD,    /* عام / العام / سنة before a year */
	DW_SEASON,      /* صيف شتاء ربيع خريف */
	DW_YAWM,        /* يوم before أمس / a weekday */
	DW_SHAHR,       /* شهر before a month name */
	DW_AGO,         /* قبل / منذ */
	DW_THIS,        /* هذا / هذه */
	DW_FEW,         /* القليلة / الأخيرة between a plural period and its direction */
};

enum { U_DAY = 1, U_WEEK, U_MONTH, U_YEAR };

struct date_word {
	const char *variants;
	uint8_t cls;
	int8_t value;
	int8_t count; /* for units: 1 singular, 2 dual, 0 plural (needs a number) */
};

static const struct date_word date_words[] = {
	{ "أمس|الأمس|البارحة", DW_REL_DAY, -1, 0 },
	{ "اليوم", DW_REL_DAY, 0, 0 },
	{ "غدا|غداً|الغد", DW_REL_DAY, 1, 0 },
	{ "غد", DW_GHAD, 2, 0 },
	{ "أول", DW_AWWAL, 0, 0 },
	{ "بعد", DW_BAAD, 0, 0 },
	{ "الأحد", DW_WEEKDAY, 0, 0 },
	{ "الاثنين|الإثنين", DW_WEEKDAY, 1, 0 },
	{ "الثلاثاء", DW_WEEKDAY, 2, 0 },
	{ "الأربعاء", DW_WEEKDAY, 3, 0 },
	{ "الخميس", DW_WEEKDAY, 4, 0 },
	{ "الجمعة", DW_WEEKDAY, 5, 0 },
	{ "السبت", DW_WEEKDAY, 6, 0 },
	{ "يناير|كانون الثاني|كانون ثاني", DW_MONTH, 1, 0 },
	{ "فبراير|شباط", DW_MONTH, 2, 0 },
	{ "آذار", DW_MONTH, 3, 0 },
	{ "مارس", DW_MONTH_AMB, 3, 0 },
	{ "أبريل|إبريل|ابريل|نيسان", DW_MONTH, 4, 0 },
	{ "مايو|أيار", DW_MONTH, 5, 0 },
	{ "يونيو|يونيه|حزيران", DW_MONTH, 6, 0 },
	{ "يوليو|يوليه|تموز", DW_MONTH, 7, 0 },
	{ "أغسطس|أغسطوس|اغسطس", DW_MONTH, 8, 0 },
	{ "آب", DW_MONTH_AMB, 8, 0 },
	{ "سبتمبر|أيلول", DW_MONTH, 9, 0 },
	{ "أكتوبر|اكتوبر", DW_MONTH, 10, 0 },
	{ "نوفمبر", DW_MONTH, 11, 0 },
	{ "ديسمبر", DW_MONTH, 12, 0 },
	{ "تشرين", DW_MONTH_HEAD, 10, 0 },
	{ "كانون", DW_MONTH_HEAD, 12, 0 },
	{ "الأول|الاول", DW_ORD_FIRST, 0, 0 },
	{ "الثاني|ثاني", DW_ORD_SECOND, 0, 0 },
	{ "يوم|يوما", DW_UNIT, U_DAY, 1 },
	{ "يومين|يومان", DW_UNIT, U_DAY, 2 },
	{ "أيام", DW_UNIT, U_DAY, 0 },
	{ "أسبوع|أسبوعا", DW_UNIT, U_WEEK, 1 },
	{ "أسبوعين|أسبوعان", DW_UNIT, U_WEEK, 2 },
	{ "أسابيع", DW_UNIT, U_WEEK, 0 },
	{ "شهر|شهرا", DW_UNIT, U_MONTH, 1 },
	{ "شهرين|شهران", DW_UNIT, U_MONTH, 2 },
	{ "أشهر|شهور", DW_UNIT, U_MONTH, 0 },
	{ "عام|عاما|سنة", DW_UNIT, U_YEAR, 1 },
	{ "عامين|عامان|سنتين|سنتان", DW_UNIT, U_YEAR, 2 },
	{ "أعوام|سنوات|سنين", DW_UNIT, U_YEAR, 0 },
	{ "الأسبوع", DW_PERIOD, U_WEEK, 0 },
	{ "الشهر", DW_PERIOD, U_MONTH, 0 },
	{ "العام|السنة", DW_PERIOD, U_YEAR, 0 },
	{ "الأيام", DW_PERIODS, U_DAY, 0 },
	{ "الأسابيع", DW_PERIODS, U_WEEK, 0 },
	{ "الأشهر|الشهور", DW_PERIODS, U_MONTH, 0 },
	{ "السنوات|الأعوام|السنين", DW_PERIODS, U_YEAR, 0 },
	{ "الماضي|الماضية|الفائت|الفائتة|المنصرم|المنصرمة|السابق", DW_DIR, -1, 0 },
	{ "المقبل|المقبلة|القادم|القادمة", DW_DIR, 1, 0 },
	{ "الحالي|الحالية|الجاري|الجارية", DW_DIR, 0, 0 },
	{ "صباح|مساء|ليل|ليلة|ظهر|ظهيرة|عصر|فجر|صبيحة|ضحى", DW_PART, 0, 0 },
	{ "مطلع|أوائل|أواخر|منتصف|نهاية|بداية|أواسط|مستهل|أول|آخر|أخر", DW_MONTHPART, 0, 0 },
	{ "صيف|شتاء|ربيع|خريف", DW_SEASON, 0, 0 },
	{ "شهر", DW_SHAHR, 0, 0 },
	{ "يوم", DW_YAWM, 0, 0 },
	{ "قبل|منذ", DW_AGO, 0, 0 },
	{ "هذا|هذه", DW_THIS, 0, 0 },
	{ "القليلة|الأخيرة", DW_FEW, 0, 0 },
};

#define N_DATE_WORDS (sizeof(date_words) / sizeof(date_words[0]))
#define DATE_MAX_TOKENS 12

/* Field of the number words in the table: no index into date_words. */
#define DATE_NUM_MARK "-1"

static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static struct kh_lexicon *table; /* read-only after build; NULL on OOM */
static struct kh_keyfilt table_filter; /* the keys of table: most tokens are none */

/* Every key kh_num_tok_keys() makes of a token ends with the token key's last bytes
 * (proclitics come off the front; the key rebuilt from لل equals the token key from its
 * third byte on), so the last letters of the table's keys rule out most tokens before
 * any key is built: one bit per key, of its last 8 bytes when it has 8 or more, of its
 * last 6 (4) bytes when it has 6 or 7 (4 or 5). */
#define TAIL8_BITS 13
#define TAIL6_BITS 12
#define TAIL4_BITS 10
static uint64_t tail8[(1u << TAIL8_BITS) / 64];
static uint64_t tail6[(1u << TAIL6_BITS) / 64];
static uint64_t tail4[(1u << TAIL4_BITS) / 64];
static bool tails_off; /* a key shorter than 4 bytes: the tails prove nothing */

/* Does key k start with a digit (ASCII, Arabic-Indic or Eastern Arabic-Indic)? */
static bool digit_first(const char *k)
{
	const unsigned char *p = (const unsigned char *)k;

	return (p[0] >= '0' && p[0] <= '9') || (p[0] == 0xD9 && p[1] >= 0xA0 && p[1] <= 0xA9) ||
	       (p[0] == 0xDB && p[1] >= 0xB0 && p[1] <= 0xB9);
}

static uint32_t load32(const char *p)
{
	uint32_t x;

	memcpy(&x, p, 4);
	return x;
}

static uint16_t load16(const char *p)
{
	uint16_t x;

	memcpy(&x, p, 2);
	return x;
}

static uint64_t load64(const char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return x;
}

static uint32_t tail_bit(uint64_t x, unsigned bits)
{
	return (uint32_t)((x * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* The last 8, 6 and 4 bytes of a key of @p len bytes (at least that many). */
static uint64_t last8(const char *k, size_t len)
{
	return load64(k + len - 8);
}

static uint64_t last6(const char *k, size_t len)
{
	return (uint64_t)load32(k + len - 6) | (uint64_t)load16(k + len - 2) << 32;
}

static uint64_t last4(const char *k, size_t len)
{
	return load32(k + len - 4);
}

static void set_bit(uint64_t *w, uint32_t b)
{
	w[b / 64] |= 1ull << (b % 64);
}

static uint64_t get_bit(const uint64_t *w, uint32_t b)
{
	return w[b / 64] >> (b % 64) & 1;
}

static int add_tail(const char *key, size_t len, void *ud)
{
	(void)ud;
	if (len >= 8)
		set_bit(tail8, tail_bit(last8(key, len), TAIL8_BITS));
	else if (len >= 6)
		set_bit(tail6, tail_bit(last6(key, len), TAIL6_BITS));
	else if (len >= 4)
		set_bit(tail4, tail_bit(last4(key, len), TAIL4_BITS));
	else
		tails_off = true;
	return 0;
}

/* Whether a key may start with a digit at one of the even bytes of @p x (the first bytes
 * of a key, no NUL among them) that @p lanes marks: digit_first() there, or a little
 * more, without a branch.  Each 16-bit lane holds a byte lo and the next hi: ASCII
 * digits have lo < 0x40, the Arabic-Indic ones lo D9 or DB and hi A0..BF. */
static uint64_t digits_in(uint64_t x, uint64_t lanes)
{
	uint64_t lo = x & lanes * 0xFF, hi = x >> 8 & lanes * 0xFF;
	uint64_t ascii = ~(lo + lanes * 0xC0) & lanes * 0x100;
	uint64_t z = ((lo | lanes * 0x02) ^ lanes * 0xDB) | ((hi & lanes * 0xE0) ^ lanes * 0xA0);
	uint64_t arabic = ~(z + lanes * 0xFF) & lanes * 0x100;

	return (ascii | arabic) != 0;
}

#define LANES_3 0x000100010001ull /* bytes 0, 2 and 4 */
#define LANES_2 0x00010001ull     /* bytes 0 and 2 */

/* False when no key of word token @p t can be a key of the table and none starts with a
 * digit: match_at() would find nothing there. */
static bool may_match(const struct kh_token *t)
{
	static const char zero8[8];
	const char *k = t->key;
	uint32_t len;
	uint64_t r;

	if (k == NULL || tails_off)
		return true;
	len = kh_tok_key_len(t);
	/* the keys start at bytes 0, 2 or 4 of the token key (or with ا of ال): they are len,
	 * len - 2 or len - 4 bytes long.  One branch on the length, then the tests without
	 * branches */
	if (len >= 12) {
		/* most tokens: only keys of 8 bytes or more fit (the key rebuilt from لل differs
		 * from the token key in its first two bytes only) */
		r = get_bit(tail8, tail_bit(last8(k, len), TAIL8_BITS)) |
		    digits_in((uint64_t)load32(k) | (uint64_t)load16(k + 4) << 32, LANES_3);
	} else if (len >= 10) {
		r = get_bit(tail8, tail_bit(last8(k, len), TAIL8_BITS)) |
		    get_bit(tail6, tail_bit(last6(k, len), TAIL6_BITS)) |
		    digits_in((uint64_t)load32(k) | (uint64_t)load16(k + 4) << 32, LANES_3);
	} else if (len >= 6) {
		/* the key rebuilt from لل (7 bytes or more) has other last 8 bytes */
		const char *p8 = len >= 8 ? k + len - 8 : zero8;
		uint64_t lamlam = (uint64_t)(load32(k) == load32("\xD9\x84\xD9\x84")) & (len >= 7);

		r = (get_bit(tail8, tail_bit(load64(p8), TAIL8_BITS)) & (len >= 8)) |
		    get_bit(tail6, tail_bit(last6(k, len), TAIL6_BITS)) |
		    get_bit(tail4, tail_bit(last4(k, len), TAIL4_BITS)) | lamlam |
		    digits_in((uint64_t)load32(k) | (uint64_t)load16(k + 4) << 32, LANES_3);
	} else if (len >= 4) {
		r = get_bit(tail4, tail_bit(last4(k, len), TAIL4_BITS)) | digits_in(load32(k), LANES_2) |
		    (len == 5 && digit_first(k + 4));
	} else {
		/* no key of the table is this short */
		r = digit_first(k) || (len >= 2 && digit_first(k + 2));
	}
	return r != 0;
}

/* The date words (fields[0] = index into date_words) and, under DATE_NUM_MARK, the words of
 * the number table: one look-up tells a token is neither, where kh_num_word_value would
 * look each word up again. */
static void build_table(void)
{
	static const char *const mark[1] = { DATE_NUM_MARK };
	struct kh_lexicon *lx = kh_lex_new();

	if (lx == NULL)
		return;
	for (size_t i = 0; i < N_DATE_WORDS; i++) {
		char idx[16];
		const char *f[1] = { idx };

		snprintf(idx, sizeof(idx), "%zu", i);
		if (kh_lex_add(lx, date_words[i].variants, f, 1, "dates.c", (uint32_t)i + 1) < 0) {
			kh_lex_free(lx);
			return;
		}
	}
	if (kh_num_add_words(lx, mark, 1) < 0) {
		kh_lex_free(lx);
		return;
	}
	kh_kf_add_lexicon(&table_filter, lx);
	kh_lex_each_key(lx, add_tail, NULL);
	table = lx;
}

int kh_date_add_known(struct kh_lexicon *known)
{
	for (size_t i = 0; i < N_DATE_WORDS; i++)
		if (kh_lex_add(known, date_words[i].variants, NULL, 0, "dates.c", (uint32_t)i + 1) < 0)
			return -ENOMEM;
	return 0;
}

/* ---- calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ---------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*ret_d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*ret_m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*ret_y = (int)(y + (*ret_m <= 2));
}

static int weekday(int64_t days) /* 0 = Sunday */
{
	int64_t w = (days + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[(m - 1) % 12];
}

/* ---- matching ----------------------------------------------------------------------- */

enum prec { P_NONE = 0, P_DAY, P_WEEK, P_MONTH, P_YEAR };

struct dmatch {
	uint32_t end;      /* first token after the expression */
	uint8_t skip;      /* bytes of proclitics left on the first token */
	uint8_t prec;      /* enum prec; P_NONE = mention without a value */
	int64_t day;       /* P_DAY, P_WEEK: days since epoch */
	int year, month;   /* P_MONTH, P_YEAR */
};

struct ctx {
	const struct kh_doc *doc;
	const struct kh_lexicon *lx;
	uint32_t end;      /* sentence end */
	bool anchored;
	int64_t pub;       /* published date in days */
};

/* One token's keys and what the table holds under each: looked up once per token. */
struct look {
	struct kh_tok_keys keys;
	const struct kh_lex_entry *chain[4]; /* NULL for every key of a token that is no word */
	bool any;                            /* a chain is not NULL */
};

static void look_up(const struct ctx *c, uint32_t tok, struct look *ret)
{
	bool word = c->doc->tokens.items[tok].kind == KH_TOK_WORD;

	kh_num_tok_keys(c->doc, tok, &ret->keys);
	ret->any = false;
	for (uint8_t i = 0; i < ret->keys.n; i++) {
		const char *k = ret->keys.k[i];
		size_t n = ret->keys.len[i];

		ret->chain[i] = NULL;
		if (word && kh_kf_has(&table_filter, k, n)) {
			ret->chain[i] = kh_lex_get_n(c->lx, k, n);
			ret->any = ret->any || ret->chain[i] != NULL;
		}
	}
}

/* The date word an entry stands for, or NULL (a number word). */
static const struct date_word *entry_word(const struct kh_lex_entry *e)
{
	size_t idx = 0;
	const char *p = e->fields[0];

	/* build_table wrote "%zu" or DATE_NUM_MARK ("-1"): read without strtol, this runs for
	 * every entry of every date-word test */
	if (*p == '-')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		idx = idx * 10 + (size_t)(*p - '0');
		if (idx >= N_DATE_WORDS)
			return NULL;
	}
	return &date_words[idx];
}

/* The first date word of a looked-up word token, of class cls (0: any). */
static const struct date_word *word_of(const struct look *l, uint8_t cls, uint8_t *ret_skip)
{
	for (uint8_t i = 0; i < l->keys.n; i++) {
		for (const struct kh_lex_entry *e = l->chain[i]; e != NULL; e = e->next) {
			const struct date_word *w = entry_word(e);

			if (w != NULL && (cls == 0 || w->cls == cls)) {
				if (ret_skip != NULL)
					*ret_skip = l->keys.skip[i];
				return w;
			}
		}
	}
	return NULL;
}

/* The word at tok when it is of class cls (also looking at homograph entries). */
static const struct date_word *word_is(const struct ctx *c, uint32_t tok, uint8_t cls)
{
	struct look l;

	if (tok >= c->end || c->doc->tokens.items[tok].kind != KH_TOK_WORD)
		return NULL;
	look_up(c, tok, &l);
	return word_of(&l, cls, NULL);
}

static bool tok_is(const struct ctx *c, uint32_t tok, const char *key)
{
	return tok < c->end && strcmp(c->doc->tokens.items[tok].key, key) == 0;
}

static bool punct_is(const struct ctx *c, uint32_t tok, const char *s)
{
	const struct kh_token *t;

	if (tok >= c->end)
		return false;
	t = &c->doc->tokens.items[tok];
	return t->kind == KH_TOK_PUNCT && t->end - t->start == strlen(s) &&
	       memcmp(c->doc->norm + t->start, s, strlen(s)) == 0;
}

static bool has_num_mark(const struct kh_lex_entry *e)
{
	for (; e != NULL; e = e->next)
		if (strcmp(e->fields[0], DATE_NUM_MARK) == 0)
			return true;
	return false;
}

/* digits_skip on a looked-up token. */
static int64_t digits_of(const struct ctx *c, uint32_t tok, const struct look *l, uint8_t *ret_skip)
{
	uint8_t kind = c->doc->tokens.items[tok].kind;

	if (kind != KH_TOK_NUMBER && kind != KH_TOK_WORD)
		return -1;
	for (uint8_t i = 0; i < l->keys.n; i++) {
		const char *k = l->keys.k[i];
		int64_t v;

		if (!((k[0] >= '0' && k[0] <= '9') || (unsigned char)k[0] == 0xD9 || (unsigned char)k[0] == 0xDB))
			continue;
		/* kh_num_word_value knows digits and the words of the number table only */
		if (!digit_first(k) && !has_num_mark(l->chain[i]))
			continue;
		if (strchr(k, '.') != NULL || strchr(k, ',') != NULL)
			continue;
		v = kh_num_word_value(k);
		if (v >= 0) {
			if (ret_skip != NULL)
				*ret_skip = l->keys.skip[i];
			return v;
		}
	}
	return -1;
}

/* A number token written in digits (a و/ب left on it is allowed): its value, or -1. */
static int64_t digits_skip(const struct ctx *c, uint32_t tok, uint8_t *ret_skip)
{
	struct look l;

	if (tok >= c->end)
		return -1;
	look_up(c, tok, &l);
	return digits_of(c, tok, &l, ret_skip);
}

static int64_t digits_at(const struct ctx *c, uint32_t tok)
{
	return digits_skip(c, tok, NULL);
}

static bool is_year(int64_t v)
{
	return v >= 1900 && v <= 2100;
}

/* Month at tok (one or two tokens), with its extent; 0 when none. */
static int month_at(const struct ctx *c, uint32_t tok, bool amb_ok, uint32_t *ret_end)
{
	const struct date_word *w = word_is(c, tok, DW_MONTH);

	if (w != NULL) {
		/* "كانون الثاني" is stored whole; the lexicon has it as a two-word key */
		*ret_end = tok + 1;
		return w->value;
	}
	w = word_is(c, tok, DW_MONTH_HEAD);
	if (w != NULL) {
		const char *k1 = c->doc->tokens.items[tok].key;
		bool kanun = strstr(k1, "كانون") != NULL;

		if (word_is(c, tok + 1, DW_ORD_FIRST) != NULL || tok_is(c, tok + 1, "اول")) {
			*ret_end = tok + 2;
			return kanun ? 12 : 10;
		}
		if (word_is(c, tok + 1, DW_ORD_SECOND) != NULL) {
			*ret_end = tok + 2;
			return kanun ? 1 : 11;
		}
		return 0;
	}
	w = word_is(c, tok, DW_MONTH_AMB);
	if (w != NULL && amb_ok) {
		*ret_end = tok + 1;
		return w->value;
	}
	return 0;
}

/* Skip a parenthesised month gloss: أغسطس (آب) */
static uint32_t skip_gloss(const struct ctx *c, uint32_t tok)
{
	uint32_t e;

	if (punct_is(c, tok, "(") && month_at(c, tok + 1, true, &e) > 0 && punct_is(c, e, ")"))
		return e + 1;
	return tok;
}

static void set_day(struct dmatch *m, int64_t day)
{
	m->prec = P_DAY;
	m->day = day;
}

static void set_month(struct dmatch *m, int y, int mo)
{
	m->prec = P_MONTH;
	m->year = y;
	m->month = mo;
}

/* Year of a month (and day) with no year written, seen from the published date. */
static int infer_year(const struct ctx *c, int month, int day, int dir)
{
	int py, pm, pd;
	int rel;

	civil_from_days(c->pub, &py, &pm, &pd);
	rel = month != pm ? (month < pm ? -1 : 1) : (day == 0 ? 0 : (day < pd ? -1 : (day > pd ? 1 : 0)));
	if (dir < 0)
		return rel < 0 || (rel == 0 && day != 0) ? py : py - 1;
	if (dir > 0)
		return rel > 0 ? py : py + 1;
	/* no direction: the nearest such month */
	if (month - pm > 6)
		return py - 1;
	if (pm - month > 6)
		return py + 1;
	return py;
}

/* day [month] [year | العام الماضي] [الماضي] ; tok is at the month */
static bool finish_month(const struct ctx *c, uint32_t tok, int day, int month, struct dmatch *m)
{
	uint32_t j = skip_gloss(c, tok);
	int64_t y = -1;
	int dir = 2; /* none */
	const struct date_word *w;

	if (is_year(digits_at(c, j))) {
		y = digits_at(c, j);
		j++;
	} else if ((word_is(c, j, DW_YEARWORD) != NULL || tok_is(c, j, "عام") || tok_is(c, j, "العام")) &&
		   is_year(digits_at(c, j + 1))) {
		y = digits_at(c, j + 1);
		j += 2;
	} else if (word_is(c, j, DW_PERIOD) != NULL && word_is(c, j, DW_PERIOD)->value == U_YEAR &&
		   word_is(c, j + 1, DW_DIR) != NULL) {
		int py, pm, pd;

		civil_from_days(c->pub, &py, &pm, &pd);
		w = word_is(c, j + 1, DW_DIR);
		if (c->anchored)
			y = py + w->value;
		j += 2;
	} else {
		w = word_is(c, j, DW_DIR);
		if (w != NULL) {
			dir = w->value;
			j++;
		}
	}
	m->end = j;
	if (day > days_in_month(2000, month))
		return false;
	if (y < 0 && c->anchored)
		y = infer_year(c, month, day, dir == 2 ? 0 : (dir == 0 ? 0 : dir));
	if (y < 0) {
		m->prec = P_NONE;
		return true;
	}
	if (day > 0 && day <= days_in_month((int)y, month))
		set_day(m, days_from_civil(y, month, day));
	else
		set_month(m, (int)y, month);
	return true;
}

/* "2017/8/3" kept whole by the tokenizer: three digit groups, one separator; on the
 * token's keys */
static bool numeric_date_keys(uint32_t tok, const struct kh_tok_keys *keys, struct dmatch *m)
{
	int64_t v[3] = { 0, 0, 0 };
	unsigned g = 0, digits = 0;
	char sep = 0;
	const char *k = keys->k[keys->n - 1];

	for (const char *p = k; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 4)
				return false;
			v[g] = v[g] * 10 + (*p - '0');
		} else if ((*p == '/' || *p == '-' || *p == '.') && digits > 0 && g < 2 && (sep == 0 || sep == *p)) {
			sep = *p;
			g++;
			digits = 0;
		} else {
			return false;
		}
	}
	if (g != 2 || digits == 0)
		return false;
	{
		int64_t y = is_year(v[0]) ? v[0] : v[2], mo = v[1], dd = is_year(v[0]) ? v[2] : v[0];

		if (!is_year(y) || mo < 1 || mo > 12 || dd < 1 || dd > days_in_month((int)y, (int)mo))
			return false;
		set_day(m, days_from_civil(y, (int)mo, (int)dd));
		m->end = tok + 1;
		m->skip = keys->skip[keys->n - 1];
	}
	return true;
}

/* the same split into five tokens; @p a is digits_at(tok) */
static bool numeric_date_split(const struct ctx *c, uint32_t tok, int64_t a, struct dmatch *m)
{
	int64_t b, d;
	const char *sep;
	int64_t y, mo, dd;

	if (a < 0)
		return false;
	sep = punct_is(c, tok + 1, "/") ? "/" : (punct_is(c, tok + 1, "-") ? "-" : NULL);
	if (sep == NULL || !punct_is(c, tok + 3, sep))
		return false;
	b = digits_at(c, tok + 2);
	d = digits_at(c, tok + 4);
	if (b < 0 || d < 0)
		return false;
	if (is_year(a)) {
		y = a;
		mo = b;
		dd = d;
	} else if (is_year(d)) {
		y = d;
		mo = b;
		dd = a;
	} else {
		return false;
	}
	if (mo < 1 || mo > 12 || dd < 1 || dd > days_in_month((int)y, (int)mo))
		return false;
	set_day(m, days_from_civil(y, (int)mo, (int)dd));
	m->end = tok + 5;
	return true;
}

/* The core of an expression at tok (after part-of-day / يوم prefixes); @p l is the token
 * looked up, or NULL. */
static bool match_core(const struct ctx *c, uint32_t tok, bool prefixed, const struct look *l,
		       struct dmatch *m)
{
	struct look own;
	const struct date_word *w;
	bool word;
	uint32_t e;
	int mo;
	int64_t n;

	if (tok >= c->end)
		return false; /* no word, no digits: each test below would fail */
	if (l == NULL) {
		look_up(c, tok, &own);
		l = &own;
	}
	/* the token's word and digits once (word_at, digits_at), for the tests below */
	word = c->doc->tokens.items[tok].kind == KH_TOK_WORD;
	w = word ? word_of(l, 0, NULL) : NULL;
	n = digits_of(c, tok, l, NULL);
	/* 2017/8/3, 3/8/2017, 2017-08-03 as tokens */
	if (numeric_date_keys(tok, &l->keys, m) || numeric_date_split(c, tok, n, m))
		return true;
	if (word && word_of(l, DW_SHAHR, NULL) != NULL) {
		/* شهر تموز */
		mo = month_at(c, tok + 1, true, &e);
		if (mo > 0)
			return finish_month(c, e, 0, mo, m);
	}
	if (n >= 1 && n <= 31) {
		mo = month_at(c, tok + 1, true, &e);
		if (mo > 0)
			return finish_month(c, e, (int)n, mo, m);
		return false;
	}
	if (w == NULL)
		return false;
	switch (w->cls) {
	case DW_REL_DAY:
		m->end = tok + 1;
		if (c->anchored)
			set_day(m, c->pub + w->value);
		/* أول أمس الاثنين: the weekday belongs to the expression */
		if (word_is(c, tok + 1, DW_WEEKDAY) != NULL)
			m->end++;
		return true;
	case DW_AWWAL:
		if (word_is(c, tok + 1, DW_REL_DAY) != NULL && word_is(c, tok + 1, DW_REL_DAY)->value == -1)
			e = tok + 2;
		else if (tok_is(c, tok + 1, "من") && word_is(c, tok + 2, DW_REL_DAY) != NULL &&
			 word_is(c, tok + 2, DW_REL_DAY)->value == -1)
			e = tok + 3;
		else
			break;
		m->end = e;
		if (c->anchored)
			set_day(m, c->pub - 2);
		if (word_is(c, e, DW_WEEKDAY) != NULL)
			m->end++;
		return true;
	case DW_BAAD:
		if (word_is(c, tok + 1, DW_GHAD) == NULL)
			break;
		m->end = tok + 2;
		if (c->anchored)
			set_day(m, c->pub + 2);
		return true;
	case DW_WEEKDAY: {
		const struct date_word *dir;
		int target = w->value;
		bool ambiguous = target == 1 || target == 5; /* الاثنين "the two", الجمعة "Friday prayer" */

		e = tok + 1;
		/* الخميس-الجمعة */
		if (punct_is(c, e, "-") && word_is(c, e + 1, DW_WEEKDAY) != NULL)
			e += 2;
		dir = word_is(c, e, DW_DIR);
		if (dir != NULL)
			e++;
		if (ambiguous && !prefixed && dir == NULL)
			break;
		m->end = e;
		if (c->anchored) {
			int pw = weekday(c->pub);
			int64_t d;

			if (dir != NULL && dir->value > 0) {
				int diff = (target - pw + 7) % 7;

				d = c->pub + (diff == 0 ? 7 : diff);
			} else {
				int diff = (pw - target + 7) % 7;

				if (dir != NULL && dir->value < 0 && diff == 0)
					diff = 7;
				d = c->pub - diff;
			}
			set_day(m, d);
		}
		return true;
	}
	case DW_MONTH:
	case DW_MONTH_HEAD:
	case DW_MONTH_AMB:
		mo = month_at(c, tok, prefixed, &e);
		if (mo == 0) {
			/* آب / مارس alone: only with a year or a direction after it */
			mo = month_at(c, tok, true, &e);
			if (mo == 0 || (!is_year(digits_at(c, e)) && word_is(c, e, DW_DIR) == NULL))
				break;
		}
		return finish_month(c, e, 0, mo, m);
	case DW_SHAHR:
	case DW_MONTHPART:
		mo = month_at(c, tok + 1, true, &e);
		if (mo > 0)
			return finish_month(c, e, 0, mo, m);
		if (w->cls == DW_MONTHPART) {
			/* مطلع عام 2014، نهاية العام الماضي، منتصف الشهر المقبل */
			if (match_core(c, tok + 1, true, NULL, m) && (m->prec == P_YEAR || m->prec == P_MONTH ||
								 m->prec == P_NONE))
				return true;
		}
		break;
	case DW_SEASON:
	case DW_UNIT:
		/* عام 2014، صيف 2014 */
		if ((w->cls == DW_SEASON || w->value == U_YEAR) && is_year(digits_at(c, tok + 1))) {
			m->end = tok + 2;
			m->prec = P_YEAR;
			m->year = (int)digits_at(c, tok + 1);
			return true;
		}
		if (w->cls == DW_SEASON && word_is(c, tok + 1, DW_PERIOD) != NULL &&
		    word_is(c, tok + 2, DW_DIR) != NULL) {
			m->end = tok + 3;
			if (c->anchored) {
				int py, pm, pd;

				civil_from_days(c->pub, &py, &pm, &pd);
				m->prec = P_YEAR;
				m->year = py + word_is(c, tok + 2, DW_DIR)->value;
			}
			return true;
		}
		break;
	case DW_PERIOD: {
		const struct date_word *dir = word_is(c, tok + 1, DW_DIR);

		if (dir == NULL && is_year(digits_at(c, tok + 1)) && w->value == U_YEAR) {
			m->end = tok + 2;
			m->prec = P_YEAR;
			m->year = (int)digits_at(c, tok + 1);
			return true;
		}
		if (dir == NULL)
			break;
		m->end = tok + 2;
		if (c->anchored) {
			int py, pm, pd;

			civil_from_days(c->pub, &py, &pm, &pd);
			if (w->value == U_WEEK) {
				m->prec = P_WEEK;
				m->day = c->pub + 7 * dir->value;
			} else if (w->value == U_MONTH) {
				int mm = pm + dir->value;
				int yy = py;

				if (mm < 1) {
					mm = 12;
					yy--;
				} else if (mm > 12) {
					mm = 1;
					yy++;
				}
				set_month(m, yy, mm);
			} else {
				m->prec = P_YEAR;
				m->year = py + dir->value;
			}
		}
		return true;
	}
	case DW_THIS: {
		const struct date_word *p = word_is(c, tok + 1, DW_PERIOD);

		if (p == NULL)
			break;
		m->end = tok + 2;
		if (c->anchored) {
			int py, pm, pd;

			civil_from_days(c->pub, &py, &pm, &pd);
			if (p->value == U_WEEK) {
				m->prec = P_WEEK;
				m->day = c->pub;
			} else if (p->value == U_MONTH) {
				set_month(m, py, pm);
			} else {
				m->prec = P_YEAR;
				m->year = py;
			}
		}
		return true;
	}
	case DW_PERIODS:
		/* السنوات (القليلة) الماضية: vague */
		e = tok + 1;
		if (word_is(c, e, DW_FEW) != NULL)
			e++;
		if (word_is(c, e, DW_DIR) == NULL)
			break;
		m->end = e + 1;
		return true;
	case DW_AGO: {
		struct kh_count cnt = { 0 };
		uint32_t k = tok + 1;
		uint32_t used = kh_num_parse(c->doc, k, c->end, &cnt);
		const struct date_word *u;

		if (used > 0 && !cnt.vague)
			k += used;
		else
			used = 0;
		u = word_is(c, k, DW_UNIT);
		if (u == NULL)
			break;
		m->end = k + 1;
		if (strcmp(c->doc->tokens.items[tok].key, "قبل") != 0 || !c->anchored)
			return true; /* منذ: a stretch of time, no single date */
		{
			int64_t count = used > 0 ? cnt.value : u->count;

			if (count <= 0 || count > 10000 || (used > 0 && cnt.bound != KH_COUNT_EXACT))
				return true;
			if (u->value == U_DAY) {
				set_day(m, c->pub - count);
			} else if (u->value == U_WEEK) {
				m->prec = P_WEEK;
				m->day = c->pub - 7 * count;
			} else {
				int py, pm, pd;
				int64_t months;

				civil_from_days(c->pub, &py, &pm, &pd);
				months = (int64_t)py * 12 + (pm - 1) - (u->value == U_MONTH ? count : 12 * count);
				if (u->value == U_MONTH)
					set_month(m, (int)(months / 12), (int)(months % 12) + 1);
				else {
					m->prec = P_YEAR;
					m->year = (int)(months / 12);
				}
			}
		}
		return true;
	}
	case DW_YAWM:
		/* يوم 10 تموز */
		return match_core(c, tok + 1, true, NULL, m);
	default:
		break;
	}
	return false;
}

/* An expression starting at tok: optional part of day / يوم, then the core. */
static bool match_at(const struct ctx *c, uint32_t tok, struct dmatch *m)
{
	struct look l;
	const struct date_word *w;
	uint8_t skip = 0;
	bool ok;

	if (tok >= c->end)
		return false;
	/* a token that is no word has no date word and only its own key (look_up() would find
	 * what the test below finds): punctuation stops here */
	if (c->doc->tokens.items[tok].kind != KH_TOK_WORD) {
		const char *k = c->doc->tokens.items[tok].key;

		if (!digit_first(k != NULL ? k : ""))
			return false;
	} else if (!may_match(&c->doc->tokens.items[tok])) {
		return false;
	}
	/* most tokens: no date word, no number; the token is looked up once for the three tests
	 * (kh_date_apply reads *m only when this returns true) */
	memset(m, 0, sizeof(*m));
	look_up(c, tok, &l);
	if (!l.any) {
		/* no date word: digits_of and numeric_date_keys need a key that starts with a digit */
		bool digit = false;

		for (uint8_t i = 0; i < l.keys.n && !digit; i++)
			digit = digit_first(l.keys.k[i]);
		if (!digit)
			return false;
	}
	w = c->doc->tokens.items[tok].kind == KH_TOK_WORD ? word_of(&l, 0, &skip) : NULL;
	if (w == NULL && digits_of(c, tok, &l, &skip) < 0) {
		memset(m, 0, sizeof(*m));
		return numeric_date_keys(tok, &l.keys, m);
	}
	if (w != NULL && (word_of(&l, DW_PART, NULL) != NULL || word_of(&l, DW_YAWM, NULL) != NULL)) {
		ok = match_core(c, tok + 1, true, NULL, m);
		if (ok && m->end > tok + 1) {
			m->skip = skip;
			return true;
		}
		memset(m, 0, sizeof(*m));
	}
	ok = match_core(c, tok, false, &l, m);
	m->skip = skip;
	return ok && m->end > tok;
}

static int format_value(struct kh_doc *doc, const struct dmatch *m, const char **ret_value,
			const char **ret_prec)
{
	char buf[32];
	int y, mo, d;

	switch (m->prec) {
	case P_DAY:
		civil_from_days(m->day, &y, &mo, &d);
		if (y < 1 || y > 9999)
			return 0;
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, mo, d);
		*ret_prec = "day";
		break;
	case P_WEEK: {
		int64_t thu = m->day - ((weekday(m->day) + 6) % 7) + 3; /* Thursday of the ISO week */
		int ty, tm, td;

		civil_from_days(thu, &ty, &tm, &td);
		if (ty < 1 || ty > 9999)
			return 0;
		snprintf(buf, sizeof(buf), "%04d-W%02d", ty,
			 (int)((thu - days_from_civil(ty, 1, 1)) / 7 + 1));
		*ret_prec = "week";
		break;
	}
	case P_MONTH:
		if (m->year < 1 || m->year > 9999)
			return 0;
		snprintf(buf, sizeof(buf), "%04d-%02d", m->year, m->month);
		*ret_prec = "month";
		break;
	case P_YEAR:
		if (m->year < 1 || m->year > 9999)
			return 0;
		snprintf(buf, sizeof(buf), "%04d", m->year);
		*ret_prec = "year";
		break;
	default:
		return 0;
	}
	*ret_value = kh_arena_strndup(&doc->arena, buf, strlen(buf));
	return *ret_value == NULL ? -ENOMEM : 0;
}

static int add_mention(struct kh_doc *doc, const struct dmatch *m, uint32_t tok)
{
	const struct kh_token *a = &doc->tokens.items[tok];
	const struct kh_token *b = &doc->tokens.items[m->end - 1];
	uint32_t start = a->core_start + m->skip, end = b->end;
	struct kh_entity *ent;
	struct kh_mention *mn;
	const char *value = NULL, *prec = NULL;

	if (format_value(doc, m, &value, &prec) < 0)
		return -ENOMEM;
	ent = kh_vec_push(&doc->entities);
	if (ent == NULL)
		return -ENOMEM;
	ent->type = KH_ENT_DATE;
	ent->name = kh_doc_norm_strndup(doc, start, end);
	if (ent->name == NULL)
		return -ENOMEM;
	ent->value = value;
	ent->precision = prec;
	ent->affiliation = KH_NONE;
	ent->first_mention = doc->mentions.n;
	ent->n_mentions = 1;
	mn = kh_vec_push(&doc->mentions);
	if (mn == NULL)
		return -ENOMEM;
	mn->start = start;
	mn->end = end;
	mn->tok_first = tok;
	mn->tok_end = m->end;
	mn->entity = doc->entities.n - 1;
	mn->sentence = a->sentence;
	return 0;
}

int kh_date_apply(struct kh_doc *doc)
{
	struct ctx c = { .doc = doc };
	uint8_t *taken;
	uint32_t n_tok = doc->tokens.n;

	pthread_once(&table_once, build_table);
	c.lx = table;
	if (c.lx == NULL)
		return -ENOMEM;
	if (n_tok == 0)
		return 0;
	c.anchored = doc->pub_year > 0 && doc->pub_month >= 1 && doc->pub_month <= 12 && doc->pub_day >= 1;
	if (c.anchored)
		c.pub = days_from_civil(doc->pub_year, doc->pub_month, doc->pub_day);
	/* tokens already inside a mention of the entities stage */
	taken = kh_arena_alloc(&doc->arena, n_tok);
	if (taken == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < doc->mentions.n; i++) {
		const struct kh_mention *mn = &doc->mentions.items[i];

		for (uint32_t t = mn->tok_first; t < mn->tok_end && t < n_tok; t++)
			taken[t] = 1;
	}
	for (uint32_t s = 0; s < doc->sentences.n; s++) {
		const struct kh_sentence *sent = &doc->sentences.items[s];

		c.end = sent->tok_end < n_tok ? sent->tok_end : n_tok;
		for (uint32_t i = sent->tok_first; i < c.end;) {
			struct dmatch m;
			bool free_span = true;

			if (taken[i] || !match_at(&c, i, &m) || m.end <= i || m.end > c.end ||
			    m.end - i > DATE_MAX_TOKENS) {
				i++;
				continue;
			}
			for (uint32_t t = i; t < m.end; t++)
				if (taken[t])
					free_span = false;
			if (!free_span) {
				i++;
				continue;
			}
			if (add_mention(doc, &m, i) < 0)
				return -ENOMEM;
			i = m.end;
		}
	}
	return 0;
}
