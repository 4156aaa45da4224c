/* SPDX-License-Identifier: MIT */
/* The events stage: trigger words typed in context, with their actors, places, time,
 * casualty counts, modality and the attribution they were reported in.
 *
 * Everything works sentence by sentence over a bounded window around each trigger;
 * per token there are only hash look-ups, and the casualty attachment uses a binary
 * search over the sentence's events, so the cost stays linear in the document. */
#include "events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "doc.h"
#include "keyfilt.h"
#include "lexicon.h"
#include "normalize.h"
#include "numbers.h"

#define EV_MAX_LINE 4096
#define EV_LEFT 10          /* tokens looked at before a trigger */
#define EV_RIGHT 18         /* tokens looked at after a trigger */
#define EV_CTX 6            /* window for aircraft / artillery words */
#define EV_MAX_ARGS 6       /* actors or locations per event */
#define EV_MAX_PHRASE 4     /* tokens in a group phrase (القوات التركية) */
#define EV_TYPE_NONE 255    /* a "-" line: no event */

_Static_assert(KH_NONE == UINT32_MAX, "prepare fills KH_NONE with memset");

enum trig_class { TC_VERB = 0, TC_NOUN, TC_CASUALTY };

enum trig_rule {
	TR_CTX = 1 << 0,
	TR_AIR = 1 << 1,
	TR_WIDE = 1 << 2,
	TR_NOART = 1 << 3, /* not with the article: احتلال سنجار is an event, الاحتلال is a state */
};

/* A rule's word list: most words asked about are in none, and the mask tells so
 * without a strstr over the list. */
struct word_list {
	uint64_t mask[4]; /* bit kh_kf_hash32(item) % 256 of each item */
	char s[];         /* "|a|b|" folded */
};

struct trig {
	uint8_t type;
	uint8_t cls;
	uint8_t rules;
	const struct word_list *next; /* or NULL */
	const struct word_list *notnext;
	const struct word_list *notprev;
	const struct word_list *near;
	const struct word_list *after;    /* one of these within EV_BACK words before the trigger */
	const struct word_list *notafter; /* none of these within EV_BACK words before the trigger */
};

/* The fixed word lists of the argument rules ("|a|b|", folded). */
enum lit_list { LIT_ORG_HEAD, LIT_AREA, LIT_CLAUSE, LIT_TOWN, LIT__MAX };

static const char *const lit_src[LIT__MAX] = {
	[LIT_ORG_HEAD] = "|التنظيم|الحركه|الجماعه|الحزب|الميليشيا|المليشيا|",
	[LIT_AREA] = "|احياء|مناطق|قري|بلدات|مدن|مدينه|منطقه|بلده|قريه|",
	[LIT_CLAUSE] = "|فيما|بينما|حين|كما|",
	[LIT_TOWN] = "|المدينه|البلده|القريه|المحافظه|",
};

/* Word classes of the context table (bits). */
enum {
	CW_AIR = 1u << 0,        /* aircraft: طائرات، الطيران، غارات، جوي */
	CW_ART = 1u << 1,        /* artillery, rockets: المدفعية، قذائف، صواريخ */
	CW_MUTUAL = 1u << 2,     /* متبادل */
	CW_COALITION = 1u << 3,  /* التحالف: bombing by the coalition is from the air */
	CW_PLACE_HEAD = 1u << 4, /* مدينة، بلدة، ريف ... before a place name */
	CW_ACTOR_HEAD = 1u << 5, /* قوات، الجيش، فصائل ... heads an armed group */
	CW_STOP = 1u << 6,       /* prepositions and function words */
	CW_PLANNED = 1u << 7,    /* سيتم، من المقرر، يعتزم */
	CW_NEG = 1u << 8,        /* لم، لن، لا، ما */
	CW_DENY = 1u << 9,       /* نفى */
	CW_CAUSE = 1u << 10,     /* أدى، أسفر، راح ضحيته */
	CW_KILL = 1u << 11,      /* cue: مقتل، قتل، استشهاد */
	CW_HURT = 1u << 12,      /* cue: إصابة، أصيب، جرح */
	CW_ABDUCT = 1u << 13,    /* cue: اختطاف */
	CW_ARREST = 1u << 14,    /* cue: اعتقال */
	CW_DEAD = 1u << 15,      /* noun: قتيلا، شهداء */
	CW_WOUNDED = 1u << 16,   /* noun: جريحا، جرحى */
	CW_PERSON = 1u << 17,    /* counted people: شخصا، مدنيا، جنود */
	CW_SINGULAR = 1u << 18,  /* a singular person noun: طفل، جندي */
	CW_NAME_PREFIX = 1u << 19, /* first word of a two-word place name: دير، تل، كفر */
	CW_BY = 1u << 20,        /* قبل (من قبل)، يد (على يد)، بقيادة */
	CW_NUMWORD = 1u << 21,   /* a number word or the first word of a qualifier (numbers.c) */
	CW_BETWEEN = 1u << 22,   /* بين، مع: the other side follows */
	CW_LOC_PREP = 1u << 23,  /* في، على، قرب، شمال ... before a place */
	CW_NEUTRAL_CUE = 1u << 24, /* سقوط، وقوع: takes its role from the noun */
	CW_DEAD_VERB = 1u << 25, /* after the counted noun: قتلوا، مصرعهم */
	CW_HURT_VERB = 1u << 26, /* أصيبوا */
	CW_FUTURE = 1u << 27,    /* المقبل، غدا near the trigger */
	CW_LIGHT = 1u << 28,     /* a light verb before a noun trigger: شن، نفذ، ارتكب */
	CW_DEMONST = 1u << 29,   /* هذا، تلك: the noun after it refers back */
	CW_LOSS = 1u << 30,      /* فقدت القوات 4 من عناصرها */
	CW_DUAL = 1u << 31,      /* two people: والداه، جنديان، طفلين */
};

struct ctx_word {
	const char *variants;
	uint32_t bits;
};

static const struct ctx_word ctx_words[] = {
	{ "طائرات|طائرة|طيران|مقاتلات|مقاتلة|غارات|غارة|جوي|جوية|جوا|مروحي|مروحية|مروحيات|الحربي|حربية|مسيرة|درون|المسيرة", CW_AIR },
	{ "مدفعية|مدفعي|مدفعيا|قذائف|قذيفة|صواريخ|صاروخ|صاروخية|صاروخي|راجمات|راجمة|هاون|كاتيوشا|دبابة|دبابات|مدافع|غراد|هاوتزر", CW_ART },
	{ "متبادل|متبادلة|متبادلا", CW_MUTUAL },
	{ "تحالف|التحالف", CW_COALITION },
	{ "مدينة|بلدة|قرية|قرى|بلدات|مدن|محافظة|محافظتي|منطقة|مناطق|حي|أحياء|ريف|ضاحية|مخيم|قضاء|ناحية|مديرية|مطار|معبر|ولاية|إقليم|جزيرة|ميناء|قاعدة|سهل|محور|جبهة|ساحة|مدينتي|بلدتي|قريتي|عاصمة|العاصمة", CW_PLACE_HEAD },
	{ "قوات|القوات|جيش|الجيش|شرطة|الشرطة|عناصر|مقاتلو|مقاتلي|مقاتلين|مسلحو|مسلحي|مسلحين|مسلحون|فصائل|فصيل|ميليشيات|ميليشيا|مليشيات|مليشيا|كتائب|كتيبة|مجموعات|جماعات|وحدات|الحرس|حرس|مستوطنون|مستوطنين|متطرفون|متطرفين|متشددون|متشددين|متمردون|متمردين|الثوار|ثوار|المعارضة|النظام|المقاومة|الأمن|البحرية|سلاح|طائرات|الطيران|مقاتلات|المدفعية|مدفعية|دبابات|عصابات|تنظيم|حركة|جبهة|لواء|فرقة|الشبيحة|الحوثيون|الحوثيين|إرهابيون|الإرهابيين|إرهابيين|مجهولون|مجهولين|مسلحون|أجهزة|السلطات|حكومة|الحكومة|الإدارة|طائرة|مروحية|مروحيات|مقاتلة|سفن|بوارج|زوارق|مدمرات|عصابة|خلية|خلايا|مجموعة|كتيبة|سرايا|ألوية|الوزير|وزير|الرئيس|رئيس|الرئيسان|الوزيران|القيادة|الوفد|وفد|الجانب|الطرفان|الطرفين|طرفا|طرفي|الجانبان|الجانبين|الملك|الأمير|المبعوث|وفود|قادة|زعماء", CW_ACTOR_HEAD },
	{ "في|على|من|إلى|الى|عن|مع|بين|بعد|قبل|خلال|ضد|حيث|الذي|التي|الذين|اللذين|منذ|حتى|أن|إن|أنه|إنه|أنها|ما|لا|لم|لن|قد|كان|كانت|وكان|هذا|هذه|ذلك|تلك|هو|هي|عند|لدى|نحو|عبر|دون|أي|كل|بعض|أو|ثم|كما|وسط|أمام|إثر|عقب|بسبب|جراء|رغم|لكن|بينما|فيما|عندما|بعدما|حين|مما|ما|فيه|فيها|عليه|عليها|منه|منها|به|بها|له|لها|إليها|إليه|أمس|اليوم|بحق|تجاه|إزاء|بواسطة|باستخدام", CW_STOP },
	{ "سيتم|ستتم|يعتزم|تعتزم|يعتزمون|ينوي|تنوي|سوف|المقرر|المخطط|المزمع|المتوقع|يتوقع|المنتظر|ينتظر|تهدف|يهدف|بهدف|أجل|يبدأ|تبدأ|سيبدأ|ستبدأ|خطة|يسعى|تسعى|قررت|قرر|يخطط|تخطط|سيعقد|ستعقد|يعتزمان|لإعلان|محاولة|محاولات|تستهدف|يستهدف", CW_PLANNED },
	{ "لم|لن|لا|ما|ولم|ولن|ولا|عدم|دون|بدون", CW_NEG },
	{ "نفى|نفت|ينفي|تنفي|نفوا|نافيا|نافية|ينفون|نفي", CW_DENY },
	{ "أدى|أدت|يؤدي|أسفر|أسفرت|يسفر|خلف|خلفت|راح|حصيلة|أوقع|أوقعت|تسبب|تسببت", CW_CAUSE },
	{ "مقتل|قتل|قتلت|قتلوا|يقتل|استشهاد|استشهد|استشهدوا|مصرع|وفاة|أعدم|أعدمت|أعدموا|إعدام|اغتيال|ضحيته|ضحيتها|ضحيتهم", CW_KILL },
	{ "إصابة|إصابات|أصيب|أصيبت|أصيبوا|جرح|جرحت|جرحوا|يصاب|إصابتهم", CW_HURT },
	{ "اختطاف|خطف|اختطف|اختطفت|اختطفوا|خطفوا|أسر", CW_ABDUCT },
	{ "اعتقال|اعتقل|اعتقلت|اعتقلوا|توقيف|أوقف|أوقفت|احتجاز|احتجز|احتجزت", CW_ARREST },
	{ "قتيل|قتيلا|قتيلان|قتيلين|قتلى|شهيد|شهيدا|شهيدان|شهيدين|شهداء|ضحية|ضحايا|جثة|جثث|الضحايا", CW_DEAD },
	{ "جريح|جريحا|جريحان|جريحين|جرحى|مصاب|مصابا|مصابين|مصابون|مصابان", CW_WOUNDED },
	{ "شخص|شخصا|أشخاص|مدني|مدنيا|مدنيين|مدنيون|جندي|جنديا|جنود|جنديان|جنديين|عنصر|عنصرا|عناصر|طفل|طفلا|أطفال|امرأة|نساء|رجل|رجلا|رجال|مقاتل|مقاتلا|مقاتلين|مسلح|مسلحا|مسلحين|شاب|شابا|شبان|مواطن|مواطنا|مواطنين|عسكري|عسكريا|عسكريين|شرطي|شرطيا|شرطيين|ضابط|ضابطا|ضباط|قيادي|قياديا|قياديين|فلسطيني|فلسطينيا|فلسطينيين|طفلة|صحفي|صحفيا|صحفيين|متظاهر|متظاهرا|متظاهرين|معتقلا|معتقلين|سائق|لاجئ|لاجئا|لاجئين|نازح|نازحا|عامل|عاملا|عمال|موظف|موظفا|آخرون|آخرين", CW_PERSON },
	{ "شخص|مدني|جندي|عنصر|طفل|امرأة|رجل|مقاتل|مسلح|شاب|مواطن|عسكري|شرطي|ضابط|قيادي|طفلة|صحفي|متظاهر|سائق|لاجئ|نازح|عامل|موظف|الطفل|الطفلة|الشاب|الجندي|الصحفي|القيادي|الضابط", CW_SINGULAR },
	{ "دير|تل|كفر|عين|بئر|جبل|دار|بيت|أبو|رأس|خان|سوق|باب|جسر|مرج|سهل|وادي|قلعة|حرف|تلة|الحي|ساحة|بني|أم|سد|مطار|شيخ|الشيخ|بيت|القصر|قصر|جباب|معرة|جرابلس", CW_NAME_PREFIX },
	{ "قبل|يد|بقيادة|قيادة|يدي", CW_BY },
	{ "بين|مع", CW_BETWEEN },
	{ "في|على|قرب|بالقرب|شمال|جنوب|شرق|غرب|شمالي|جنوبي|شرقي|غربي|وسط|ريف|أطراف|محيط|داخل|إلى|الى|نحو|عند|قرى|مناطق|بلدات|مدينة|بلدة|قرية|محافظة|منطقة|حي|ضاحية|مخيم|مطار|أنحاء|عموم|تجاه|باتجاه|اتجاه", CW_LOC_PREP },
	{ "سقوط|وقوع|سقط|سقطت|وقع|وقعت|لقي|لقوا|ارتفاع|ارتفع|بلغ", CW_NEUTRAL_CUE },
	{ "قتلوا|قتلا|مصرعهم|مصرعه|مصرعهما|حتفهم|حتفه|حتفهما|حتفها|مصرعها|قضوا|استشهدوا", CW_DEAD_VERB },
	{ "أصيبوا|بجروح|أصيبا|جرحوا", CW_HURT_VERB },
	{ "المقبل|المقبلة|القادم|القادمة|غدا|الغد|لاحقا", CW_FUTURE },
	{ "شن|شنت|شنوا|يشن|تشن|يشنون|نفذ|نفذت|نفذوا|ينفذ|تنفذ|ارتكب|ارتكبت|ارتكبوا|يرتكب|ترتكب|بدأ|بدأت|بدأوا|يبدأ|تبدأ|قام|قامت|قاموا|يقوم|تقوم|عقد|عقدت|عقدوا|يعقد|تعقد|أجرى|أجرت|أجروا|يجري|تجري|خاض|خاضت|خاضوا|يخوض|تخوض|تمكن|تمكنت|تمكنوا|يتمكن|تتمكن|نجح|نجحت|نجحوا|شارك|شاركت|شاركوا|واصل|واصلت|واصلوا|يواصل|تواصل|استأنف|استأنفت|صعد|صعدت|كثف|كثفت|أطلقت|أطلق|أطلقوا|تبنى|تبنت|تبنوا", CW_LIGHT },
	{ "هذا|هذه|تلك|ذلك|هذين|هاتين|هؤلاء", CW_DEMONST },
	{ "فقد|فقدت|فقدوا|خسر|خسرت|خسروا", CW_LOSS },
	{ "والدا|والدي|والدان|والدين|شقيقا|شقيقي|شقيقان|شقيقين|شقيقتا|شقيقتي|شقيقتان|شقيقتين|ابنا|ابنان|ابنين|ابنتا|ابنتي|ابنتان|ابنتين|أخوا|أخوان|أخوين|طفلان|طفلين|طفلتان|طفلتين|جنديان|جنديين|شخصان|شخصين|مدنيان|عنصران|عنصرين|شرطيان|شرطيين|ضابطان|ضابطين|شابان|شابين|رجلان|رجلين|امرأتان|امرأتين|صحفيان|صحفيين|قتيلان|قتيلين|جريحان|جريحين", CW_DUAL },
	{ "شقيق|شقيقة|أخ|أخت|أخو|أخي|أخا|والد|والدة|والده|أب|ابن|ابنة|زوج|زوجة|حفيد|حفيدة|نجل|نجلة|ابنه|زوجته", CW_SINGULAR },
};

/* The context table (words) again as key → bits in one flat array: a token's bits are
 * read for every word, and a hit in the lexicon walks a slot, its key, the homograph
 * entries and their fields.  Filled from the lexicon itself, so the two agree. */
struct ctx_slot {
	uint32_t hash;
	uint32_t bits; /* chain_bits of the key's entries */
	uint32_t off;  /* the key in pool */
	uint32_t len;  /* 0: an empty slot */
};

struct ctx_table {
	struct ctx_slot *slots;
	uint32_t mask;
	char *pool;
	size_t pool_len, pool_cap;
};

struct kh_event_res {
	struct kh_lexicon *trig;  /* trigger variants → fields[0] = index into trigs */
	/* The keys of trig and of words: most words are in neither, and a word tries up to
	 * eight trigger forms (two look-ups each) and several context keys. */
	struct kh_keyfilt trig_filter;
	/* the word prefixes of trig's keys: "is some trigger longer?" without a look-up */
	struct kh_keyfilt trig_prefix_filter;
	/* the first TRIG_HEAD bytes of every key of trig (phrases and their word prefixes
	 * too) that has as many: one test rules out all the forms a word key makes */
	struct kh_keyfilt trig_head_filter;
	struct kh_keyfilt words_filter; /* the keys of words, by words_bit(words_hash(key)) */
	struct ctx_table ctx;
	struct trig *trigs;
	size_t n_trigs, cap_trigs;
	struct kh_lexicon *words; /* context words → fields[0] = bits */
	const struct word_list *lit[LIT__MAX]; /* lit_src with their masks */
	void **strings;           /* malloc'd rule lists */
	size_t n_strings, cap_strings;
};

/* ---- loading ------------------------------------------------------------------------ */

/* The context bits of a homograph chain (fields[0] is a decimal number we wrote). */
static uint32_t chain_bits(const struct kh_lex_entry *e)
{
	uint32_t b = 0;

	for (; e != NULL; e = e->next) {
		uint32_t v = 0;

		for (const char *p = e->fields[0]; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (uint32_t)(*p - '0');
		b |= v;
	}
	return b;
}

/* The hash of a key for the context table and its filter (words_filter): its first and
 * last eight bytes and its length, with one multiply; a key is hashed for every word. */
static inline uint32_t words_hash(const char *s, size_t len)
{
	uint64_t a, b, h;

	kh_kf_ends(s, len, &a, &b);
	h = (a ^ (b << 29 | b >> 35) ^ len) * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h ^ h >> 32);
}

/* The bit of words_filter for a key of hash h (words_hash). */
static inline uint32_t words_bit(uint32_t h)
{
	return h >> (32 - 15);
}

_Static_assert(KH_KF_BITS == 1u << 15, "words_bit makes 15 bits");

static int add_words_key(const char *key, size_t len, void *ud)
{
	struct kh_keyfilt *f = ud;
	uint32_t b = words_bit(words_hash(key, len));

	f->w[b / 64] |= 1ull << (b % 64);
	return 0;
}

/* Are the @p len bytes at a and b the same?  Keys are a few words long: no call. */
static inline bool same_bytes(const char *a, const char *b, size_t len)
{
	for (; len >= 8; a += 8, b += 8, len -= 8) {
		uint64_t x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	for (; len > 0; a++, b++, len--)
		if (*a != *b)
			return false;
	return true;
}

/* ctx_find with the key's words_hash @p h already computed. */
static inline bool ctx_find_h(const struct ctx_table *t, uint32_t h, const char *key, size_t len,
			      uint32_t *ret_bits)
{
	for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
		const struct ctx_slot *s = &t->slots[i];

		if (s->len == 0)
			return false;
		if (s->hash == h && s->len == len && same_bytes(t->pool + s->off, key, len)) {
			*ret_bits = s->bits;
			return true;
		}
	}
}

static bool ctx_find(const struct ctx_table *t, const char *key, size_t len, uint32_t *ret_bits)
{
	return ctx_find_h(t, words_hash(key, len), key, len, ret_bits);
}

static int count_key(const char *key, size_t len, void *ud)
{
	(void)key;
	(void)len;
	(*(size_t *)ud)++;
	return 0;
}

/* Put key into the table when the lexicon has entries under it. */
static int ctx_put(const char *key, size_t len, void *ud)
{
	struct kh_event_res *r = ud;
	struct ctx_table *t = &r->ctx;
	const struct kh_lex_entry *e;
	char buf[512];
	uint32_t h, i, bits;

	if (len == 0 || len >= sizeof(buf))
		return 0; /* no token key */
	memcpy(buf, key, len);
	buf[len] = '\0';
	e = kh_lex_get(r->words, buf);
	if (e == NULL || ctx_find(t, buf, len, &bits))
		return 0;
	if (t->pool_len + len > t->pool_cap) {
		size_t cap = t->pool_cap * 2 + len + 4096;
		char *p = realloc(t->pool, cap);

		if (p == NULL)
			return -ENOMEM;
		t->pool = p;
		t->pool_cap = cap;
	}
	h = words_hash(buf, len);
	for (i = h & t->mask; t->slots[i].len != 0; i = (i + 1) & t->mask)
		;
	t->slots[i] = (struct ctx_slot){ .hash = h, .bits = chain_bits(e), .off = (uint32_t)t->pool_len,
					 .len = (uint32_t)len };
	memcpy(t->pool + t->pool_len, buf, len);
	t->pool_len += len;
	return 0;
}

/* Build r->ctx from every key of r->words (the context words and the number words). */
static int ctx_build(struct kh_event_res *r)
{
	size_t n = 0, size = 16;

	kh_lex_each_key(r->words, count_key, &n);
	while (size < 2 * n)
		size *= 2;
	r->ctx.slots = calloc(size, sizeof(*r->ctx.slots));
	if (r->ctx.slots == NULL)
		return -ENOMEM;
	r->ctx.mask = (uint32_t)size - 1;
	return kh_lex_each_key(r->words, ctx_put, r);
}

static int keep_string(struct kh_event_res *r, void *s)
{
	if (r->n_strings == r->cap_strings) {
		size_t cap = r->cap_strings ? r->cap_strings * 2 : 32;
		void **p = realloc(r->strings, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		r->strings = p;
		r->cap_strings = cap;
	}
	r->strings[r->n_strings++] = s;
	return 0;
}

static void list_mask_add(struct word_list *wl, const char *key, size_t len)
{
	uint32_t b = kh_kf_hash32(key, len) & 255u;

	wl->mask[b / 64] |= 1ull << (b % 64);
}

/* "a|b" → "|key(a)|key(b)|" with folded keys */
static int fold_list(struct kh_event_res *r, const char *list, size_t len, const struct word_list **ret)
{
	struct word_list *wl = calloc(1, sizeof(*wl) + len * 2 + 3);
	char *out = wl != NULL ? wl->s : NULL;
	size_t o = 0;
	const char *p = list, *end = list + len;

	if (wl == NULL)
		return -ENOMEM;
	out[o++] = '|';
	while (p < end) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		size_t n = bar != NULL ? (size_t)(bar - p) : (size_t)(end - p);
		char *k = kh_norm_key(p, n);

		if (k == NULL) {
			free(wl);
			return -ENOMEM;
		}
		if (strlen(k) + o + 2 <= len * 2 + 3 && k[0] != '\0') {
			list_mask_add(wl, k, strlen(k));
			memcpy(out + o, k, strlen(k));
			o += strlen(k);
			out[o++] = '|';
		}
		free(k);
		p = bar != NULL ? bar + 1 : end;
	}
	out[o] = '\0';
	if (keep_string(r, wl) < 0) {
		free(wl);
		return -ENOMEM;
	}
	*ret = wl;
	return 0;
}

/* r->lit[i] from lit_src[i], which is folded already. */
static int lit_build(struct kh_event_res *r, enum lit_list i)
{
	size_t len = strlen(lit_src[i]);
	struct word_list *wl = calloc(1, sizeof(*wl) + len + 1);

	if (wl == NULL)
		return -ENOMEM;
	memcpy(wl->s, lit_src[i], len + 1);
	for (const char *p = wl->s + 1; *p != '\0';) {
		const char *bar = strchr(p, '|');

		list_mask_add(wl, p, (size_t)(bar - p));
		p = bar + 1;
	}
	if (keep_string(r, wl) < 0) {
		free(wl);
		return -ENOMEM;
	}
	r->lit[i] = wl;
	return 0;
}

static bool in_list(const char *list, const char *key)
{
	size_t n = strlen(key);
	const char *p = list;

	if (list == NULL || n == 0)
		return false;
	while ((p = strstr(p, key)) != NULL) {
		if (p > list && p[-1] == '|' && p[n] == '|')
			return true;
		p++;
	}
	return false;
}

static int parse_rules(struct kh_event_res *r, struct trig *t, char *rules)
{
	char *save = NULL;

	for (char *tok = strtok_r(rules, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		const struct word_list **dst = NULL;
		char *eq = strchr(tok, '=');

		while (*tok == ' ')
			tok++;
		if (strcmp(tok, "ctx") == 0)
			t->rules |= TR_CTX;
		else if (strcmp(tok, "air") == 0)
			t->rules |= TR_AIR;
		else if (strcmp(tok, "wide") == 0)
			t->rules |= TR_WIDE;
		else if (strcmp(tok, "noart") == 0)
			t->rules |= TR_NOART;
		else if (eq != NULL) {
			*eq = '\0';
			if (strcmp(tok, "next") == 0)
				dst = &t->next;
			else if (strcmp(tok, "notnext") == 0)
				dst = &t->notnext;
			else if (strcmp(tok, "notprev") == 0)
				dst = &t->notprev;
			else if (strcmp(tok, "near") == 0)
				dst = &t->near;
			else if (strcmp(tok, "after") == 0)
				dst = &t->after;
			else if (strcmp(tok, "notafter") == 0)
				dst = &t->notafter;
			else
				return -EINVAL;
			if (fold_list(r, eq + 1, strlen(eq + 1), dst) < 0)
				return -ENOMEM;
		} else if (*tok != '\0') {
			return -EINVAL;
		}
	}
	return 0;
}

static int load_line(struct kh_event_res *r, struct kh_lexicon *known, char *line, const char *file,
		     unsigned lineno, char **ret_err)
{
	char *cols[5] = { 0 };
	unsigned n;
	struct trig t = { 0 };
	char idx[24];
	const char *f[1] = { idx };
	int type, rc;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	n = kh_lex_split_tabs(line, cols, 5);
	if (n < 3) {
		*ret_err = kh_lex_errorf(file, lineno, "expected: variants, type, class[, rules]");
		return -EINVAL;
	}
	if (strcmp(cols[1], "-") == 0) {
		t.type = EV_TYPE_NONE;
	} else {
		type = kh_event_type_parse(cols[1]);
		if (type < 0) {
			*ret_err = kh_lex_errorf(file, lineno, "unknown event type");
			return -EINVAL;
		}
		t.type = (uint8_t)type;
	}
	if (strcmp(cols[2], "verb") == 0)
		t.cls = TC_VERB;
	else if (strcmp(cols[2], "noun") == 0)
		t.cls = TC_NOUN;
	else if (strcmp(cols[2], "casualty") == 0)
		t.cls = TC_CASUALTY;
	else {
		*ret_err = kh_lex_errorf(file, lineno, "class must be verb, noun or casualty");
		return -EINVAL;
	}
	if (n > 3) {
		rc = parse_rules(r, &t, cols[3]);
		if (rc < 0) {
			*ret_err = kh_lex_errorf(file, lineno, rc == -EINVAL ? "unknown rule" : "out of memory");
			return rc;
		}
	}
	if (r->n_trigs == r->cap_trigs) {
		size_t cap = r->cap_trigs ? r->cap_trigs * 2 : 64;
		struct trig *p = realloc(r->trigs, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		r->trigs = p;
		r->cap_trigs = cap;
	}
	r->trigs[r->n_trigs] = t;
	snprintf(idx, sizeof(idx), "%zu", r->n_trigs);
	r->n_trigs++;
	rc = kh_lex_add(r->trig, cols[0], f, 1, file, lineno);
	if (rc == 0 && known != NULL)
		rc = kh_lex_add(known, cols[0], NULL, 0, file, lineno);
	if (rc < 0) {
		*ret_err = kh_lex_errorf(file, lineno, rc == -EINVAL ? "a variant is empty after normalization"
							    : "out of memory");
		return rc;
	}
	return 1;
}

struct load_state {
	struct kh_event_res *r;
	struct kh_lexicon *known;
	const char *file;
	char **ret_err;
};

static int load_each(char *line, size_t len, unsigned lineno, void *ud)
{
	struct load_state *st = ud;
	int rc;

	(void)len;
	rc = load_line(st->r, st->known, line, st->file, lineno, st->ret_err);
	return rc < 0 ? rc : 0;
}

static int load_file(struct kh_event_res *r, struct kh_lexicon *known, const char *path, char **ret_err)
{
	struct load_state st = { .r = r, .known = known, .file = path, .ret_err = ret_err };

	return kh_lex_each_line(path, EV_MAX_LINE, load_each, &st, ret_err);
}

struct kh_event_res *kh_event_res_free(struct kh_event_res *r)
{
	if (r == NULL)
		return NULL;
	kh_lex_free(r->trig);
	kh_lex_free(r->words);
	free(r->ctx.slots);
	free(r->ctx.pool);
	for (size_t i = 0; i < r->n_strings; i++)
		free(r->strings[i]);
	free(r->strings);
	free(r->trigs);
	free(r);
	return NULL;
}

#define TRIG_HEAD 8u /* bytes: four Arabic letters */

/* The bit of trig_head_filter for the TRIG_HEAD bytes at f: one multiply, the filter
 * is asked once or twice for every word. */
static inline uint32_t head_bit(const char *f)
{
	uint64_t v;

	memcpy(&v, f, 8);
	return (uint32_t)((v * 0x9E3779B97F4A7C15ull) >> (64 - 15));
}

_Static_assert(KH_KF_BITS == 1u << 15, "head_bit makes 15 bits");
_Static_assert(TRIG_HEAD == 8, "head_bit reads eight bytes");

/* Add the first TRIG_HEAD bytes of key to the filter ud (shorter keys: see may_trigger). */
static int add_head(const char *key, size_t len, void *ud)
{
	struct kh_keyfilt *f = ud;

	if (len >= TRIG_HEAD) {
		uint32_t b = head_bit(key);

		f->w[b / 64] |= 1ull << (b % 64);
	}
	return 0;
}

/* Add to the filter ud every word prefix of key (the part before each space). */
static int add_word_prefixes(const char *key, size_t len, void *ud)
{
	for (size_t i = 0; i < len; i++)
		if (key[i] == ' ')
			kh_kf_add(ud, key, i);
	return 0;
}

static bool is_trigger_file(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	return strncmp(base, "triggers", 8) == 0;
}

int kh_event_res_load(const char *data_dir, const char *const *extra, struct kh_lexicon *known,
		       struct kh_event_res **ret_res, char **ret_err)
{
	struct kh_event_res *r = calloc(1, sizeof(*r));
	char path[4096];
	char *err = NULL;
	int rc = -ENOMEM;

	if (r == NULL)
		goto fail;
	r->trig = kh_lex_new();
	r->words = kh_lex_new();
	if (r->trig == NULL || r->words == NULL)
		goto fail;
	for (size_t i = 0; i < sizeof(ctx_words) / sizeof(ctx_words[0]); i++) {
		char bits[24];
		const char *f[1] = { bits };

		snprintf(bits, sizeof(bits), "%u", ctx_words[i].bits);
		if (kh_lex_add(r->words, ctx_words[i].variants, f, 1, "events.c", (uint32_t)i + 1) < 0)
			goto fail;
		if (known != NULL && kh_lex_add(known, ctx_words[i].variants, NULL, 0, "events.c",
						(uint32_t)i + 1) < 0)
			goto fail;
	}
	{
		char bits[24];
		const char *f[1] = { bits };

		snprintf(bits, sizeof(bits), "%u", (unsigned)CW_NUMWORD);
		if (kh_num_add_words(r->words, f, 1) < 0)
			goto fail;
	}
	kh_lex_each_key(r->words, add_words_key, &r->words_filter);
	if (ctx_build(r) < 0)
		goto fail;
	for (int i = 0; i < LIT__MAX; i++)
		if (lit_build(r, (enum lit_list)i) < 0)
			goto fail;
	if (known != NULL && (kh_num_add_known(known) < 0 || kh_date_add_known(known) < 0))
		goto fail;
	snprintf(path, sizeof(path), "%s/triggers.tsv", data_dir != NULL ? data_dir : ".");
	rc = load_file(r, known, path, &err);
	if (rc < 0)
		goto fail;
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		if (!is_trigger_file(extra[i]))
			continue;
		rc = load_file(r, known, extra[i], &err);
		if (rc < 0)
			goto fail;
	}
	kh_kf_add_lexicon(&r->trig_filter, r->trig);
	kh_lex_each_key(r->trig, add_word_prefixes, &r->trig_prefix_filter);
	kh_lex_each_key(r->trig, add_head, &r->trig_head_filter);
	*ret_res = r;
	return 0;
fail:
	kh_event_res_free(r);
	if (err == NULL && rc == -ENOMEM)
		err = strdup("out of memory");
	if (ret_err != NULL)
		*ret_err = err;
	else
		free(err);
	return rc;
}

size_t kh_event_res_count(const struct kh_event_res *r, const char *name)
{
	if (r == NULL || name == NULL)
		return 0;
	if (strcmp(name, "triggers") == 0)
		return kh_lex_count(r->trig);
	return 0;
}

/* ---- per-document state ------------------------------------------------------------- */

struct ev_state {
	const struct kh_event_res *r;
	struct kh_doc *doc;
	uint32_t n_tok;
	uint32_t *bits;   /* context word bits per token */
	uint8_t *skip;    /* proclitic bytes left on the token in front of its bits' key */
	uint8_t *tf;      /* TF_* facts of the token (from its keys, in prepare), and in its high
			   * bits (TF_MTYPE_SHIFT) the entity type of st->ment (ment_type) */
	uint32_t *ment;   /* mention covering the token, or KH_NONE */
	uint32_t *evt;    /* event whose trigger covers the token, or KH_NONE */
	uint32_t *attr;   /* smallest attribution whose content covers the token, or KH_NONE */
	int64_t pub;      /* published date as yyyymmdd, 0 when none */
};

enum {
	TF_NUM = 1u << 0,  /* a key of the token is digits or a number/qualifier word (may_count) */
	TF_TRIG = 1u << 1, /* a form of one of its keys may be a trigger (may_trigger) */
	TF_MTYPE_SHIFT = 4, /* st->tf[i] >> TF_MTYPE_SHIFT: ment_type(st, i) */
};

_Static_assert(KH_ENT__MAX < 1u << (8 - TF_MTYPE_SHIFT), "ment_type fits above the TF_* bits");

struct ev_tok {
	const struct trig *t;
	uint32_t tf, te;  /* trigger tokens */
	uint8_t cls;
	bool future;      /* a future prefix on the verb (سيزور) */
	bool purpose;     /* a noun after purpose لـ (لتحرير) */
};

static bool starts_with(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool ends_with(const char *s, const char *p)
{
	size_t n = strlen(s), m = strlen(p);

	return n >= m && memcmp(s + n - m, p, m) == 0;
}

static const struct kh_token *tok_at(const struct ev_state *st, uint32_t i)
{
	return &st->doc->tokens.items[i];
}

/* The keys of token i (kh_num_tok_keys), made again where they are needed instead of
 * kept per token: most tokens have one key, their own, known here without the call. */
static inline void tok_keys(const struct ev_state *st, uint32_t i, struct kh_tok_keys *ret)
{
	const struct kh_token *t = tok_at(st, i);
	const unsigned char *k = (const unsigned char *)t->key;

	/* kh_num_tok_keys' own test for more keys than one: a word with no proclitic
	 * split off that starts with ب (D8 A8) or و ف ل ك (D9 88, 81, 84, 83) */
	if (k == NULL || (t->core_start == t->start && t->kind == KH_TOK_WORD &&
			  (k[0] == 0xD8 ? k[1] == 0xA8
					: k[0] == 0xD9 && (k[1] & 0xC0u) == 0x80 && (0x11Aull >> (k[1] & 0x3Fu) & 1u) != 0))) {
		kh_num_tok_keys(st->doc, i, ret);
		return;
	}
	ret->k[0] = t->key;
	ret->len[0] = kh_tok_key_len(t);
	ret->skip[0] = 0;
	ret->n = 1;
}

/* Is the key of token t the @p n bytes at lit?  Its known length first: no strcmp call. */
static inline bool key_is_n(const struct kh_token *t, const char *lit, size_t n)
{
	return kh_tok_key_len(t) == n && memcmp(t->key, lit, n) == 0;
}

/* Is the key of token i the string literal lit? */
#define KEY_IS(st, i, lit) key_is_n(tok_at((st), (i)), (lit), sizeof(lit) - 1)

static bool is_punct(const struct ev_state *st, uint32_t i)
{
	return tok_at(st, i)->kind == KH_TOK_PUNCT;
}

static bool is_quote(const struct ev_state *st, uint32_t i)
{
	const struct kh_token *t = tok_at(st, i);

	if (t->kind != KH_TOK_PUNCT)
		return false;
	if ((t->flags & (KH_TOKF_QUOTE_OPEN | KH_TOKF_QUOTE_CLOSE)) != 0)
		return true;
	return starts_with(st->doc->norm + t->start, "«") || starts_with(st->doc->norm + t->start, "»") ||
	       st->doc->norm[t->start] == '"' || st->doc->norm[t->start] == '(' ||
	       st->doc->norm[t->start] == ')';
}

/* A clause break: , ؛ : . */
static bool is_break(const struct ev_state *st, uint32_t i)
{
	const struct kh_token *t = tok_at(st, i);
	const char *s = st->doc->norm + t->start;

	return t->kind == KH_TOK_PUNCT && (starts_with(s, "،") || starts_with(s, "؛") || *s == ',' ||
					   *s == ';' || *s == ':' || *s == '.');
}

/* Bytes of the pronoun suffixes هما هم هن ها ه كم نا (in this order; see suffix_of). */
static const uint8_t suffix_len[] = { 6, 4, 4, 4, 2, 4, 4 };

/* Is the letter ending at byte e of s the two-byte letter l? */
static inline bool letter_at(const char *s, size_t e, const char *l)
{
	return e >= 2 && s[e - 2] == l[0] && s[e - 1] == l[1];
}

/* The pronoun suffix s (n bytes) ends with: an index into suffixes, or -1.  No two of
 * them end alike, so a word has at most one, told apart by its last letters. */
static inline int suffix_of(const char *s, size_t n)
{
	if (letter_at(s, n, "ه"))
		return 4;
	if (letter_at(s, n, "م"))
		return letter_at(s, n - 2, "ه") ? 1 : letter_at(s, n - 2, "ك") ? 5 : -1;
	if (letter_at(s, n, "ن"))
		return letter_at(s, n - 2, "ه") ? 2 : -1;
	if (letter_at(s, n, "ا")) {
		if (letter_at(s, n - 2, "م") && letter_at(s, n - 4, "ه"))
			return 0;
		return letter_at(s, n - 2, "ه") ? 3 : letter_at(s, n - 2, "ن") ? 6 : -1;
	}
	return -1;
}

/* The context bits of key (0 when none); *ret_found (may be NULL) tells whether the
 * context table has the key at all.  The filter first: most keys are in no table. */
static __attribute__((noinline)) uint32_t words_probe(const struct ev_state *st, uint32_t h, const char *key,
						       size_t len, bool *ret_found)
{
	uint32_t bits = 0;
	bool found = ctx_find_h(&st->r->ctx, h, key, len, &bits);

	if (ret_found != NULL)
		*ret_found = found;
	return bits;
}

static inline uint32_t words_bits_n(const struct ev_state *st, const char *key, size_t len, bool *ret_found)
{
	uint32_t h = words_hash(key, len), b = words_bit(h);

	if ((st->r->words_filter.w[b / 64] >> (b % 64) & 1) != 0)
		return words_probe(st, h, key, len, ret_found); /* the table past the filter, out of line */
	if (ret_found != NULL)
		*ret_found = false;
	return 0;
}

/* Does the NUL-terminated s start with the article ال and hold more than 6 bytes? */
static bool article_and_more(const char *s)
{
	static const char al[] = "ال";

	return s[0] == al[0] && s[1] == al[1] && s[2] == al[2] && s[3] == al[3] && s[4] != '\0' &&
	       s[5] != '\0' && s[6] != '\0';
}

/* Does key k start with a digit (ASCII, Arabic-Indic or Eastern Arabic-Indic)? */
static bool digit_first(const char *k)
{
	const unsigned char *p = (const unsigned char *)k;

	if (p[0] < 0xD9) /* most letters (D8 xx) too */
		return (unsigned)(p[0] - '0') < 10u;
	return (p[0] == 0xD9 && (unsigned)(p[1] - 0xA0) < 10u) || (p[0] == 0xDB && (unsigned)(p[1] - 0xB0) < 10u);
}

/* A key that may start a count (see may_count). */
static bool num_key(const char *k, uint32_t bits)
{
	return digit_first(k) || (bits & CW_NUMWORD) != 0;
}

/* Does token tk end, as written, in ة (which folding made ه)? */
static bool ends_in_taa(const struct ev_state *st, const struct kh_token *tk)
{
	return tk->end - tk->start >= 2 && memcmp(st->doc->norm + tk->end - 2, "ة", 2) == 0;
}

#define KEY_MAX 128u /* bytes of a key (NUL included) whose suffix is stripped */

/* The context bits of token i, and whether one of its keys may start a count (st->num):
 * both from the same look-ups. */
static void compute_bits(struct ev_state *st, uint32_t i, const struct kh_tok_keys *keys)
{
	const struct kh_token *t = tok_at(st, i);
	const char *k;
	size_t n;
	int x;
	bool done = false;

	if (t->kind != KH_TOK_WORD) {
		/* kh_num_tok_keys: the key alone */
		st->tf[i] = num_key(keys->k[0], words_bits_n(st, keys->k[0], keys->len[0], NULL)) ? TF_NUM : 0;
		return;
	}
	for (uint8_t c = 0; c < keys->n; c++) {
		bool found;
		uint32_t b = words_bits_n(st, keys->k[c], keys->len[c], &found);

		if (num_key(keys->k[c], b))
			st->tf[i] |= TF_NUM;
		if (done)
			continue; /* the bits are found; only the count test looks on */
		if (!found && article_and_more(keys->k[c]))
			b = words_bits_n(st, keys->k[c] + 4, keys->len[c] - 4u, NULL);
		if (b != 0) {
			st->bits[i] = b;
			st->skip[i] = keys->skip[c];
			done = true;
		}
	}
	if (done)
		return;
	/* without a pronoun suffix: عناصرها → عناصر */
	if (t->stem_key != NULL && t->stem_end != t->end) {
		st->bits[i] |= words_bits_n(st, t->stem_key, kh_tok_stem_len(t), NULL);
		return;
	}
	k = t->key;
	n = keys->len[0]; /* keys->k[0] is t->key: the token has core_start == start here */
	x = suffix_of(k, n);
	if (x >= 0) {
		size_t sl = suffix_len[x];

		if (n <= sl + 4 || n >= KEY_MAX || (sl == 2 && ends_in_taa(st, t)))
			return;
		/* the key less its suffix: a prefix of the key, looked up by length */
		st->bits[i] |= words_bits_n(st, k, n - sl, NULL);
		if (st->bits[i] != 0)
			return;
		if (starts_with(k, "و") && n > sl + 6) {
			/* وشقيقه */
			st->bits[i] |= words_bits_n(st, k + 2, n - sl - 2, NULL);
			if (st->bits[i] != 0) {
				st->skip[i] = 2;
				return;
			}
		}
	}
}

/* in_list(wl->s, key) for a key of @p len bytes: the mask first.  A key with a | in
 * it could match across items, so it goes to in_list whatever its bit. */
static bool in_word_list(const struct word_list *wl, const char *key, size_t len)
{
	uint32_t b = kh_kf_hash32(key, len) & 255u;

	if ((wl->mask[b / 64] >> (b % 64) & 1u) == 0 && memchr(key, '|', len) == NULL)
		return false;
	return in_list(wl->s, key);
}

/* Is token i (any of its keys, with or without ال) in the list? */
static bool tok_in_list(const struct ev_state *st, uint32_t i, const struct word_list *list)
{
	struct kh_tok_keys keys;

	if (list == NULL || i >= st->n_tok || tok_at(st, i)->kind != KH_TOK_WORD)
		return false;
	tok_keys(st, i, &keys);
	for (uint8_t c = 0; c < keys.n; c++) {
		if (in_word_list(list, keys.k[c], keys.len[c]))
			return true;
		if (keys.len[c] >= 4 && memcmp(keys.k[c], "ال", 4) == 0 &&
		    in_word_list(list, keys.k[c] + 4, keys.len[c] - 4))
			return true;
	}
	return false;
}

/* The entity type of the mention covering token i, KH_ENT__MAX when none: from prepare
 * (kept in st->tf, no array more), one load and no branch (the rules ask it of many tokens, most in no mention). */
_Static_assert(KH_ENT__MAX < 32, "rules_ok tests a mention type in a 32-bit mask");

static inline uint8_t ment_type(const struct ev_state *st, uint32_t i)
{
	return st->tf[i] >> TF_MTYPE_SHIFT;
}

/* ---- trigger matching --------------------------------------------------------------- */

struct tmatch {
	const struct kh_lex_entry *chain; /* the entries under the matched key (homographs) */
	const struct trig *t;
	uint32_t n;      /* tokens */
	uint8_t skip;    /* bytes in front of the trigger inside the first token */
	bool future;
	bool purpose;
	bool article;    /* the trigger word carries ال */
};

static const struct trig *trig_of(const struct ev_state *st, const struct kh_lex_entry *e)
{
	size_t i = 0;

	if (e == NULL || e->n_fields < 1)
		return NULL;
	/* fields[0] is the decimal index load_line wrote ("%zu"): no strtoul per look-up */
	for (const char *p = e->fields[0]; *p >= '0' && *p <= '9'; p++) {
		i = i * 10 + (size_t)(*p - '0');
		if (i >= st->r->n_trigs)
			return NULL;
	}
	return i < st->r->n_trigs ? &st->r->trigs[i] : NULL;
}

/* Longest phrase of the trigger table starting with form f (@p len bytes) at token i. */
static uint32_t extend(const struct ev_state *st, uint32_t i, uint32_t end, const char *f, size_t len,
		       const struct kh_lex_entry **ret_e)
{
	char buf[512];
	uint32_t best = 0;

	if (len + 1 > sizeof(buf) || !kh_kf_has(&st->r->trig_filter, f, len))
		return 0;
	memcpy(buf, f, len);
	buf[len] = '\0';
	for (uint32_t j = i; j < end && j < i + 6; j++) {
		const struct kh_lex_entry *e;

		if (j > i) {
			const char *k = tok_at(st, j)->full_key;
			size_t kl = kh_tok_full_len(tok_at(st, j));

			if (is_punct(st, j) || len + kl + 2 > sizeof(buf))
				break;
			buf[len++] = ' ';
			memcpy(buf + len, k, kl + 1);
			len += kl;
		}
		/* the filters first (the first word's form passed trig_filter already) */
		e = j == i || kh_kf_has(&st->r->trig_filter, buf, len) ? kh_lex_get_n(st->r->trig, buf, len) : NULL;
		if (trig_of(st, e) != NULL) {
			best = j - i + 1;
			*ret_e = e;
		}
		if (!kh_kf_has(&st->r->trig_prefix_filter, buf, len) || !kh_lex_has_prefix_n(st->r->trig, buf, len))
			break;
	}
	return best;
}

/* Does the string s of n bytes end with the UTF-8 letter l (two bytes)? */
static bool ends_with2(const char *s, size_t n, const char *l)
{
	return n >= 2 && s[n - 2] == l[0] && s[n - 1] == l[1];
}

/* A key of token i whose forms are being tried, and the best match so far. */
struct form_try {
	const struct ev_state *st;
	const struct kh_token *tk;
	uint32_t i, end;
	const char *k;   /* the key */
	uint8_t skip;    /* its proclitic bytes (kh_tok_keys.skip) */
	struct tmatch *best;
};

#define FORM_MAX 128u /* bytes of a key whose forms are tried, NUL included */

/* try_form past the filter: most forms stop there, this part stays out of the loop. */
static __attribute__((noinline)) void try_form_look(const struct form_try *x, const char *f, size_t len,
						   bool fut)
{
	const struct kh_lex_entry *e = NULL;
	uint32_t n = extend(x->st, x->i, x->end, f, len, &e);
	struct tmatch *best = x->best;

	if (n <= best->n || e == NULL)
		return;
	best->chain = e;
	best->t = trig_of(x->st, e);
	best->n = n;
	best->skip = x->skip;
	best->future = fut || (x->tk->proclitics & KH_PRO_SA) != 0;
	best->article = starts_with(x->k, "ال");
	best->purpose = (x->tk->proclitics & KH_PRO_LI) != 0 ||
			(x->skip >= 2 && starts_with(x->st->doc->norm + x->tk->core_start + x->skip - 2, "ل"));
}

/* Try one form (@p len bytes at @p f) of the key: a longer match than the best so far
 * replaces it, so that of equal ones the form tried first wins.  The trigger filter
 * first (extend asks it too): most forms are no trigger. */
static inline void try_form(const struct form_try *x, const char *f, size_t len, bool fut)
{
	if (kh_kf_has(&x->st->r->trig_filter, f, len))
		try_form_look(x, f, len, fut);
}

/* Try the candidate forms of one key (@p kl bytes) of a word, in this order: the key,
 * without ال, without a future سـ, without an accusative alif (اعتصاما → اعتصام), and
 * then each of those without a pronoun suffix (زيارته → زياره, قصفها → قصف), with the
 * taa marbuta restored after a stripped ت as well; at most four forms of the last two
 * kinds.  Every form but the restored one is a prefix of a suffix of the key: no copies. */
static void try_forms(const struct form_try *x, size_t kl)
{
	const char *k = x->k;
	const char *base[3];
	size_t blen[3];
	unsigned nb = 0, ns = 0;

	base[nb] = k;
	blen[nb++] = kl;
	try_form(x, k, kl, false);
	if (kl > 6 && memcmp(k, "ال", 4) == 0) {
		base[nb] = k + 4;
		blen[nb++] = kl - 4;
		try_form(x, k + 4, kl - 4, false);
	}
	/* future سـ on a verb: سيزور (a key starting with ال does not start with س) */
	if (kl > 6 && memcmp(k, "س", 2) == 0 &&
	    (memcmp(k + 2, "ي", 2) == 0 || memcmp(k + 2, "ت", 2) == 0 || memcmp(k + 2, "ن", 2) == 0)) {
		base[nb] = k + 2;
		blen[nb++] = kl - 2;
		try_form(x, k + 2, kl - 2, true);
	}
	if (kl > 8 && ends_with2(k, kl, "ا")) {
		base[nb] = k;
		blen[nb++] = kl - 2;
		ns++;
		try_form(x, k, kl - 2, false);
	}
	for (unsigned b = 0; b < nb && ns < 4; b++) {
		int sx = suffix_of(base[b], blen[b]);
		size_t sl, len;

		if (sx < 0)
			continue;
		sl = suffix_len[sx];
		if (blen[b] <= sl + 6 || (sl == 2 && ends_in_taa(x->st, x->tk)))
			continue; /* too short, or a folded ة that is no pronoun */
		len = blen[b] - sl;
		try_form(x, base[b], len, false);
		ns++;
		if (ends_with2(base[b], len, "ت") && ns < 4) {
			char restored[FORM_MAX];

			memcpy(restored, base[b], len - 2);
			memcpy(restored + len - 2, "ه", 2);
			try_form(x, restored, len, false);
			ns++;
		}
	}
}

static inline bool head_has(const struct kh_event_res *r, const char *f)
{
	uint32_t b = head_bit(f);

	return (r->trig_head_filter.w[b / 64] >> (b % 64) & 1) != 0;
}

/* May the form of @p n (even) bytes at @p f, or a form that try_forms cuts from its end,
 * be a key of the trigger table?  Such cut forms (without an accusative ا or a pronoun
 * suffix) are longer than six bytes, so of at least TRIG_HEAD, and f is cut only when it
 * is longer than TRIG_HEAD.  A form begins with the TRIG_HEAD bytes of f, but for one of
 * exactly TRIG_HEAD bytes whose ت was restored to ه (its last two bytes): a key that
 * starts otherwise is in no filter, so false is certain. */
static __attribute__((noinline)) bool head_restored_has(const struct kh_event_res *r, const char *f)
{
	char restored[TRIG_HEAD];

	memcpy(restored, f, TRIG_HEAD - 2);
	memcpy(restored + TRIG_HEAD - 2, "ه", 2);
	return head_has(r, restored);
}

static inline bool head_may(const struct kh_event_res *r, const char *f, size_t n)
{
	if (n < TRIG_HEAD)
		return kh_kf_has(&r->trig_filter, f, n); /* f alone */
	if (head_has(r, f))
		return true;
	return n >= TRIG_HEAD + 2 && memcmp(f + TRIG_HEAD - 2, "ت", 2) == 0 && head_restored_has(r, f);
}

/* May some form try_forms makes of key k (@p kl bytes) be a trigger?  Every form starts
 * where the key does, after ال or after a future سـ (see head_may).  An odd key is tried
 * in full: its forms could be odd, shorter than TRIG_HEAD and cut. */
static bool key_may_trigger(const struct kh_event_res *r, const char *k, size_t kl)
{
	if ((kl & 1u) != 0 || head_may(r, k, kl))
		return true;
	if (kl > 6 && memcmp(k, "ال", 4) == 0 && head_may(r, k + 4, kl - 4))
		return true;
	return kl > 6 && memcmp(k, "س", 2) == 0 &&
	       (memcmp(k + 2, "ي", 2) == 0 || memcmp(k + 2, "ت", 2) == 0 || memcmp(k + 2, "ن", 2) == 0) &&
	       head_may(r, k + 2, kl - 2);
}

/* TF_TRIG of token i: may match_trigger find a trigger at it?  A word none of whose keys
 * may make one (most words) is not tried at all. */
static bool may_trigger(const struct ev_state *st, uint32_t i, const struct kh_tok_keys *keys)
{
	if (tok_at(st, i)->kind != KH_TOK_WORD)
		return false;
	for (uint8_t c = 0; c < keys->n; c++)
		if (key_may_trigger(st->r, keys->k[c], keys->len[c]))
			return true;
	return false;
}

static bool match_trigger(const struct ev_state *st, uint32_t i, uint32_t end, struct tmatch *ret)
{
	const struct kh_token *tk = tok_at(st, i);
	struct kh_tok_keys keys;
	struct tmatch best = { 0 };
	struct form_try x = { .st = st, .tk = tk, .i = i, .end = end, .best = &best };

	if (tk->kind != KH_TOK_WORD)
		return false;
	tok_keys(st, i, &keys);
	for (uint8_t c = 0; c < keys.n; c++) {
		if (keys.len[c] + 1 > FORM_MAX)
			continue;
		x.k = keys.k[c];
		x.skip = keys.skip[c];
		try_forms(&x, keys.len[c]);
	}
	if (best.t == NULL)
		return false;
	*ret = best;
	return true;
}

/* The rules of a matched trigger (next= notnext= notprev= near= after= notafter=). */
enum { EV_BACK = 5 };
static bool rules_ok(const struct ev_state *st, const struct tmatch *m, uint32_t i, uint32_t first,
		     uint32_t end)
{
	const struct trig *t = m->t;
	uint32_t nx = i + m->n;

	while (nx < end && is_quote(st, nx))
		nx++;
	if ((t->rules & TR_NOART) != 0 && m->article)
		return false;
	/* inside a name (منظمة التحرير، معركة الكرامة as an entity) */
	if ((1u << ment_type(st, i) & (1u << KH_ENT_ORG | 1u << KH_ENT_FAC | 1u << KH_ENT_PERSON | 1u << KH_ENT_EVENT |
				       1u << KH_ENT_DATE)) != 0)
		return false; /* فجر اليوم is dawn, not a blast */
	/* لاتفاق وقف النار: an agreement named, not made */
	if (t->type == KH_EV_AGREEMENT && t->cls == TC_NOUN && m->purpose)
		return false;
	/* الهجوم الذي استهدف: the verb tells more of the event named before it */
	if (t->cls == TC_VERB && i >= first + 2 &&
	    (KEY_IS(st, i - 1, "الذي") || KEY_IS(st, i - 1, "التي") ||
	     KEY_IS(st, i - 1, "كانت") || KEY_IS(st, i - 1, "كان"))) {
		for (uint32_t b = i - 1; b > first && b + 5 > i; b--)
			if (st->evt[b - 1] != KH_NONE)
				return false; /* سيارة مفخخة كانت تستهدف */
	}
	/* هذا الهجوم: a noun that refers back to an event already told */
	if (t->cls == TC_NOUN && i > first && (st->bits[i - 1] & CW_DEMONST) != 0 && m->article)
		return false;
	if (t->next != NULL && (nx >= end || !tok_in_list(st, nx, t->next)))
		return false;
	if (t->notnext != NULL && nx < end && tok_in_list(st, nx, t->notnext))
		return false;
	if (t->notprev != NULL && i > first && tok_in_list(st, i - 1, t->notprev))
		return false;
	if (t->after != NULL || t->notafter != NULL) {
		bool found_after = false, found_not = false;

		for (uint32_t b = i; b > first && b + EV_BACK > i; b--) {
			if (is_break(st, b - 1))
				break;
			found_after = found_after || (t->after != NULL && tok_in_list(st, b - 1, t->after));
			found_not = found_not || (t->notafter != NULL && tok_in_list(st, b - 1, t->notafter));
		}
		if ((t->after != NULL && !found_after) || found_not)
			return false;
	}
	if (t->near != NULL) {
		bool found = false;

		for (uint32_t j = i + m->n; j < end && j < i + m->n + 8 && !found; j++) {
			found = tok_in_list(st, j, t->near);
			/* وصل إلى 50 قتيلا: a figure reached, not a place */
			if (found && t->type == KH_EV_VISIT && j + 1 < end &&
			    (tok_at(st, j + 1)->kind == KH_TOK_NUMBER || (st->bits[j + 1] & CW_NUMWORD) != 0))
				return false;
		}
		if (!found)
			return false;
	}
	return true;
}

static bool violent(uint8_t type)
{
	return type == KH_EV_AIR_STRIKE || type == KH_EV_SHELLING || type == KH_EV_ATTACK ||
	       type == KH_EV_ARMED_CLASH || type == KH_EV_EXPLOSION || type == KH_EV_ABDUCTION;
}

static int family(uint8_t type)
{
	if (violent(type))
		return 1;
	if (type == KH_EV_MEETING || type == KH_EV_VISIT || type == KH_EV_AGREEMENT)
		return 2;
	return 3 + type;
}

/* The type of a trigger in its context; EV_TYPE_NONE when a rule rejects it. */
static uint8_t type_in_context(const struct ev_state *st, const struct tmatch *m, uint32_t i,
			       uint32_t first, uint32_t end)
{
	const struct trig *t = m->t;
	uint32_t lo, hi;
	uint32_t any = 0;

	if ((t->rules & (TR_CTX | TR_AIR)) == 0)
		return t->type;
	if ((t->rules & TR_WIDE) != 0) {
		lo = i > first + 16 ? i - 16 : first;
		hi = i + m->n + 16 < end ? i + m->n + 16 : end;
	} else {
		lo = i > first + EV_CTX ? i - EV_CTX : first;
		hi = i + m->n + EV_CTX < end ? i + m->n + EV_CTX : end;
	}
	for (uint32_t j = lo; j < hi; j++)
		if (j < i || j >= i + m->n)
			any |= st->bits[j];
	if ((t->rules & TR_AIR) != 0)
		return (any & CW_AIR) != 0 ? KH_EV_AIR_STRIKE : EV_TYPE_NONE;
	if (i + m->n < end && (st->bits[i + m->n] & CW_MUTUAL) != 0)
		return KH_EV_ARMED_CLASH;
	if ((any & CW_AIR) != 0)
		return KH_EV_AIR_STRIKE;
	if ((any & CW_ART) != 0)
		return KH_EV_SHELLING;
	if (t->type == KH_EV_SHELLING && (any & CW_COALITION) != 0)
		return KH_EV_AIR_STRIKE;
	return t->type;
}

/* The first entry of the matched homograph chain whose rules hold; sets m->t.
 * Returns its type in context, or EV_TYPE_NONE (also for a "-" entry). */
static uint8_t choose(const struct ev_state *st, struct tmatch *m, uint32_t i, uint32_t first, uint32_t end)
{
	for (const struct kh_lex_entry *e = m->chain; e != NULL; e = e->next) {
		const struct trig *t = trig_of(st, e);
		uint8_t ty;

		if (t == NULL)
			continue;
		m->t = t;
		if (!rules_ok(st, m, i, first, end))
			continue;
		if (t->type == EV_TYPE_NONE)
			return EV_TYPE_NONE;
		ty = type_in_context(st, m, i, first, end);
		if (ty != EV_TYPE_NONE)
			return ty;
	}
	return EV_TYPE_NONE;
}

/* ---- arguments ---------------------------------------------------------------------- */

struct args {
	struct kh_arg a[EV_MAX_ARGS];
	uint32_t n;
};

static void add_arg(struct args *as, uint32_t start, uint32_t end, uint32_t entity);

/* The last mention of type @p type before token @p tok, within 400 tokens, that was
 * named with the head word @p head (folded, no article): "تنظيم داعش" for التنظيم,
 * "مدينة عدن" for المدينة.  KH_NONE when there is none. */
static uint32_t antecedent(const struct ev_state *st, uint32_t tok, uint8_t type, const char *head)
{
	for (uint32_t t = tok; t > 0 && t + 400 > tok; t--) {
		const struct kh_mention *mn;
		uint32_t b;

		if (ment_type(st, t - 1) != type)
			continue;
		mn = &st->doc->mentions.items[st->ment[t - 1]];
		if (mn->tok_first != t - 1)
			continue;
		if (tok_at(st, mn->tok_first)->stem_key != NULL &&
		    strcmp(tok_at(st, mn->tok_first)->stem_key, head) == 0)
			return st->ment[t - 1]; /* the head inside the name */
		for (b = mn->tok_first; b > 0 && b + 3 > mn->tok_first && is_quote(st, b - 1); b--)
			;
		if (b > 0 && (strcmp(tok_at(st, b - 1)->key, head) == 0 ||
			      (tok_at(st, b - 1)->stem_key != NULL && strcmp(tok_at(st, b - 1)->stem_key, head) == 0)))
			return st->ment[t - 1];
	}
	return KH_NONE;
}

/* "التنظيم" / "الحركة" standing for the organisation last named so: that name instead. */
static void add_actor(const struct ev_state *st, struct args *as, uint32_t tok, struct kh_span sp, uint32_t ent)
{
	const char *key = tok_at(st, tok)->key;

	if (ent == KH_NONE && in_word_list(st->r->lit[LIT_ORG_HEAD], key, kh_tok_key_len(tok_at(st, tok)))) {
		uint32_t a = antecedent(st, tok, KH_ENT_ORG, key + 4);

		if (a != KH_NONE) {
			add_arg(as, st->doc->mentions.items[a].start, st->doc->mentions.items[a].end,
				st->doc->mentions.items[a].entity);
			return;
		}
	}
	add_arg(as, sp.start, sp.end, ent);
}

static void add_arg(struct args *as, uint32_t start, uint32_t end, uint32_t entity)
{
	if (start >= end || as->n >= EV_MAX_ARGS)
		return;
	for (uint32_t k = 0; k < as->n; k++)
		if (as->a[k].span.start < end && start < as->a[k].span.end)
			return; /* overlaps one we have */
	as->a[as->n].span.start = start;
	as->a[as->n].span.end = end;
	as->a[as->n].entity = entity;
	as->n++;
}

static bool is_place_type(uint8_t t)
{
	return t == KH_ENT_GPE || t == KH_ENT_LOC || t == KH_ENT_FAC;
}

static bool is_actor_type(uint8_t t)
{
	return t == KH_ENT_ORG || t == KH_ENT_GPE || t == KH_ENT_NORP || t == KH_ENT_PERSON;
}

static bool is_nisba(const char *k)
{
	return ends_with(k, "ي") || ends_with(k, "يه") || ends_with(k, "يين") || ends_with(k, "يون") ||
	       ends_with(k, "ية");
}

static bool has_article(const struct ev_state *st, uint32_t i)
{
	const struct kh_token *t = tok_at(st, i);
	const char *k = t->key + st->skip[i];

	if ((t->flags & KH_TOKF_ARTICLE) != 0)
		return true;
	/* a clitic the segmenter left on: look past it */
	if (t->core_start == t->start && st->skip[i] == 0 && (starts_with(t->key, "و") || starts_with(t->key, "ف")))
		k = t->key + 2;
	return starts_with(k, "ال") || starts_with(t->key, "ال");
}

static bool has_wa(const struct ev_state *st, uint32_t i)
{
	const struct kh_token *t = tok_at(st, i);

	return (t->proclitics & KH_PRO_WA) != 0 ||
	       (t->core_start == t->start && starts_with(t->key, "و") && st->skip[i] >= 2);
}

/* "متشددون من تنظيم (داعش)": من / في + (a head word) + an organisation after a phrase
 * ending before token j.  Returns the token after the organisation, or j. */
static uint32_t extend_membership(const struct ev_state *st, uint32_t j, uint32_t end, struct kh_span *span,
				  uint32_t *entity)
{
	uint32_t k, p = j;

	/* المقاتلين الأجانب والمحليين في تنظيم داعش */
	if (p + 1 < end && has_wa(st, p) && tok_at(st, p)->kind == KH_TOK_WORD && st->ment[p] == KH_NONE &&
	    (KEY_IS(st, p + 1, "من") || KEY_IS(st, p + 1, "في")))
		p++;
	if (p >= end || tok_at(st, p)->kind != KH_TOK_WORD ||
	    (!KEY_IS(st, p, "من") && !KEY_IS(st, p, "في")))
		return j;
	k = p + 1;
	if (k < end && (st->bits[k] & CW_ACTOR_HEAD) != 0 && st->ment[k] == KH_NONE)
		k++;
	while (k < end && is_quote(st, k) && k < j + 5)
		k++;
	if (k >= end || ment_type(st, k) != KH_ENT_ORG)
		return j;
	{
		const struct kh_mention *mn = &st->doc->mentions.items[st->ment[k]];

		span->end = mn->end;
		if (*entity == KH_NONE)
			*entity = mn->entity;
		return mn->tok_end > k ? mn->tok_end : k + 1;
	}
}

/* An actor at token i: an entity mention of an actor type, or a group phrase
 * (القوات التركية، طائرات التحالف، مقاتلو المعارضة).  Returns the token after it. */
static uint32_t actor_at(const struct ev_state *st, uint32_t i, uint32_t end, struct kh_span *ret_span,
			 uint32_t *ret_entity)
{
	const struct kh_token *t = tok_at(st, i);
	uint32_t j, last, entity = KH_NONE;
	unsigned mods = 0;

	if (t->kind != KH_TOK_WORD)
		return 0;
	if (st->ment[i] != KH_NONE) {
		const struct kh_mention *mn = &st->doc->mentions.items[st->ment[i]];

		if (!is_actor_type(ment_type(st, i)) || mn->tok_first != i)
			return 0;
		ret_span->start = mn->start;
		ret_span->end = mn->end;
		*ret_entity = mn->entity;
		return extend_membership(st, mn->tok_end > i ? mn->tok_end : i + 1, end, ret_span, ret_entity);
	}
	if ((st->bits[i] & CW_ACTOR_HEAD) == 0)
		return 0;
	last = i;
	for (j = i + 1; j < end && mods < EV_MAX_PHRASE - 1; j++) {
		const struct kh_token *u = tok_at(st, j);

		if (u->kind != KH_TOK_WORD || st->evt[j] != KH_NONE || (st->bits[j] & CW_STOP) != 0 ||
		    has_wa(st, j) || (u->proclitics & (KH_PRO_BI | KH_PRO_LI)) != 0)
			break;
		if (st->ment[j] != KH_NONE) {
			const struct kh_mention *mn = &st->doc->mentions.items[st->ment[j]];

			if (ment_type(st, j) == KH_ENT_DATE)
				break;
			if (entity == KH_NONE)
				entity = mn->entity;
			last = mn->tok_end > j ? mn->tok_end - 1 : j;
			j = last;
			mods++;
			continue;
		}
		if (!has_article(st, j)) {
			/* مسلحين مجهولين، قوات كردية سورية: an indefinite head takes indefinite adjectives */
			if (!has_article(st, i) && st->ment[i] == KH_NONE &&
			    (is_nisba(u->key) || (st->bits[j] & CW_ACTOR_HEAD) != 0) && (st->bits[j] & CW_PERSON) == 0) {
				last = j;
				mods++;
				continue;
			}
			break;
		}
		if (is_nisba(u->key) || (st->bits[j] & CW_ACTOR_HEAD) != 0 || mods == 0) {
			last = j;
			mods++;
			continue;
		}
		break;
	}
	ret_span->start = t->core_start + st->skip[i];
	ret_span->end = tok_at(st, last)->end;
	*ret_entity = entity;
	return extend_membership(st, last + 1, end, ret_span, ret_entity);
}

/* A place name after a head word (مدينة عدن، ريف دير الزور) at head token i. */
static bool place_after_head(const struct ev_state *st, uint32_t i, uint32_t end, struct kh_span *ret)
{
	uint32_t j = i + 1, last;

	if (has_article(st, i))
		return false; /* المدينة: refers back, no name follows */
	while (j < end && (st->bits[j] & CW_PLACE_HEAD) != 0 && j < i + 3)
		j++; /* "ريف محافظة حلب" */
	if (j >= end || tok_at(st, j)->kind != KH_TOK_WORD || (st->bits[j] & CW_STOP) != 0 ||
	    st->evt[j] != KH_NONE || ment_type(st, j) == KH_ENT_DATE ||
	    is_quote(st, j))
		return false;
	if (is_nisba(tok_at(st, j)->key) && has_article(st, j))
		return false; /* "المنطقة الشمالية": an adjective, not a name */
	if ((st->bits[j] & ~(uint32_t)(CW_NAME_PREFIX | CW_PLACE_HEAD)) != 0 || st->evt[j] != KH_NONE)
		return false; /* مناطق القتال: a common word */
	if (is_nisba(tok_at(st, j)->key) &&
	    in_word_list(st->r->lit[LIT_AREA], tok_at(st, i)->key, kh_tok_key_len(tok_at(st, i))))
		return false; /* أحياء سكنية، منطقة زراعية */
	last = j;
	if ((st->bits[j] & CW_NAME_PREFIX) != 0 && j + 1 < end && tok_at(st, j + 1)->kind == KH_TOK_WORD &&
	    (st->bits[j + 1] & CW_STOP) == 0 && !has_wa(st, j + 1))
		last = j + 1;
	ret->start = tok_at(st, j)->core_start + st->skip[j];
	ret->end = tok_at(st, last)->end;
	return true;
}

/* Is the token before i a preposition that makes i a place or an object (في X)? */
static bool after_preposition(const struct ev_state *st, uint32_t i, uint32_t first)
{
	const struct kh_token *t = tok_at(st, i);

	if ((t->proclitics & (KH_PRO_BI | KH_PRO_LI)) != 0)
		return true;
	if (i <= first)
		return false;
	return (st->bits[i - 1] & CW_LOC_PREP) != 0 || KEY_IS(st, i - 1, "من") ||
	       KEY_IS(st, i - 1, "ضد") || KEY_IS(st, i - 1, "عن");
}

/* Skip quotes and a DATE mention at k: the next token worth looking at. */
static uint32_t skip_filler(const struct ev_state *st, uint32_t k, uint32_t end)
{
	for (unsigned guard = 0; k < end && guard < 4; guard++) {
		if (is_quote(st, k)) {
			k++;
		} else if (ment_type(st, k) == KH_ENT_DATE) {
			uint32_t e = st->doc->mentions.items[st->ment[k]].tok_end;

			k = e > k ? e : k + 1;
		} else {
			break;
		}
	}
	return k;
}

/* An adverb in the accusative (ليلا، مجددا، أيضا) that may stand between a verb and its subject. */
static bool is_adverb(const struct ev_state *st, uint32_t k)
{
	const struct kh_token *t = tok_at(st, k);

	return t->kind == KH_TOK_WORD && st->ment[k] == KH_NONE && (st->bits[k] & CW_ACTOR_HEAD) == 0 &&
	       !has_article(st, k) && ends_with(t->key, "ا");
}

/* The actor that starts right at j (verbs: after one adverb too); adds it and returns the
 * token after it, 0 when none. */
static uint32_t actor_right(const struct ev_state *st, uint32_t j, uint32_t end, bool verb, struct args *as)
{
	uint32_t k = skip_filler(st, j, end);
	struct kh_span sp;
	uint32_t ent = KH_NONE, e;

	if (verb && k < end && is_adverb(st, k))
		k = skip_filler(st, k + 1, end);
	if (k >= end || is_punct(st, k) || st->evt[k] != KH_NONE)
		return 0;
	if (is_place_type(ment_type(st, k)) &&
	    (!verb || after_preposition(st, k, j)))
		return 0; /* قصف دمشق: the place, not the actor */
	e = actor_at(st, k, end, &sp, &ent);
	if (e == 0)
		return 0;
	add_actor(st, as, k, sp, ent);
	return e;
}

/* The nearest actor before position tf, within lim tokens; commas may be crossed. */
static bool actor_left(const struct ev_state *st, uint32_t tf, uint32_t first, uint32_t lim, struct args *as)
{
	uint32_t lo = tf > first + lim ? tf - lim : first;
	uint32_t rel = KH_NONE; /* a relative pronoun seen: its antecedent is the doer */

	for (uint32_t k = tf; k > lo; k--) {
		uint32_t i = k - 1;
		struct kh_span sp;
		uint32_t ent = KH_NONE, e;

		if (i + 1 < tf && st->evt[i] != KH_NONE)
			return false;
		/* the relative pronouns are stop words (CW_STOP, from their key): the bit first */
		if (rel == KH_NONE && (st->bits[i] & CW_STOP) != 0 &&
		    (KEY_IS(st, i, "التي") || KEY_IS(st, i, "الذي") ||
		     KEY_IS(st, i, "الذين"))) {
			rel = i;
			continue;
		}
		e = actor_at(st, i, rel != KH_NONE ? rel : tf, &sp, &ent);
		if (e == 0 || e > tf)
			continue;
		if (rel != KH_NONE && e == rel && (tok_at(st, i)->proclitics & KH_PRO_LI) != 0) {
			add_actor(st, as, i, sp, ent); /* تقدم للفصائل التي تمكنت */
			return true;
		}
		if (after_preposition(st, i, first))
			continue;
		if (is_place_type(ment_type(st, i))) {
			bool apposition = false; /* العاصمة الأردنية عمان: a place, not a doer */

			for (uint32_t b = i; b > first && b + 3 > i; b--)
				if ((st->bits[b - 1] & (CW_LOC_PREP | CW_PLACE_HEAD)) != 0)
					apposition = true;
			if (apposition)
				continue;
		}
		if (i > first && (st->bits[i - 1] & CW_ACTOR_HEAD) != 0 && st->ment[i] != KH_NONE)
			continue; /* the genitive of a phrase; the head comes next */
		if (i > first && (st->bits[i - 1] & CW_BY) != 0)
			continue; /* بقيادة الولايات المتحدة: the leader, not the doer */
		if (ment_type(st, i) == KH_ENT_NORP && i > first && tok_at(st, i - 1)->kind == KH_TOK_WORD &&
		    (st->bits[i - 1] & CW_STOP) == 0 && st->evt[i - 1] == KH_NONE)
			continue; /* an adjective: الولايات المتحدة الأميركية */
		/* مسلحين مجهولين: a head just before makes the phrase longer */
		while (i > lo && (st->bits[i - 1] & CW_ACTOR_HEAD) != 0 && st->ment[i - 1] == KH_NONE &&
		       !has_wa(st, i) && (st->bits[i] & CW_STOP) == 0) {
			struct kh_span sp2;
			uint32_t ent2 = KH_NONE, e2 = actor_at(st, i - 1, tf, &sp2, &ent2);

			if (e2 < e)
				break;
			i--;
			sp = sp2;
			ent = ent2 != KH_NONE ? ent2 : ent;
			e = e2;
		}
		add_actor(st, as, i, sp, ent);
		return true;
	}
	return false;
}

/* "بين X و Y" / "مع X" / "من قبل X" / "على يد X" / "بقيادة X" in the window after the trigger. */
static void actors_by_pattern(const struct ev_state *st, uint32_t te, uint32_t end, uint8_t type,
			      struct args *as)
{
	uint32_t hi = te + EV_RIGHT < end ? te + EV_RIGHT : end;

	for (uint32_t k = te; k < hi; k++) {
		uint32_t b = st->bits[k], e = 0;

		if (k > te && tok_at(st, k)->kind == KH_TOK_PUNCT && !is_quote(st, k) && !is_break(st, k))
			break;
		if (st->evt[k] != KH_NONE && k > te + 3)
			break;
		if ((b & CW_BY) != 0 && KEY_IS(st, k, "قبل")) {
			if (k > te && KEY_IS(st, k - 1, "من"))
				e = actor_right(st, k + 1, end, false, as); /* من قبل */
		} else if ((b & CW_BY) != 0 && KEY_IS(st, k, "يد")) {
			if (k > te && KEY_IS(st, k - 1, "علي"))
				e = actor_right(st, k + 1, end, false, as); /* على يد */
		} else if ((b & CW_BETWEEN) != 0 && KEY_IS(st, k, "بين") && k <= te + 4 &&
			   (violent(type) || family(type) == 2)) {
			e = actor_right(st, k + 1, end, false, as);
		} else if (type == KH_EV_DEFECTION && KEY_IS(st, k, "عن")) {
			e = actor_right(st, k + 1, end, false, as); /* انشق عن الجيش */
		} else if ((b & CW_BETWEEN) != 0 && KEY_IS(st, k, "مع") &&
			   (type == KH_EV_ARMED_CLASH || family(type) == 2)) {
			e = actor_right(st, k + 1, end, false, as);
		}
		/* X و Y */
		if (e > 0 && e < end && has_wa(st, e))
			actor_right(st, e, end, false, as);
		if (e > 0)
			k = e - 1;
	}
}

/* A light verb (شن، نفذ، ارتكب) before a noun trigger: its subject is the doer. */
static bool actor_of_light_verb(const struct ev_state *st, uint32_t tf, uint32_t first, struct args *as)
{
	uint32_t lo = tf > first + 12 ? tf - 12 : first;

	for (uint32_t k = tf; k > lo; k--) {
		uint32_t i = k - 1;

		if (st->evt[i] != KH_NONE || (tok_at(st, i)->kind == KH_TOK_PUNCT && !is_break(st, i) &&
					      !is_quote(st, i)))
			return false;
		if ((st->bits[i] & CW_LIGHT) == 0)
			continue;
		if (actor_right(st, i + 1, tf, true, as) > 0)
			return true;
		return actor_left(st, i, first, 6, as);
	}
	return false;
}

static void find_actors(const struct ev_state *st, const struct ev_tok *et, uint8_t type, uint32_t first,
			uint32_t end, uint32_t right_stop, struct args *as)
{
	bool verb = et->cls != TC_NOUN;

	if (type == KH_EV_MEETING || type == KH_EV_VISIT) {
		/* the people of the clause */
		uint32_t lo = et->tf > first + EV_LEFT ? et->tf - EV_LEFT : first;

		for (uint32_t k = lo; k < right_stop; k++)
			if (ment_type(st, k) == KH_ENT_PERSON &&
			    st->doc->mentions.items[st->ment[k]].tok_first == k)
				add_arg(as, st->doc->mentions.items[st->ment[k]].start,
					st->doc->mentions.items[st->ment[k]].end,
					st->doc->mentions.items[st->ment[k]].entity);
	}
	actor_right(st, et->te, right_stop, verb, as);
	/* الهجوم الذي شنته حماس، التفجير الذي نفذه التنظيم: the doer of the light verb in the relative clause */
	if (as->n == 0 && !verb) {
		for (uint32_t k = et->te; k < end && k < et->te + 3; k++) {
			if (tok_at(st, k)->kind != KH_TOK_WORD)
				break;
			if (!KEY_IS(st, k, "الذي") && !KEY_IS(st, k, "التي"))
				continue;
			if (k + 1 < end && (st->bits[k + 1] & CW_LIGHT) != 0)
				actor_right(st, k + 2, end, true, as);
			break;
		}
	}
	/* إطلاق نار من الشرطة: the doer after من */
	if (as->n == 0 && !verb && violent(type) && et->te < right_stop &&
	    KEY_IS(st, et->te, "من"))
		actor_right(st, et->te + 1, right_stop, false, as);
	actors_by_pattern(st, et->te, end, type, as);
	if (as->n > 0 && !verb)
		return;
	if (!verb && actor_of_light_verb(st, et->tf, first, as))
		return;
	if (as->n == 0 || verb)
		actor_left(st, et->tf, first, verb ? EV_LEFT : 2 * EV_LEFT, as);
}

static void find_locations(const struct ev_state *st, const struct ev_tok *et, uint32_t first,
			   uint32_t right_stop, uint32_t end, struct args *as)
{
	uint32_t lo = et->tf > first + EV_LEFT ? et->tf - EV_LEFT : first;
	uint32_t far = et->te + EV_RIGHT < end ? et->te + EV_RIGHT : end;

	for (uint32_t k = et->te; k < far; k++) {
		const struct kh_mention *mn;

		if (k >= right_stop && as->n > 0)
			break;
		if (!is_place_type(ment_type(st, k)))
			continue;
		mn = &st->doc->mentions.items[st->ment[k]];
		if (mn->tok_first == k && st->evt[k] == KH_NONE)
			add_arg(as, mn->start, mn->end, mn->entity);
	}
	/* "في طهران عقد اجتماع": a place just before the trigger */
	for (uint32_t k = et->tf; k > first && k + 6 > et->tf; k--) {
		const struct kh_mention *mn;

		if (!is_place_type(ment_type(st, k - 1)))
			continue;
		mn = &st->doc->mentions.items[st->ment[k - 1]];
		if (mn->tok_first >= first && after_preposition(st, mn->tok_first, first))
			add_arg(as, mn->start, mn->end, mn->entity);
	}
	/* before the trigger: a place after في / على (further back), else the nearest one
	 * that is not a leader (بقيادة الولايات المتحدة) */
	for (uint32_t k = et->tf; as->n == 0 && k > first && k + 2 * EV_LEFT > et->tf; k--) {
		const struct kh_mention *mn;

		/* each of these words is a stop word (CW_STOP, from its key): the bit first */
		if (((st->bits[k - 1] & CW_STOP) != 0 &&
		     in_word_list(st->r->lit[LIT_CLAUSE], tok_at(st, k - 1)->key,
				  kh_tok_key_len(tok_at(st, k - 1)))) ||
		    (is_break(st, k - 1) && k + EV_LEFT <= et->tf))
			break; /* another clause: its places are its own */
		if (!is_place_type(ment_type(st, k - 1)))
			continue;
		mn = &st->doc->mentions.items[st->ment[k - 1]];
		if (mn->tok_first > first && mn->tok_first < st->n_tok &&
		    ((st->bits[mn->tok_first - 1] & CW_LOC_PREP) != 0 ||
		     (tok_at(st, mn->tok_first)->proclitics & KH_PRO_BI) != 0))
			add_arg(as, mn->start, mn->end, mn->entity);
	}
	for (uint32_t k = et->tf; as->n == 0 && k > lo; k--) {
		const struct kh_mention *mn;

		if (!is_place_type(ment_type(st, k - 1)))
			continue;
		mn = &st->doc->mentions.items[st->ment[k - 1]];
		if (mn->tok_first > first && mn->tok_first < st->n_tok && (st->bits[mn->tok_first - 1] & CW_BY) != 0)
			continue;
		add_arg(as, mn->start, mn->end, mn->entity);
	}
	if (as->n > 0)
		return;
	/* no place entity: a name after a head word (مدينة X، ريف X) */
	for (uint32_t k = et->te; k < right_stop && as->n < 3; k++) {
		struct kh_span sp;

		if ((st->bits[k] & CW_PLACE_HEAD) != 0 && place_after_head(st, k, right_stop, &sp))
			add_arg(as, sp.start, sp.end, KH_NONE);
	}
	for (uint32_t k = et->tf; as->n == 0 && k > lo; k--) {
		struct kh_span sp;

		if ((st->bits[k - 1] & CW_PLACE_HEAD) != 0 && place_after_head(st, k - 1, et->tf, &sp))
			add_arg(as, sp.start, sp.end, KH_NONE);
	}
	/* "المدينة" alone: the town last named with that word (تحرير المدينة) */
	for (uint32_t k = et->te; as->n == 0 && k < right_stop && k < et->te + 6; k++) {
		const char *key = tok_at(st, k)->key;
		uint32_t a;

		if (in_word_list(st->r->lit[LIT_TOWN], key, kh_tok_key_len(tok_at(st, k)))) {
			a = antecedent(st, et->tf, KH_ENT_GPE, key + 4);
			if (a != KH_NONE)
				add_arg(as, st->doc->mentions.items[a].start, st->doc->mentions.items[a].end,
					st->doc->mentions.items[a].entity);
		}
	}
}

static uint32_t find_time(const struct ev_state *st, const struct ev_tok *et, uint32_t first,
			  uint32_t right_stop)
{
	uint32_t lo = et->tf > first + EV_LEFT ? et->tf - EV_LEFT : first;

	for (uint32_t d = 0; d < EV_RIGHT; d++) {
		uint32_t r = et->te + d;

		if (r < right_stop && ment_type(st, r) == KH_ENT_DATE)
			return st->ment[r];
		if (et->tf >= d + 1 && et->tf - d - 1 >= lo && ment_type(st, et->tf - d - 1) == KH_ENT_DATE)
			return st->ment[et->tf - d - 1];
	}
	return KH_NONE;
}

static int64_t iso_day_number(const char *v)
{
	int y, m, d;

	if (v == NULL || sscanf(v, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	return (int64_t)y * 10000 + m * 100 + d;
}

static uint8_t find_modality(const struct ev_state *st, const struct ev_tok *et, uint32_t first,
			     uint32_t end, const char *time_value, uint32_t time_mention)
{
	uint32_t lo = et->tf > first + 6 ? et->tf - 6 : first;

	for (uint32_t k = lo; k < et->tf; k++)
		if ((st->bits[k] & CW_DENY) != 0)
			return KH_MOD_NEGATED;
	if (et->tf > first && (st->bits[et->tf - 1] & CW_NEG) != 0 &&
	    (et->cls != TC_NOUN || KEY_IS(st, et->tf - 1, "عدم") ||
	     KEY_IS(st, et->tf - 1, "دون")))
		return KH_MOD_NEGATED;
	if (et->cls == TC_NOUN && et->tf > first && KEY_IS(st, et->tf - 1, "اي")) {
		/* لم تشهد المدينة أي اشتباكات */
		for (uint32_t k = et->tf > first + 6 ? et->tf - 6 : first; k + 1 < et->tf; k++)
			if ((st->bits[k] & CW_NEG) != 0)
				return KH_MOD_NEGATED;
	}
	if (et->future || et->purpose)
		return KH_MOD_PLANNED;
	for (uint32_t k = et->tf; k > first && k + 3 > et->tf; k--) {
		if (is_break(st, k - 1))
			break;
		if ((st->bits[k - 1] & CW_PLANNED) != 0 || (tok_at(st, k - 1)->proclitics & KH_PRO_SA) != 0)
			return KH_MOD_PLANNED;
	}
	for (uint32_t k = et->te; k < end && k < et->te + 4; k++)
		if ((st->bits[k] & CW_FUTURE) != 0)
			return KH_MOD_PLANNED;
	if (time_value != NULL && st->pub > 0 && iso_day_number(time_value) > st->pub)
		return KH_MOD_PLANNED;
	if (time_mention != KH_NONE) {
		/* الأسبوع المقبل، غدا */
		const struct kh_mention *mn = &st->doc->mentions.items[time_mention];

		for (uint32_t k = mn->tok_first; k < mn->tok_end && k < st->n_tok; k++)
			if ((st->bits[k] & CW_FUTURE) != 0)
				return KH_MOD_PLANNED;
	}
	if (st->attr[et->tf] != KH_NONE)
		return KH_MOD_REPORTED;
	return KH_MOD_ASSERTED;
}

static int store_args(struct kh_doc *doc, const struct args *as, struct kh_arg **ret, uint32_t *ret_n)
{
	struct kh_arg *a;

	*ret = NULL;
	*ret_n = 0;
	if (as->n == 0)
		return 0;
	a = kh_arena_alloc(&doc->arena, as->n * sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	memcpy(a, as->a, as->n * sizeof(*a));
	*ret = a;
	*ret_n = as->n;
	return 0;
}

/* ---- casualties ------------------------------------------------------------------- */

enum role { R_KILLED = 1, R_INJURED = 2, R_ABDUCTED = 4, R_ARRESTED = 8 };

struct casualty {
	uint8_t roles;
	struct kh_count count;
	uint32_t pos;     /* token where the phrase starts */
	bool caused;      /* introduced by أدى إلى / أسفر عن: belongs to the main event */
};

/* The bits with which casualty_at takes a cue word (cue_roles, neutral, loss). */
#define CW_CASUALTY_START (CW_KILL | CW_HURT | CW_ABDUCT | CW_ARREST | CW_NEUTRAL_CUE | CW_LOSS)

static uint8_t cue_roles(uint32_t b)
{
	uint8_t r = 0;

	if ((b & CW_KILL) != 0)
		r |= R_KILLED;
	if ((b & CW_HURT) != 0)
		r |= R_INJURED;
	if ((b & CW_ABDUCT) != 0)
		r |= R_ABDUCTED;
	if ((b & CW_ARREST) != 0)
		r |= R_ARRESTED;
	return r;
}

static uint8_t noun_roles(uint32_t b)
{
	if ((b & CW_DEAD) != 0 || (b & CW_DEAD_VERB) != 0)
		return R_KILLED;
	if ((b & CW_WOUNDED) != 0 || (b & CW_HURT_VERB) != 0)
		return R_INJURED;
	return 0;
}

static bool at_least_at(const struct ev_state *st, uint32_t i, uint32_t end)
{
	return i + 1 < end && KEY_IS(st, i, "علي") &&
	       (KEY_IS(st, i + 1, "الاقل"));
}

/* Can a count start at tok?  kh_num_parse needs one of the token's keys to be digits or a
 * word of the number table (a number word or the first word of a qualifier), and every
 * such word is in our context table with CW_NUMWORD (TF_NUM, from prepare): no parse for
 * each word that merely begins like an Arabic-Indic digit (ف ق ك ل م ن ه و ي). */
static bool may_count(const struct ev_state *st, uint32_t tok)
{
	return (st->bits[tok] & CW_NUMWORD) != 0 || (st->tf[tok] & TF_NUM) != 0;
}

/* A count at tok that is not part of a date. */
static uint32_t count_at(const struct ev_state *st, uint32_t tok, uint32_t end, struct kh_count *ret)
{
	const struct kh_token *t;

	/* may_count first: two loads rule out most words */
	if (tok >= end || !may_count(st, tok) || ment_type(st, tok) == KH_ENT_DATE)
		return 0;
	t = tok_at(st, tok);
	/* only digits, number words and qualifiers can start a count */
	if ((st->bits[tok] & CW_NUMWORD) == 0 && t->kind != KH_TOK_NUMBER &&
	    !(t->key[0] >= '0' && t->key[0] <= '9') && (unsigned char)t->key[0] != 0xD9 &&
	    (unsigned char)t->key[0] != 0xDB && !(starts_with(t->key, "و") && t->key[2] >= '0' && t->key[2] <= '9'))
		return 0;
	return kh_num_parse(st->doc, tok, end, ret);
}

/* After the counted noun at n (already consumed up to n): "والجرحى" joins a vague count
 * to a second role; "على الأقل" makes it a minimum.  Returns the new end. */
static uint32_t casualty_tail(const struct ev_state *st, uint32_t n, uint32_t end, struct kh_count *c,
			      uint8_t *roles)
{
	if (c->vague && n < end && has_wa(st, n) && (st->bits[n] & (CW_DEAD | CW_WOUNDED)) != 0) {
		*roles |= noun_roles(st->bits[n]);
		c->span.end = tok_at(st, n)->end;
		n++;
	}
	if (at_least_at(st, n, end)) {
		c->bound = KH_COUNT_MIN;
		n += 2;
	}
	return n;
}

/* Casualty phrase at token j; returns the token after it (0 when none). */
static uint32_t casualty_at(const struct ev_state *st, uint32_t j, uint32_t first, uint32_t end,
			    struct casualty *ret)
{
	uint32_t b = st->bits[j];
	uint8_t roles = cue_roles(b);
	struct kh_count c = { 0 };
	uint32_t k = j + 1, used = 0, n;
	bool neutral = (b & CW_NEUTRAL_CUE) != 0, loss = (b & CW_LOSS) != 0;

	memset(ret, 0, sizeof(*ret));
	ret->pos = j;
	if (roles != 0 || neutral || loss) {
		/* استشهاد وجرح المئات */
		if (k < end && cue_roles(st->bits[k]) != 0 && has_wa(st, k)) {
			roles |= cue_roles(st->bits[k]);
			k++;
		}
		/* أصيب في المواجهات 12 آخرون: a short phrase may stand between, but not a
		 * person (مقتل طفل عمره 18 شهرا: 18 is his age) */
		for (uint32_t x = k; x < end && x < k + 4; x++) {
			if (tok_at(st, x)->kind == KH_TOK_PUNCT || cue_roles(st->bits[x]) != 0 ||
			    (st->bits[x] & (CW_SINGULAR | CW_DUAL | CW_PERSON)) != 0)
				break;
			used = count_at(st, x, end, &c);
			if (used > 0) {
				k = x;
				break;
			}
		}
		if (used > 0) {
			uint8_t nr;

			n = k + used;
			nr = n < end ? noun_roles(st->bits[n]) : 0;
			if (nr != 0 && (st->bits[n] & (CW_DEAD | CW_WOUNDED)) != 0)
				roles = nr;
			if (loss) {
				/* فقدت 4 من عناصرها */
				if (!(n + 1 < end && KEY_IS(st, n, "من") &&
				      (st->bits[n + 1] & CW_PERSON) != 0))
					return 0;
				roles = R_KILLED;
				c.span.end = tok_at(st, n + 1)->end;
				n += 2;
			} else if (n < end && (st->bits[n] & (CW_DEAD | CW_WOUNDED | CW_PERSON)) != 0) {
				c.span.end = tok_at(st, n)->end;
				n++;
			} else if (neutral && nr == 0) {
				return 0;
			}
			if (roles == 0) {
				/* سقوط 5 أشخاص قتلى / لقي خمسة أشخاص مصرعهم */
				for (uint32_t m = n; m < end && m < n + 3 && roles == 0; m++)
					roles = noun_roles(st->bits[m]);
			}
			if (roles == 0)
				return 0;
			n = casualty_tail(st, n, end, &c, &roles);
			ret->roles = roles;
			ret->count = c;
			return n;
		}
		if ((roles & (R_KILLED | R_INJURED)) != 0 && k < end && (st->bits[k] & (CW_SINGULAR | CW_DUAL)) != 0) {
			/* مقتل طفل: one; أصيب والداه وشقيقه: three */
			uint32_t last = k, x;

			c.present = true;
			c.span.start = tok_at(st, k)->core_start + st->skip[k];
			for (x = k; x < end && x < k + 8; x++) {
				const struct kh_token *u = tok_at(st, x);

				if (u->kind == KH_TOK_PUNCT || (x > k && cue_roles(st->bits[x]) != 0) ||
				    st->evt[x] != KH_NONE)
					break;
				if (x > k && !has_wa(st, x) && (st->bits[x] & (CW_SINGULAR | CW_DUAL)) != 0)
					break; /* "ابن عمه": a genitive, not another person */
				if ((st->bits[x] & CW_DUAL) != 0)
					c.value += 2;
				else if ((st->bits[x] & CW_SINGULAR) != 0)
					c.value += 1;
				else
					continue;
				last = x;
			}
			c.span.end = tok_at(st, last)->end;
			ret->roles = roles;
			ret->count = c;
			return last + 1;
		}
		return 0;
	}
	used = count_at(st, j, end, &c);
	if (used == 0)
		return 0;
	n = j + used;
	if (n >= end)
		return 0;
	roles = noun_roles(st->bits[n]);
	if (roles != 0 && (st->bits[n] & (CW_DEAD | CW_WOUNDED)) != 0) {
		c.span.end = tok_at(st, n)->end;
		n++;
	} else if ((st->bits[n] & CW_PERSON) != 0) {
		/* 1280 شخصا قتلوا، لقي خمسة أشخاص مصرعهم، أعدم رميا بالرصاص 44 شابا */
		uint32_t m;

		c.span.end = tok_at(st, n)->end;
		roles = 0;
		if (j > first && (KEY_IS(st, j - 1, "بينهم") ||
				  KEY_IS(st, j - 1, "منهم") ||
				  KEY_IS(st, j - 1, "بينها")))
			return 0; /* قتل 12 مدنيا بينهم أربعة أطفال: a part of a count already told */
		for (m = n + 1; m < end && m < n + 13 && roles == 0; m++) {
			if ((tok_at(st, m)->kind == KH_TOK_PUNCT && !is_quote(st, m)) || cue_roles(st->bits[m]) != 0)
				break;
			roles = noun_roles(st->bits[m]);
		}
		if (roles == 0 && m < end && m < n + 13 && (st->bits[m] & (CW_DEAD_VERB | CW_HURT_VERB)) != 0)
			roles = noun_roles(st->bits[m]); /* ثمانية عناصر ... قتلوا */
		for (m = j; roles == 0 && m > first && m + 4 > j; m--) {
			if (tok_at(st, m - 1)->kind == KH_TOK_PUNCT)
				break;
			roles = cue_roles(st->bits[m - 1]) & (R_KILLED | R_INJURED);
		}
		if (roles == 0)
			return 0;
		n++;
	} else {
		return 0;
	}
	n = casualty_tail(st, n, end, &c, &roles);
	ret->roles = roles;
	ret->count = c;
	return n;
}

static void fill_count(struct kh_event *v, uint8_t roles, const struct kh_count *c)
{
	if ((roles & R_KILLED) != 0 && !v->killed.present)
		v->killed = *c;
	if ((roles & R_INJURED) != 0 && !v->injured.present)
		v->injured = *c;
	if ((roles & R_ABDUCTED) != 0 && !v->abducted.present)
		v->abducted = *c;
	if ((roles & R_ARRESTED) != 0 && !v->arrested.present)
		v->arrested = *c;
}

/* Attach a casualty phrase to an event of the sentence's events [e0, e1). */
/* Can an event of this type carry a count of these roles? */
static bool takes(uint8_t type, uint8_t roles)
{
	if ((roles & R_ARRESTED) != 0)
		return type == KH_EV_ARREST;
	if ((roles & R_ABDUCTED) != 0)
		return type == KH_EV_ABDUCTION;
	return violent(type);
}

static void attach_casualty(struct ev_state *st, const struct ev_tok *ets, uint32_t e0, uint32_t e1,
			    const struct casualty *cs)
{
	struct kh_event *evs = st->doc->events.items;
	uint32_t lo = e0, hi = e1, best = KH_NONE, best_d = UINT32_MAX;

	if (e0 == e1)
		return;
	/* binary search for the first event after pos, then look both ways */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ets[mid - e0].tf < cs->pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t k = lo; !cs->caused && k < e1 && k < lo + 8; k++)
		if (takes(evs[k].type, cs->roles) && ets[k - e0].tf - cs->pos < best_d) {
			best = k;
			best_d = ets[k - e0].tf - cs->pos;
			break;
		}
	for (uint32_t k = lo; k > e0 && k + 8 > lo; k--)
		if (takes(evs[k - 1].type, cs->roles)) {
			uint32_t d = cs->pos - ets[k - 1 - e0].te;

			if (d <= best_d) {
				best = k - 1;
				best_d = d;
			}
			break;
		}
	if (best != KH_NONE)
		fill_count(&evs[best], cs->roles, &cs->count);
}

/* ---- the stage ---------------------------------------------------------------------- */

static uint32_t tok_of_offset(const struct kh_doc *doc, uint32_t off)
{
	uint32_t lo = 0, hi = doc->tokens.n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (doc->tokens.items[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int prepare(struct ev_state *st)
{
	struct kh_doc *doc = st->doc;
	uint32_t n = st->n_tok;

	st->bits = kh_arena_alloc(&doc->arena, (size_t)n * sizeof(uint32_t));
	st->skip = kh_arena_alloc(&doc->arena, n);
	st->tf = kh_arena_alloc(&doc->arena, n);
	st->ment = kh_arena_alloc_uninit(&doc->arena, (size_t)n * sizeof(uint32_t)); /* set below */
	st->evt = kh_arena_alloc_uninit(&doc->arena, (size_t)n * sizeof(uint32_t));
	st->attr = kh_arena_alloc_uninit(&doc->arena, (size_t)n * sizeof(uint32_t));
	if (st->bits == NULL || st->skip == NULL || st->tf == NULL || st->ment == NULL ||
	    st->evt == NULL || st->attr == NULL)
		return -ENOMEM;
	/* KH_NONE is all ones */
	memset(st->ment, 0xFF, (size_t)n * sizeof(uint32_t));
	memset(st->evt, 0xFF, (size_t)n * sizeof(uint32_t));
	memset(st->attr, 0xFF, (size_t)n * sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++) {
		struct kh_tok_keys keys;

		tok_keys(st, i, &keys);
		compute_bits(st, i, &keys);
		if (may_trigger(st, i, &keys))
			st->tf[i] |= TF_TRIG;
		st->tf[i] |= KH_ENT__MAX << TF_MTYPE_SHIFT; /* in no mention, until the loop below */
	}
	for (uint32_t m = 0; m < doc->mentions.n; m++) {
		const struct kh_mention *mn = &doc->mentions.items[m];
		uint8_t ty = mn->entity < doc->entities.n ? doc->entities.items[mn->entity].type : KH_ENT__MAX;

		for (uint32_t t = mn->tok_first; t < mn->tok_end && t < n; t++) {
			if (st->ment[t] == KH_NONE) {
				st->ment[t] = m;
				st->tf[t] = (uint8_t)((st->tf[t] & ((1u << TF_MTYPE_SHIFT) - 1)) | ty << TF_MTYPE_SHIFT);
			}
		}
	}
	for (uint32_t a = 0; a < doc->attributions.n; a++) {
		const struct kh_span *c = &doc->attributions.items[a].content;
		uint32_t len = c->end > c->start ? c->end - c->start : 0;

		if (len == 0)
			continue;
		for (uint32_t t = tok_of_offset(doc, c->start); t < n && doc->tokens.items[t].start < c->end; t++) {
			uint32_t cur = st->attr[t];

			if (cur == KH_NONE ||
			    doc->attributions.items[cur].content.end - doc->attributions.items[cur].content.start > len)
				st->attr[t] = a;
		}
	}
	if (doc->pub_year > 0)
		st->pub = (int64_t)doc->pub_year * 10000 + doc->pub_month * 100 + doc->pub_day;
	return 0;
}

struct pending {
	uint32_t i;
	struct tmatch m;
	uint8_t ty;
};

#define EV_PENDING (KH_NONE - 1) /* a trigger token whose event is not made yet */

static int do_sentence(struct ev_state *st, const struct kh_sentence *s, struct ev_tok **ets,
		       uint32_t *cap, struct pending **pend, uint32_t *pcap)
{
	uint32_t np;
	struct kh_doc *doc = st->doc;
	uint32_t first = s->tok_first, end = s->tok_end < st->n_tok ? s->tok_end : st->n_tok;
	uint32_t e0 = doc->events.n;
	bool has_violent = false;

	/* pass 1: the triggers, and is there a violent one that is not a bare casualty word? */
	np = 0;
	for (uint32_t i = first; i < end;) {
		struct tmatch m;
		uint8_t ty;

		if ((st->tf[i] & TF_TRIG) == 0 || !match_trigger(st, i, end, &m)) {
			i++;
			continue;
		}
		ty = choose(st, &m, i, first, end);
		if (ty == EV_TYPE_NONE && m.t->type != EV_TYPE_NONE) {
			i++; /* no reading of the word holds here; a shorter one may start inside */
			continue;
		}
		if (ty != EV_TYPE_NONE && m.t->cls != TC_CASUALTY && violent(ty))
			has_violent = true;
		if (ty != EV_TYPE_NONE) {
			if (np == *pcap) {
				uint32_t nc = *pcap ? *pcap * 2 : 16;
				struct pending *p = realloc(*pend, nc * sizeof(*p));

				if (p == NULL)
					return -ENOMEM;
				*pend = p;
				*pcap = nc;
			}
			(*pend)[np++] = (struct pending){ .i = i, .m = m, .ty = ty };
			for (uint32_t t = i; t < i + m.n; t++)
				st->evt[t] = EV_PENDING; /* seen by the rules of later words */
		}
		i += m.n;
	}
	/* pass 2: the events */
	for (uint32_t x = 0; x < np; x++) {
		uint32_t i = (*pend)[x].i;
		const struct tmatch m = (*pend)[x].m;
		uint8_t ty = (*pend)[x].ty;
		struct kh_event *v;
		uint32_t k;

		if (m.t->cls == TC_CASUALTY && has_violent) {
			for (uint32_t t = i; t < i + m.n; t++)
				st->evt[t] = KH_NONE;
			continue;
		}
		k = doc->events.n;
		/* وقعا في 12 آذار اتفاقية: the noun a verb needed (near=) is the same event */
		if (k > e0 && (*ets)[k - 1 - e0].t != NULL && (*ets)[k - 1 - e0].t->near != NULL &&
		    family(doc->events.items[k - 1].type) == family(ty) && i < (*ets)[k - 1 - e0].te + 8) {
			for (uint32_t t = i; t < i + m.n; t++)
				st->evt[t] = k - 1;
			continue;
		}
		/* two triggers side by side in one family are one event (توقيع اتفاق) */
		if (k > e0 && family(doc->events.items[k - 1].type) == family(ty) &&
		    ((*ets)[k - 1 - e0].te == i ||
		     ((*ets)[k - 1 - e0].te + 1 == i && doc->events.items[k - 1].type == ty &&
		      (st->bits[i - 1] & CW_STOP) != 0 && tok_at(st, i - 1)->kind == KH_TOK_WORD))) {
			(*ets)[k - 1 - e0].te = i + m.n;
			doc->events.items[k - 1].trigger.end = tok_at(st, i + m.n - 1)->end;
			if (doc->events.items[k - 1].type == KH_EV_ATTACK)
				doc->events.items[k - 1].type = ty; /* الهجوم الانتحاري: the specific type */
			for (uint32_t t = i; t < i + m.n; t++)
				st->evt[t] = k - 1;
			continue;
		}
		if (k - e0 >= *cap) {
			uint32_t nc = *cap ? *cap * 2 : 16;
			struct ev_tok *p = realloc(*ets, nc * sizeof(*p));

			if (p == NULL)
				return -ENOMEM;
			*ets = p;
			*cap = nc;
		}
		v = kh_vec_push(&doc->events);
		if (v == NULL)
			return -ENOMEM;
		v->type = ty;
		v->sentence = tok_at(st, i)->sentence;
		v->trigger.start = tok_at(st, i)->core_start + m.skip;
		v->trigger.end = tok_at(st, i + m.n - 1)->end;
		v->attribution = KH_NONE;
		(*ets)[k - e0] = (struct ev_tok){ .t = m.t, .tf = i, .te = i + m.n, .cls = m.t->cls,
						  .future = m.future && m.t->cls == TC_VERB,
						  .purpose = m.purpose };
		for (uint32_t t = i; t < i + m.n; t++)
			st->evt[t] = k;
	}
	/* arguments */
	for (uint32_t k = e0; k < doc->events.n; k++) {
		struct kh_event *v = &doc->events.items[k];
		const struct ev_tok *et = &(*ets)[k - e0];
		uint32_t right_stop = et->te + EV_RIGHT < end ? et->te + EV_RIGHT : end;
		struct args actors = { .n = 0 }, places = { .n = 0 };
		uint32_t tm;

		if (k + 1 < doc->events.n && (*ets)[k + 1 - e0].tf < right_stop)
			right_stop = (*ets)[k + 1 - e0].tf;
		find_actors(st, et, v->type, first, end, right_stop, &actors);
		find_locations(st, et, first, right_stop, end, &places);
		/* a doer named for the event before it (هجوما رافقه قصف) carries over */
		if (actors.n == 0 && k > e0 && et->tf - (*ets)[k - 1 - e0].te < 15)
			for (uint32_t x = 0; x < doc->events.items[k - 1].n_actors; x++)
				add_arg(&actors, doc->events.items[k - 1].actors[x].span.start,
					doc->events.items[k - 1].actors[x].span.end,
					doc->events.items[k - 1].actors[x].entity);
		if (store_args(doc, &actors, &v->actors, &v->n_actors) < 0 ||
		    store_args(doc, &places, &v->locations, &v->n_locations) < 0)
			return -ENOMEM;
		tm = find_time(st, et, first, right_stop);
		if (tm != KH_NONE) {
			const struct kh_mention *mn = &doc->mentions.items[tm];

			v->time.start = mn->start;
			v->time.end = mn->end;
			v->time_value = doc->entities.items[mn->entity].value;
		}
		v->attribution = st->attr[et->tf];
		v->modality = find_modality(st, et, first, end, v->time_value, tm);
	}
	/* casualties */
	for (uint32_t j = first; j < end;) {
		struct casualty cs;
		uint32_t n;

		if (doc->events.n == e0)
			break;
		/* casualty_at needs a cue word at j or a count starting at j */
		if ((st->bits[j] & CW_CASUALTY_START) == 0 && !may_count(st, j)) {
			j++;
			continue;
		}
		n = casualty_at(st, j, first, end, &cs);

		if (n <= j) {
			j++;
			continue;
		}
		for (uint32_t b = j; b > first && b + 8 > j; b--)
			if ((st->bits[b - 1] & CW_CAUSE) != 0) {
				cs.caused = true;
				break;
			}
		attach_casualty(st, *ets, e0, doc->events.n, &cs);
		j = n;
	}
	return 0;
}

int kh_event_apply(const struct kh_event_res *r, struct kh_doc *doc)
{
	struct ev_state st = { .r = r, .doc = doc, .n_tok = doc->tokens.n };
	struct ev_tok *ets = NULL;
	struct pending *pend = NULL;
	uint32_t cap = 0, pcap = 0;
	int rc;

	if (r == NULL || doc->tokens.n == 0)
		return 0;
	rc = prepare(&st);
	for (uint32_t s = 0; rc == 0 && s < doc->sentences.n; s++) {
		const struct kh_sentence *sent = &doc->sentences.items[s];

		if (sent->tok_first >= sent->tok_end || sent->tok_first >= st.n_tok)
			continue;
		rc = do_sentence(&st, sent, &ets, &cap, &pend, &pcap);
	}
	free(ets);
	free(pend);
	return rc;
}
