/* SPDX-License-Identifier: MIT */
#include "jobq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "khabar/khabar.h"

struct kh_worker {
	struct kh_jobq *q;
	struct kh_analyzer *analyzer;
	pthread_t thread;
	bool started;
};

struct kh_jobq {
	pthread_mutex_t lock;
	pthread_cond_t work;  /* a job is waiting, or stopping */
	pthread_cond_t timer; /* the earliest deadline changed, or stopping */
	pthread_cond_t ready; /* a worker finished starting */
	unsigned capacity;
	unsigned queued, reserved;
	atomic_uint inflight;
	bool stopping;
	bool closed; /* no new jobs: reserve fails, push expires at once */
	unsigned n_workers, n_ready, n_failed;
	struct kh_job *q_head, *q_tail; /* waiting, FIFO */
	struct kh_job *d_head, *d_tail; /* outstanding, by deadline */
	struct kh_worker *workers;
	pthread_t timer_thread;
	bool timer_started;
};

uint64_t kh_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void kh_job_init(struct kh_job *job, const struct kh_job_ops *ops)
{
	job->ops = ops;
	atomic_init(&job->state, KH_JOB_NEW);
	atomic_init(&job->refs, 1);
	job->cancel = 0;
	job->q_prev = job->q_next = job->d_prev = job->d_next = NULL;
}

struct kh_job *kh_job_ref(struct kh_job *job)
{
	atomic_fetch_add(&job->refs, 1);
	return job;
}

struct kh_job *kh_job_unref(struct kh_job *job)
{
	if (job != NULL && atomic_fetch_sub(&job->refs, 1) == 1)
		job->ops->free(job);
	return NULL;
}

enum kh_job_state kh_job_get_state(struct kh_job *job)
{
	return (enum kh_job_state)atomic_load(&job->state);
}

bool kh_job_cancelled(const struct kh_job *job)
{
	return __atomic_load_n(&job->cancel, __ATOMIC_RELAXED) != 0;
}

struct kh_analyzer *kh_worker_analyzer(struct kh_worker *w)
{
	return w->analyzer;
}

/* ---- intrusive lists (under q->lock) ------------------------------------------------------- */

static void q_append(struct kh_jobq *q, struct kh_job *j)
{
	j->q_next = NULL;
	j->q_prev = q->q_tail;
	if (q->q_tail != NULL)
		q->q_tail->q_next = j;
	else
		q->q_head = j;
	q->q_tail = j;
	q->queued++;
}

static void q_remove(struct kh_jobq *q, struct kh_job *j)
{
	if (j->q_prev != NULL)
		j->q_prev->q_next = j->q_next;
	else
		q->q_head = j->q_next;
	if (j->q_next != NULL)
		j->q_next->q_prev = j->q_prev;
	else
		q->q_tail = j->q_prev;
	j->q_prev = j->q_next = NULL;
	q->queued--;
}

/* Deadlines are mostly increasing: insert walking back from the tail. */
static void d_insert(struct kh_jobq *q, struct kh_job *j)
{
	struct kh_job *after = q->d_tail;

	while (after != NULL && after->deadline_ns > j->deadline_ns)
		after = after->d_prev;
	j->d_prev = after;
	j->d_next = after != NULL ? after->d_next : q->d_head;
	if (j->d_next != NULL)
		j->d_next->d_prev = j;
	else
		q->d_tail = j;
	if (after != NULL)
		after->d_next = j;
	else
		q->d_head = j;
}

static void d_remove(struct kh_jobq *q, struct kh_job *j)
{
	if (j->d_prev != NULL)
		j->d_prev->d_next = j->d_next;
	else
		q->d_head = j->d_next;
	if (j->d_next != NULL)
		j->d_next->d_prev = j->d_prev;
	else
		q->d_tail = j->d_prev;
	j->d_prev = j->d_next = NULL;
}

/*
 * Under the lock: move an outstanding job to EXPIRED.  Returns the job with the
 * reference the caller must drop after calling finish (the queue's own when the job
 * was still waiting, else a fresh one), or NULL when the job already finished.
 */
static struct kh_job *expire_locked(struct kh_jobq *q, struct kh_job *j)
{
	int st = KH_JOB_QUEUED;

	if (atomic_compare_exchange_strong(&j->state, &st, KH_JOB_EXPIRED)) {
		__atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
		d_remove(q, j);
		q_remove(q, j);
		return j; /* the queue's reference moves to the caller */
	}
	st = KH_JOB_RUNNING;
	if (atomic_compare_exchange_strong(&j->state, &st, KH_JOB_EXPIRED)) {
		__atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
		d_remove(q, j);
		return kh_job_ref(j); /* the worker keeps its own */
	}
	return NULL;
}

static void expire_finish(struct kh_job *j)
{
	j->ops->finish(j);
	kh_job_unref(j);
}

/* ---- threads -------------------------------------------------------------------------------- */

static void run_one(struct kh_jobq *q, struct kh_worker *w, struct kh_job *j)
{
	int st;
	bool finish = false;

	j->ops->run(j, w);
	atomic_fetch_sub(&q->inflight, 1);
	pthread_mutex_lock(&q->lock);
	st = KH_JOB_RUNNING;
	if (atomic_compare_exchange_strong(&j->state, &st, KH_JOB_DONE)) {
		d_remove(q, j);
		finish = true;
	}
	pthread_mutex_unlock(&q->lock);
	if (finish)
		j->ops->finish(j);
	kh_job_unref(j);
}

static void *worker_main(void *arg)
{
	struct kh_worker *w = arg;
	struct kh_jobq *q = w->q;

	w->analyzer = kh_analyzer_new();
	pthread_mutex_lock(&q->lock);
	if (w->analyzer == NULL)
		q->n_failed++;
	q->n_ready++;
	pthread_cond_broadcast(&q->ready);
	pthread_mutex_unlock(&q->lock);
	if (w->analyzer == NULL)
		return NULL;
	for (;;) {
		struct kh_job *j;

		pthread_mutex_lock(&q->lock);
		while (q->q_head == NULL && !q->stopping)
			pthread_cond_wait(&q->work, &q->lock);
		if (q->q_head == NULL) {
			pthread_mutex_unlock(&q->lock);
			break;
		}
		/* Waiting jobs are all QUEUED (expiry takes them off the list), and the
		 * move to RUNNING happens under the lock, so the timer never sees a job
		 * that is off the list but still QUEUED. */
		j = q->q_head;
		q_remove(q, j);
		atomic_store(&j->state, KH_JOB_RUNNING);
		atomic_fetch_add(&q->inflight, 1);
		pthread_mutex_unlock(&q->lock);
		run_one(q, w, j);
	}
	w->analyzer = kh_analyzer_free(w->analyzer);
	return NULL;
}

static void *timer_main(void *arg)
{
	struct kh_jobq *q = arg;

	pthread_mutex_lock(&q->lock);
	while (!q->stopping) {
		struct kh_job *j = q->d_head;
		uint64_t now = kh_now_ns();

		if (j == NULL) {
			pthread_cond_wait(&q->timer, &q->lock);
		} else if (j->deadline_ns <= now) {
			struct kh_job *e = expire_locked(q, j);

			if (e == NULL) {
				d_remove(q, j); /* cannot happen: finished jobs leave the list */
				continue;
			}
			pthread_mutex_unlock(&q->lock);
			expire_finish(e);
			pthread_mutex_lock(&q->lock);
		} else {
			struct timespec ts = { .tv_sec = (time_t)(j->deadline_ns / 1000000000u),
					       .tv_nsec = (long)(j->deadline_ns % 1000000000u) };

			pthread_cond_timedwait(&q->timer, &q->lock, &ts);
		}
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int kh_jobq_new(unsigned workers, unsigned capacity, struct kh_jobq **ret_q)
{
	struct kh_jobq *q = calloc(1, sizeof(*q));
	pthread_condattr_t ca;
	int r;

	if (q == NULL)
		return -ENOMEM;
	q->capacity = capacity;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->ready, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->timer, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&q->inflight, 0);
	q->workers = calloc(workers, sizeof(*q->workers));
	if (q->workers == NULL) {
		kh_jobq_free(q);
		return -ENOMEM;
	}
	r = -pthread_create(&q->timer_thread, NULL, timer_main, q);
	if (r < 0) {
		kh_jobq_free(q);
		return r;
	}
	q->timer_started = true;
	for (unsigned i = 0; i < workers; i++) {
		q->workers[i].q = q;
		r = -pthread_create(&q->workers[i].thread, NULL, worker_main, &q->workers[i]);
		if (r < 0) {
			kh_jobq_free(q);
			return r;
		}
		q->workers[i].started = true;
		q->n_workers++;
	}
	pthread_mutex_lock(&q->lock);
	while (q->n_ready < q->n_workers)
		pthread_cond_wait(&q->ready, &q->lock);
	r = q->n_failed > 0 ? -ENOMEM : 0;
	pthread_mutex_unlock(&q->lock);
	if (r < 0) {
		kh_jobq_free(q);
		return r;
	}
	*ret_q = q;
	return 0;
}

int kh_jobq_reserve(struct kh_jobq *q)
{
	int r = 0;

	pthread_mutex_lock(&q->lock);
	if (q->stopping || q->closed)
		r = -ESHUTDOWN;
	else if (q->queued + q->reserved >= q->capacity)
		r = -EAGAIN;
	else
		q->reserved++;
	pthread_mutex_unlock(&q->lock);
	return r;
}

void kh_jobq_unreserve(struct kh_jobq *q)
{
	pthread_mutex_lock(&q->lock);
	q->reserved--;
	pthread_mutex_unlock(&q->lock);
}

void kh_jobq_push(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms)
{
	job->enqueued_ns = kh_now_ns();
	job->deadline_ns = job->enqueued_ns + (uint64_t)deadline_ms * 1000000u;
	atomic_store(&job->state, KH_JOB_QUEUED);
	kh_job_ref(job);
	pthread_mutex_lock(&q->lock);
	q->reserved--;
	if (q->closed) {
		/* Closed between reserve and push: never leave a suspended connection behind. */
		atomic_store(&job->state, KH_JOB_EXPIRED);
		__atomic_store_n(&job->cancel, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&q->lock);
		expire_finish(job);
		return;
	}
	q_append(q, job);
	d_insert(q, job);
	if (q->d_head == job)
		pthread_cond_signal(&q->timer);
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
}

int kh_jobq_push_extra(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms)
{
	pthread_mutex_lock(&q->lock);
	if (q->closed || q->stopping) {
		pthread_mutex_unlock(&q->lock);
		return -ESHUTDOWN;
	}
	job->enqueued_ns = kh_now_ns();
	job->deadline_ns = job->enqueued_ns + (uint64_t)deadline_ms * 1000000u;
	atomic_store(&job->state, KH_JOB_QUEUED);
	kh_job_ref(job);
	q_append(q, job);
	d_insert(q, job);
	if (q->d_head == job)
		pthread_cond_signal(&q->timer);
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

void kh_jobq_close(struct kh_jobq *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_mutex_unlock(&q->lock);
}

unsigned kh_jobq_expire_all(struct kh_jobq *q)
{
	unsigned n = 0;

	for (;;) {
		struct kh_job *e = NULL;

		pthread_mutex_lock(&q->lock);
		while (q->d_head != NULL && e == NULL) {
			struct kh_job *j = q->d_head;

			e = expire_locked(q, j);
			if (e == NULL)
				d_remove(q, j);
		}
		pthread_mutex_unlock(&q->lock);
		if (e == NULL)
			break;
		expire_finish(e);
		n++;
	}
	return n;
}

void kh_jobq_stats(struct kh_jobq *q, unsigned *ret_queued, unsigned *ret_inflight)
{
	pthread_mutex_lock(&q->lock);
	*ret_queued = q->queued;
	pthread_mutex_unlock(&q->lock);
	*ret_inflight = atomic_load(&q->inflight);
}

unsigned kh_jobq_workers(const struct kh_jobq *q)
{
	return q->n_workers;
}

struct kh_jobq *kh_jobq_free(struct kh_jobq *q)
{
	if (q == NULL)
		return NULL;
	kh_jobq_expire_all(q);
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_broadcast(&q->work);
	pthread_cond_broadcast(&q->timer);
	pthread_mutex_unlock(&q->lock);
	for (unsigned i = 0; q->workers != NULL && i < q->n_workers; i++)
		if (q->workers[i].started)
			pthread_join(q->workers[i].thread, NULL);
	if (q->timer_started)
		pthread_join(q->timer_thread, NULL);
	/* Jobs pushed after the last expire_all (none once the daemon has stopped). */
	kh_jobq_expire_all(q);
	free(q->workers);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->timer);
	pthread_cond_destroy(&q->ready);
	pthread_mutex_destroy(&q->lock);
	free(q);
	return NULL;
}
