/* SPDX-License-Identifier: MIT */
/* Clitic analysis by look-up: a split is made only when the rest is known (or,
 * after و ف ب ك ل, begins with the article).  Arabic letters are two bytes in
 * UTF-8, so letter i of a word is at byte 2i. */
#include "clitics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "lexicon.h"
#include "normalize.h"

#define MAX_LETTERS (KH_CLITICS_MAX_BYTES / 2)

enum {
	HAMZA = 0x621,
	WAW_HAMZA = 0x624,
	YA_HAMZA = 0x626,
	ALEF = 0x627,
	ALEF_WASLA = 0x671,
	ALEF_HAMZA = 0x623,
	BA = 0x628,
	TA_MARBUTA = 0x629,
	TA = 0x62A,
	SIN = 0x633,
	FA = 0x641,
	KAF = 0x643,
	LAM = 0x644,
	MIM = 0x645,
	NUN = 0x646,
	HA = 0x647,
	WAW = 0x648,
	ALEF_MAQSURA = 0x649,
	YA = 0x64A,
};

/* Proclitic sequences, shortest first: وكفر is و + كفر, not وك + فر, and فكان
 * is ف + كان; a pair is tried when the single letter leaves no known rest
 * (وبالتالي, وسيقوم, وللأمم).  A conjunction may precede a preposition or س. */
static const uint16_t prefixes[][2] = {
	{ WAW, 0 },  { FA, 0 },   { BA, 0 },   { KAF, 0 },  { LAM, 0 },  { SIN, 0 },  { WAW, BA },
	{ WAW, KAF }, { WAW, LAM }, { WAW, SIN }, { FA, BA }, { FA, KAF }, { FA, LAM }, { FA, SIN },
};

/* Pronoun suffixes, longest first. */
static const uint16_t suffixes[][3] = {
	{ HA, MIM, ALEF }, { HA, MIM, 0 }, { HA, NUN, 0 }, { KAF, MIM, 0 }, { HA, ALEF, 0 },
	{ NUN, ALEF, 0 },  { HA, 0, 0 },   { KAF, 0, 0 },  { YA, 0, 0 },
};

/* Words that begin with the letters ال without the article (relative pronouns,
 * verbs and nouns of roots beginning with ل, hamza-less spellings), folded. */
static const char *const not_article[] = {
	"الا", "الباني", "البانيا", "التحاق", "التحق", "التحقت", "التزام", "التزامات", "التزم",
	"التزمت", "التف", "التفاف", "التقاء", "التقت", "التقوا", "التقي", "التقينا", "التماس", "التمس",
	"التي", "الحاق", "الذي", "الذين", "الزام", "الغاء", "الف", "الفا", "القاء", "اللائي", "اللاتي",
	"اللتان", "اللتين", "اللذان", "اللذين", "الله", "اللهم", "اللواتي", "الماني", "المانيا",
	"المانيه", "الي",
};

#define N_NOT_ARTICLE (sizeof(not_article) / sizeof(not_article[0]))

/* A cheap filter before the compares: for each letter after ال, the lengths of
 * the entries with that letter there (most article words pass neither test:
 * a filter of lengths and letters apart let a word of the right length whose
 * letter some other entry has through).  The list is sorted and every entry
 * begins with ال, so the entries with one letter after it are a run of it. */
static uint64_t not_article_lengths[64]; /* [c - 0x620] bit i: an entry with c after ال has i bytes */
static uint8_t not_article_first[64];    /* [c - 0x620]: its run of entries, [first, end) */
static uint8_t not_article_end[64];
static uint8_t not_article_len[N_NOT_ARTICLE];
static pthread_once_t not_article_once = PTHREAD_ONCE_INIT;

static void not_article_init(void)
{
	for (size_t i = 0; i < N_NOT_ARTICLE; i++) {
		const unsigned char *e = (const unsigned char *)not_article[i];
		uint32_t third = (((uint32_t)(e[4] & 0x1F) << 6) | (e[5] & 0x3F)) - 0x620;

		not_article_len[i] = (uint8_t)strlen(not_article[i]);
		not_article_lengths[third] |= UINT64_C(1) << not_article_len[i];
		if (not_article_end[third] == 0)
			not_article_first[third] = (uint8_t)i;
		not_article_end[third] = (uint8_t)(i + 1);
	}
}

/* @p third: the letter after ال, unfolded (folding never touches the letters the
 * filter holds: ا stands for أ إ آ ٱ too, and ي for ى). */
static bool is_not_article(const char *folded, size_t len, uint16_t third)
{
	uint32_t f = third;

	pthread_once(&not_article_once, not_article_init);
	if (f == 0x623 || f == 0x625 || f == 0x622 || f == 0x671)
		f = ALEF;
	else if (f == ALEF_MAQSURA)
		f = YA;
	else if (f == TA_MARBUTA)
		f = HA;
	if (len >= 64 || f < 0x620 || f >= 0x660 ||
	    (not_article_lengths[f - 0x620] & (UINT64_C(1) << len)) == 0)
		return false;
	/* @p folded is NUL-terminated at len: an entry of that length and those bytes */
	for (size_t i = not_article_first[f - 0x620]; i < not_article_end[f - 0x620]; i++)
		if (not_article_len[i] == len && memcmp(not_article[i], folded, len) == 0)
			return true;
	return false;
}

static void put_letter(char *out, uint32_t cp)
{
	out[0] = (char)(0xC0 | (cp >> 6));
	out[1] = (char)(0x80 | (cp & 0x3F));
}

uint32_t kh_clitics_folded_restore(uint32_t restore)
{
	return restore == TA_MARBUTA ? HA : restore == ALEF_MAQSURA ? YA : restore;
}

/* Look up the folded key @p k (@p len bytes, NUL-terminated or not); a copy only when a
 * letter is restored. */
static bool lookup(const struct kh_lexicon *known, const char *k, size_t len, uint32_t restore)
{
	char buf[KH_CLITICS_MAX_BYTES + 8];

	if (known == NULL || len == 0 || len > KH_CLITICS_MAX_BYTES)
		return false;
	if (restore == 0 || len < 2)
		return kh_lex_get_n(known, k, len) != NULL;
	memcpy(buf, k, len);
	put_letter(buf + len - 2, kh_clitics_folded_restore(restore));
	return kh_lex_get_n(known, buf, len) != NULL;
}

bool kh_clitics_known(const struct kh_lexicon *known, const char *s, size_t len, uint32_t restore)
{
	char buf[KH_CLITICS_MAX_BYTES + 8];

	if (known == NULL || len == 0 || len > KH_CLITICS_MAX_BYTES)
		return false;
	kh_norm_fold_buf(buf, s, len);
	return lookup(known, buf, len, restore);
}

/* analyzable() of [a, n) for a = 0, 1, 2 (the proclitics take at most two
 * letters), asked once: find_proclitics() and the suffix step ask again. */
struct rest {
	int8_t ok;         /* -1 not asked yet */
	uint8_t stem_end;  /* letters */
	uint16_t restore;
};

struct word {
	const struct kh_lexicon *known;
	const char *key;                    /* the word, folded (NUL-terminated) */
	char buf[KH_CLITICS_MAX_BYTES + 1]; /* key, when the caller gave none */
	uint16_t cp[MAX_LETTERS];
	uint32_t n;
	struct rest rest[3];
};

static bool known_range(const struct word *w, uint32_t a, uint32_t b, uint32_t restore)
{
	return lookup(w->known, w->key + 2 * a, 2 * (size_t)(b - a), restore);
}

static bool has_article(const struct word *w, uint32_t a)
{
	return w->n - a >= 4 && (w->cp[a] == ALEF || w->cp[a] == ALEF_WASLA) && w->cp[a + 1] == LAM;
}

/* Does some pronoun suffix end in the letter @p last? */
static bool is_suffix_end(uint32_t last)
{
	return last == HA || last == ALEF || last == MIM || last == NUN || last == KAF || last == YA;
}

/* Does the word end in a letter that ends some pronoun suffix? */
static bool may_have_suffix(const struct word *w)
{
	return is_suffix_end(w->cp[w->n - 1]);
}

/* The code point of the two bytes at @p p, as if they were a two-byte character. */
static inline uint32_t two_byte_cp(const unsigned char *p)
{
	return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
}

/* Letters of the suffix @p i when [a, n) ends in it with a stem of two letters or
 * more before it (the ي only after a ت), else 0: suffixed() looks nothing up
 * for a suffix that does not fit. */
static uint32_t suffix_fits(const struct word *w, uint32_t a, size_t i)
{
	uint32_t sl = suffixes[i][2] != 0 ? 3 : suffixes[i][1] != 0 ? 2 : 1;
	uint32_t s;

	if (w->n - a < sl + 2)
		return 0;
	s = w->n - sl;
	for (uint32_t j = 0; j < sl; j++)
		if (w->cp[s + j] != suffixes[i][j])
			return 0;
	if (suffixes[i][0] == YA && w->cp[s - 1] != TA)
		return 0;
	return sl;
}

/* Could [a, n) be a stem plus a suffix at all (before any look-up)? */
static bool some_suffix_fits(const struct word *w, uint32_t a)
{
	if (!may_have_suffix(w))
		return false;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (suffix_fits(w, a, i) != 0)
			return true;
	return false;
}

/* Is [a, n) a known stem plus a pronoun suffix?  (Not asked whether it is known whole.) */
static bool suffixed(const struct word *w, uint32_t a, uint32_t *ret_stem_end, uint32_t *ret_restore)
{
	if (!may_have_suffix(w))
		return false;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		uint32_t sl = suffixes[i][2] != 0 ? 3 : suffixes[i][1] != 0 ? 2 : 1;
		uint32_t s;
		bool match = true;

		if (w->n - a < sl + 2)
			continue;
		s = w->n - sl;
		for (uint32_t j = 0; j < sl; j++)
			match = match && w->cp[s + j] == suffixes[i][j];
		if (!match)
			continue;
		/* ي: a known stem + ي is mostly a nisba adjective (سوري، حمصي), not "my";
		 * only زيارتي (ة kept as ت) is surely the pronoun */
		if (suffixes[i][0] == YA) {
			if (w->cp[s - 1] == TA && known_range(w, a, s, TA_MARBUTA)) {
				*ret_stem_end = s;
				*ret_restore = TA_MARBUTA;
				return true;
			}
			continue;
		}
		if (known_range(w, a, s, 0)) {
			*ret_stem_end = s;
			*ret_restore = 0;
			return true;
		}
		if (w->cp[s - 1] == TA && known_range(w, a, s, TA_MARBUTA)) {
			*ret_stem_end = s;
			*ret_restore = TA_MARBUTA;
			return true;
		}
		if (w->cp[s - 1] == ALEF && known_range(w, a, s, ALEF_MAQSURA)) {
			*ret_stem_end = s;
			*ret_restore = ALEF_MAQSURA;
			return true;
		}
		/* نظرائه, أعضاؤه: the final hamza of نظراء sits on a seat before a suffix */
		if ((w->cp[s - 1] == YA_HAMZA || w->cp[s - 1] == WAW_HAMZA) && s - a >= 3 &&
		    w->cp[s - 2] == ALEF && known_range(w, a, s, HAMZA)) {
			*ret_stem_end = s;
			*ret_restore = HAMZA;
			return true;
		}
	}
	return false;
}

/* Is [a, n) a known word, or a known stem plus a pronoun suffix?  @p a is 0, 1 or 2. */
static bool analyzable(struct word *w, uint32_t a, uint32_t *ret_stem_end, uint32_t *ret_restore)
{
	struct rest *r = &w->rest[a];

	if (r->ok < 0) {
		uint32_t se = w->n, rs = 0;

		r->ok = known_range(w, a, w->n, 0) || suffixed(w, a, &se, &rs);
		r->stem_end = (uint8_t)se;
		r->restore = (uint16_t)rs;
	}
	*ret_stem_end = r->stem_end;
	*ret_restore = r->restore;
	return r->ok != 0;
}

static uint8_t proclitic_bit(uint16_t cp)
{
	switch (cp) {
	case WAW:
		return KH_PRO_WA;
	case FA:
		return KH_PRO_FA;
	case BA:
		return KH_PRO_BI;
	case LAM:
		return KH_PRO_LI;
	case KAF:
		return KH_PRO_KA;
	case SIN:
		return KH_PRO_SA;
	default:
		return 0;
	}
}

/* Find the proclitics: @return letters they take (0 when none); *ret_fused for لل. */
static uint32_t find_proclitics(struct word *w, bool *ret_fused)
{
	uint32_t se, rs;

	*ret_fused = false;
	if (proclitic_bit(w->cp[0]) == 0)
		return 0;
	if (analyzable(w, 0, &se, &rs))
		return 0; /* the whole word is known: never cut it */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		uint32_t pl = prefixes[i][1] != 0 ? 2 : 1;
		uint16_t last = prefixes[i][pl - 1];

		if (w->n < pl + 2 || w->cp[0] != prefixes[i][0] || (pl == 2 && w->cp[1] != prefixes[i][1]))
			continue;
		if (last == LAM && w->cp[pl] == LAM) {
			/* لليبيا is ل + ليبيا; otherwise لل is ل + the article */
			if (analyzable(w, pl, &se, &rs))
				return pl;
			if (w->n - pl >= 3) {
				*ret_fused = true;
				return pl;
			}
			continue;
		}
		if (last == SIN) {
			uint16_t c = w->cp[pl];

			if ((c == YA || c == TA || c == NUN || c == ALEF_HAMZA) && analyzable(w, pl, &se, &rs))
				return pl;
			continue;
		}
		if (has_article(w, pl) || analyzable(w, pl, &se, &rs))
			return pl;
	}
	return 0;
}

/* Bit cp - 0x600 set for the Arabic letters U+0621..U+064A and U+066E..U+06D3. */
static const uint64_t arabic_letters[4] = {
	UINT64_C(0xFFFFFFFE00000000),                          /* 0x621..0x63F */
	UINT64_C(0x00000000000007FF) | UINT64_C(0xFFFFC00000000000), /* 0x640..0x64A, 0x66E..0x67F */
	UINT64_C(0xFFFFFFFFFFFFFFFF),                          /* 0x680..0x6BF */
	UINT64_C(0x00000000000FFFFF),                          /* 0x6C0..0x6D3 */
};

/* Little-endian loads (the lanes below hold lead | continuation << 8). */
static inline uint64_t load_le64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static inline uint32_t load_le32(const unsigned char *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap32(w);
#endif
	return w;
}

/* The four two-byte characters in @p w (eight bytes, little-endian): false unless every one
 * is an Arabic letter; their code points in the lanes of *ret_cps.  Such a letter is D8..DB +
 * a continuation byte, so its code point is 0x600 + the low two bits of the lead and six of
 * the continuation: one test of the leads and continuation bytes, then the common case
 * (U+0621..U+064A) tested in lanes of 16 bits (adding 0x100 - bound sets bit 8 of a lane when
 * its index reaches the bound), and the bit table only for the others. */
static inline bool arabic4(uint64_t w, uint64_t *ret_cps)
{
	const uint64_t bit8 = UINT64_C(0x0100010001000100);
	uint64_t idx;

	if ((w & UINT64_C(0xC0FCC0FCC0FCC0FC)) != UINT64_C(0x80D880D880D880D8))
		return false;
	idx = (w >> 8 & UINT64_C(0x003F003F003F003F)) | (w & UINT64_C(0x0003000300030003)) << 6;
	*ret_cps = idx + UINT64_C(0x0600060006000600);
	if (((idx + UINT64_C(0x00DF00DF00DF00DF)) & bit8) == bit8 &&
	    ((idx + UINT64_C(0x00B500B500B500B5)) & bit8) == 0)
		return true;
	for (unsigned j = 0; j < 64; j += 16) {
		unsigned x = (unsigned)(idx >> j) & 0xFFu;

		if ((arabic_letters[x >> 6] >> (x & 63) & 1) == 0)
			return false;
	}
	return true;
}

/* Store the four lanes of @p cps at @p cp (the host's order). */
static inline void put4(uint16_t *cp, uint64_t cps)
{
	for (unsigned j = 0; j < 4; j++)
		cp[j] = (uint16_t)(cps >> (16 * j));
}

/* The letters of @p p (@p n >= 2 two-byte characters) into @p cp: false unless every one is
 * an Arabic letter.  Four at a time, the last four (or for a word of two or three letters its
 * first two and last two) overlapping the ones before: no letter-by-letter tail. */
static bool arabic_letters_of(const unsigned char *p, uint32_t n, uint16_t *cp)
{
	uint64_t cps;

	if (n < 4) {
		if (!arabic4((uint64_t)load_le32(p + 2 * n - 4) << 32 | load_le32(p), &cps))
			return false;
		cp[0] = (uint16_t)cps;
		cp[1] = (uint16_t)(cps >> 16);
		cp[n - 2] = (uint16_t)(cps >> 32);
		cp[n - 1] = (uint16_t)(cps >> 48);
		return true;
	}
	for (uint32_t i = 0; i + 4 <= n; i += 4) {
		if (!arabic4(load_le64(p + 2 * i), &cps))
			return false;
		put4(cp + i, cps);
	}
	if ((n & 3) != 0) {
		if (!arabic4(load_le64(p + 2 * n - 8), &cps))
			return false;
		put4(cp + n - 4, cps);
	}
	return true;
}

/* Bit cp - 0x620 of the letters a word may begin with to have anything found (a
 * proclitic, or the ا of the article; ٱ apart), and of those it may end with (the last
 * letter of some pronoun suffix).  All lie in U+0620..U+065F. */
#define BIT(cp) (UINT64_C(1) << ((cp) - 0x620))
static const uint64_t first_letters = BIT(WAW) | BIT(FA) | BIT(BA) | BIT(LAM) | BIT(KAF) | BIT(SIN) | BIT(ALEF);
static const uint64_t last_letters = BIT(HA) | BIT(ALEF) | BIT(MIM) | BIT(NUN) | BIT(KAF) | BIT(YA);
#undef BIT

/* Could the word at @p p (@p len >= 4 bytes) have a clitic or the article, by its first and
 * last letters alone?  Two bits instead of a switch and a chain of compares. */
static inline bool may_have_clitic(const unsigned char *p, size_t len)
{
	uint32_t a = two_byte_cp(p) - 0x620u, z = two_byte_cp(p + len - 2) - 0x620u;

	return (a < 64 && (first_letters >> a & 1) != 0) || a + 0x620u == ALEF_WASLA ||
	       (z < 64 && (last_letters >> z & 1) != 0);
}

bool kh_clitics_analyze(const struct kh_lexicon *known, const char *s, const char *folded, size_t len,
			struct kh_clitics *ret_c)
{
	const unsigned char *p = (const unsigned char *)s;
	struct word w;
	struct kh_clitics c = { .stem_end = (uint32_t)len };
	uint32_t pl, se, rs;
	bool fused;

	*ret_c = c;
	if (len < 4 || len > KH_CLITICS_MAX_BYTES || (len & 1) != 0)
		return false;
	/* most words neither begin with a proclitic or ا nor end in a suffix
	 * letter: nothing can be found, whatever the letters between */
	if (!may_have_clitic(p, len))
		return false;
	w.known = known;
	for (size_t i = 0; i < sizeof(w.rest) / sizeof(w.rest[0]); i++)
		w.rest[i].ok = -1;
	w.n = (uint32_t)len / 2;
	if (!arabic_letters_of(p, w.n, w.cp))
		return false;
	if (folded != NULL) {
		w.key = folded;
	} else {
		kh_norm_fold_buf(w.buf, s, len);
		w.key = w.buf;
	}
	pl = find_proclitics(&w, &fused);
	for (uint32_t i = 0; i < pl; i++)
		c.proclitics |= proclitic_bit(w.cp[i]);
	c.core = c.stem = 2 * pl;
	if (fused) {
		c.article = c.fused = true;
		c.stem = c.core + 2;
	} else if (has_article(&w, pl)) {
		if (!is_not_article(w.key + 2 * pl, len - 2 * pl, w.cp[pl + 2])) {
			c.article = true;
			c.stem = c.core + 4;
		}
	}
	/* a suffix on a word not known whole; a word whose last letter ends no
	 * suffix needs no look-up at all */
	if (!c.article && w.n - pl >= 3 && some_suffix_fits(&w, pl) && analyzable(&w, pl, &se, &rs) &&
	    se < w.n) {
		c.stem_end = 2 * se;
		c.restore = rs;
	}
	*ret_c = c;
	return pl > 0 || c.article || c.stem_end < len;
}
