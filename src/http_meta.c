/* SPDX-License-Identifier: MIT */
/* GET /metrics, GET /v1/info, GET /openapi.json and the page at GET /. */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uversion.h>

#include "doc.h"
#include "http.h"
#include "jobq.h"
#include "khabar/khabar.h"
#include "metrics.h"
#include "server.h"

/* Generated at build time from api/openapi.json (scripts/embed.py). */
extern const char kh_openapi_json[];
extern const size_t kh_openapi_json_len;
/* Generated at build time from web/index.html: the page, with its CSS and script inline. */
extern const char kh_page_html[];
extern const size_t kh_page_html_len;

enum MHD_Result kh_http_metrics(struct kh_http_req *r)
{
	struct kh_metrics_gauges g = { 0 };
	unsigned queued, inflight;
	size_t len = 0;
	char *text;

	kh_jobq_stats(kh_server_jobq(r->srv), &queued, &inflight);
	g.queued = queued;
	g.inflight = inflight;
	g.workers = kh_jobq_workers(kh_server_jobq(r->srv));
	kh_jobq_ran(kh_server_jobq(r->srv), &g.jobs_on_workers, &g.jobs_on_polling);
	g.connections = kh_server_connections(r->srv);
	g.draining = kh_server_draining(r->srv);
	text = kh_metrics_render(kh_server_metrics(r->srv), &g, &len);
	if (text == NULL)
		return kh_http_reply_error(r, KH_ERR_OUT_OF_MEMORY, NULL);
	return kh_http_reply_steal(r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len, NULL,
				   NULL);
}

enum MHD_Result kh_http_openapi(struct kh_http_req *r)
{
	return kh_http_reply_static(r, MHD_HTTP_OK, "application/json", kh_openapi_json, kh_openapi_json_len);
}

/* The lexicon names the stages answer to in kh_pipeline_lexicon_size(). */
static const char *const lexicon_names[] = {
	"words",  "gazetteer", "norp_forms", "given_names", "family_names", "titles",
	"heads",  "stopwords", "cues",       "sources",     "triggers",     "user_lexicons",
};

/* Lexicon sizes: the known names, plus any other data directory *.tsv a stage counts. */
static json_t *lexicons_json(struct kh_pipeline *p, const char *data_dir)
{
	json_t *o = json_object();
	DIR *d;
	struct dirent *e;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(lexicon_names) / sizeof(lexicon_names[0]); i++)
		json_object_set_new(o, lexicon_names[i],
				    json_integer((json_int_t)kh_pipeline_lexicon_size(p, lexicon_names[i])));
	d = opendir(data_dir);
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name), size;
		char name[256];

		if (n <= 4 || n >= sizeof(name) || strcmp(e->d_name + n - 4, ".tsv") != 0)
			continue;
		memcpy(name, e->d_name, n - 4);
		name[n - 4] = '\0';
		size = kh_pipeline_lexicon_size(p, name);
		if (json_object_get(o, name) == NULL && size > 0)
			json_object_set_new(o, name, json_integer((json_int_t)size));
	}
	if (d != NULL)
		closedir(d);
	return o;
}

static json_t *names_json(const char *(*name)(int), int n)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(name(i)));
	return a;
}

static const char *ent_name(int i) { return kh_ent_type_name((enum kh_ent_type)i); }
static const char *event_name(int i) { return kh_event_type_name((enum kh_event_type)i); }
static const char *stage_name(int i) { return kh_stage_name((enum kh_stage)i); }

enum MHD_Result kh_http_info(struct kh_http_req *r)
{
	const struct kh_config *cfg = kh_server_config(r->srv);
	unsigned generation = 0;
	time_t loaded_at = 0;
	struct kh_pipeline *p = kh_server_pipeline(r->srv, &generation, &loaded_at);
	UVersionInfo icu;
	char icu_s[U_MAX_VERSION_STRING_LENGTH], loaded_s[32];
	struct tm tm;
	json_t *root;
	char *text;

	u_getVersion(icu);
	u_versionToString(icu, icu_s);
	gmtime_r(&loaded_at, &tm);
	strftime(loaded_s, sizeof(loaded_s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	root = json_pack("{s:s,s:s,s:s,s:s,s:[sss],"
			 "s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},"
			 "s:o,s:o,s:o,s:o,s:{s:I,s:s},s:{s:s,s:s,s:s},s:b}",
			 "name", "khabar", "version", KH_VERSION, "api", "v1", "lang", "ar", "offsets", "codepoint",
			 "utf16", "utf8", "limits", "max_body", (json_int_t)cfg->max_body, "max_url",
			 (json_int_t)cfg->max_url, "deadline_ms", (json_int_t)cfg->deadline_ms, "queue_length",
			 (json_int_t)cfg->queue_length, "workers", (json_int_t)cfg->workers, "json_max_depth",
			 (json_int_t)cfg->json_max_depth, "json_max_string", (json_int_t)cfg->json_max_string,
			 "batch_max_lines", (json_int_t)cfg->batch_max_lines, "batch_max_body",
			 (json_int_t)cfg->batch_max_body, "lexicons", lexicons_json(p, cfg->data_dir),
			 "entity_types", names_json(ent_name, KH_ENT__MAX), "event_types",
			 names_json(event_name, KH_EV__MAX), "stages", names_json(stage_name, KH_STAGE__MAX),
			 "pipeline", "generation", (json_int_t)generation, "loaded_at", loaded_s, "libraries",
			 "libmicrohttpd", MHD_get_version(), "jansson", JANSSON_VERSION, "icu", icu_s,
			 "auth", kh_server_auth_enabled(r->srv));
	kh_pipeline_unref(p);
	if (root == NULL)
		return kh_http_reply_error(r, KH_ERR_OUT_OF_MEMORY, NULL);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (text == NULL)
		return kh_http_reply_error(r, KH_ERR_OUT_OF_MEMORY, NULL);
	return kh_http_reply_steal(r, MHD_HTTP_OK, "application/json", text, strlen(text), NULL, NULL);
}

enum MHD_Result kh_http_page(struct kh_http_req *r)
{
	return kh_http_reply_static(r, MHD_HTTP_OK, "text/html; charset=utf-8", kh_page_html,
				    kh_page_html_len);
}
