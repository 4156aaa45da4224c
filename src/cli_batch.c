/* SPDX-License-Identifier: MIT */
/* khabar analyze over many inputs.
 *
 * The main thread lists the inputs (files found up front, so the progress bar has a
 * total; NDJSON lines read one at a time), fills a ring of `window` slots, writes the
 * finished slots in input order and draws the progress bar.  Worker threads take slots
 * in order, read/parse the input, analyse it with their own kh_analyzer, and leave the
 * output line in the slot (or, with --out, write the result file themselves).  At most
 * `window` inputs are in memory at any time.
 *
 * SIGINT/SIGTERM: the main thread stops filling, the workers stop taking, the slots
 * already taken are finished and written, the rest are dropped; exit 128+signal.  A
 * second signal exits at once (result files are renamed into place, so none is torn). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli_batch.h"
#include "docjob.h"
#include "http_reply.h"

enum slot_state {
	SLOT_FREE = 0,
	SLOT_QUEUED,
	SLOT_DONE,
};

enum slot_result {
	RES_OK = 0,
	RES_FAILED,
	RES_SKIPPED,
};

struct slot {
	enum slot_state state;
	size_t lineno;        /* NDJSON: 1-based line number; 0 for files */
	char *path;           /* file to read (files mode) */
	char *id;             /* files mode: the id (path relative to its input directory) */
	char *rel_out;        /* files mode: result file name relative to out_dir */
	char *line;           /* NDJSON mode: the request line */
	size_t line_len;
	char *out;            /* the line to write to the NDJSON output, or NULL */
	size_t out_len;
	enum slot_result result;
};

struct input {
	char *path;
	char *id;
	char *rel_out;
};

/* Lines from a file descriptor, read without blocking the main loop for long: it must
 * keep writing finished results while a slow producer sends the next line. */
struct line_reader {
	int fd;               /* -1 when not in use */
	char *buf;
	size_t start, end, cap;
	bool eof;
};

/* A set of strings (ids already done), open addressing. Read-only once the run starts. */
struct idset {
	char **keys;
	size_t cap, n;
};

struct batch {
	const struct kh_cli_batch_opts *o;
	struct kh_pipeline *p;
	pthread_mutex_t lock;
	pthread_cond_t work;  /* workers: a slot was queued, or stop */
	pthread_cond_t done;  /* main: a slot is done */
	struct slot *slots;
	size_t window;
	size_t next_fill, next_take, next_emit;
	bool no_more;         /* no input left to fill */
	bool stopping;        /* interrupted: take no more */
	int out_fd;           /* NDJSON output */
	bool out_error;
	/* inputs */
	struct input *inputs;
	size_t n_inputs, cap_inputs, next_input;
	struct line_reader in; /* NDJSON source */
	size_t lineno;
	struct idset done_ids;
	/* counts, under the lock */
	size_t n_ok, n_failed, n_skipped;
	/* progress */
	bool progress;
	double t0, last_draw;
};

static volatile sig_atomic_t batch_signal;

static void on_signal(int sig)
{
	if (batch_signal != 0)
		_exit(128 + sig);
	batch_signal = sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- id set ------------------------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static int idset_add(struct idset *set, const char *key)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		size_t ncap = set->cap == 0 ? 64 : set->cap * 2;
		char **nk = calloc(ncap, sizeof(*nk));

		if (nk == NULL)
			return -ENOMEM;
		for (size_t k = 0; k < set->cap; k++) {
			if (set->keys[k] == NULL)
				continue;
			i = hash_str(set->keys[k]) & (ncap - 1);
			while (nk[i] != NULL)
				i = (i + 1) & (ncap - 1);
			nk[i] = set->keys[k];
		}
		free(set->keys);
		set->keys = nk;
		set->cap = ncap;
	}
	i = hash_str(key) & (set->cap - 1);
	while (set->keys[i] != NULL) {
		if (strcmp(set->keys[i], key) == 0)
			return 0;
		i = (i + 1) & (set->cap - 1);
	}
	set->keys[i] = strdup(key);
	if (set->keys[i] == NULL)
		return -ENOMEM;
	set->n++;
	return 1;
}

static bool idset_has(const struct idset *set, const char *key)
{
	size_t i;

	if (set->n == 0)
		return false;
	i = hash_str(key) & (set->cap - 1);
	while (set->keys[i] != NULL) {
		if (strcmp(set->keys[i], key) == 0)
			return true;
		i = (i + 1) & (set->cap - 1);
	}
	return false;
}

static void idset_done(struct idset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->keys[i]);
	free(set->keys);
	set->keys = NULL;
	set->cap = 0;
	set->n = 0;
}

/* The journal key of an input: its id, or "#LINE" for an NDJSON line without one. */
static void input_key(const char *id, size_t lineno, char *buf, size_t len, const char **ret_key)
{
	if (id != NULL) {
		*ret_key = id;
		return;
	}
	snprintf(buf, len, "#%zu", lineno);
	*ret_key = buf;
}

/* ---- listing the inputs ------------------------------------------------------------------- */

/* "a/b.txt" -> "a/b.json"; "a/b" -> "a/b.json" */
static char *json_name(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	const char *dot = strrchr(rel, '.');
	size_t keep = strlen(rel);
	char *s;

	if (dot != NULL && (slash == NULL || dot > slash + 1))
		keep = (size_t)(dot - rel);
	s = malloc(keep + sizeof(".json"));
	if (s == NULL)
		return NULL;
	memcpy(s, rel, keep);
	memcpy(s + keep, ".json", sizeof(".json"));
	return s;
}

static int add_input(struct batch *b, const char *path, const char *id, const char *rel)
{
	struct input *in;

	if (b->n_inputs == b->cap_inputs) {
		size_t ncap = b->cap_inputs == 0 ? 256 : b->cap_inputs * 2;
		struct input *ni = realloc(b->inputs, ncap * sizeof(*ni));

		if (ni == NULL)
			return -ENOMEM;
		b->inputs = ni;
		b->cap_inputs = ncap;
	}
	in = &b->inputs[b->n_inputs];
	in->path = strdup(path);
	in->id = strdup(id);
	in->rel_out = json_name(rel);
	if (in->path == NULL || in->id == NULL || in->rel_out == NULL) {
		free(in->path);
		free(in->id);
		free(in->rel_out);
		return -ENOMEM;
	}
	b->n_inputs++;
	return 0;
}

/* Files under dir/rel matching the glob, depth first, names in byte order. Hidden entries
 * and symbolic links to directories are not followed. */
static int walk_dir(struct batch *b, const char *dir, const char *rel)
{
	struct dirent **names = NULL;
	char *path = NULL;
	int n, r = 0;

	if (asprintf(&path, "%s%s%s", dir, rel[0] != '\0' ? "/" : "", rel) < 0)
		return -ENOMEM;
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		r = -errno;
		fprintf(stderr, "khabar analyze: %s: %s\n", path, strerror(errno));
		free(path);
		return r;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *child_rel = NULL, *child = NULL;
		struct stat st;

		if (r < 0 || name[0] == '.')
			goto next;
		if (asprintf(&child_rel, "%s%s%s", rel, rel[0] != '\0' ? "/" : "", name) < 0 ||
		    asprintf(&child, "%s/%s", path, name) < 0) {
			r = -ENOMEM;
			goto next;
		}
		if (lstat(child, &st) < 0)
			goto next;
		if (S_ISDIR(st.st_mode)) {
			r = walk_dir(b, dir, child_rel);
		} else if ((S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && stat(child, &st) == 0 &&
						     S_ISREG(st.st_mode))) &&
			   fnmatch(b->o->glob, name, 0) == 0) {
			r = add_input(b, child, child_rel, child_rel);
		}
next:
		free(child_rel);
		free(child);
		free(names[i]);
	}
	free(names);
	free(path);
	return r;
}

static int list_inputs(struct batch *b)
{
	for (size_t i = 0; i < b->o->n_inputs; i++) {
		const char *arg = b->o->inputs[i];
		struct stat st;
		const char *base;
		int r;

		if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
			char *dir = strdup(arg);
			size_t len;

			if (dir == NULL)
				return -ENOMEM;
			len = strlen(dir);
			while (len > 1 && dir[len - 1] == '/')
				dir[--len] = '\0';
			r = walk_dir(b, dir, "");
			free(dir);
		} else {
			/* A file named on the command line: its id is the path as given, its
			 * result file is named after its base name. A missing one fails in turn. */
			base = strrchr(arg, '/');
			r = add_input(b, arg, arg, base != NULL ? base + 1 : arg);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- the resume journal ------------------------------------------------------------------- */

/* Read the ids of FILE's complete lines, cut a torn last line, open it for appending. */
static int open_journal(struct batch *b, const char *file)
{
	char *line = NULL;
	size_t cap = 0, good = 0;
	ssize_t len;
	FILE *f;
	int fd, r = 0;

	fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(dup(fd), "r");
	if (f == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		json_t *root, *id, *lineno;
		char buf[32];
		const char *key = NULL;

		if (line[len - 1] != '\n')
			break;
		good += (size_t)len;
		root = json_loadb(line, (size_t)len, 0, NULL);
		id = json_object_get(root, "id");
		lineno = json_object_get(root, "line");
		if (json_is_string(id)) {
			key = json_string_value(id);
		} else if (json_is_integer(id)) {
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
			key = buf;
		} else if (json_is_integer(lineno)) {
			snprintf(buf, sizeof(buf), "#%" JSON_INTEGER_FORMAT, json_integer_value(lineno));
			key = buf;
		}
		if (key != NULL && idset_add(&b->done_ids, key) < 0)
			r = -ENOMEM;
		json_decref(root);
		if (r < 0)
			break;
	}
	free(line);
	fclose(f);
	if (r == 0 && ftruncate(fd, (off_t)good) < 0)
		r = -errno;
	if (r == 0 && lseek(fd, 0, SEEK_END) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	b->out_fd = fd;
	return 0;
}

/* ---- NDJSON lines ------------------------------------------------------------------------ */

/* The next line (without its newline) as a malloc'd string.
 * @return 1 a line, 0 end of input, -EAGAIN nothing within the poll time, -EINTR a signal,
 *         -EFBIG a line over the limit (the rest of it is skipped), <0 other errors */
static int reader_next(struct line_reader *lr, int timeout_ms, char **ret_line, size_t *ret_len)
{
	for (;;) {
		char *nl = lr->end > lr->start ? memchr(lr->buf + lr->start, '\n', lr->end - lr->start) : NULL;
		struct pollfd pfd = { .fd = lr->fd, .events = POLLIN };
		size_t len;
		ssize_t got;
		char *line;
		int r;

		if (nl != NULL || (lr->eof && lr->end > lr->start)) {
			len = nl != NULL ? (size_t)(nl - (lr->buf + lr->start)) : lr->end - lr->start;
			line = malloc(len + 1);
			if (line == NULL)
				return -ENOMEM;
			memcpy(line, lr->buf + lr->start, len);
			line[len] = '\0';
			lr->start += len + (nl != NULL ? 1 : 0);
			*ret_line = line;
			*ret_len = len;
			return 1;
		}
		if (lr->eof)
			return 0;
		if (lr->start > 0) {
			memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
			lr->end -= lr->start;
			lr->start = 0;
		}
		if (lr->end == lr->cap) {
			size_t ncap = lr->cap == 0 ? 64 * 1024 : lr->cap * 2;
			char *nb;

			if (ncap > 2 * (size_t)KH_CLI_BATCH_MAX_INPUT + 64 * 1024)
				return -EFBIG;
			nb = realloc(lr->buf, ncap);
			if (nb == NULL)
				return -ENOMEM;
			lr->buf = nb;
			lr->cap = ncap;
		}
		r = poll(&pfd, 1, timeout_ms);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EAGAIN;
		got = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
		if (got < 0)
			return -errno;
		if (got == 0)
			lr->eof = true;
		lr->end += (size_t)got;
	}
}

/* ---- output ------------------------------------------------------------------------------- */

static int write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

static int mkdir_parents(char *path)
{
	for (char *s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			int r = -errno;

			*s = '/';
			return r;
		}
		*s = '/';
	}
	return 0;
}

/* Write path atomically: a unique temporary name next to it, then rename. */
static int write_file_atomic(char *path, const char *data, size_t len)
{
	char *tmp = NULL;
	int fd, r;

	r = mkdir_parents(path);
	if (r < 0)
		return r;
	if (asprintf(&tmp, "%s.%ld.%lx.tmp", path, (long)getpid(), (unsigned long)pthread_self()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
out:
	free(tmp);
	return r;
}

/* {"id":...,["line":N,]"error":{"code":...,"message":...}}\n */
static char *error_line(const char *id, size_t lineno, const char *code, const char *message, size_t *ret_len)
{
	struct kh_buf b = { 0 };

	kh_buf_puts(&b, "{");
	kh_buf_json_str(&b, "id", id);
	if (lineno > 0)
		kh_buf_printf(&b, ",\"line\":%zu", lineno);
	kh_buf_puts(&b, ",\"error\":{");
	kh_buf_json_str(&b, "code", code);
	kh_buf_json_str(&b, "message", message);
	kh_buf_puts(&b, "}}\n");
	return kh_buf_steal(&b, ret_len);
}

static void set_error(struct slot *s, const char *id, const char *code, const char *message)
{
	s->out = error_line(id, s->lineno, code, message, &s->out_len);
	s->result = RES_FAILED;
}

static void set_err(struct slot *s, const char *id, enum kh_err e, const char *detail)
{
	const struct kh_err_info *info = kh_err_get(e);

	set_error(s, id, info->code, detail != NULL && detail[0] != '\0' ? detail : info->message);
}

/* ---- one input ---------------------------------------------------------------------------- */

static int read_file(const char *path, char **ret_buf, size_t *ret_len)
{
	size_t cap = 64 * 1024, len = 0;
	struct stat st;
	char *buf;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	if (cap > KH_CLI_BATCH_MAX_INPUT + 1) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t got;

		if (len == cap) {
			char *nb;

			if (cap > KH_CLI_BATCH_MAX_INPUT) {
				r = -EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (r == 0 && len > KH_CLI_BATCH_MAX_INPUT)
		r = -EFBIG;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* "a/b c" -> "a_b_c": an NDJSON id as a file name (bytes >= 0x80 kept, so Arabic ids stay). */
static char *id_file_name(const char *id, size_t lineno)
{
	char *s = NULL;

	if (id == NULL || id[0] == '\0') {
		if (asprintf(&s, "line-%zu.json", lineno) < 0)
			return NULL;
		return s;
	}
	if (asprintf(&s, "%s.json", id) < 0)
		return NULL;
	for (char *c = s; *c != '\0' && strcmp(c, ".json") != 0; c++) {
		unsigned char u = (unsigned char)*c;
		bool ok = u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
			  u == '-' || u == '_' || (u == '.' && c != s);

		if (!ok)
			*c = '_';
	}
	return s;
}

static void run_one(struct batch *b, struct kh_analyzer *a, struct slot *s)
{
	const struct kh_cli_batch_opts *o = b->o;
	struct kh_docjob *j = kh_docjob_new(NULL, NULL, NULL);
	struct kh_request req = { 0 };
	struct kh_doc *doc = NULL;
	char detail[256] = "", keybuf[32];
	char *out_path = NULL, *json = NULL;
	const char *key;
	size_t bad = 0, jlen = 0;
	int r;

	s->result = RES_OK;
	if (j == NULL) {
		set_err(s, s->id, KH_ERR_OUT_OF_MEMORY, NULL);
		return;
	}
	if (o->ndjson) {
		enum kh_err e = kh_docjob_parse_json(j, s->line, s->line_len, KH_CLI_BATCH_MAX_DEPTH,
						     KH_CLI_BATCH_MAX_INPUT, detail, sizeof(detail));

		if (e != KH_ERR__MAX) {
			set_err(s, j->id, e, detail);
			goto out;
		}
	} else {
		j->id = s->id;
	}
	input_key(j->id, s->lineno, keybuf, sizeof(keybuf), &key);
	if (idset_has(&b->done_ids, key)) {
		s->result = RES_SKIPPED;
		goto out;
	}
	if (o->out_dir != NULL) {
		char *name = o->ndjson ? id_file_name(j->id, s->lineno) : NULL;

		if (asprintf(&out_path, "%s/%s", o->out_dir, o->ndjson ? name : s->rel_out) < 0)
			out_path = NULL;
		free(name);
		if (out_path == NULL) {
			set_err(s, j->id, KH_ERR_OUT_OF_MEMORY, NULL);
			goto out;
		}
		if (!o->force && access(out_path, F_OK) == 0) {
			s->result = RES_SKIPPED;
			goto out;
		}
	}
	if (!o->ndjson) {
		r = read_file(s->path, &j->text_buf, &j->text_len);
		if (r == -EFBIG) {
			set_err(s, j->id, KH_ERR_TEXT_TOO_LARGE, NULL);
			goto out;
		}
		if (r < 0) {
			snprintf(detail, sizeof(detail), "cannot read %s: %s", s->path, strerror(-r));
			set_error(s, j->id, "unreadable_input", detail);
			goto out;
		}
		j->text = j->text_buf;
	}
	if (a == NULL) {
		set_error(s, j->id, "internal_error", "cannot open ICU");
		goto out;
	}
	req.text = j->text;
	req.text_len = j->text_len;
	req.id = j->id;
	req.published = j->published != NULL ? j->published : o->published;
	req.lang = j->lang;
	r = kh_analyze(a, b->p, &req, &doc, &bad);
	if (r != KH_OK) {
		j->status = r;
		j->bad_offset = bad;
		set_err(s, j->id, kh_docjob_error(j, detail, sizeof(detail)), detail);
		goto out;
	}
	json = kh_doc_to_json(doc, o->unit, &jlen);
	if (json == NULL) {
		set_err(s, j->id, KH_ERR_OUT_OF_MEMORY, NULL);
		goto out;
	}
	if (out_path != NULL) {
		char *nl = realloc(json, jlen + 1);

		if (nl == NULL) {
			set_err(s, j->id, KH_ERR_OUT_OF_MEMORY, NULL);
			goto out;
		}
		json = nl;
		json[jlen] = '\n';
		r = write_file_atomic(out_path, json, jlen + 1);
		if (r < 0) {
			snprintf(detail, sizeof(detail), "cannot write %s: %s", out_path, strerror(-r));
			set_error(s, j->id, "write_failed", detail);
		}
	} else if (s->lineno > 0) {
		/* NDJSON in: the line number first, as POST /v1/analyze/batch does. */
		struct kh_buf ob = { 0 };

		kh_buf_printf(&ob, "{\"line\":%zu,", s->lineno);
		kh_buf_add(&ob, json + 1, jlen - 1);
		kh_buf_add(&ob, "\n", 1);
		s->out = kh_buf_steal(&ob, &s->out_len);
		if (s->out == NULL)
			set_err(s, j->id, KH_ERR_OUT_OF_MEMORY, NULL);
	} else {
		char *nl = realloc(json, jlen + 1);

		if (nl == NULL) {
			set_err(s, j->id, KH_ERR_OUT_OF_MEMORY, NULL);
			goto out;
		}
		nl[jlen] = '\n';
		s->out = nl;
		s->out_len = jlen + 1;
		json = NULL;
	}
out:
	free(json);
	free(out_path);
	kh_doc_free(doc);
	if (!o->ndjson)
		j->id = NULL;
	kh_job_unref(&j->base);
}

static void slot_clear(struct slot *s)
{
	free(s->path);
	free(s->id);
	free(s->rel_out);
	free(s->line);
	free(s->out);
	memset(s, 0, sizeof(*s));
}

static void *worker_main(void *arg)
{
	struct batch *b = arg;
	struct kh_analyzer *a = kh_analyzer_new();

	pthread_mutex_lock(&b->lock);
	for (;;) {
		struct slot *s;

		while (b->next_take == b->next_fill && !b->no_more && !b->stopping)
			pthread_cond_wait(&b->work, &b->lock);
		if (b->stopping || b->next_take == b->next_fill)
			break;
		s = &b->slots[b->next_take % b->window];
		b->next_take++;
		pthread_mutex_unlock(&b->lock);
		run_one(b, a, s);
		pthread_mutex_lock(&b->lock);
		s->state = SLOT_DONE;
		pthread_cond_signal(&b->done);
	}
	pthread_mutex_unlock(&b->lock);
	kh_analyzer_free(a);
	return NULL;
}

/* ---- the main loop ------------------------------------------------------------------------ */

/* Fill slot s with the next input. Called without the lock (only the main thread fills).
 * @return 1 filled, 0 no more input, -EAGAIN not yet (NDJSON), <0 error */
static int produce(struct batch *b, struct slot *s)
{
	if (!b->o->ndjson) {
		struct input *in;

		if (b->next_input == b->n_inputs)
			return 0;
		in = &b->inputs[b->next_input++];
		s->path = in->path;
		s->id = in->id;
		s->rel_out = in->rel_out;
		memset(in, 0, sizeof(*in));
		return 1;
	}
	for (;;) {
		size_t len = 0;
		int r = reader_next(&b->in, 50, &s->line, &len);

		if (r == -EFBIG) {
			fputs("khabar analyze: an NDJSON line is longer than the limit; stopping there\n", stderr);
			return 0;
		}
		if (r <= 0)
			return r;
		b->lineno++;
		while (len > 0 && s->line[len - 1] == '\r')
			len--;
		/* Blank lines are not inputs (as in the HTTP batch). */
		if (strspn(s->line, " \t\r") >= len) {
			free(s->line);
			s->line = NULL;
			continue;
		}
		s->line_len = len;
		s->lineno = b->lineno;
		return 1;
	}
}

static void fmt_eta(char *buf, size_t len, double s)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* Under the lock. */
static void draw_progress(struct batch *b, bool force)
{
	double t = now_s(), el = t - b->t0;
	size_t done = b->n_ok + b->n_failed + b->n_skipped, worked = b->n_ok + b->n_failed;
	double rate = el > 0 ? (double)worked / el : 0;
	char eta[32] = "?";

	if (!b->progress || (!force && t - b->last_draw < 0.2))
		return;
	b->last_draw = t;
	if (!b->o->ndjson) {
		size_t total = b->n_inputs, left = total - done;
		int width = 30, fill = total > 0 ? (int)((double)done * width / (double)total) : width;

		if (rate > 0)
			fmt_eta(eta, sizeof(eta), (double)left / rate);
		fprintf(stderr, "\r\033[K[%.*s%*s] %zu/%zu %5.1f%%  %.1f articles/s  %s left", fill,
			"##############################", width - fill, "", done, total,
			total > 0 ? 100.0 * (double)done / (double)total : 100.0, rate, eta);
	} else {
		fprintf(stderr, "\r\033[K%zu done  %.1f articles/s", done, rate);
	}
	fflush(stderr);
}

/* Under the lock: write the finished slots at the head of the window, in order. */
static void emit_ready(struct batch *b)
{
	while (b->next_emit < b->next_take) {
		struct slot *s = &b->slots[b->next_emit % b->window];

		if (s->state != SLOT_DONE)
			break;
		if (s->out != NULL && !b->out_error && write_all(b->out_fd, s->out, s->out_len) < 0) {
			fprintf(stderr, "\nkhabar analyze: cannot write the output: %s\n", strerror(errno));
			b->out_error = true;
		}
		if (s->result == RES_OK)
			b->n_ok++;
		else if (s->result == RES_FAILED)
			b->n_failed++;
		else
			b->n_skipped++;
		slot_clear(s);
		b->next_emit++;
	}
}

static void main_loop(struct batch *b)
{
	pthread_mutex_lock(&b->lock);
	for (;;) {
		emit_ready(b);
		if (batch_signal != 0 && !b->stopping) {
			b->stopping = true;
			pthread_cond_broadcast(&b->work);
		}
		if (b->stopping || b->out_error) {
			b->stopping = true;
			pthread_cond_broadcast(&b->work);
			if (b->next_emit == b->next_take)
				break;
		} else if (b->no_more && b->next_emit == b->next_fill) {
			break;
		}
		if (!b->stopping && !b->no_more && b->next_fill - b->next_emit < b->window) {
			struct slot *s = &b->slots[b->next_fill % b->window];
			int r;

			pthread_mutex_unlock(&b->lock);
			r = produce(b, s);
			pthread_mutex_lock(&b->lock);
			if (r > 0) {
				s->state = SLOT_QUEUED;
				b->next_fill++;
				pthread_cond_signal(&b->work);
			} else if (r == -EAGAIN || r == -EINTR) {
				/* Nothing yet: write what is finished, look at the signal flag, retry. */
			} else {
				if (r < 0)
					fprintf(stderr, "khabar analyze: cannot read the input: %s\n", strerror(-r));
				b->no_more = true;
				pthread_cond_broadcast(&b->work);
			}
		} else {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&b->done, &b->lock, &ts);
		}
		draw_progress(b, false);
	}
	/* Dropped: filled but never taken. */
	for (size_t i = b->next_take; i < b->next_fill; i++)
		slot_clear(&b->slots[i % b->window]);
	draw_progress(b, true);
	pthread_mutex_unlock(&b->lock);
}

static unsigned cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

int kh_cli_batch_run(const struct kh_cli_batch_opts *o)
{
	struct kh_pipeline_options po = { .data_dir = o->data_dir, .extra_lexicons = o->lexicons };
	struct batch b = { .o = o, .out_fd = STDOUT_FILENO, .in = { .fd = -1 } };
	struct sigaction sa = { 0 }, old_int, old_term;
	pthread_t threads[KH_CLI_BATCH_MAX_JOBS];
	sigset_t block, old_mask;
	unsigned jobs = o->jobs != 0 ? o->jobs : cpu_count(), started = 0;
	char *err = NULL;
	double el;
	int r, rc = 2;

	if (jobs > KH_CLI_BATCH_MAX_JOBS)
		jobs = KH_CLI_BATCH_MAX_JOBS;
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.work, NULL);
	pthread_cond_init(&b.done, NULL);
	b.window = (size_t)jobs * KH_CLI_BATCH_WINDOW_PER_JOB;
	b.slots = calloc(b.window, sizeof(*b.slots));
	if (b.slots == NULL) {
		fputs("khabar analyze: out of memory\n", stderr);
		goto out;
	}
	if (o->ndjson) {
		const char *src = o->n_inputs > 0 ? o->inputs[0] : "-";

		b.in.fd = strcmp(src, "-") == 0 ? STDIN_FILENO : open(src, O_RDONLY | O_CLOEXEC);
		if (b.in.fd < 0) {
			fprintf(stderr, "khabar analyze: %s: %s\n", src, strerror(errno));
			goto out;
		}
	} else {
		r = list_inputs(&b);
		if (r < 0) {
			fprintf(stderr, "khabar analyze: cannot list the inputs: %s\n", strerror(-r));
			goto out;
		}
	}
	if (o->resume != NULL) {
		r = open_journal(&b, o->resume);
		if (r < 0) {
			fprintf(stderr, "khabar analyze: %s: %s\n", o->resume, strerror(-r));
			goto out;
		}
	}
	if (o->out_dir != NULL && mkdir(o->out_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "khabar analyze: %s: %s\n", o->out_dir, strerror(errno));
		goto out;
	}
	b.p = kh_pipeline_new(&po, &err);
	if (b.p == NULL) {
		fprintf(stderr, "khabar analyze: %s\n", err != NULL ? err : "cannot load lexicons");
		goto out;
	}
	b.progress = o->progress > 0 || (o->progress < 0 && isatty(STDERR_FILENO));

	/* Signals go to the main thread only: the workers start with them blocked. */
	batch_signal = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	for (; started < jobs; started++) {
		if (pthread_create(&threads[started], NULL, worker_main, &b) != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	b.t0 = now_s();
	if (started == 0) {
		fputs("khabar analyze: cannot start threads\n", stderr);
	} else {
		main_loop(&b);
	}
	pthread_mutex_lock(&b.lock);
	b.stopping = true;
	pthread_cond_broadcast(&b.work);
	pthread_mutex_unlock(&b.lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	el = now_s() - b.t0;
	if (b.progress)
		fputs("\r\033[K", stderr);
	if (!o->quiet) {
		fprintf(stderr, "khabar analyze: %zu done, %zu failed, %zu skipped, %.2f s, %.1f articles/s\n", b.n_ok,
			b.n_failed, b.n_skipped, el, el > 0 ? (double)(b.n_ok + b.n_failed) / el : 0.0);
		if (batch_signal != 0)
			fprintf(stderr, "khabar analyze: interrupted (%s); run the same command again to "
					"continue where it stopped\n",
				strsignal(batch_signal));
	}
	if (started == 0 || b.out_error)
		rc = 2;
	else if (batch_signal != 0)
		rc = 128 + batch_signal;
	else
		rc = b.n_failed > 0 ? 1 : 0;
out:
	if (b.in.fd > STDIN_FILENO)
		close(b.in.fd);
	free(b.in.buf);
	if (b.out_fd != STDOUT_FILENO)
		close(b.out_fd);
	if (b.slots != NULL) {
		for (size_t i = 0; i < b.window; i++)
			slot_clear(&b.slots[i]);
	}
	free(b.slots);
	for (size_t i = 0; i < b.n_inputs; i++) {
		free(b.inputs[i].path);
		free(b.inputs[i].id);
		free(b.inputs[i].rel_out);
	}
	free(b.inputs);
	idset_done(&b.done_ids);
	kh_pipeline_unref(b.p);
	free(err);
	pthread_cond_destroy(&b.done);
	pthread_cond_destroy(&b.work);
	pthread_mutex_destroy(&b.lock);
	return rc;
}
