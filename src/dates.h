/* SPDX-License-Identifier: MIT */
/**
 * @file dates.h
 * The dates stage: DATE mentions (أمس، 10 تموز، الأسبوع المقبل ...) found and
 * normalized to ISO 8601 with a precision, anchored on the published date.
 */
#ifndef KHABAR_DATES_H
#define KHABAR_DATES_H

struct kh_doc;

/**
 * Add DATE entities and their mentions to @p doc.
 * @return 0, or -ENOMEM
 */
int kh_date_apply(struct kh_doc *doc);

#endif
