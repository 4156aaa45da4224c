/* SPDX-License-Identifier: MIT */
/* The API's JSON response body for a document, with every offset in the unit the
 * client asked for, pointing into the text as it was sent.  Written straight into one
 * buffer (jsonw.h) in the member order the jansson tree it replaces had, so that the
 * bytes are the same. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "jsonw.h"
#include "khabar/khabar.h"

struct writer {
	struct kh_jsonw out;
	const struct kh_doc *doc;
	const unsigned char *orig;
	enum kh_offset_unit unit;
	uint32_t *unit_block; /* [orig_len / 8 + 1]: offset in the output unit of every 8th byte */
	uint32_t *by_entity;  /* mention indices grouped by entity, in text order within each */
	uint32_t *ent_first;  /* [entities + 1]: where each entity's run starts in by_entity */
};

int kh_offset_unit_parse(const char *name, enum kh_offset_unit *ret_unit)
{
	static const struct {
		const char *name;
		enum kh_offset_unit unit;
	} units[] = {
		{ "codepoint", KH_OFFSET_CODEPOINT }, { "codepoints", KH_OFFSET_CODEPOINT },
		{ "utf16", KH_OFFSET_UTF16 },         { "utf-16", KH_OFFSET_UTF16 },
		{ "utf8", KH_OFFSET_UTF8 },           { "utf-8", KH_OFFSET_UTF8 },
		{ "byte", KH_OFFSET_UTF8 },           { "bytes", KH_OFFSET_UTF8 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(units[i].name, name) == 0) {
			*ret_unit = units[i].unit;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *unit_name(enum kh_offset_unit u)
{
	return u == KH_OFFSET_UTF16 ? "utf16" : u == KH_OFFSET_UTF8 ? "utf8" : "codepoint";
}

/* Units a byte adds: 1 unless it continues a character, one more for the 4-byte
 * characters in UTF-16 (two code units). */
static uint32_t byte_units(unsigned char c, uint32_t utf16)
{
	return (uint32_t)((c & 0xC0) != 0x80) + (utf16 & (uint32_t)(c >= 0xF0));
}

/* The same for eight bytes at once: each byte of the result is its byte's units. */
static uint64_t word_units(uint64_t x, uint32_t utf16)
{
	const uint64_t high = 0x8080808080808080ull;
	uint64_t cont = x & ~(x << 1) & high;                      /* 10xxxxxx */
	uint64_t four = x & (x << 1) & (x << 2) & (x << 3) & high; /* 1111xxxx */

	return ((~cont & high) >> 7) + (utf16 ? (four >> 7) : 0);
}

static uint32_t sum_bytes(uint64_t y)
{
	return (uint32_t)((y * 0x0101010101010101ull) >> 56); /* each byte is at most 2 */
}

/* Unit offset of every 8th byte boundary of the original text, eight bytes a step; the
 * offsets in between are counted from there (unit_of).  A table of every byte was a
 * fifth of the response's time. */
static int unit_index(struct writer *w)
{
	uint32_t n = w->doc->orig_len, utf16 = w->unit == KH_OFFSET_UTF16, u = 0, k = 0;

	if (w->unit == KH_OFFSET_UTF8)
		return 0;
	w->unit_block = malloc(((size_t)n / 8 + 1) * sizeof(uint32_t));
	if (w->unit_block == NULL)
		return -ENOMEM;
	for (; (size_t)k * 8 + 8 <= n; k++) {
		uint64_t x;

		memcpy(&x, w->orig + (size_t)k * 8, 8);
		w->unit_block[k] = u;
		u += sum_bytes(word_units(x, utf16));
	}
	w->unit_block[k] = u;
	return 0;
}

/* Offset in the output unit of byte boundary @p off of the original text. */
static uint32_t unit_of(const struct writer *w, uint32_t off)
{
	uint32_t utf16 = w->unit == KH_OFFSET_UTF16, base = off & ~7u, u;

	if (w->unit == KH_OFFSET_UTF8)
		return off;
	u = w->unit_block[off / 8];
	if (off == base)
		return u;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if ((size_t)base + 8 <= w->doc->orig_len) {
		uint64_t x;

		memcpy(&x, w->orig + base, 8); /* the first off - base bytes are the low ones */
		return u + sum_bytes(word_units(x, utf16) & ((1ull << (8 * (off - base))) - 1));
	}
#endif
	for (uint32_t i = base; i < off; i++)
		u += byte_units(w->orig[i], utf16);
	return u;
}

/* The original text of [os, oe) as a JSON string.  The text was checked to be valid
 * UTF-8 before the analysis, so a span that starts and ends on character boundaries
 * needs escaping only; any other goes through the checking writer (and fails there). */
static void put_orig_text(struct writer *w, uint32_t os, uint32_t oe)
{
	const char *s = w->doc->orig + os;
	uint32_t n = oe - os;

	if (n == 0 || ((w->orig[os] & 0xC0) != 0x80 && (oe == w->doc->orig_len || (w->orig[oe] & 0xC0) != 0x80)))
		kh_jsonw_strn_utf8(&w->out, s, n);
	else
		kh_jsonw_strn(&w->out, s, n);
}

/* "start" and "end" (and "text" when with_text) of an analysis-view span, as members of
 * the object being written. */
static void put_span(struct writer *w, uint32_t start, uint32_t end, bool with_text)
{
	uint32_t os, oe;

	kh_doc_orig_span(w->doc, start, end, &os, &oe);
	KH_JSONW_KEY(&w->out, "start");
	kh_jsonw_int(&w->out, unit_of(w, os));
	KH_JSONW_KEY(&w->out, "end");
	kh_jsonw_int(&w->out, unit_of(w, oe));
	if (with_text) {
		KH_JSONW_KEY(&w->out, "text");
		put_orig_text(w, os, oe);
	}
}

/* Open an object for a span with its text; the caller may add members and closes it. */
static void open_span_object(struct writer *w, const struct kh_span *sp)
{
	kh_jsonw_open(&w->out, '{');
	put_span(w, sp->start, sp->end, true);
}

static void put_opt_string(struct writer *w, const char *key, size_t key_len, const char *value)
{
	if (value == NULL)
		return;
	kh_jsonw_keyn(&w->out, key, key_len);
	kh_jsonw_str(&w->out, value);
}

#define PUT_OPT_STRING(w, lit, value) put_opt_string((w), "" lit, sizeof(lit) - 1, (value))

/* One of the API's enum names (static ASCII identifiers). */
static void put_name(struct writer *w, const char *name)
{
	kh_jsonw_plain(&w->out, name, strlen(name));
}

/* "x1", "x2", ...: the API's ids are 1-based. */
static void put_id(struct writer *w, char prefix, uint32_t index)
{
	char id[16];
	size_t i = sizeof(id);
	uint32_t n = index + 1; /* wraps like the "%u" of index + 1 did */

	do {
		id[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	id[--i] = prefix;
	kh_jsonw_plain(&w->out, id + i, sizeof(id) - i);
}

static void put_entity_ref(struct writer *w, const char *key, size_t key_len, uint32_t entity)
{
	if (entity == KH_NONE || entity >= w->doc->entities.n)
		return;
	kh_jsonw_keyn(&w->out, key, key_len);
	put_id(w, 'e', entity);
}

#define PUT_ENTITY_REF(w, lit, entity) put_entity_ref((w), "" lit, sizeof(lit) - 1, (entity))

static void put_sentences(struct writer *w)
{
	kh_jsonw_open(&w->out, '[');
	for (uint32_t i = 0; i < w->doc->sentences.n; i++) {
		const struct kh_sentence *s = &w->doc->sentences.items[i];

		kh_jsonw_open(&w->out, '{');
		put_span(w, s->start, s->end, false);
		kh_jsonw_close(&w->out, '}');
	}
	kh_jsonw_close(&w->out, ']');
}

/* One counting sort of the mentions by entity, so that writing every entity's mentions is
 * linear rather than a scan of all mentions per entity. */
static int group_mentions(struct writer *w)
{
	const struct kh_doc *doc = w->doc;
	uint32_t n_ent = doc->entities.n;
	uint32_t *fill;

	w->ent_first = calloc((size_t)n_ent + 2, sizeof(uint32_t));
	w->by_entity = malloc(((size_t)doc->mentions.n + 1) * sizeof(uint32_t));
	fill = calloc((size_t)n_ent + 1, sizeof(uint32_t));
	if (w->ent_first == NULL || w->by_entity == NULL || fill == NULL) {
		free(fill);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < doc->mentions.n; i++)
		if (doc->mentions.items[i].entity < n_ent)
			w->ent_first[doc->mentions.items[i].entity + 1]++;
	for (uint32_t e = 0; e < n_ent; e++)
		w->ent_first[e + 1] += w->ent_first[e];
	for (uint32_t i = 0; i < doc->mentions.n; i++) {
		uint32_t e = doc->mentions.items[i].entity;

		if (e < n_ent)
			w->by_entity[w->ent_first[e] + fill[e]++] = i;
	}
	free(fill);
	return 0;
}

static void put_mentions(struct writer *w, uint32_t entity)
{
	kh_jsonw_open(&w->out, '[');
	for (uint32_t k = w->ent_first[entity]; k < w->ent_first[entity + 1]; k++) {
		const struct kh_mention *m = &w->doc->mentions.items[w->by_entity[k]];

		kh_jsonw_open(&w->out, '{');
		put_span(w, m->start, m->end, true);
		KH_JSONW_KEY(&w->out, "sentence");
		kh_jsonw_int(&w->out, m->sentence);
		kh_jsonw_close(&w->out, '}');
	}
	kh_jsonw_close(&w->out, ']');
}

static void put_entity_attributes(struct writer *w, const struct kh_entity *e)
{
	kh_jsonw_open(&w->out, '{');
	KH_JSONW_KEY(&w->out, "titles");
	kh_jsonw_open(&w->out, '[');
	for (uint32_t i = 0; i < e->n_titles; i++)
		kh_jsonw_str(&w->out, e->titles[i]);
	kh_jsonw_close(&w->out, ']');
	PUT_OPT_STRING(w, "kind", e->kind);
	PUT_OPT_STRING(w, "value", e->value);
	PUT_OPT_STRING(w, "precision", e->precision);
	PUT_OPT_STRING(w, "agency_id", e->agency_id);
	PUT_ENTITY_REF(w, "affiliation", e->affiliation);
	kh_jsonw_close(&w->out, '}');
}

/* "mentions" comes first: the tree this replaces inserted it first. */
static void put_entity(struct writer *w, uint32_t i)
{
	const struct kh_entity *e = &w->doc->entities.items[i];
	uint32_t first = w->ent_first[i], n_mentions = w->ent_first[i + 1] - first;

	kh_jsonw_open(&w->out, '{');
	KH_JSONW_KEY(&w->out, "mentions");
	put_mentions(w, i);
	KH_JSONW_KEY(&w->out, "id");
	put_id(w, 'e', i);
	KH_JSONW_KEY(&w->out, "type");
	put_name(w, kh_ent_type_name(e->type));
	PUT_OPT_STRING(w, "name", e->name);
	PUT_OPT_STRING(w, "canonical", e->canonical);
	PUT_OPT_STRING(w, "name_en", e->name_en);
	PUT_OPT_STRING(w, "country", e->country);
	PUT_OPT_STRING(w, "translit", e->translit);
	KH_JSONW_KEY(&w->out, "attributes");
	put_entity_attributes(w, e);
	KH_JSONW_KEY(&w->out, "salience");
	kh_jsonw_open(&w->out, '{');
	KH_JSONW_KEY(&w->out, "mentions");
	kh_jsonw_int(&w->out, n_mentions);
	KH_JSONW_KEY(&w->out, "first");
	if (n_mentions > 0) {
		const struct kh_mention *m = &w->doc->mentions.items[w->by_entity[first]];
		uint32_t os, oe;

		kh_doc_orig_span(w->doc, m->start, m->end, &os, &oe);
		kh_jsonw_int(&w->out, unit_of(w, os));
	} else {
		kh_jsonw_null(&w->out);
	}
	kh_jsonw_close(&w->out, '}');
	kh_jsonw_close(&w->out, '}');
}

/* The source's "text" is the resolved speaker's name when there is one, in the place the
 * span's own text would have had (the tree replaced that member in place). */
static void put_source(struct writer *w, const struct kh_attribution *a)
{
	/* Unlike the tree, this never writes (nor checks) the span's text when it is replaced:
	 * the text as sent is valid UTF-8 and spans end on character boundaries, so that
	 * check could not fail. */
	kh_jsonw_open(&w->out, '{');
	if (a->source.end > a->source.start) {
		put_span(w, a->source.start, a->source.end, a->source_text == NULL);
		PUT_OPT_STRING(w, "text", a->source_text);
	} else {
		PUT_OPT_STRING(w, "text", a->source_text);
	}
	KH_JSONW_KEY(&w->out, "kind");
	put_name(w, kh_source_kind_name(a->source_kind));
	PUT_ENTITY_REF(w, "entity", a->source_entity);
	PUT_OPT_STRING(w, "agency_id", a->agency_id);
	kh_jsonw_close(&w->out, '}');
}

static void put_attribution(struct writer *w, uint32_t i)
{
	const struct kh_attribution *a = &w->doc->attributions.items[i];

	kh_jsonw_open(&w->out, '{');
	KH_JSONW_KEY(&w->out, "source");
	put_source(w, a);
	KH_JSONW_KEY(&w->out, "cue");
	open_span_object(w, &a->cue);
	PUT_OPT_STRING(w, "lemma", a->cue_lemma);
	kh_jsonw_close(&w->out, '}');
	KH_JSONW_KEY(&w->out, "id");
	put_id(w, 'a', i);
	KH_JSONW_KEY(&w->out, "kind");
	put_name(w, kh_attr_kind_name(a->kind));
	KH_JSONW_KEY(&w->out, "content");
	open_span_object(w, &a->content);
	kh_jsonw_close(&w->out, '}');
	KH_JSONW_KEY(&w->out, "sentence");
	kh_jsonw_int(&w->out, a->sentence);
	if (a->medium.end > a->medium.start) {
		KH_JSONW_KEY(&w->out, "medium");
		open_span_object(w, &a->medium);
		PUT_ENTITY_REF(w, "entity", a->medium_entity);
		kh_jsonw_close(&w->out, '}');
	}
	kh_jsonw_close(&w->out, '}');
}

static void put_args(struct writer *w, const struct kh_arg *args, uint32_t n)
{
	kh_jsonw_open(&w->out, '[');
	for (uint32_t i = 0; i < n; i++) {
		open_span_object(w, &args[i].span);
		PUT_ENTITY_REF(w, "entity", args[i].entity);
		kh_jsonw_close(&w->out, '}');
	}
	kh_jsonw_close(&w->out, ']');
}

static void put_count(struct writer *w, const char *key, size_t key_len, const struct kh_count *c)
{
	static const char *const bounds[] = { "exact", "approximate", "min", "max" };

	if (!c->present)
		return;
	kh_jsonw_keyn(&w->out, key, key_len);
	open_span_object(w, &c->span);
	KH_JSONW_KEY(&w->out, "value");
	if (c->vague)
		kh_jsonw_null(&w->out);
	else
		kh_jsonw_int(&w->out, c->value);
	KH_JSONW_KEY(&w->out, "bound");
	put_name(w, bounds[c->bound & 3]);
	KH_JSONW_KEY(&w->out, "approximate");
	kh_jsonw_bool(&w->out, c->vague || c->bound != KH_COUNT_EXACT);
	kh_jsonw_close(&w->out, '}');
}

#define PUT_COUNT(w, lit, c) put_count((w), "" lit, sizeof(lit) - 1, (c))

/* "casualties" comes first: the tree this replaces inserted it first. */
static void put_event(struct writer *w, uint32_t i)
{
	const struct kh_event *v = &w->doc->events.items[i];

	kh_jsonw_open(&w->out, '{');
	KH_JSONW_KEY(&w->out, "casualties");
	kh_jsonw_open(&w->out, '{');
	PUT_COUNT(w, "killed", &v->killed);
	PUT_COUNT(w, "injured", &v->injured);
	PUT_COUNT(w, "abducted", &v->abducted);
	PUT_COUNT(w, "arrested", &v->arrested);
	kh_jsonw_close(&w->out, '}');
	KH_JSONW_KEY(&w->out, "id");
	put_id(w, 'v', i);
	KH_JSONW_KEY(&w->out, "type");
	put_name(w, kh_event_type_name(v->type));
	KH_JSONW_KEY(&w->out, "trigger");
	open_span_object(w, &v->trigger);
	kh_jsonw_close(&w->out, '}');
	KH_JSONW_KEY(&w->out, "sentence");
	kh_jsonw_int(&w->out, v->sentence);
	KH_JSONW_KEY(&w->out, "actors");
	put_args(w, v->actors, v->n_actors);
	KH_JSONW_KEY(&w->out, "targets");
	put_args(w, v->targets, v->n_targets);
	KH_JSONW_KEY(&w->out, "locations");
	put_args(w, v->locations, v->n_locations);
	KH_JSONW_KEY(&w->out, "modality");
	put_name(w, kh_modality_name(v->modality));
	KH_JSONW_KEY(&w->out, "attribution");
	if (v->attribution != KH_NONE)
		put_id(w, 'a', v->attribution);
	else
		kh_jsonw_null(&w->out);
	KH_JSONW_KEY(&w->out, "time");
	if (v->time.end > v->time.start) {
		open_span_object(w, &v->time);
		PUT_OPT_STRING(w, "value", v->time_value);
		kh_jsonw_close(&w->out, '}');
	} else {
		kh_jsonw_null(&w->out);
	}
	kh_jsonw_close(&w->out, '}');
}

static void put_list(struct writer *w, uint32_t n, void (*item)(struct writer *, uint32_t))
{
	kh_jsonw_open(&w->out, '[');
	for (uint32_t i = 0; i < n && !w->out.failed; i++)
		item(w, i);
	kh_jsonw_close(&w->out, ']');
}

static void put_doc(struct writer *w, enum kh_offset_unit unit)
{
	const struct kh_doc *doc = w->doc;

	kh_jsonw_open(&w->out, '{');
	KH_JSONW_KEY(&w->out, "id");
	if (doc->id != NULL)
		kh_jsonw_str(&w->out, doc->id);
	else
		kh_jsonw_null(&w->out);
	KH_JSONW_KEY(&w->out, "lang");
	kh_jsonw_str(&w->out, doc->lang);
	KH_JSONW_KEY(&w->out, "version");
	kh_jsonw_str(&w->out, KH_VERSION);
	KH_JSONW_KEY(&w->out, "offsets");
	kh_jsonw_str(&w->out, unit_name(unit));
	KH_JSONW_KEY(&w->out, "length");
	kh_jsonw_int(&w->out, unit_of(w, doc->orig_len));
	KH_JSONW_KEY(&w->out, "sentences");
	put_sentences(w);
	KH_JSONW_KEY(&w->out, "entities");
	put_list(w, doc->entities.n, put_entity);
	KH_JSONW_KEY(&w->out, "attributions");
	put_list(w, doc->attributions.n, put_attribution);
	KH_JSONW_KEY(&w->out, "events");
	put_list(w, doc->events.n, put_event);
	kh_jsonw_close(&w->out, '}');
}

/* The response is mostly the text's spans again plus names: about six times the text
 * is enough for news articles, so that the buffer does not grow.  A long text starts at
 * JSON_START_MAX and grows by doubling, so that memory follows the response's real size. */
#define JSON_START_MAX (1024u * 1024u)

char *kh_doc_to_json(const struct kh_doc *doc, enum kh_offset_unit unit, size_t *ret_len)
{
	struct writer w = { .doc = doc, .orig = (const unsigned char *)doc->orig, .unit = unit };
	char *out = NULL;
	size_t start_cap;

	if (unit_index(&w) < 0 || group_mentions(&w) < 0)
		goto out;
	start_cap = 6 * (size_t)doc->orig_len + 1024;
	kh_jsonw_init(&w.out, start_cap < JSON_START_MAX ? start_cap : JSON_START_MAX);
	put_doc(&w, unit);
	out = kh_jsonw_steal(&w.out, ret_len);
out:
	kh_jsonw_done(&w.out);
	free(w.ent_first);
	free(w.by_entity);
	free(w.unit_block);
	return out;
}
