/* SPDX-License-Identifier: MIT */
/**
 * @file http_media.h
 * Content-Type parsing for request bodies.
 */
#ifndef KHABAR_HTTP_MEDIA_H
#define KHABAR_HTTP_MEDIA_H


enum kh_media {
	KH_MEDIA_NONE = 0,  /**< no Content-Type */
	KH_MEDIA_JSON,      /**< application/json (charset, if any, UTF-8) */
	KH_MEDIA_TEXT,      /**< text/plain (charset, if any, UTF-8) */
	KH_MEDIA_NDJSON,    /**< application/x-ndjson or application/jsonl */
	KH_MEDIA_OTHER,     /**< anything else, or a charset other than UTF-8 */
};

/** Classify a Content-Type header value (NULL allowed). */
enum kh_media kh_media_parse(const char *content_type);

#endif
