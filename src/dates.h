/* SPDX-License-Identifier: MIT */
/**
 * @file dates.h
 * The dates stage: DATE mentions (أمس، 10 تموز، الأسبوع المقبل ...) found and
 * normalized to ISO 8601 with a precision, anchored on the published date.
 *
 * Values: "2017-08-03" (day), "2017-08" (month), "2017" (year), "2017-W31" (week).
 * Relative expressions get a value only when the document has a published date;
 * absolute ones (3 آب 2017، 2017/8/3) always do.  Vague ones (منذ أيام) are
 * mentions without a value.
 */
#ifndef KHABAR_DATES_H
#define KHABAR_DATES_H

struct kh_doc;
struct kh_lexicon;

/**
 * Add DATE entities and their mentions to @p doc.
 * @return 0, or -ENOMEM
 */
int kh_date_apply(struct kh_doc *doc);

/**
 * Add the date words (months, weekdays, أمس ...) to @p known, the segmenter's word list.
 * @return 0 or -ENOMEM
 */
int kh_date_add_known(struct kh_lexicon *known);

#endif
