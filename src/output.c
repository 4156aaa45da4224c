/* SPDX-License-Identifier: MIT */
/* The API's JSON response body for a document (jansson), with every offset in
 * the unit the client asked for, pointing into the text as it was sent. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "khabar/khabar.h"

struct writer {
	const struct kh_doc *doc;
	uint32_t *unit_at;    /* [orig_len + 1]: offset in the output unit of each original byte */
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

/* One pass over the original text: unit offset of every byte boundary. */
static uint32_t *unit_table(const struct kh_doc *doc, enum kh_offset_unit unit)
{
	uint32_t *t = malloc(((size_t)doc->orig_len + 1) * sizeof(uint32_t));
	const unsigned char *s = (const unsigned char *)doc->orig;
	uint32_t u = 0;

	if (t == NULL)
		return NULL;
	for (uint32_t i = 0; i < doc->orig_len; i++) {
		t[i] = u;
		if (unit == KH_OFFSET_UTF8)
			u++;
		else if ((s[i] & 0xC0) != 0x80)
			u += unit == KH_OFFSET_UTF16 && s[i] >= 0xF0 ? 2 : 1;
	}
	t[doc->orig_len] = u;
	return t;
}

/* Add start, end (and text when with_text) of an analysis-view span to obj. */
static int set_span(struct writer *w, json_t *obj, uint32_t start, uint32_t end, bool with_text)
{
	uint32_t os, oe;

	kh_doc_orig_span(w->doc, start, end, &os, &oe);
	if (json_object_set_new(obj, "start", json_integer(w->unit_at[os])) < 0 ||
	    json_object_set_new(obj, "end", json_integer(w->unit_at[oe])) < 0)
		return -ENOMEM;
	if (with_text &&
	    json_object_set_new(obj, "text", json_stringn(w->doc->orig + os, oe - os)) < 0)
		return -ENOMEM;
	return 0;
}

static json_t *span_object(struct writer *w, const struct kh_span *sp)
{
	json_t *o = json_object();

	if (o == NULL || set_span(w, o, sp->start, sp->end, true) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int set_opt_string(json_t *obj, const char *key, const char *value)
{
	if (value == NULL)
		return 0;
	return json_object_set_new(obj, key, json_string(value)) < 0 ? -ENOMEM : 0;
}

static int set_entity_ref(struct writer *w, json_t *obj, const char *key, uint32_t entity)
{
	char id[16];

	if (entity == KH_NONE || entity >= w->doc->entities.n)
		return 0;
	snprintf(id, sizeof(id), "e%u", entity + 1);
	return json_object_set_new(obj, key, json_string(id)) < 0 ? -ENOMEM : 0;
}

static json_t *sentences_json(struct writer *w)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; arr != NULL && i < w->doc->sentences.n; i++) {
		const struct kh_sentence *s = &w->doc->sentences.items[i];
		json_t *o = json_object();

		if (o == NULL || set_span(w, o, s->start, s->end, false) < 0 ||
		    json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
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

static json_t *mentions_json(struct writer *w, uint32_t entity)
{
	json_t *arr = json_array();

	for (uint32_t k = w->ent_first[entity]; arr != NULL && k < w->ent_first[entity + 1]; k++) {
		const struct kh_mention *m = &w->doc->mentions.items[w->by_entity[k]];
		json_t *o;

		o = json_object();
		if (o == NULL || set_span(w, o, m->start, m->end, true) < 0 ||
		    json_object_set_new(o, "sentence", json_integer(m->sentence)) < 0 ||
		    json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *entity_attributes(struct writer *w, const struct kh_entity *e)
{
	json_t *a = json_object();
	json_t *titles = json_array();

	if (a == NULL || titles == NULL)
		goto fail;
	for (uint32_t i = 0; i < e->n_titles; i++)
		if (json_array_append_new(titles, json_string(e->titles[i])) < 0)
			goto fail;
	if (json_object_set_new(a, "titles", titles) < 0)
		goto fail_a;
	if (set_opt_string(a, "kind", e->kind) < 0 || set_opt_string(a, "value", e->value) < 0 ||
	    set_opt_string(a, "precision", e->precision) < 0 ||
	    set_opt_string(a, "agency_id", e->agency_id) < 0 ||
	    set_entity_ref(w, a, "affiliation", e->affiliation) < 0)
		goto fail_a;
	return a;
fail:
	json_decref(titles);
fail_a:
	json_decref(a);
	return NULL;
}

static json_t *entity_json(struct writer *w, uint32_t i)
{
	const struct kh_entity *e = &w->doc->entities.items[i];
	json_t *o = json_object();
	json_t *mentions, *first;
	char id[16];

	snprintf(id, sizeof(id), "e%u", i + 1);
	if (o == NULL || json_object_set_new(o, "mentions", mentions_json(w, i)) < 0)
		goto fail;
	mentions = json_object_get(o, "mentions");

	first = json_object_get(json_array_get(mentions, 0), "start");
	if (json_object_set_new(o, "id", json_string(id)) < 0 ||
	    json_object_set_new(o, "type", json_string(kh_ent_type_name(e->type))) < 0 ||
	    set_opt_string(o, "name", e->name) < 0 || set_opt_string(o, "canonical", e->canonical) < 0 ||
	    set_opt_string(o, "name_en", e->name_en) < 0 ||
	    set_opt_string(o, "country", e->country) < 0 ||
	    set_opt_string(o, "translit", e->translit) < 0 ||
	    json_object_set_new(o, "attributes", entity_attributes(w, e)) < 0 ||
	    json_object_set_new(o, "salience",
				json_pack("{s:I,s:O?}", "mentions", (json_int_t)json_array_size(mentions),
					  "first", first)) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* json_object_set_new() takes the value's reference even when it fails. */
static json_t *attribution_json(struct writer *w, uint32_t i)
{
	const struct kh_attribution *a = &w->doc->attributions.items[i];
	json_t *o = json_object(), *src = json_object(), *cue;
	char id[16];

	snprintf(id, sizeof(id), "a%u", i + 1);
	if (o == NULL || json_object_set_new(o, "source", src) < 0)
		goto fail;
	if (a->source.end > a->source.start && set_span(w, src, a->source.start, a->source.end, true) < 0)
		goto fail;
	if (set_opt_string(src, "text", a->source_text) < 0 ||
	    json_object_set_new(src, "kind", json_string(kh_source_kind_name(a->source_kind))) < 0 ||
	    set_entity_ref(w, src, "entity", a->source_entity) < 0 ||
	    set_opt_string(src, "agency_id", a->agency_id) < 0)
		goto fail;
	cue = span_object(w, &a->cue);
	if (json_object_set_new(o, "cue", cue) < 0 || set_opt_string(cue, "lemma", a->cue_lemma) < 0)
		goto fail;
	if (json_object_set_new(o, "id", json_string(id)) < 0 ||
	    json_object_set_new(o, "kind", json_string(kh_attr_kind_name(a->kind))) < 0 ||
	    json_object_set_new(o, "content", span_object(w, &a->content)) < 0 ||
	    json_object_set_new(o, "sentence", json_integer(a->sentence)) < 0)
		goto fail;
	if (a->medium.end > a->medium.start) {
		json_t *m = span_object(w, &a->medium);

		if (json_object_set_new(o, "medium", m) < 0 ||
		    set_entity_ref(w, m, "entity", a->medium_entity) < 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *args_json(struct writer *w, const struct kh_arg *args, uint32_t n)
{
	json_t *arr = json_array();

	for (uint32_t i = 0; arr != NULL && i < n; i++) {
		json_t *o = span_object(w, &args[i].span);

		if (o == NULL || set_entity_ref(w, o, "entity", args[i].entity) < 0 ||
		    json_array_append_new(arr, o) < 0) {
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int set_count(struct writer *w, json_t *obj, const char *key, const struct kh_count *c)
{
	static const char *const bounds[] = { "exact", "approximate", "min", "max" };
	json_t *o;

	if (!c->present)
		return 0;
	o = span_object(w, &c->span);
	if (o == NULL)
		return -ENOMEM;
	if (json_object_set_new(o, "value", c->vague ? json_null() : json_integer(c->value)) < 0 ||
	    json_object_set_new(o, "bound", json_string(bounds[c->bound & 3])) < 0 ||
	    json_object_set_new(o, "approximate",
				json_boolean(c->vague || c->bound != KH_COUNT_EXACT)) < 0) {
		json_decref(o);
		return -ENOMEM;
	}
	return json_object_set_new(obj, key, o) < 0 ? -ENOMEM : 0;
}

static json_t *event_json(struct writer *w, uint32_t i)
{
	const struct kh_event *v = &w->doc->events.items[i];
	json_t *o = json_object(), *cas = json_object();
	char id[16], aid[16];

	snprintf(id, sizeof(id), "v%u", i + 1);
	snprintf(aid, sizeof(aid), "a%u", v->attribution + 1);
	if (o == NULL || json_object_set_new(o, "casualties", cas) < 0)
		goto fail;
	if (set_count(w, cas, "killed", &v->killed) < 0 || set_count(w, cas, "injured", &v->injured) < 0 ||
	    set_count(w, cas, "abducted", &v->abducted) < 0 ||
	    set_count(w, cas, "arrested", &v->arrested) < 0)
		goto fail;
	if (json_object_set_new(o, "id", json_string(id)) < 0 ||
	    json_object_set_new(o, "type", json_string(kh_event_type_name(v->type))) < 0 ||
	    json_object_set_new(o, "trigger", span_object(w, &v->trigger)) < 0 ||
	    json_object_set_new(o, "sentence", json_integer(v->sentence)) < 0 ||
	    json_object_set_new(o, "actors", args_json(w, v->actors, v->n_actors)) < 0 ||
	    json_object_set_new(o, "targets", args_json(w, v->targets, v->n_targets)) < 0 ||
	    json_object_set_new(o, "locations", args_json(w, v->locations, v->n_locations)) < 0 ||
	    json_object_set_new(o, "modality", json_string(kh_modality_name(v->modality))) < 0 ||
	    json_object_set_new(o, "attribution",
				v->attribution != KH_NONE ? json_string(aid) : json_null()) < 0)
		goto fail;
	if (v->time.end > v->time.start) {
		json_t *t = span_object(w, &v->time);

		if (json_object_set_new(o, "time", t) < 0 || set_opt_string(t, "value", v->time_value) < 0)
			goto fail;
	} else if (json_object_set_new(o, "time", json_null()) < 0) {
		goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *list_json(struct writer *w, uint32_t n, json_t *(*item)(struct writer *, uint32_t))
{
	json_t *arr = json_array();

	for (uint32_t i = 0; arr != NULL && i < n; i++) {
		if (json_array_append_new(arr, item(w, i)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *doc_json(struct writer *w, enum kh_offset_unit unit)
{
	const struct kh_doc *doc = w->doc;
	json_t *root = json_object();

	if (root == NULL)
		return NULL;
	if (json_object_set_new(root, "id", doc->id != NULL ? json_string(doc->id) : json_null()) < 0 ||
	    json_object_set_new(root, "lang", json_string(doc->lang)) < 0 ||
	    json_object_set_new(root, "version", json_string(KH_VERSION)) < 0 ||
	    json_object_set_new(root, "offsets", json_string(unit_name(unit))) < 0 ||
	    json_object_set_new(root, "length", json_integer(w->unit_at[doc->orig_len])) < 0 ||
	    json_object_set_new(root, "sentences", sentences_json(w)) < 0 ||
	    json_object_set_new(root, "entities", list_json(w, doc->entities.n, entity_json)) < 0 ||
	    json_object_set_new(root, "attributions",
				list_json(w, doc->attributions.n, attribution_json)) < 0 ||
	    json_object_set_new(root, "events", list_json(w, doc->events.n, event_json)) < 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

char *kh_doc_to_json(const struct kh_doc *doc, enum kh_offset_unit unit, size_t *ret_len)
{
	struct writer w = { .doc = doc };
	json_t *root;
	char *out = NULL;

	w.unit_at = unit_table(doc, unit);
	if (w.unit_at == NULL || group_mentions(&w) < 0)
		goto out;
	root = doc_json(&w, unit);
	if (root != NULL)
		out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
out:
	free(w.ent_first);
	free(w.by_entity);
	free(w.unit_at);
	if (out != NULL && ret_len != NULL)
		*ret_len = strlen(out);
	return out;
}
