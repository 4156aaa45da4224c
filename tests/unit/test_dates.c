/* SPDX-License-Identifier: MIT */
/* The dates stage: DATE mentions and their ISO 8601 values, anchored on the published date. */
#include <stdio.h>
#include <string.h>

#include "evdoc.h"
#include "tap.h"

/* Run the dates stage on text published y-m-d; check the first DATE mention. */
static void is_date(const char *text, int y, int m, int d, const char *want_text, const char *want_value,
		    const char *want_prec)
{
	struct kh_doc *doc = evdoc_new(text, y, m, d, NULL);
	const struct kh_entity *e = NULL;
	const char *got_text = NULL;

	if (kh_date_apply(doc) == 0 && doc->entities.n > 0) {
		e = &doc->entities.items[0];
		got_text = evdoc_text(doc, (struct kh_span){ doc->mentions.items[e->first_mention].start,
							    doc->mentions.items[e->first_mention].end });
	}
	tap_is_str(got_text, want_text, "mention in: %s", text);
	tap_is_str(e != NULL ? e->value : NULL, want_value, "value of %s", want_text);
	if (want_prec != NULL)
		tap_is_str(e != NULL ? e->precision : NULL, want_prec, "precision of %s", want_text);
	tap_ok(e == NULL || e->type == KH_ENT_DATE, "typed DATE");
	kh_doc_free(doc);
}

static void test_relative_days(void)
{
	/* 2017-08-03 is a Thursday */
	is_date("وقال الوزير أمس إن المحادثات مستمرة.", 2017, 8, 3, "أمس", "2017-08-02", "day");
	is_date("وصل الوفد اليوم إلى العاصمة.", 2017, 8, 3, "اليوم", "2017-08-03", "day");
	is_date("يبدأ الوزير غداً جولة في المنطقة.", 2017, 8, 3, "غدا", "2017-08-04", "day");
	is_date("وصل الوفد أول أمس إلى بغداد.", 2017, 8, 3, "أول أمس", "2017-08-01", "day");
	is_date("قتل جندي أول من أمس في الهجوم.", 2017, 8, 3, "أول من أمس", "2017-08-01", "day");
	is_date("تعقد الجلسة بعد غد في جنيف.", 2017, 8, 3, "بعد غد", "2017-08-05", "day");
	is_date("وقعت الاشتباكات يوم أمس قرب الحدود.", 2017, 8, 3, "يوم أمس", "2017-08-02", "day");
	is_date("وقعت الاشتباكات مساء أمس قرب الحدود.", 2017, 8, 3, "مساء أمس", "2017-08-02", "day");
}

static void test_weekdays(void)
{
	is_date("التقى الرئيسان الاثنين الماضي في القاهرة.", 2017, 8, 3, "الاثنين الماضي", "2017-07-31", "day");
	is_date("تعقد القمة الأحد المقبل في الرياض.", 2017, 8, 3, "الأحد المقبل", "2017-08-06", "day");
	is_date("وقع الانفجار يوم الثلاثاء في السوق.", 2017, 8, 3, "يوم الثلاثاء", "2017-08-01", "day");
	is_date("قتل ثلاثة أشخاص مساء الأربعاء في حلب.", 2017, 8, 3, "مساء الأربعاء", "2017-08-02", "day");
	is_date("سقط خمسة قتلى أول أمس الاثنين بقصف مدفعي.", 2017, 8, 3, "أول أمس الاثنين", "2017-08-01",
		"day");
	is_date("وقال الجانبان الاثنين إنهما اتفقا على الهدنة.", 2017, 8, 3, NULL, NULL, NULL);
}

static void test_months(void)
{
	is_date("قصفت المدفعية في 10 تموز قرى في الريف.", 2017, 8, 3, "10 تموز", "2017-07-10", "day");
	is_date("اشتبك الطرفان في 27 نيسان الماضي قرب المدينة.", 2017, 8, 3, "27 نيسان الماضي", "2017-04-27",
		"day");
	is_date("أعلنت الوزارة في أيار الماضي عن دعمها.", 2017, 8, 3, "أيار الماضي", "2017-05", "month");
	is_date("أعلنت الوزارة في أيلول الماضي عن دعمها.", 2017, 8, 3, "أيلول الماضي", "2016-09", "month");
	is_date("تجرى الانتخابات في أكتوبر (تشرين الأول) المقبل.", 2017, 8, 3, "أكتوبر (تشرين الأول) المقبل",
		"2017-10", "month");
	is_date("تجرى الانتخابات في شباط المقبل.", 2017, 8, 3, "شباط المقبل", "2018-02", "month");
	is_date("قال المسؤول مطلع تموز الماضي إن الوضع هادئ.", 2017, 8, 3, "مطلع تموز الماضي", "2017-07",
		"month");
	is_date("وقع الهجوم في 3 آب 2015 على الحاجز.", 2017, 8, 3, "3 آب 2015", "2015-08-03", "day");
	is_date("وقع الهجوم في 3 أغسطس (آب) العام الماضي.", 2017, 8, 3, "3 أغسطس (آب) العام الماضي",
		"2016-08-03", "day");
	is_date("شنت الطائرات غارات خلال شهر تموز على المدينة.", 2017, 8, 3, "شهر تموز", "2017-07", "month");
	is_date("وقع الاتفاق في 15 كانون الثاني 2016.", 2017, 8, 3, "15 كانون الثاني 2016", "2016-01-15", "day");
	is_date("وقع الاتفاق في 5 يناير 2016.", 2017, 8, 3, "5 يناير 2016", "2016-01-05", "day");
	is_date("وصل إلى يوليو الماضي.", 2017, 8, 3, "يوليو الماضي", "2017-07", "month");
	is_date("قال إن أباه مات.", 2017, 8, 3, NULL, NULL, NULL);
}

static void test_periods(void)
{
	is_date("يعقد اجتماع الأسبوع المقبل في طهران.", 2017, 8, 3, "الأسبوع المقبل", "2017-W32", "week");
	is_date("وقع الهجوم الأسبوع الماضي قرب الحدود.", 2017, 8, 3, "الأسبوع الماضي", "2017-W30", "week");
	is_date("ارتفعت الأسعار الشهر الماضي بنسبة كبيرة.", 2017, 1, 10, "الشهر الماضي", "2016-12", "month");
	is_date("بدأت الحرب العام الماضي في الجنوب.", 2017, 8, 3, "العام الماضي", "2016", "year");
	is_date("اجتاح المسلحون البلدة في صيف 2014 بعد معارك.", 2017, 8, 3, "صيف 2014", "2014", "year");
	is_date("نزح الآلاف منذ مطلع عام 2014 من المدينة.", 2017, 8, 3, "مطلع عام 2014", "2014", "year");
	is_date("اندلع القتال قبل يومين في البلدة.", 2017, 8, 3, "قبل يومين", "2017-08-01", "day");
	is_date("قتل قبل عام في الهجوم.", 2017, 8, 3, "قبل عام", "2016", "year");
	is_date("بدأ الهجوم منذ ثلاثة أيام على البلدة.", 2017, 8, 3, "منذ ثلاثة أيام", NULL, NULL);
	is_date("ارتكب التحالف منذ أيام مجزرة في المدينة.", 2017, 8, 3, "منذ أيام", NULL, NULL);
	is_date("تصاعدت الهجمات خلال السنوات القليلة الماضية في الضفة.", 2017, 8, 3, "السنوات القليلة الماضية",
		NULL, NULL);
}

static void test_absolute_and_unanchored(void)
{
	is_date("صدر القرار بتاريخ 2017/8/3 عن المحكمة.", 0, 0, 0, "2017/8/3", "2017-08-03", "day");
	is_date("صدر القرار بتاريخ 3/8/2017 عن المحكمة.", 0, 0, 0, "3/8/2017", "2017-08-03", "day");
	is_date("وقع الاتفاق في 3 آب 2017 في موسكو.", 0, 0, 0, "3 آب 2017", "2017-08-03", "day");
	/* relative: a mention without a value when the published date is unknown */
	is_date("وقال الوزير أمس إن المحادثات مستمرة.", 0, 0, 0, "أمس", NULL, NULL);
	is_date("قصفت المدفعية في 10 تموز قرى في الريف.", 0, 0, 0, "10 تموز", NULL, NULL);
	is_date("بلغ العدد 31 شباط 2017.", 2017, 8, 3, "شباط 2017", "2017-02", "month");
}

static void test_year_boundaries(void)
{
	is_date("وقع الهجوم في 28 كانون الأول الماضي.", 2017, 1, 5, "28 كانون الأول الماضي", "2016-12-28", "day");
	is_date("تعقد القمة في 3 كانون الثاني المقبل.", 2016, 12, 20, "3 كانون الثاني المقبل", "2017-01-03",
		"day");
	is_date("تعقد القمة الأسبوع المقبل.", 2015, 12, 30, "الأسبوع المقبل", "2016-W01", "week");
	is_date("وقال الوزير أمس إن المحادثات مستمرة.", 2016, 3, 1, "أمس", "2016-02-29", "day");
}

/* The calendar edges: every expression, published on the first and the last day the API takes. */
static void test_extremes(void)
{
	const char *text = "أمس وأول أمس وغدا وبعد غد والاثنين الماضي والأحد المقبل والأسبوع المقبل والشهر الماضي "
			   "والعام المقبل و10 كانون الثاني الماضي و31 كانون الأول المقبل وقبل 10000 عام وقبل "
			   "9999 شهر وقبل 5 أسابيع وهذا العام وتموز المقبل.";
	const int pubs[][3] = { { 1, 1, 1 }, { 9999, 12, 31 }, { 2000, 2, 29 } };

	for (size_t i = 0; i < sizeof(pubs) / sizeof(pubs[0]); i++) {
		struct kh_doc *doc = evdoc_new(text, pubs[i][0], pubs[i][1], pubs[i][2], NULL);
		bool ok = kh_date_apply(doc) == 0;

		for (uint32_t e = 0; ok && e < doc->entities.n; e++) {
			const char *v = doc->entities.items[e].value;

			ok = v == NULL || (strlen(v) >= 4 && strlen(v) <= 10);
		}
		tap_ok(ok && doc->entities.n >= 10, "edge date %04d-%02d-%02d: %u mentions, sane values", pubs[i][0],
		       pubs[i][1], pubs[i][2], doc->entities.n);
		kh_doc_free(doc);
	}
}

int main(void)
{
	test_extremes();
	test_relative_days();
	test_weekdays();
	test_months();
	test_periods();
	test_absolute_and_unanchored();
	test_year_boundaries();
	return tap_done();
}
