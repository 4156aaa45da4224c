/* SPDX-License-Identifier: MIT */
/* The key filter: every key a lexicon makes of a line is in the filter, so a clear bit
 * may answer a look-up (the stages rely on that for byte-identical output).  Filled from the
 * loaded lexicon itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyfilt.h"
#include "lexicon.h"
#include "tap.h"

/* 0 when the key is in the filter @p ud. */
static int check_key(const char *key, size_t len, void *ud)
{
	const struct kh_keyfilt *f = ud;

	return kh_kf_has(f, key, len) ? 0 : 1;
}

static int count_key(const char *key, size_t len, void *ud)
{
	(void)key;
	(void)len;
	(*(size_t *)ud)++;
	return 0;
}

static void test_lexicon(void)
{
	static struct kh_keyfilt f;
	const char *v = "أكثر من|ما لا يقل عن|نحوَ|قرابة";
	struct kh_lexicon *lx = kh_lex_new();
	size_t n = 0, keys = 0;

	tap_ok(kh_lex_add(lx, v, NULL, 0, "test", 1) == 0, "variants in a lexicon");
	kh_kf_add_lexicon(&f, lx);
	tap_is_int(kh_lex_each_key(lx, count_key, &keys), 0, "the lexicon's keys enumerated");
	/* اكثر, اكثر من, ما, ما لا, ما لا يقل, ما لا يقل عن, نحو, قرابه */
	tap_is_int((long long)keys, 8, "full keys and their word prefixes, each once");
	tap_is_int(kh_lex_each_key(lx, check_key, &f), 0, "each key of the lexicon is in the filter");
	tap_ok(kh_lex_get(lx, "اكثر من") != NULL && kh_kf_has_str(&f, "اكثر من"), "a full key");
	tap_ok(kh_lex_has_prefix(lx, "ما لا") && kh_kf_has_str(&f, "ما لا"), "a word prefix");
	tap_ok(kh_kf_has_str(&f, "ما"), "a first word alone");
	tap_ok(kh_lex_get(lx, "نحو") != NULL && kh_kf_has_str(&f, "نحو"), "a key folded without its mark");
	for (const char *w = "في|من|على|الذي|قال|اعلن|مدينه|حكومه|وزير|جيش"; *w != '\0';) {
		size_t l = strcspn(w, "|");

		n += kh_kf_has(&f, w, l) ? 1 : 0;
		w += l + (w[l] == '|');
	}
	tap_ok(n <= 1, "other words are mostly not in the filter (%zu of 10)", n);
	kh_lex_free(lx);
}

static void test_file(void)
{
	static struct kh_keyfilt f;
	char path[] = "/tmp/khabar-kf-XXXXXX";
	const char *text = "# comment\n\nقال|صرح\tverb\tx\r\nأفاد\tverb\t\n";
	int fd = mkstemp(path);
	struct kh_lexicon *lx = kh_lex_new();
	char *err = NULL;

	tap_ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "temp file written");
	if (fd >= 0)
		close(fd);
	tap_is_int(kh_lex_load(lx, path, 2, 2, &err), 2, "file loaded");
	kh_kf_add_lexicon(&f, lx);
	tap_ok(kh_kf_has_str(&f, "قال") && kh_kf_has_str(&f, "صرح") && kh_kf_has_str(&f, "افاد"),
	       "first-column variants are in the filter");
	tap_ok(!kh_kf_has_str(&f, "verb") && !kh_kf_has_str(&f, "x"), "other columns are not keys");
	free(err);
	kh_lex_free(lx);
	unlink(path);
}

int main(void)
{
	test_lexicon();
	test_file();
	return tap_done();
}
