/* SPDX-License-Identifier: MIT */
/* The events stage: a sentence for every type, every argument rule, casualties,
 * modality and attribution.  Entities are added by hand. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evdoc.h"
#include "tap.h"

static struct kh_event_res *res;
static struct kh_lexicon *known;

struct ent_spec {
	const char *name;
	enum kh_ent_type type;
};

/* Run dates and events over text (published 2017-08-03) with the given entities. */
static struct kh_doc *run(const char *text, const struct ent_spec *ents)
{
	struct kh_doc *doc = evdoc_new(text, 2017, 8, 3, known);

	for (size_t i = 0; ents != NULL && ents[i].name != NULL; i++)
		evdoc_entity(doc, ents[i].name, ents[i].type);
	if (kh_date_apply(doc) < 0 || kh_event_apply(res, doc) < 0)
		abort();
	return doc;
}

/* The first event whose trigger text contains @p trig. */
static const struct kh_event *event_of(const struct kh_doc *doc, const char *trig)
{
	for (uint32_t i = 0; i < doc->events.n; i++)
		if (strstr(evdoc_text(doc, doc->events.items[i].trigger), trig) != NULL)
			return &doc->events.items[i];
	return NULL;
}

static bool has_arg(const struct kh_doc *doc, const struct kh_arg *a, uint32_t n, const char *text)
{
	for (uint32_t i = 0; i < n; i++)
		if (strstr(evdoc_text(doc, a[i].span), text) != NULL)
			return true;
	return false;
}

static void is_type(const char *text, const char *trig, enum kh_event_type want)
{
	struct kh_doc *doc = run(text, NULL);
	const struct kh_event *v = event_of(doc, trig);

	tap_is_str(v != NULL ? kh_event_type_name(v->type) : NULL, kh_event_type_name(want), "%s in: %s", trig,
		   text);
	kh_doc_free(doc);
}

static void no_event(const char *text, const char *why)
{
	struct kh_doc *doc = run(text, NULL);

	tap_is_int(doc->events.n, 0, "no event: %s", why);
	kh_doc_free(doc);
}

static void test_types(void)
{
	is_type("عقد الوزيران لقاء في العاصمة لبحث الأزمة.", "لقاء", KH_EV_MEETING);
	is_type("اجتمع الرئيس مع رئيس الوزراء في القصر.", "اجتمع", KH_EV_MEETING);
	is_type("أجرى الرئيس اتصالا هاتفيا مع نظيره.", "اتصالا هاتفيا", KH_EV_MEETING);
	is_type("زار رئيس الوزراء العاصمة الأردنية أمس.", "زار", KH_EV_VISIT);
	is_type("وصل الوزير في زيارة رسمية تستمر يومين.", "زيارة", KH_EV_VISIT);
	is_type("وقع الطرفان اتفاقا لتبادل الأسرى.", "وقع", KH_EV_AGREEMENT);
	is_type("أعلن الجيش هدنة لمدة ثلاثة أيام.", "هدنة", KH_EV_AGREEMENT);
	is_type("دخل وقف إطلاق النار حيز التنفيذ منتصف الليل.", "وقف إطلاق النار", KH_EV_AGREEMENT);
	is_type("شنت الطائرات الحربية غارات على مواقع المسلحين.", "غارات", KH_EV_AIR_STRIKE);
	is_type("قصفت طائرات التحالف مواقع التنظيم.", "قصفت", KH_EV_AIR_STRIKE);
	is_type("واستهدف قصف جوي سوق البلدة.", "قصف جوي", KH_EV_AIR_STRIKE);
	is_type("ألقت المروحيات براميل متفجرة على الأحياء.", "ألقت", KH_EV_AIR_STRIKE);
	is_type("قصفت المدفعية التركية قرى في الريف.", "قصفت", KH_EV_SHELLING);
	is_type("وتعرضت البلدة لقصف بقذائف الهاون.", "قصف", KH_EV_SHELLING);
	is_type("قصفت القوات الحكومية الحي بالصواريخ.", "قصفت", KH_EV_SHELLING);
	is_type("وقع انفجار قوي في السوق المركزي.", "انفجار", KH_EV_EXPLOSION);
	is_type("انفجرت عبوة ناسفة بدورية للشرطة.", "عبوة ناسفة", KH_EV_EXPLOSION);
	is_type("فجر انتحاري سيارة مفخخة عند الحاجز.", "سيارة مفخخة", KH_EV_EXPLOSION);
	is_type("اندلعت اشتباكات عنيفة بين الجيش والمسلحين.", "اشتباكات", KH_EV_ARMED_CLASH);
	is_type("جرى قصف متبادل بالأسلحة الثقيلة بين الطرفين.", "قصف متبادل", KH_EV_ARMED_CLASH);
	is_type("دارت معارك ضارية على أطراف المدينة.", "معارك", KH_EV_ARMED_CLASH);
	is_type("سيطرت القوات الحكومية على البلدة بعد معارك.", "سيطرت", KH_EV_TERRITORY_CHANGE);
	is_type("تمكن الجيش من استعادة السيطرة على المطار.", "استعادة", KH_EV_TERRITORY_CHANGE);
	is_type("أعلن الجيش تحرير المدينة بالكامل.", "تحرير", KH_EV_TERRITORY_CHANGE);
	is_type("ارتكب المسلحون مجزرة في القرية.", "مجزرة", KH_EV_ATTACK);
	is_type("ارتكبت الطائرات مجزرة في القرية.", "مجزرة", KH_EV_AIR_STRIKE);
	is_type("أطلق مجهولون النار على سيارة القاضي.", "أطلق", KH_EV_ATTACK);
	is_type("أطلق المسلحون صواريخ على البلدة.", "صواريخ", KH_EV_SHELLING);
	is_type("اغتال مسلحون مسؤولا محليا في المدينة.", "اغتال", KH_EV_ATTACK);
	is_type("اختطف مسلحون صحفيا أجنبيا قرب الحدود.", "اختطف", KH_EV_ABDUCTION);
	is_type("اعتقلت قوات الأمن عشرة أشخاص في المدينة.", "اعتقلت", KH_EV_ARREST);
	is_type("ألقت الشرطة القبض على المشتبه به.", "ألقت", KH_EV_ARREST);
	is_type("وألقت قوات الأمن القبض على المشتبه به.", "ألقت", KH_EV_ARREST);
	is_type("خرجت تظاهرات حاشدة في العاصمة.", "تظاهرات", KH_EV_PROTEST);
	is_type("نفذ العمال اعتصاما أمام الوزارة.", "اعتصاما", KH_EV_PROTEST);
	is_type("أعلنت الوزارة تقديم دعم عسكري للجيش.", "دعم عسكري", KH_EV_MILITARY_AID);
	is_type("تعهدت الحكومة بإمداد المقاتلين بالأسلحة.", "إمداد", KH_EV_MILITARY_AID);
	is_type("انشق عشرات الجنود عن الجيش.", "انشق", KH_EV_DEFECTION);
	is_type("تسبب القتال في نزوح آلاف المدنيين.", "نزوح", KH_EV_DISPLACEMENT);
}

static void test_non_events(void)
{
	no_event("عقد الوزير مؤتمرا صحفيا في مقر الوزارة.", "a press conference");
	no_event("ألقى الرئيس كلمة في الجامعة.", "ألقى without aircraft");
	no_event("بقيت المنطقة تحت سيطرة الحكومة.", "تحت سيطرة is a state");
	no_event("وقال إن القوات انتشرت في المدينة.", "قوات is no trigger");
	no_event("دخل القرار حيز التنفيذ.", "دخل حيز التنفيذ");
	no_event("طالب بتحرير الأسعار.", "تحرير الأسعار");
	no_event("قال إن البرميل بلغ سعره خمسين دولارا.", "no bombs in a barrel of oil");
}

static void test_actors(void)
{
	const struct ent_spec e1[] = { { "التحالف الدولي", KH_ENT_ORG }, { "دير الزور", KH_ENT_GPE }, { NULL, 0 } };
	struct kh_doc *doc = run("وقال المصدر إن قصف طائرات التحالف الدولي تركز على ريف دير الزور.", e1);
	const struct kh_event *v = event_of(doc, "قصف");

	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "طائرات التحالف الدولي"),
	       "genitive after a noun trigger: طائرات التحالف الدولي");
	tap_ok(v != NULL && v->n_actors > 0 && v->actors[0].entity != KH_NONE, "the phrase links its entity");
	tap_ok(v != NULL && has_arg(doc, v->locations, v->n_locations, "دير الزور"), "place after ريف");
	kh_doc_free(doc);

	doc = run("وأكدت المصادر أن القوات التركية قصفت قرى الريف الشمالي.", NULL);
	v = event_of(doc, "قصفت");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "القوات التركية"), "subject before a verb (SVO)");
	kh_doc_free(doc);

	doc = run("وقصفت فصائل المعارضة تجمعا للجنود.", NULL);
	v = event_of(doc, "قصفت");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "فصائل المعارضة"), "subject after a verb (VSO)");
	kh_doc_free(doc);

	const struct ent_spec e2[] = { { "داعش", KH_ENT_ORG }, { NULL, 0 } };
	doc = run("وقتل خمسة جنود عندما اقتحم متشددون من تنظيم داعش الحاجز.", e2);
	v = event_of(doc, "اقتحم");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "داعش"), "membership: متشددون من تنظيم داعش");
	tap_ok(v != NULL && v->killed.present && v->killed.value == 5, "killed 5 goes to the violent event");
	kh_doc_free(doc);

	const struct ent_spec e3[] = { { "الزبداني", KH_ENT_GPE }, { "حزب الله", KH_ENT_ORG }, { NULL, 0 } };
	doc = run("تتعرض مدينة الزبداني لهجمة شرسة من قبل النظام وحزب الله.", e3);
	v = event_of(doc, "هجمة");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "النظام"), "من قبل X");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "حزب الله"), "من قبل X و Y");
	tap_ok(v != NULL && has_arg(doc, v->locations, v->n_locations, "الزبداني"), "a place before the trigger");
	kh_doc_free(doc);

	const struct ent_spec e4[] = { { "الجيش السوري", KH_ENT_ORG }, { NULL, 0 } };
	doc = run("دارت اشتباكات عنيفة بين الجيش السوري والمسلحين في الريف.", e4);
	v = event_of(doc, "اشتباكات");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "الجيش السوري"), "بين X");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "المسلحين"), "بين X و Y");
	kh_doc_free(doc);

	const struct ent_spec e5[] = { { "عدن", KH_ENT_GPE }, { NULL, 0 } };
	doc = run("ارتكبت الميليشيات الحوثية مجزرة في مدينة عدن.", e5);
	v = event_of(doc, "مجزرة");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "الميليشيات الحوثية"), "subject of a light verb");
	tap_ok(v != NULL && has_arg(doc, v->locations, v->n_locations, "عدن"), "place entity after في مدينة");
	kh_doc_free(doc);

	const struct ent_spec e6[] = { { "الولايات المتحدة", KH_ENT_GPE }, { "التحالف", KH_ENT_ORG }, { NULL, 0 } };
	doc = run("وكانت طائرات التحالف بقيادة الولايات المتحدة قد ارتكبت مجزرة أمس.", e6);
	v = event_of(doc, "مجزرة");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "طائرات التحالف") &&
		       !has_arg(doc, v->actors, v->n_actors, "الولايات المتحدة"),
	       "بقيادة X: the led group is the actor");
	tap_is_str(v != NULL ? kh_event_type_name(v->type) : NULL, "air_strike", "مجزرة by aircraft");
	tap_ok(v != NULL && v->time_value != NULL && strcmp(v->time_value, "2017-08-02") == 0, "time from أمس");
	kh_doc_free(doc);

	const struct ent_spec e7[] = { { "سيرغي لافروف", KH_ENT_PERSON }, { "جون كيري", KH_ENT_PERSON },
				       { "جنيف", KH_ENT_GPE }, { NULL, 0 } };
	doc = run("والتقى سيرغي لافروف أمس في جنيف جون كيري.", e7);
	v = event_of(doc, "التقى");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "لافروف") &&
		       has_arg(doc, v->actors, v->n_actors, "كيري"),
	       "a meeting has both people");
	tap_ok(v != NULL && has_arg(doc, v->locations, v->n_locations, "جنيف"), "meeting place");
	kh_doc_free(doc);
}

static void test_more_rules(void)
{
	struct kh_doc *doc = run("وكان الجانبان قد وقعا في 12 آذار الماضي اتفاقية لترسيم الحدود.", NULL);
	const struct kh_event *v = event_of(doc, "وقعا");

	tap_is_int(doc->events.n, 1, "a verb and the noun it needs are one event");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "الجانبان"), "subject before قد + verb");
	kh_doc_free(doc);
	doc = run("وقالت مصادر إن مسلحين مجهولين اختطفوا ثلاثة مهندسين قرب الحدود.", NULL);
	v = event_of(doc, "اختطفوا");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "مسلحين مجهولين"), "indefinite head + adjective");
	tap_ok(v != NULL && v->abducted.present && v->abducted.value == 3, "abducted count");
	kh_doc_free(doc);
	doc = run("وانشق ضابط برتبة عقيد عن الجيش.", NULL);
	v = event_of(doc, "انشق");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "الجيش"), "defection: عن X");
	kh_doc_free(doc);
	doc = run("ولم تشهد المدينة أي اشتباكات منذ أسبوع.", NULL);
	v = event_of(doc, "اشتباكات");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "negated", "لم ... أي + noun → negated");
	kh_doc_free(doc);
	doc = run("وأدى الهجوم الانتحاري إلى مقتل 27 مصليا.", NULL);
	v = event_of(doc, "الهجوم");
	tap_ok(v != NULL && v->type == KH_EV_EXPLOSION && doc->events.n == 1, "a suicide attack is one explosion");
	kh_doc_free(doc);
	doc = run("وكانت عبوة ناسفة قد انفجرت بدورية للشرطة.", NULL);
	tap_is_int(doc->events.n, 1, "عبوة ناسفة قد انفجرت is one event");
	kh_doc_free(doc);
	doc = run("وتظاهر المئات في العاصمة الأردنية عمان احتجاجا على ارتفاع الأسعار.", NULL);
	tap_is_int(doc->events.n, 1, "احتجاجا is no second protest");
	kh_doc_free(doc);
	doc = run("شنت المقاتلات فجر اليوم غارات على المعسكر.", NULL);
	tap_ok(doc->events.n == 1 && event_of(doc, "غارات") != NULL, "فجر اليوم is a time, not a blast");
	kh_doc_free(doc);
	doc = run("أحبطت الشرطة تفجير سيارة مفخخة كانت تستهدف مقرا حكوميا، واعتقلت اثنين من المشتبه بهم.", NULL);
	v = event_of(doc, "اعتقلت");
	tap_ok(v != NULL && v->arrested.present && v->arrested.value == 2, "arrested goes to the arrest");
	tap_ok(event_of(doc, "تستهدف") == NULL, "كانت تستهدف after an event tells more of it");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "asserted", "a cue far before is no plan");
	kh_doc_free(doc);
	doc = run("وسط تقدم للفصائل التي تمكنت من السيطرة على تلتين.", NULL);
	v = event_of(doc, "السيطرة");
	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "فصائل"), "the doer before التي");
	kh_doc_free(doc);
}

static void test_anaphora(void)
{
	const struct ent_spec e[] = { { "داعش", KH_ENT_ORG }, { "الموصل", KH_ENT_GPE }, { NULL, 0 } };
	const struct ent_spec e2[] = { { "البيشمركة", KH_ENT_ORG }, { NULL, 0 } };
	struct kh_doc *doc = run("وسيطر تنظيم داعش على مدينة الموصل قبل عامين. وأعدم التنظيم الإرهابي عشرة شبان في المدينة أمس.",
				 e);
	const struct kh_event *v = event_of(doc, "أعدم");

	tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, "داعش"), "التنظيم stands for the organisation so named");
	tap_ok(v != NULL && has_arg(doc, v->locations, v->n_locations, "الموصل"), "المدينة stands for the town so named");
	tap_ok(v != NULL && v->killed.value == 10, "killed 10");
	kh_doc_free(doc);
	doc = run("انسحبت قوات البيشمركة من البلدة. ونفذ التنظيم هجوما على الحاجز.", e2);
	v = event_of(doc, "هجوما");
	tap_ok(v != NULL && !has_arg(doc, v->actors, v->n_actors, "البيشمركة"),
	       "التنظيم does not stand for a name that was not called so");
	kh_doc_free(doc);
}

static void test_locations(void)
{
	const struct ent_spec e[] = { { "الكشمة", KH_ENT_GPE }, { "الشويط", KH_ENT_GPE }, { "العشارة", KH_ENT_GPE },
				      { NULL, 0 } };
	struct kh_doc *doc = run("شنت الطائرات غارات على مناطق الكشمة والشويط والعشارة.", e);
	const struct kh_event *v = event_of(doc, "غارات");

	tap_ok(v != NULL && v->n_locations == 3, "a list of places (%u)", v != NULL ? v->n_locations : 0);
	kh_doc_free(doc);
	doc = run("دارت اشتباكات في بلدة كفر نبل الليلة الماضية.", NULL);
	v = event_of(doc, "اشتباكات");
	tap_ok(v != NULL && has_arg(doc, v->locations, v->n_locations, "كفر نبل"),
	       "without an entity: a two-word name after a head word");
	kh_doc_free(doc);
}

static void is_casualties(const char *text, const char *trig, long long killed, long long injured,
			  const char *what)
{
	struct kh_doc *doc = run(text, NULL);
	const struct kh_event *v = event_of(doc, trig);

	if (killed >= 0)
		tap_ok(v != NULL && v->killed.present && !v->killed.vague && v->killed.value == killed,
		       "%s: killed %lld (got %lld)", what, killed, v != NULL ? (long long)v->killed.value : -1);
	if (injured >= 0)
		tap_ok(v != NULL && v->injured.present && !v->injured.vague && v->injured.value == injured,
		       "%s: injured %lld (got %lld)", what, injured, v != NULL ? (long long)v->injured.value : -1);
	if (killed == -2)
		tap_ok(v != NULL && v->killed.present && v->killed.vague, "%s: killed vague", what);
	if (injured == -2)
		tap_ok(v != NULL && v->injured.present && v->injured.vague, "%s: injured vague", what);
	kh_doc_free(doc);
}

static void test_casualties(void)
{
	struct kh_doc *doc;
	const struct kh_event *v;

	is_casualties("قصفت المدفعية السوق، مما أدى إلى مقتل 43 مدنيا على الأقل وإصابة 173.", "قصفت", 43, 173,
		      "مقتل N ... وإصابة M");
	doc = run("قصفت المدفعية السوق، مما أدى إلى مقتل 43 مدنيا على الأقل وإصابة 173.", NULL);
	v = event_of(doc, "قصفت");
	tap_ok(v != NULL && v->killed.bound == KH_COUNT_MIN, "على الأقل makes a minimum");
	tap_ok(v != NULL && strcmp(evdoc_text(doc, v->killed.span), "43 مدنيا") == 0, "killed text: %s",
	       v != NULL ? evdoc_text(doc, v->killed.span) : "");
	kh_doc_free(doc);
	is_casualties("سقط 6 شهداء و10 جرحى بقصف للطائرات على البلدة.", "قصف", 6, 10, "N شهداء و M جرحى");
	is_casualties("أسفر الانفجار عن سقوط عشرات الشهداء والجرحى.", "الانفجار", -2, -2, "عشرات الشهداء والجرحى");
	is_casualties("لقي خمسة أشخاص مصرعهم وأصيب 12 آخرون خلال اشتباكات في المدينة.", "اشتباكات", 5, 12,
		      "لقي N مصرعهم وأصيب M");
	is_casualties("أعدم التنظيم رميا بالرصاص نحو 44 شابا في ساحة عامة.", "أعدم", 44, -1,
		      "a killing verb with its count later");
	is_casualties("وقتل سبعة جنود ليبيين عندما هاجم مسلحون نقطة تفتيش.", "هاجم", 7, -1, "قتل N before the trigger");
	is_casualties("هاجم مستوطنون منزلا، وأصيب والداه وشقيقه بجروح.", "هاجم", -1, 3, "people counted in a list");
	is_casualties("أضرم مستوطنون النار في منزل، مما أدى إلى مقتل طفل عمره 18 شهرا.", "أضرم", 1, -1,
		      "an age is no count");
	is_casualties("فقدت القوات الأمنية 4 من عناصرها، وأصيب في المواجهات 12 آخرون.", "المواجهات", 4, 12,
		      "فقدت N من عناصرها; أصيب في ... M");
	is_casualties("اندلعت اشتباكات أسفرت عن مقتل ثلاثة عشر مسلحا.", "اشتباكات", 13, -1, "number words");
	doc = run("اعتقلت الشرطة 25 شخصا خلال التظاهرة.", NULL);
	v = event_of(doc, "اعتقلت");
	tap_ok(v != NULL && (v->arrested.present || !v->killed.present), "an arrest count never becomes killed");
	kh_doc_free(doc);
	/* a casualty word without another trigger makes an attack */
	doc = run("قتل ثلاثة مدنيين في المدينة.", NULL);
	v = event_of(doc, "قتل");
	tap_ok(v != NULL && v->type == KH_EV_ATTACK && v->killed.value == 3, "قتل alone is an attack with its count");
	kh_doc_free(doc);
	/* a date is no count */
	doc = run("قصفت المدفعية القرية في 10 تموز.", NULL);
	v = event_of(doc, "قصفت");
	tap_ok(v != NULL && !v->killed.present && !v->injured.present, "10 تموز is no casualty count");
	kh_doc_free(doc);
}

static void test_modality(void)
{
	struct kh_doc *doc = run("سيتم عقد اجتماع للخبراء في الأسبوع المقبل.", NULL);
	const struct kh_event *v = event_of(doc, "اجتماع");

	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "planned", "سيتم → planned");
	tap_ok(v != NULL && v->time_value != NULL && strcmp(v->time_value, "2017-W32") == 0, "with its week");
	kh_doc_free(doc);
	doc = run("يلتقي وزير الخارجية نظيره الروسي الأسبوع المقبل في جنيف.", NULL);
	v = event_of(doc, "يلتقي");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "planned", "a time to come → planned");
	kh_doc_free(doc);
	doc = run("قتل 12 مدنيا بينهم أربعة أطفال وأصيب أكثر من عشرين آخرين جراء غارات على المدينة.", NULL);
	v = event_of(doc, "غارات");
	tap_ok(v != NULL && v->killed.value == 12 && v->injured.value == 20 && v->injured.bound == KH_COUNT_MIN,
	       "بينهم N is part of the killed, not the injured");
	kh_doc_free(doc);
	doc = run("ومن المقرر أن يزور الرئيس موسكو.", NULL);
	v = event_of(doc, "يزور");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "planned", "من المقرر → planned");
	kh_doc_free(doc);
	doc = run("سيزور الرئيس موسكو.", NULL);
	v = event_of(doc, "يزور"); /* the future prefix may be split off */
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "planned", "future prefix → planned");
	kh_doc_free(doc);
	doc = run("تستعد القوات لتحرير المدينة.", NULL);
	v = event_of(doc, "تحرير");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "planned", "purpose لـ → planned");
	kh_doc_free(doc);
	doc = run("لم تقصف الطائرات المدينة.", NULL);
	v = event_of(doc, "تقصف");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "negated", "لم → negated");
	kh_doc_free(doc);
	doc = run("ونفى الجيش شن غارات على المدينة.", NULL);
	v = event_of(doc, "غارات");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "negated", "نفى → negated");
	kh_doc_free(doc);
	doc = run("قصفت الطائرات المدينة أمس.", NULL);
	v = event_of(doc, "قصفت");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "asserted", "plain → asserted");
	kh_doc_free(doc);
}

static void test_attribution(void)
{
	struct kh_doc *doc = evdoc_new("وقال المرصد إن الطائرات قصفت المدينة.", 2017, 8, 3, known);
	struct kh_attribution *a = kh_vec_push(&doc->attributions);
	const char *p = strstr(doc->norm, "الطائرات");
	const struct kh_event *v;

	a->content.start = (uint32_t)(p - doc->norm);
	a->content.end = doc->norm_len - 1;
	a->source_entity = KH_NONE;
	a->medium_entity = KH_NONE;
	if (kh_date_apply(doc) < 0 || kh_event_apply(res, doc) < 0)
		abort();
	v = event_of(doc, "قصفت");
	tap_ok(v != NULL && v->attribution == 0, "the event points at the attribution holding it");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "reported", "inside a statement → reported");
	kh_doc_free(doc);
}

static void test_loader(void)
{
	char path[] = "/tmp/khabar-trig-XXXXXX";
	int fd = mkstemp(path);
	const char *bad = "قصف\tnot_a_type\tverb\n";
	char *err = NULL;
	struct kh_event_res *r = NULL;
	const char *extra[] = { NULL, NULL };
	char dir[] = "/tmp/khabar-trigdir-XXXXXX";
	char file[128];
	FILE *f;

	tap_ok(fd >= 0 && write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad), "temp file");
	close(fd);
	/* a data dir whose triggers.tsv has a bad type */
	tap_ok(mkdtemp(dir) != NULL, "temp dir");
	snprintf(file, sizeof(file), "%s/triggers.tsv", dir);
	f = fopen(file, "w");
	fputs("# comment\nقصف\tshelling\tverb\tctx\nهجوم\tnot_a_type\tnoun\n", f);
	fclose(f);
	tap_is_int(kh_event_res_load(dir, extra, NULL, &r, &err), -EINVAL, "a bad type fails the load");
	tap_ok(err != NULL && strstr(err, ":3:") != NULL, "the message names line 3: %s", err != NULL ? err : "");
	free(err);
	unlink(file);
	rmdir(dir);
	unlink(path);
	tap_ok(kh_event_res_count(res, "triggers") > 50, "the trigger lexicon is loaded (%zu)",
	       kh_event_res_count(res, "triggers"));
}

static void test_garbage(void)
{
	static const char *const texts[] = {
		"", "قصف", "مقتل", "مقتل 99999999999999999999999 شخص", "بين و و و و", "من قبل", "أمس أمس أمس",
		"عشرات عشرات عشرات عشرات", "ألف ألف ألف ألف ألف ألف ألف ألف ألف ألف ألف ألف ألف ألف", "«»«»«قصف»",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct kh_doc *doc = evdoc_new(texts[i], 2017, 8, 3, known);

		tap_ok(kh_date_apply(doc) == 0 && kh_event_apply(res, doc) == 0, "odd input %zu", i);
		kh_doc_free(doc);
	}
}

/* One event of @p type whose actors include @p actor (NULL: any) and locations @p loc (NULL: any). */
static void has_event(const char *text, const struct ent_spec *ents, const char *trig, enum kh_event_type type,
		      const char *actor, const char *loc)
{
	struct kh_doc *doc = run(text, ents);
	const struct kh_event *v = event_of(doc, trig);

	tap_is_str(v != NULL ? kh_event_type_name(v->type) : NULL, kh_event_type_name(type), "%s in: %s", trig, text);
	if (actor != NULL)
		tap_ok(v != NULL && has_arg(doc, v->actors, v->n_actors, actor), "actor %s in: %s", actor, text);
	if (loc != NULL)
		tap_ok(v != NULL && has_arg(doc, v->locations, v->n_locations, loc), "location %s in: %s", loc, text);
	kh_doc_free(doc);
}

/* No event whose trigger text contains @p trig. */
static void no_event_at(const char *text, const char *trig, const char *why)
{
	struct kh_doc *doc = run(text, NULL);

	tap_ok(event_of(doc, trig) == NULL, "no event at %s: %s", trig, why);
	kh_doc_free(doc);
}

static void test_visits(void)
{
	const struct ent_spec e1[] = { { "ماكرون", KH_ENT_PERSON }, { "بغداد", KH_ENT_GPE }, { NULL, 0 } };
	const struct ent_spec e2[] = { { "دمشق", KH_ENT_GPE }, { NULL, 0 } };
	const struct ent_spec e3[] = { { "أردوغان", KH_ENT_PERSON }, { "قطر", KH_ENT_GPE }, { NULL, 0 } };

	has_event("وصل الرئيس الفرنسي ماكرون إلى بغداد صباح اليوم.", e1, "وصل", KH_EV_VISIT, "ماكرون", "بغداد");
	has_event("ووصل المبعوث الأممي إلى دمشق مساء الأحد.", e2, "وصل", KH_EV_VISIT, "المبعوث", "دمشق");
	has_event("بدأ أردوغان زيارة دولة يقوم بها إلى قطر تستمر يومين.", e3, "زيارة", KH_EV_VISIT, NULL, "قطر");
	has_event("وصل إلى قطر الرئيس التركي أردوغان في زيارة دولة يقوم بها تستمر يومين.", e3, "وصل", KH_EV_VISIT,
		  "أردوغان", "قطر");
	has_event("وقال الوزير خلال زيارته إلى قطر إن بلاده تدعم الحوار.", NULL, "زيارته", KH_EV_VISIT, NULL, NULL);
	no_event_at("وصل عدد القتلى إلى خمسين.", "وصل", "a number reaches a figure");
	no_event_at("وصلت الأسعار إلى مستويات قياسية.", "وصل", "prices reach a level");
	no_event_at("ارتفعت الحصيلة لتصل إلى 40 قتيلا.", "تصل", "a toll reaches a figure");
	no_event_at("وصلت تعزيزات عسكرية إلى المدينة.", "وصل", "reinforcements arrive");
	has_event("وصل إلى العاصمة وزير الخارجية الروسي في زيارة رسمية.", NULL, "وصل", KH_EV_VISIT, NULL, NULL);

	struct kh_doc *doc = run("ومن المنتظر أن يصل أردوغان إلى قطر الأسبوع المقبل.", e3);
	const struct kh_event *v = event_of(doc, "يصل");

	tap_is_str(v != NULL ? kh_event_type_name(v->type) : NULL, "visit", "يصل X إلى Y is a visit");
	tap_is_str(v != NULL ? kh_modality_name(v->modality) : NULL, "planned", "من المنتظر أن يصل → planned");
	tap_ok(v != NULL && has_arg(doc, v->locations, v->n_locations, "قطر"), "the place it reaches");
	kh_doc_free(doc);
}

static void test_missiles(void)
{
	const struct ent_spec e1[] = { { "حزب الله", KH_ENT_ORG }, { NULL, 0 } };

	has_event("أطلق حزب الله صاروخين على ثكنة عسكرية في الجليل.", e1, "صاروخين", KH_EV_SHELLING, "حزب الله", NULL);
	has_event("سقطت صواريخ على بلدة حدودية فجر اليوم.", NULL, "صواريخ", KH_EV_SHELLING, NULL, NULL);
	has_event("وأطلق المسلحون قذائف هاون على الحي.", NULL, "قذائف", KH_EV_SHELLING, "المسلحون", NULL);
	has_event("أطلقت طائرة مسيرة صاروخا على سيارة قرب المدينة.", NULL, "صاروخا", KH_EV_AIR_STRIKE, NULL, NULL);
	has_event("قتل ثلاثة مسلحين في عملية جوية شرق البلاد.", NULL, "عملية جوية", KH_EV_AIR_STRIKE, NULL, NULL);
	no_event_at("تملك الدولة صواريخ بعيدة المدى.", "صواريخ", "owning missiles is no fire");
	no_event_at("دمرت القوات منصات إطلاق الصواريخ.", "صواريخ", "launchers are no fire");
	no_event_at("طالب الوسطاء بوقف إطلاق الصواريخ.", "صواريخ", "a call to stop firing");
	has_event("وأطلقت الفصائل من جنوب القطاع صواريخ على المستوطنات.", NULL, "صواريخ", KH_EV_SHELLING, "الفصائل", NULL);
}

static void test_displacement(void)
{
	is_type("شرد نحو خمسة ملايين شخص منذ بداية الحرب.", "شرد", KH_EV_DISPLACEMENT);
	is_type("شُرّد نحو 5 ملايين شخص.", "شرد", KH_EV_DISPLACEMENT);
	is_type("نزح آلاف السكان من القرى الحدودية.", "نزح", KH_EV_DISPLACEMENT);
	is_type("هُجّر مئات العائلات من الحي.", "هجر", KH_EV_DISPLACEMENT);
	is_type("وهجر آلاف المدنيين من منازلهم.", "هجر", KH_EV_DISPLACEMENT);
	is_type("ونزحت عشرات الأسر إلى المخيمات.", "نزحت", KH_EV_DISPLACEMENT);
}

static void test_false_positives(void)
{
	no_event_at("واستقبلت المستشفيات عشرات الجرحى.", "استقبل", "hospitals receive the wounded");
	no_event_at("استقبل المستشفى جثث الضحايا.", "استقبل", "a hospital receives bodies");
	is_type("استقبل الرئيس وزير الخارجية الروسي في القصر.", "استقبل", KH_EV_MEETING);
	no_event_at("وضبطت بحوزتهم أحزمة ناسفة وأسلحة.", "أحزمة ناسفة", "seized explosives");
	no_event_at("وعثر على عبوات ناسفة بحوزة المعتقلين.", "عبوات ناسفة", "explosives found");
	is_type("انفجرت عبوة ناسفة بسيارة عسكرية.", "انفجرت", KH_EV_EXPLOSION);
	no_event_at("استدعت الخارجية السفير للاحتجاج على تصريحاته.", "احتجاج", "a diplomatic protest");
	no_event_at("وسلمت الوزارة السفير مذكرة احتجاج.", "احتجاج", "a note of protest");
	is_type("خرج آلاف المحتجين في احتجاجات وسط العاصمة.", "احتجاجات", KH_EV_PROTEST);
	is_type("وقالت وزارة الداخلية إن احتجاجات اندلعت في ثلاث مدن.", "احتجاجات", KH_EV_PROTEST);
	no_event_at("وتتهم الحكومة الجماعة التي تستهدف المدنيين بالإرهاب.", "تستهدف", "a habit describing a group");
}

static void test_actor_rules(void)
{
	const struct ent_spec e1[] = { { "حماس", KH_ENT_ORG }, { NULL, 0 } };
	struct kh_doc *doc;
	const struct kh_event *v;

	has_event("وكانت الطائرات الإسرائيلية قد قصفت موقعا في غزة.", NULL, "قصفت", KH_EV_AIR_STRIKE, "الطائرات الإسرائيلية",
		  NULL);
	doc = run("وقالت الوزارة إن قواتها قصفت مواقع المسلحين.", NULL);
	v = event_of(doc, "قصفت");
	tap_ok(v != NULL && v->n_actors > 0 && (has_arg(doc, v->actors, v->n_actors, "قواتها") ||
						has_arg(doc, v->actors, v->n_actors, "الوزارة")),
	       "قالت X إن قواتها قصفت → X's forces");
	kh_doc_free(doc);
	has_event("وأسفر الهجوم الذي شنته حماس عن مقتل جنديين.", e1, "الهجوم", KH_EV_ATTACK, "حماس", NULL);
	has_event("وأعلنت حماس مسؤوليتها عن الهجوم.", e1, "الهجوم", KH_EV_ATTACK, "حماس", NULL);
	has_event("وقع التفجير الذي نفذته حماس قرب المعبر.", e1, "التفجير", KH_EV_EXPLOSION, "حماس", NULL);
	has_event("ندد الوزير بالهجوم الذي تبنته حماس أمس.", e1, "الهجوم", KH_EV_ATTACK, "حماس", NULL);
	has_event("قتل الصحفي على يد مسلحين مجهولين.", NULL, "قتل", KH_EV_ATTACK, "مسلحين", NULL);
	has_event("تعرضت القرية لقصف من قبل الجيش.", NULL, "قصف", KH_EV_SHELLING, "الجيش", NULL);
	const struct ent_spec e2[] = { { "إسرائيلية", KH_ENT_NORP }, { NULL, 0 } };

	has_event("قتل خمسة مدنيين في غارات إسرائيلية على القطاع.", e2, "غارات", KH_EV_AIR_STRIKE, "إسرائيلية", NULL);
}

int main(void)
{
	const char *dir = getenv("KHABAR_DATA_DIR");
	char *err = NULL;

	known = kh_lex_new();
	if (kh_event_res_load(dir != NULL ? dir : KH_SOURCE_DATA_DIR, NULL, known, &res, &err) < 0) {
		fprintf(stderr, "load: %s\n", err != NULL ? err : "?");
		return 1;
	}
	test_types();
	test_non_events();
	test_actors();
	test_more_rules();
	test_anaphora();
	test_locations();
	test_casualties();
	test_modality();
	test_attribution();
	test_loader();
	test_garbage();
	test_visits();
	test_missiles();
	test_displacement();
	test_false_positives();
	test_actor_rules();
	kh_event_res_free(res);
	kh_lex_free(known);
	return tap_done();
}
