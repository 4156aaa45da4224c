/* SPDX-License-Identifier: MIT */
/* The attribution stage: every kind, every resolution rule, every source kind, on
 * sentences written for these tests.  Entities are added by hand where a rule needs
 * them, so the tests do not depend on the entity stage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "doc.h"
#include "lexicon.h"
#include "normalize.h"
#include "segment.h"
#include "tap.h"

static struct kh_attr_res *res;
static struct kh_lexicon *known;
static struct kh_segmenter *seg;

struct ent_spec {
	const char *name; /* first occurrence in the text, and every later one */
	enum kh_ent_type type;
	const char *kind;
	const char *agency_id;
};

static void add_entity(struct kh_doc *doc, const struct ent_spec *es)
{
	struct kh_entity *e = kh_vec_push(&doc->entities);
	uint32_t idx = doc->entities.n - 1;
	size_t nl = strlen(es->name);

	e->type = (uint8_t)es->type;
	e->name = es->name;
	e->kind = es->kind;
	e->agency_id = es->agency_id;
	e->affiliation = KH_NONE;
	e->first_mention = KH_NONE;
	for (const char *p = strstr(doc->norm, es->name); p != NULL; p = strstr(p + nl, es->name)) {
		uint32_t s = (uint32_t)(p - doc->norm), en = s + (uint32_t)nl;
		struct kh_mention *m = kh_vec_push(&doc->mentions);

		m->start = s;
		m->end = en;
		m->entity = idx;
		m->tok_first = m->tok_end = KH_NONE;
		for (uint32_t t = 0; t < doc->tokens.n; t++) {
			const struct kh_token *tk = &doc->tokens.items[t];

			if (tk->end <= s || tk->start >= en)
				continue;
			if (m->tok_first == KH_NONE)
				m->tok_first = t;
			m->tok_end = t + 1;
			m->sentence = tk->sentence;
		}
		if (e->first_mention == KH_NONE)
			e->first_mention = doc->mentions.n - 1;
		e->n_mentions++;
	}
}

static struct kh_doc *analyze(const char *text, const struct ent_spec *ents, size_t n_ents)
{
	struct kh_doc *doc = kh_doc_new();

	if (doc == NULL)
		return NULL;
	doc->orig = text;
	doc->orig_len = (uint32_t)strlen(text);
	if (kh_norm_apply(doc) != 0 || kh_seg_apply(seg, known, doc) != 0) {
		kh_doc_free(doc);
		return NULL;
	}
	for (size_t i = 0; i < n_ents; i++)
		add_entity(doc, &ents[i]);
	if (kh_attr_apply(res, doc) != 0) {
		kh_doc_free(doc);
		return NULL;
	}
	return doc;
}

static const char *span_text(struct kh_doc *doc, struct kh_span s)
{
	if (s.end <= s.start)
		return "";
	return kh_doc_norm_strndup(doc, s.start, s.end);
}

static const char *content(struct kh_doc *doc, uint32_t i)
{
	return i < doc->attributions.n ? span_text(doc, doc->attributions.items[i].content) : "";
}

/* The name the API reports for the source: source_text, else the written span. */
static const char *source(struct kh_doc *doc, uint32_t i)
{
	const struct kh_attribution *a;

	if (i >= doc->attributions.n)
		return "";
	a = &doc->attributions.items[i];
	if (a->source_text != NULL)
		return a->source_text;
	return span_text(doc, a->source);
}

static bool has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static void show(struct kh_doc *doc)
{
	for (uint32_t i = 0; doc != NULL && i < doc->attributions.n; i++)
		printf("# a%u %s [%s] <%s> cue=%s\n", i, kh_attr_kind_name(doc->attributions.items[i].kind),
		       source(doc, i), content(doc, i),
		       doc->attributions.items[i].cue_lemma ? doc->attributions.items[i].cue_lemma : "-");
}

static struct kh_doc *run(const char *text, const struct ent_spec *ents, size_t n_ents)
{
	struct kh_doc *doc = analyze(text, ents, n_ents);
	char head[41];
	size_t hl = strlen(text) < 40 ? strlen(text) : 40;

	memcpy(head, text, hl);
	head[hl] = '\0';
	for (size_t k = 0; k < hl; k++)
		if (head[k] == '\n')
			head[k] = ' '; /* one TAP line */
	tap_ok(doc != NULL, "analyzed: %s", head);
	show(doc);
	return doc;
}

/* ---- kinds ---- */

static void test_direct_colon(void)
{
	struct kh_doc *d = run("وقال وزير المالية سامي الأحمد: «سنواصل العمل مع شركائنا في المنطقة».", NULL, 0);

	tap_is_int(d->attributions.n, 1, "direct: one attribution");
	tap_is_int(d->attributions.items[0].kind, KH_ATTR_DIRECT, "direct: kind");
	tap_is_str(content(d, 0), "سنواصل العمل مع شركائنا في المنطقة", "direct: content inside the marks");
	tap_ok(has(source(d, 0), "سامي الأحمد"), "direct: source is the subject");
	tap_is_str(d->attributions.items[0].cue_lemma, "قال", "direct: cue lemma");
	kh_doc_free(d);
}

static void test_indirect(void)
{
	struct kh_doc *d = run("وأكد رئيس البلدية خالد منصور أنّ أعمال الصيانة ستنتهي قبل الشتاء.", NULL, 0);

	tap_is_int(d->attributions.n, 1, "indirect: one attribution");
	tap_is_int(d->attributions.items[0].kind, KH_ATTR_INDIRECT, "indirect: kind");
	tap_is_str(content(d, 0), "أعمال الصيانة ستنتهي قبل الشتاء", "indirect: content after أنّ");
	tap_ok(has(source(d, 0), "خالد منصور"), "indirect: source");
	kh_doc_free(d);

	d = run("وأوضح المهندس رامي سليم أنه سيزور الموقع غدا لمتابعة الأعمال.", NULL, 0);
	tap_is_str(content(d, 0), "سيزور الموقع غدا لمتابعة الأعمال", "indirect: content after أنه");
	kh_doc_free(d);

	d = run("وأفادت الشرطة بأنّ الطريق أغلق بسبب الثلوج.", NULL, 0);
	tap_is_str(content(d, 0), "الطريق أغلق بسبب الثلوج", "indirect: content after بأنّ");
	tap_ok(has(source(d, 0), "الشرطة"), "indirect: source of أفادت");
	kh_doc_free(d);
}

static void test_mixed(void)
{
	struct kh_doc *d = run("وقال مسؤول محلي إن الأوضاع «تتحسن يوما بعد يوم رغم الصعوبات».", NULL, 0);

	tap_is_int(d->attributions.n, 1, "mixed: one attribution");
	tap_is_int(d->attributions.items[0].kind, KH_ATTR_MIXED, "mixed: kind");
	tap_is_str(content(d, 0), "الأوضاع «تتحسن يوما بعد يوم رغم الصعوبات", "mixed: the clause, closing mark out");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_ANONYMOUS, "mixed: anonymous source");
	tap_ok(has(source(d, 0), "مسؤول محلي"), "mixed: the unnamed source phrase");
	kh_doc_free(d);

	d = run("وأوضح الوزير أن «الحكومة لن تتراجع عن قرارها».", NULL, 0);
	tap_is_int(d->attributions.items[0].kind, KH_ATTR_DIRECT, "a quotation right after أنّ is direct");
	tap_is_str(content(d, 0), "الحكومة لن تتراجع عن قرارها", "its content inside the marks");
	kh_doc_free(d);
}

static void test_quote_continuation(void)
{
	struct kh_doc *d = run("وقال المدرب فارس نبيل: «قدمنا مباراة جيدة». «ولن نتراجع عن هدفنا في الفوز بالبطولة».",
			       NULL, 0);

	tap_is_int(d->attributions.n, 2, "a quotation sentence after a direct statement continues it");
	tap_is_str(content(d, 1), "ولن نتراجع عن هدفنا في الفوز بالبطولة", "continuation: content");
	tap_ok(has(source(d, 1), "فارس نبيل"), "continuation: same speaker");
	kh_doc_free(d);

	d = run("وقال المدرب إن الفريق جاهز. «الملعب ممتلئ بالجماهير منذ الصباح».", NULL, 0);
	tap_is_int(d->attributions.n, 1, "but not after an indirect one");
	kh_doc_free(d);
}

static void test_quote_before_cue(void)
{
	struct kh_doc *d = run("«لن نسمح بتكرار ما حدث في الشمال»، قال رئيس الوزراء علي حسن.", NULL, 0);

	tap_is_int(d->attributions.n, 1, "quote then cue: one attribution");
	tap_is_str(content(d, 0), "لن نسمح بتكرار ما حدث في الشمال", "quote then cue: the quotation");
	tap_ok(has(source(d, 0), "علي حسن"), "quote then cue: the subject after the verb");
	kh_doc_free(d);
}

static void test_multi_sentence_quote(void)
{
	struct kh_doc *d = run("وقال عمر: «الوضع صعب. لكننا سنصمد حتى النهاية». ثم غادر القاعة.", NULL, 0);

	tap_is_int(d->attributions.n, 1, "a quotation over two sentences: one attribution");
	tap_is_str(content(d, 0), "الوضع صعب. لكننا سنصمد حتى النهاية", "the whole quotation");
	kh_doc_free(d);

	d = run("وقال الناطق: «نرفض ما وصفه الطرف الآخر بـ\"التنازل\" ونتمسك بحقوقنا».", NULL, 0);
	tap_is_int(d->attributions.n, 1, "a nested quotation makes no second attribution");
	tap_ok(has(content(d, 0), "ونتمسك بحقوقنا"), "the outer quotation is the content");
	kh_doc_free(d);
}

static void test_according(void)
{
	struct kh_doc *d = run("وارتفعت الأسعار بنسبة كبيرة خلال الشهر الماضي، بحسب ما ذكرت وكالة رويترز.", NULL, 0);

	tap_is_int(d->attributions.n, 1, "according after: one attribution");
	tap_ok(has(content(d, 0), "الأسعار بنسبة كبيرة خلال الشهر الماضي"), "according after: the clause before");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_AGENCY, "according after: agency");
	tap_is_str(d->attributions.items[0].agency_id, "reuters", "according after: agency id");
	kh_doc_free(d);

	d = run("وبحسب مصادر محلية، فإن القصف استهدف سوق المدينة.", NULL, 0);
	tap_is_str(content(d, 0), "القصف استهدف سوق المدينة", "according before: the rest after فإنّ");
	tap_ok(has(source(d, 0), "مصادر محلية"), "according before: the source phrase");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_ANONYMOUS, "according before: anonymous");
	kh_doc_free(d);

	d = run("وسقط عشرة قتلى - بحسب ناشطين - في القصف الذي طال الحي، وأصيب آخرون.", NULL, 0);
	tap_ok(has(content(d, 0), "عشرة قتلى") && !has(content(d, 0), "وأصيب"),
	       "according in parentheses: the clause around it");
	tap_ok(has(source(d, 0), "ناشطين"), "according in parentheses: source");
	kh_doc_free(d);

	d = run("وقال الطبيب سليم عواد إن المستشفى ممتلئ. والوضع مستقر حاليا، حسب قوله.", NULL, 0);
	tap_is_int(d->attributions.n, 2, "حسب قوله: a second attribution");
	tap_is_str(content(d, 1), "الوضع مستقر حاليا", "حسب قوله: the clause before");
	tap_ok(has(source(d, 1), "سليم عواد"), "حسب قوله: the speaker in focus");
	kh_doc_free(d);

	d = run("وانخفض عدد الزوار هذا العام، وفقاً لإحصاءات وزارة السياحة.", NULL, 0);
	tap_ok(has(content(d, 0), "عدد الزوار هذا العام"), "وفقاً لـ after the content");
	tap_ok(has(source(d, 0), "وزارة السياحة"), "وفقاً لـ: source");
	kh_doc_free(d);
}

static void test_noun_cue(void)
{
	struct kh_doc *d = run("وجاء في بيان لوزارة الزراعة أن موسم القمح سيكون جيدا.", NULL, 0);

	tap_is_int(d->attributions.n, 1, "جاء في بيان: one attribution");
	tap_is_str(content(d, 0), "موسم القمح سيكون جيدا", "جاء في بيان: content");
	tap_ok(has(source(d, 0), "وزارة الزراعة"), "جاء في بيان لـX: the issuer");
	tap_is_str(d->attributions.items[0].cue_lemma, "بيان", "جاء في بيان: cue lemma");
	kh_doc_free(d);

	d = run("وقالت النقابة إن الإضراب مستمر. وجاء في البيان: «لن نعود إلى العمل قبل تلبية مطالبنا».", NULL, 0);
	tap_is_int(d->attributions.n, 2, "جاء في البيان: a second attribution");
	tap_ok(has(source(d, 1), "النقابة"), "جاء في البيان: the issuer in focus");
	kh_doc_free(d);
}

static void test_more_frames(void)
{
	struct kh_doc *d = run("ونقلت وكالة رويترز عن مسؤول رفض الكشف عن اسمه قوله إن الاتفاق بات وشيكا.", NULL, 0);

	tap_ok(has(source(d, 0), "مسؤول رفض الكشف عن اسمه"), "an official who declined to be named");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_ANONYMOUS, "is anonymous");
	kh_doc_free(d);

	d = run("وذكرت صحيفة «الأيام»، نقلاً عن مسؤولين محليين، أن الانتخابات ستؤجل.", NULL, 0);
	tap_is_int(d->attributions.n, 1, "نقلاً عن inside a verb frame: one attribution");
	tap_is_str(content(d, 0), "الانتخابات ستؤجل", "its content is the verb's complement");
	tap_ok(has(source(d, 0), "مسؤولين محليين"), "its source is the quoted one");
	kh_doc_free(d);

	d = run("وبحسب بيان صادر عن الدفاع المدني، فإن الحريق أخمد بالكامل.", NULL, 0);
	tap_ok(has(source(d, 0), "الدفاع المدني") && !has(source(d, 0), "بيان"), "بيان صادر عن X: X");
	tap_is_str(content(d, 0), "الحريق أخمد بالكامل", "and the content after فإنّ");
	kh_doc_free(d);

	d = run("وقال مسؤول في البلدية إن المياه ستعود غدا. وتقول الحكومة إن الأزمة عابرة.", NULL, 0);
	tap_is_str(source(d, 1), "الحكومة", "an institution back-reference resolves only to a matching name");
	kh_doc_free(d);
}

static void test_headline(void)
{
	struct kh_doc *d = run("الوزير: لا تراجع عن الإصلاحات الاقتصادية\nعقد مجلس الوزراء جلسته.", NULL, 0);

	tap_is_int(d->attributions.n, 1, "headline: one attribution");
	tap_is_int(d->attributions.items[0].kind, KH_ATTR_SUMMARY, "headline: summary");
	tap_is_str(content(d, 0), "لا تراجع عن الإصلاحات الاقتصادية", "headline: content after the colon");
	tap_ok(has(source(d, 0), "الوزير"), "headline: source before the colon");
	kh_doc_free(d);

	d = run("لافروف: الحوار هو الطريق الوحيد وكيري يحذر من التصعيد\nالتقى الوزيران أمس.", NULL, 0);
	tap_is_str(content(d, 0), "الحوار هو الطريق الوحيد", "headline: a second speaker's clause ends it");
	kh_doc_free(d);
}

static void test_participle(void)
{
	struct kh_doc *d = run("وقال المحافظ فادي يوسف إن الطرق مفتوحة، مشيراً إلى أن فرق الإنقاذ وصلت إلى القرى.",
			       NULL, 0);

	tap_is_int(d->attributions.n, 2, "participle: a second attribution");
	tap_is_str(content(d, 0), "الطرق مفتوحة", "participle: the first clause stops at the comma");
	tap_is_str(content(d, 1), "فرق الإنقاذ وصلت إلى القرى", "participle: its own clause");
	tap_ok(has(source(d, 1), "فادي يوسف"), "participle: the same speaker");
	tap_is_str(d->attributions.items[1].cue_lemma, "أشار", "participle: cue lemma");
	kh_doc_free(d);

	d = run("وحذرت المنظمة من أن المخزون ينفد، مضيفة «نحتاج إلى مساعدة عاجلة».", NULL, 0);
	tap_is_int(d->attributions.n, 2, "participle with a quotation");
	tap_is_str(content(d, 1), "نحتاج إلى مساعدة عاجلة", "participle: quotation content");
	tap_ok(has(source(d, 1), "المنظمة"), "participle: speaker of the frame");
	kh_doc_free(d);
}

/* ---- resolution ---- */

static void test_implied_speaker(void)
{
	const struct ent_spec ents[] = { { "فادي يوسف", KH_ENT_PERSON, NULL, NULL } };
	struct kh_doc *d = run("وقال المحافظ فادي يوسف إن الطرق مفتوحة. وأضاف: «نعمل على إعادة الكهرباء».", ents, 1);

	tap_is_int(d->attributions.n, 2, "implied: two attributions");
	tap_is_str(source(d, 1), "فادي يوسف", "implied: the speaker in focus");
	tap_ok(d->attributions.items[1].source.end == d->attributions.items[1].source.start,
	       "implied: no written source span");
	tap_is_int(d->attributions.items[1].source_entity, 0, "implied: linked to the entity");
	tap_is_int(d->attributions.items[1].source_kind, KH_SRC_PERSON, "implied: person");
	kh_doc_free(d);

	d = run("وأعلنت الحركة في بيان مسؤوليتها عن الهجوم، وقالت إنها ستواصل عملياتها.", NULL, 0);
	tap_ok(has(source(d, 0), "الحركة"), "implied: the subject of a frame without content stays in focus");
	kh_doc_free(d);
}

static void test_gender(void)
{
	const struct ent_spec ents[] = { { "وزارة الداخلية", KH_ENT_ORG, "ministry", NULL },
					 { "سامر حداد", KH_ENT_PERSON, NULL, NULL } };
	struct kh_doc *d = run("وقالت وزارة الداخلية إن الحدود مغلقة. وقال الوزير سامر حداد إن القرار مؤقت. "
			       "وأضافت أن المعابر ستفتح قريبا. وأضاف أن الدوريات تضاعفت.",
			       ents, 2);

	tap_is_int(d->attributions.n, 4, "gender: four attributions");
	tap_is_str(source(d, 2), "وزارة الداخلية", "a feminine verb goes to the ministry");
	tap_is_str(source(d, 3), "سامر حداد", "a masculine verb to the minister");
	kh_doc_free(d);

	d = run("وقالت الهيئة إن الطريق مغلق. وأفادت ميرا داود المتحدثة باسم الشرطة بأن حادثا وقع، "
		"مضيفة أن التحقيق جار.", NULL, 0);
	tap_ok(has(source(d, 2), "ميرا داود"), "a woman's name agrees through her own verb");
	kh_doc_free(d);
}

static void test_grammatical_subject(void)
{
	const struct ent_spec ents[] = { { "سمير داود", KH_ENT_PERSON, NULL, NULL },
					 { "كمال نادر", KH_ENT_PERSON, NULL, NULL } };
	const char *text = "وقال سمير داود، مستشار الرئيس كمال نادر للشؤون الاقتصادية: «الاقتصاد يتعافى ببطء».";
	struct kh_doc *d = run(text, ents, 2);

	tap_is_str(source(d, 0), "سمير داود", "subject, not the name in the apposition");
	tap_is_int(d->attributions.items[0].source_entity, 0, "subject: entity");
	kh_doc_free(d);

	d = run(text, NULL, 0);
	tap_is_str(source(d, 0), "سمير داود", "subject without entities: stops at the comma");
	kh_doc_free(d);

	d = run("وقال نائب وزير الخارجية كمال نادر خلال لقائه الوفد إن المحادثات مثمرة.", ents + 1, 1);
	tap_is_str(source(d, 0), "كمال نادر", "title then name: the name");
	kh_doc_free(d);

	d = run("لكن الرئيس قال: «لا حل عسكريا للأزمة».", NULL, 0);
	tap_ok(has(source(d, 0), "الرئيس"), "subject before the verb (SVO)");
	kh_doc_free(d);
}

static void test_subject_rules(void)
{
	const struct ent_spec ents[] = { { "جيش التحرير", KH_ENT_ORG, "armed_group", NULL },
					 { "ليبيا", KH_ENT_GPE, "country", NULL },
					 { "مجلس الأمن", KH_ENT_ORG, NULL, NULL } };
	struct kh_doc *d;

	d = run("وقال الناطق الرسمي لجيش التحرير كريم زاهد إن الهدنة صامدة.", ents, 1);
	tap_is_str(source(d, 0), "كريم زاهد", "title + لـ organisation + an unknown name: the name");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_PERSON, "and it is a person");
	kh_doc_free(d);

	d = run("وكانت لجان التنسيق المحلية في ليبيا قد ذكرت أن المعابر أغلقت.", ents + 1, 1);
	tap_ok(has(source(d, 0), "لجان التنسيق المحلية"), "SVO after كانت: the clause subject, not the place");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_GROUP, "an unnamed group");
	kh_doc_free(d);

	d = run("وكان مجلس الأمن ضد «التصعيد» قد أكد أن الحل سياسي.", ents + 2, 1);
	tap_is_str(source(d, 0), "مجلس الأمن", "SVO: the name that opens the clause, across a quotation");
	kh_doc_free(d);

	d = run("وقال المصدر لوكالة الأنباء الفرنسية (أ.ف.ب) إن «القوات تقدمت نحو المطار».", NULL, 0);
	tap_is_int(d->attributions.n, 1, "a parenthesis between the medium and the complement");
	tap_is_str(content(d, 0), "القوات تقدمت نحو المطار", "its content");
	kh_doc_free(d);

	d = run("وأوضح المتحدث باسم الوزارة أن الاجتماع تأجل.", NULL, 0);
	tap_ok(has(source(d, 0), "المتحدث باسم الوزارة"), "المتحدث باسم: one phrase");
	kh_doc_free(d);

	d = run("ووصف ناشطون الوضع بـ«الكارثي».", NULL, 0);
	tap_is_str(source(d, 0), "ناشطون", "a sound plural takes no construct: الوضع is the object");
	tap_is_str(content(d, 0), "الكارثي", "وصف ... بـ«...»: the quotation");
	kh_doc_free(d);
}

static void test_backref(void)
{
	struct kh_doc *d = run("وأفادت وكالة «سانا» بأن الطيران قصف الجسر. وأضافت الوكالة أن الجسر خرج عن الخدمة.",
			       NULL, 0);

	tap_is_int(d->attributions.n, 2, "backref agency: two attributions");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_AGENCY, "agency by head and name");
	tap_is_str(d->attributions.items[0].agency_id, "sana", "agency id from the lexicon");
	tap_ok(has(source(d, 1), "سانا"), "الوكالة resolves to the agency");
	tap_is_str(d->attributions.items[1].agency_id, "sana", "the back-reference keeps the id");
	kh_doc_free(d);

	d = run("وقال مصدر أمني إن الهجوم أحبط. وتحدث الأهالي عن انقطاع الكهرباء. وأكد المصدر أن التحقيق جار.",
		NULL, 0);
	tap_is_int(d->attributions.n, 3, "backref source: three attributions");
	tap_is_str(source(d, 2), "مصدر أمني", "المصدر resolves to the earlier unnamed source");
	tap_is_int(d->attributions.items[2].source_kind, KH_SRC_ANONYMOUS, "and stays anonymous");
	kh_doc_free(d);

	const struct ent_spec ents[] = { { "وزارة الصحة", KH_ENT_ORG, "ministry", NULL } };
	d = run("وأصدرت وزارة الصحة تقريرها السنوي. وقالت الوزارة إن عدد الإصابات تراجع.", ents, 1);
	tap_is_str(source(d, 0), "وزارة الصحة", "الوزارة resolves to the ministry entity");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_GOVERNMENT, "ministry: government");
	kh_doc_free(d);
}

static void test_source_kinds(void)
{
	const struct ent_spec ents[] = {
		{ "سبوتنيك", KH_ENT_ORG, "agency", "sputnik" },
		{ "جبهة التحرير", KH_ENT_ORG, "armed_group", NULL },
		{ "اليونيسف", KH_ENT_ORG, NULL, NULL },
		{ "الأردن", KH_ENT_GPE, NULL, NULL },
		{ "قناة الغد", KH_ENT_ORG, "media", "alghad" },
	};
	struct kh_doc *d = run("وذكرت سبوتنيك أن الوفد وصل. وقالت جبهة التحرير إنها صدت الهجوم. "
			       "وأكدت اليونيسف أن الأطفال بحاجة إلى اللقاح. وأعلن الأردن أنه سيفتح الحدود. "
			       "وقالت قناة الغد إن مراسلها أصيب. وقال شهود عيان إن الدخان غطى المكان. "
			       "وقال أحمد إن الماء مقطوع.",
			       ents, 5);

	tap_is_int(d->attributions.n, 7, "source kinds: seven attributions");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_AGENCY, "agency entity");
	tap_is_str(d->attributions.items[0].agency_id, "sputnik", "agency id from the entity");
	tap_is_int(d->attributions.items[1].source_kind, KH_SRC_GROUP, "armed group: group");
	tap_is_int(d->attributions.items[2].source_kind, KH_SRC_ORGANIZATION, "organization");
	tap_is_int(d->attributions.items[3].source_kind, KH_SRC_GOVERNMENT, "country: government");
	tap_is_int(d->attributions.items[4].source_kind, KH_SRC_MEDIA, "media (with an outlet id)");
	tap_is_str(d->attributions.items[4].agency_id, "alghad", "outlet id kept");
	tap_is_int(d->attributions.items[5].source_kind, KH_SRC_ANONYMOUS, "eyewitnesses: anonymous");
	tap_is_int(d->attributions.items[6].source_kind, KH_SRC_PERSON, "a bare name: person");
	kh_doc_free(d);

	d = run("وأفيد بأن الاشتباكات تجددت في الريف.", NULL, 0);
	tap_is_int(d->attributions.n, 1, "passive: one attribution");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_UNKNOWN, "passive: unknown source");
	kh_doc_free(d);
}

static void test_medium(void)
{
	struct kh_doc *d = run("وقال الوزير عادل كريم لـ«الحياة» إن الاتفاق بات قريبا.", NULL, 0);

	tap_is_str(span_text(d, d->attributions.items[0].medium), "الحياة", "medium: لـ«...»");
	tap_ok(has(source(d, 0), "عادل كريم") && !has(source(d, 0), "الحياة"), "medium is not the source");
	kh_doc_free(d);

	d = run("ونقلت صحيفة «النهار» عن مصادر دبلوماسية أن الزيارة ألغيت.", NULL, 0);
	tap_ok(has(source(d, 0), "مصادر دبلوماسية"), "نقل عن: the source after عن");
	tap_is_int(d->attributions.items[0].source_kind, KH_SRC_ANONYMOUS, "نقل عن: anonymous");
	kh_doc_free(d);

	d = run("وأبلغ المسؤول وكالة رويترز بأن القوات انسحبت من البلدة.", NULL, 0);
	tap_ok(has(span_text(d, d->attributions.items[0].medium), "رويترز"), "أبلغ: the addressee is the medium");
	tap_ok(!has(source(d, 0), "رويترز"), "أبلغ: the addressee is not the source");
	kh_doc_free(d);
}

static void test_no_attribution(void)
{
	struct kh_doc *d = run("نقل المصاب إلى المستشفى. وتابع الطلاب دروسهم. يذكر أن المدينة تعرضت للقصف سابقا.",
			       NULL, 0);

	tap_is_int(d->attributions.n, 0, "no reporting frame, no attribution");
	kh_doc_free(d);
	d = run("ويتوقع أن تنخفض درجات الحرارة غدا.", NULL, 0);
	tap_is_int(d->attributions.n, 0, "an impersonal يُتوقّع أن reports nobody");
	kh_doc_free(d);
	d = run("ويتوقع خبراء الأرصاد أن تنخفض درجات الحرارة غدا.", NULL, 0);
	tap_is_int(d->attributions.n, 1, "with a subject it is a report");
	kh_doc_free(d);
	d = run("وتابع عمال الصيانة عملهم طوال الليل. وأشار التقرير السنوي إلى أن السياحة تحسنت.", NULL, 0);
	tap_ok(has(source(d, 0), "التقرير السنوي"), "a described report is a new source, not a back-reference");
	kh_doc_free(d);
	d = run("وأعلنت الحكومة حالة الطوارئ في البلاد.", NULL, 0);
	tap_is_int(d->attributions.n, 0, "a reporting verb without reported content");
	kh_doc_free(d);
}

/* Random sequences of cue words, names, quotation marks and punctuation: no crash, spans
 * in range (run it under the sanitize build). */
static void test_random(void)
{
	static const char *const parts[] = {
		"وقال", "قال", "إن", "أن", "أنه", "«", "»", "\"", ":", "،", ".", "بحسب", "وفقاً", "لـ",
		"مصادر", "الوكالة", "المصدر", "مشيراً", "إلى", "عن", "نقلا", "ب", "(", ")", "-", "\n",
		"سامي", "الأحمد", "وكالة", "سانا", "على حد قوله", "وأضاف", "أفيد", "بأن", "رويترز",
		"ونقلت", "وأبلغ", "؛", "“", "”", "x", "١٢", "🙂",
	};
	unsigned seed = 12345;
	bool ok = true;

	for (int round = 0; round < 3000 && ok; round++) {
		char text[2048];
		size_t len = 0;
		struct kh_doc *d;
		int n = 1 + (int)(seed % 60);

		for (int k = 0; k < n; k++) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = parts[(seed >> 8) % (sizeof(parts) / sizeof(parts[0]))];
			if (len + strlen(p) + 2 >= sizeof(text))
				break;
			memcpy(text + len, p, strlen(p));
			len += strlen(p);
			if ((seed >> 20) % 3 != 0)
				text[len++] = ' ';
		}
		text[len] = '\0';
		d = analyze(text, NULL, 0);
		if (d == NULL) {
			ok = false;
			break;
		}
		for (uint32_t i = 0; i < d->attributions.n; i++) {
			const struct kh_attribution *a = &d->attributions.items[i];

			if (a->content.start >= a->content.end || a->content.end > d->norm_len ||
			    a->source.end > d->norm_len || a->cue.end > d->norm_len ||
			    a->medium.end > d->norm_len || a->source.start > a->source.end) {
				printf("# bad span in: %s\n# content %u-%u source %u-%u cue %u-%u medium %u-%u len %u\n",
				       text, a->content.start, a->content.end, a->source.start, a->source.end,
				       a->cue.start, a->cue.end, a->medium.start, a->medium.end, d->norm_len);
				ok = false;
			}
		}
		kh_doc_free(d);
	}
	tap_ok(ok, "random token soup: every span in range");
}

static void test_load_errors(void)
{
	struct kh_attr_res *r = NULL;
	char *err = NULL;
	const char *bad[] = { "/nonexistent-khabar/cues-extra.tsv", NULL };
	int rc = kh_attr_res_load("/nonexistent-khabar", NULL, NULL, &r, &err);

	tap_ok(rc == 0 && kh_attr_res_count(r, "cues") == 0, "a data dir without the lexicons: an empty stage");
	r = kh_attr_res_free(r);
	rc = kh_attr_res_load("/nonexistent-khabar", bad, NULL, &r, &err);
	tap_ok(rc < 0 && r == NULL, "a missing user cue file fails the load");
	tap_ok(err != NULL && strstr(err, "cues-extra.tsv") != NULL, "and names the file: %s", err ? err : "");
	free(err);
	tap_ok(kh_attr_res_count(res, "cues") > 50, "cue lexicon loaded");
	tap_ok(kh_attr_res_count(res, "sources") > 20, "source lexicon loaded");
	tap_ok(kh_lex_get(known, "قال") != NULL && kh_lex_get(known, "مشيرا") != NULL,
	       "cue forms are known words for the segmenter");
}

/* ---- source resolution on held-out style phrasing (general rules, own sentences) ---- */

static void test_title_chain(void)
{
	const struct ent_spec e1[] = { { "سليم الحداد", KH_ENT_PERSON, NULL, NULL } };
	const struct ent_spec e2[] = { { "محمود", KH_ENT_PERSON, NULL, NULL }, { "حلب", KH_ENT_GPE, NULL, NULL } };
	const struct ent_spec e3[] = { { "هالة", KH_ENT_PERSON, NULL, NULL }, { "الخطيب", KH_ENT_GPE, NULL, NULL } };
	struct kh_doc *d;

	d = run("وقال رئيس قسم الطوارئ في مستشفى المدينة سليم الحداد لـ«الأيام» إن الأطباء يعملون دون توقف.",
		e1, 1);
	tap_is_str(source(d, 0), "سليم الحداد", "title chain through في: the person after it");
	kh_doc_free(d);
	d = run("وقال مدير الدفاع المدني في حلب محمود عبد الكريم إن فرق الإنقاذ انتشلت الضحايا.", e2, 2);
	tap_is_str(source(d, 0), "محمود عبد الكريم", "title chain: a compound name the mention left short");
	kh_doc_free(d);
	d = run("وأكدت مديرة التربية في المحافظة هالة الخطيب أن المدارس ستفتح.", e3, 2);
	tap_is_str(source(d, 0), "هالة الخطيب", "title chain: a family name read as a place ends the name");
	kh_doc_free(d);
}

static void test_bism_suffix(void)
{
	const struct ent_spec e1[] = { { "كريم ناصر", KH_ENT_PERSON, NULL, NULL } };
	const struct ent_spec e2[] = { { "باسمهم سامي", KH_ENT_PERSON, NULL, NULL } };
	struct kh_doc *d;

	d = run("وقال المتحدث باسمها كريم ناصر إن الحركة لم تشارك في الهجوم.", e1, 1);
	tap_is_str(source(d, 0), "كريم ناصر", "باسمها: the person after it");
	kh_doc_free(d);
	d = run("وأكد المتحدث باسمهم سامي عبد الله أن المفاوضات متعثرة.", e2, 1);
	tap_is_str(source(d, 0), "سامي عبد الله", "a mention that took in باسمهم: the name without it");
	kh_doc_free(d);
}

static void test_focus_named_subject(void)
{
	const struct ent_spec e1[] = { { "رامي حداد", KH_ENT_PERSON, NULL, NULL },
				       { "جان بيير", KH_ENT_PERSON, NULL, NULL },
				       { "ليبيا", KH_ENT_GPE, NULL, NULL } };
	const struct ent_spec e2[] = { { "رامي حداد", KH_ENT_PERSON, NULL, NULL },
				       { "فادي سمير", KH_ENT_PERSON, NULL, NULL } };
	struct kh_doc *d;

	d = run("وقال الوزير رامي حداد إن الميزانية جاهزة. وحذّر رئيس البعثة الدولية في ليبيا جان بيير الأطراف "
		"من التصعيد، مشيراً إلى أنّ الهدنة هشة.",
		e1, 3);
	tap_is_int(d->attributions.n, 2, "focus: two attributions");
	tap_is_str(source(d, 1), "جان بيير", "a named subject without content takes the focus");
	kh_doc_free(d);
	d = run("وقال الوزير رامي حداد إن الميزانية جاهزة. والتقى وزير الخارجية الأردني فادي سمير وفدا تجاريا، "
		"مؤكداً أن التعاون مستمر.",
		e2, 2);
	tap_is_str(source(d, 1), "فادي سمير", "a non-reporting verb with a titled person takes the focus");
	kh_doc_free(d);
}

static void test_head_backref(void)
{
	const struct ent_spec e1[] = { { "هيئة الإغاثة الوطنية", KH_ENT_ORG, NULL, NULL } };
	const struct ent_spec e2[] = { { "لبنان", KH_ENT_GPE, NULL, NULL } };
	struct kh_doc *d;

	d = run("وأعلنت هيئة الإغاثة الوطنية توزيع المساعدات. وقالت الهيئة في بيان إن القوافل وصلت.", e1, 1);
	tap_is_str(source(d, 0), "هيئة الإغاثة الوطنية", "الهيئة: the organisation named before");
	tap_is_int((int)d->attributions.items[0].source_entity, 0, "and its entity");
	kh_doc_free(d);
	d = run("وأعلنت خلية الطوارئ الوطنية إغلاق المعابر. وقالت الخلية إن القرار مؤقت.",
		(const struct ent_spec[]){ { "خلية الطوارئ الوطنية", KH_ENT_ORG, NULL, NULL } }, 1);
	tap_is_str(source(d, 0), "خلية الطوارئ الوطنية", "الخلية: the organisation named before");
	kh_doc_free(d);
	d = run("وقالت رابطة معلمي لبنان إن الإضراب مستمر. وأضافت الرابطة أنّ المطالب محقة.", e2, 1);
	tap_is_str(source(d, 0), "رابطة معلمي لبنان", "a construct chain ending in a country names the institution");
	tap_is_str(source(d, 1), "رابطة معلمي لبنان", "and its head noun points back to it");
	kh_doc_free(d);
}

static void test_relative_source(void)
{
	const struct ent_spec e1[] = { { "وزارة الداخلية", KH_ENT_ORG, "ministry", NULL } };
	struct kh_doc *d;

	d = run("وأصيب ثلاثون شخصاً، وفق حصيلة نشرتها وزارة الداخلية.", e1, 1);
	tap_is_int(d->attributions.n, 1, "relative clause: one attribution");
	tap_is_str(source(d, 0), "وزارة الداخلية", "حصيلة نشرتها X: the source is X");
	kh_doc_free(d);
	d = run("وبحسب تقرير أصدرته المنظمة، فإن الفقر ازداد.", NULL, 0);
	tap_ok(has(source(d, 0), "المنظمة") && !has(source(d, 0), "تقرير"), "تقرير أصدرته المنظمة: the issuer");
	kh_doc_free(d);
}

static void test_byline(void)
{
	const struct ent_spec e1[] = { { "دمشق", KH_ENT_GPE, NULL, NULL } };
	struct kh_doc *d;

	d = run("دمشق: سامر العلي\nقال الوزير إن الطرق مفتوحة.", e1, 1);
	tap_is_int(d->attributions.n, 1, "a dateline and byline is no headline attribution");
	tap_ok(d->attributions.n == 0 || d->attributions.items[0].kind != KH_ATTR_SUMMARY, "no summary");
	kh_doc_free(d);
	d = run("عمّان: «الحياة»\nقال الوزير إن الطرق مفتوحة.", NULL, 0);
	tap_is_int(d->attributions.n, 1, "a dateline and outlet is no headline attribution");
	kh_doc_free(d);
}

static void test_appeal(void)
{
	struct kh_doc *d;

	d = run("وطالب النواب بزيادة الرواتب. ودعت النقابات إلى إضراب شامل.", NULL, 0);
	tap_is_int(d->attributions.n, 0, "an appeal with a plain noun is no attribution");
	kh_doc_free(d);
	d = run("وطالب النواب بأن تزاد الرواتب.", NULL, 0);
	tap_is_int(d->attributions.n, 1, "an appeal with an أنّ-clause is");
	kh_doc_free(d);
}

static void test_according_outlet(void)
{
	const struct ent_spec e1[] = { { "وكالة الأنباء الكويتية", KH_ENT_ORG, "news_agency", "kuna" } };
	struct kh_doc *d = run("وارتفعت الصادرات النفطية، بحسب وكالة الأنباء الكويتية «كونا».", e1, 1);

	tap_is_int(d->attributions.n, 1, "according to an agency with its short name: one attribution");
	tap_ok(has(source(d, 0), "وكالة الأنباء الكويتية"), "with the long name");
	kh_doc_free(d);
}

int main(void)
{
	const char *dir = getenv("KHABAR_DATA_DIR");
	char *err = NULL;

	known = kh_lex_new();
	seg = kh_seg_new();
	if (known == NULL || seg == NULL ||
	    kh_attr_res_load(dir != NULL ? dir : "data", NULL, known, &res, &err) != 0) {
		printf("Bail out! %s\n", err != NULL ? err : "cannot load");
		return 1;
	}
	test_direct_colon();
	test_indirect();
	test_mixed();
	test_quote_before_cue();
	test_quote_continuation();
	test_multi_sentence_quote();
	test_according();
	test_noun_cue();
	test_more_frames();
	test_headline();
	test_participle();
	test_implied_speaker();
	test_grammatical_subject();
	test_gender();
	test_subject_rules();
	test_backref();
	test_source_kinds();
	test_medium();
	test_no_attribution();
	test_title_chain();
	test_bism_suffix();
	test_focus_named_subject();
	test_head_backref();
	test_relative_source();
	test_byline();
	test_appeal();
	test_according_outlet();
	test_random();
	test_load_errors();
	kh_attr_res_free(res);
	kh_seg_free(seg);
	kh_lex_free(known);
	return tap_done();
}
