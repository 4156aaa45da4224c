/* SPDX-License-Identifier: MIT */
#include "jobq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "khabar/khabar.h"

enum { WAIT = 0, DEADLINE = 1 }; /* index of kh_job.link */

#define KH_TIMER_IDLE_NS 1000000000ull
/* A caller of kh_jobq_run_here() back within this time of its last job there is busy:
 * requests wait on its connections (the read of the next one takes microseconds). */
#define KH_BUSY_CALLER_NS 100000ull
/* A slot free for this long means a core without work, not one between two jobs. */
#define KH_IDLE_SLOT_NS 300000ull

/* When this thread's last job run by kh_jobq_run_here() ended. */
static _Thread_local uint64_t ran_here_until_ns;

struct jlist {
	struct kh_job *head, *tail;
};

/* An analysis slot: one analyzer, used by one job at a time, on a worker thread or on
 * the thread that calls kh_jobq_run_here().  There are as many slots as workers, so
 * that jobs never run on more threads at once than the configured workers. */
struct kh_worker {
	struct kh_analyzer *analyzer;
	struct kh_worker *next_free;
	uint64_t free_since_ns; /* when it was last given back */
};

struct worker_thread {
	struct kh_jobq *q;
	struct kh_worker *slot; /* the one this thread creates at start */
	pthread_t thread;
	bool started;
};

struct kh_jobq {
	pthread_mutex_t lock;
	pthread_cond_t work;  /* a job is waiting, a slot came free, or stopping */
	pthread_cond_t timer; /* the earliest deadline changed, or stopping */
	pthread_cond_t ready; /* a worker finished starting */
	unsigned capacity;
	unsigned queued, reserved;
	atomic_uint inflight;
	atomic_uint_fast64_t ran[2]; /* jobs run: [0] on a worker thread, [1] by kh_jobq_run_here */
	bool stopping;
	bool closed; /* no new jobs: reserve fails, push expires at once */
	unsigned n_workers, n_ready, n_failed;
	struct jlist wait;     /* waiting, FIFO (link[WAIT]) */
	struct jlist deadline; /* outstanding (waiting or running), by deadline (link[DEADLINE]) */
	struct kh_worker *slots;
	struct kh_worker *free_slots; /* stack through next_free */
	unsigned n_free;
	struct worker_thread *threads;
	pthread_t timer_thread;
	bool timer_started;
	uint64_t timer_wake_ns; /* when the timer wakes by itself at the latest */
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
	memset(job->link, 0, sizeof(job->link));
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

bool kh_job_shut_down(const struct kh_job *job)
{
	return __atomic_load_n(&job->cancel, __ATOMIC_RELAXED) == KH_CANCEL_SHUTDOWN;
}

struct kh_analyzer *kh_worker_analyzer(struct kh_worker *w)
{
	return w->analyzer;
}

/* ---- intrusive lists (under q->lock) ------------------------------------------------------- */

/* Put @p j after @p after (at the head when NULL) in list @p l through link[w]. */
static void list_insert(struct jlist *l, struct kh_job *after, struct kh_job *j, int w)
{
	j->link[w].prev = after;
	j->link[w].next = after != NULL ? after->link[w].next : l->head;
	if (j->link[w].next != NULL)
		j->link[w].next->link[w].prev = j;
	else
		l->tail = j;
	if (after != NULL)
		after->link[w].next = j;
	else
		l->head = j;
}

static void list_remove(struct jlist *l, struct kh_job *j, int w)
{
	if (j->link[w].prev != NULL)
		j->link[w].prev->link[w].next = j->link[w].next;
	else
		l->head = j->link[w].next;
	if (j->link[w].next != NULL)
		j->link[w].next->link[w].prev = j->link[w].prev;
	else
		l->tail = j->link[w].prev;
	j->link[w].prev = j->link[w].next = NULL;
}

static void q_append(struct kh_jobq *q, struct kh_job *j)
{
	list_insert(&q->wait, q->wait.tail, j, WAIT);
	q->queued++;
}

static void q_remove(struct kh_jobq *q, struct kh_job *j)
{
	list_remove(&q->wait, j, WAIT);
	q->queued--;
}

/* Deadlines are mostly increasing: insert walking back from the tail. */
static void d_insert(struct kh_jobq *q, struct kh_job *j)
{
	struct kh_job *after = q->deadline.tail;

	while (after != NULL && after->deadline_ns > j->deadline_ns)
		after = after->link[DEADLINE].prev;
	list_insert(&q->deadline, after, j, DEADLINE);
}

static void d_remove(struct kh_jobq *q, struct kh_job *j)
{
	list_remove(&q->deadline, j, DEADLINE);
}

/*
 * Under the lock: move an outstanding job to EXPIRED.  Returns the job with the
 * reference the caller must drop after calling finish (the queue's own when the job
 * was still waiting, else a fresh one), or NULL when the job already finished.
 */
static struct kh_job *expire_locked(struct kh_jobq *q, struct kh_job *j, int why)
{
	int st = KH_JOB_QUEUED;

	if (atomic_compare_exchange_strong(&j->state, &st, KH_JOB_EXPIRED)) {
		__atomic_store_n(&j->cancel, why, __ATOMIC_RELAXED);
		d_remove(q, j);
		q_remove(q, j);
		return j; /* the queue's reference moves to the caller */
	}
	st = KH_JOB_RUNNING;
	if (atomic_compare_exchange_strong(&j->state, &st, KH_JOB_EXPIRED)) {
		__atomic_store_n(&j->cancel, why, __ATOMIC_RELAXED);
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

enum { RAN_ON_WORKER = 0, RAN_HERE = 1 }; /* index of kh_jobq.ran */

/* Under the lock: a free slot for a job about to run; counted in flight and by where it runs. */
static struct kh_worker *slot_take_locked(struct kh_jobq *q, int where)
{
	struct kh_worker *w = q->free_slots;

	q->free_slots = w->next_free;
	q->n_free--;
	atomic_fetch_add(&q->inflight, 1);
	atomic_fetch_add_explicit(&q->ran[where], 1, memory_order_relaxed);
	return w;
}

static void slot_give_locked(struct kh_jobq *q, struct kh_worker *w)
{
	w->next_free = q->free_slots;
	w->free_since_ns = kh_now_ns();
	q->free_slots = w;
	q->n_free++;
	if (q->wait.head != NULL)
		pthread_cond_signal(&q->work);
}

/* Run a RUNNING job on slot @p w, then DONE and finish unless it expired meanwhile. */
static void run_one(struct kh_jobq *q, struct kh_worker *w, struct kh_job *j)
{
	int st;
	bool finish = false;

	j->ops->run(j, w);
	atomic_fetch_sub(&q->inflight, 1);
	pthread_mutex_lock(&q->lock);
	slot_give_locked(q, w);
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
	struct worker_thread *t = arg;
	struct kh_jobq *q = t->q;

	t->slot->analyzer = kh_analyzer_new();
	pthread_mutex_lock(&q->lock);
	if (t->slot->analyzer == NULL)
		q->n_failed++;
	else
		slot_give_locked(q, t->slot);
	q->n_ready++;
	pthread_cond_broadcast(&q->ready);
	pthread_mutex_unlock(&q->lock);
	if (t->slot->analyzer == NULL)
		return NULL;
	for (;;) {
		struct kh_job *j;
		struct kh_worker *w;

		pthread_mutex_lock(&q->lock);
		while ((q->wait.head == NULL || q->free_slots == NULL) && !q->stopping)
			pthread_cond_wait(&q->work, &q->lock);
		if (q->wait.head == NULL || q->free_slots == NULL) {
			pthread_mutex_unlock(&q->lock); /* stopping: kh_jobq_free expires what is left */
			break;
		}
		/* Waiting jobs are all QUEUED (expiry takes them off the list), and the
		 * move to RUNNING happens under the lock, so the timer never sees a job
		 * that is off the list but still QUEUED. */
		j = q->wait.head;
		q_remove(q, j);
		atomic_store(&j->state, KH_JOB_RUNNING);
		w = slot_take_locked(q, RAN_ON_WORKER);
		pthread_mutex_unlock(&q->lock);
		run_one(q, w, j);
	}
	return NULL;
}

/* Under the lock: sleep until @p until_ns, or until a job with an earlier deadline comes. */
static void timer_sleep_locked(struct kh_jobq *q, uint64_t until_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(until_ns / 1000000000u), .tv_nsec = (long)(until_ns % 1000000000u) };

	q->timer_wake_ns = until_ns;
	pthread_cond_timedwait(&q->timer, &q->lock, &ts);
	q->timer_wake_ns = 0; /* awake: it looks at the list before sleeping again */
}

static void *timer_main(void *arg)
{
	struct kh_jobq *q = arg;

	pthread_mutex_lock(&q->lock);
	while (!q->stopping) {
		struct kh_job *j = q->deadline.head;
		uint64_t now = kh_now_ns();

		if (j == NULL) {
			/* wake up now and then even when idle, so that a job pushed meanwhile
			 * need not signal (most finish long before their deadline) */
			timer_sleep_locked(q, now + KH_TIMER_IDLE_NS);
		} else if (j->deadline_ns <= now) {
			struct kh_job *e = expire_locked(q, j, KH_CANCEL_DEADLINE);

			if (e == NULL) {
				d_remove(q, j); /* cannot happen: finished jobs leave the list */
				continue;
			}
			pthread_mutex_unlock(&q->lock);
			expire_finish(e);
			pthread_mutex_lock(&q->lock);
		} else {
			timer_sleep_locked(q, j->deadline_ns);
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
	q->slots = calloc(workers, sizeof(*q->slots));
	q->threads = calloc(workers, sizeof(*q->threads));
	if (q->slots == NULL || q->threads == NULL) {
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
		q->threads[i].q = q;
		q->threads[i].slot = &q->slots[i];
		r = -pthread_create(&q->threads[i].thread, NULL, worker_main, &q->threads[i]);
		if (r < 0) {
			kh_jobq_free(q);
			return r;
		}
		q->threads[i].started = true;
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

/* Under the lock: give the job its deadline and show it to the timer (takes the queue's reference). */
static void admit_locked(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms, enum kh_job_state st)
{
	job->enqueued_ns = kh_now_ns();
	job->deadline_ns = job->enqueued_ns + (uint64_t)deadline_ms * 1000000u;
	atomic_store(&job->state, st);
	kh_job_ref(job);
	d_insert(q, job);
	if (job->deadline_ns < q->timer_wake_ns)
		pthread_cond_signal(&q->timer);
}

/* Under the lock: make the job visible to the workers and the timer. */
static void enqueue_locked(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms)
{
	admit_locked(q, job, deadline_ms, KH_JOB_QUEUED);
	q_append(q, job);
	pthread_cond_signal(&q->work);
}

/*
 * Under the lock: whether the calling thread should run a job itself.  Never past a
 * waiting job, nor without a free slot.  A busy caller while another slot has long been
 * idle gives the job to the workers: requests wait on connections that only it reads,
 * and running them all itself would leave a core idle (polling threads accept
 * connections unevenly; a proxy's keep-alive connections carry unequal load).
 */
static bool run_here_locked(const struct kh_jobq *q, uint64_t now)
{
	const struct kh_worker *other;

	if (q->wait.head != NULL || q->n_free == 0)
		return false;
	other = q->free_slots->next_free; /* the head is the one most recently freed */
	return other == NULL || now - ran_here_until_ns > KH_BUSY_CALLER_NS ||
	       now - other->free_since_ns < KH_IDLE_SLOT_NS;
}

int kh_jobq_run_here(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms)
{
	struct kh_worker *w;

	pthread_mutex_lock(&q->lock);
	if (q->closed || q->stopping) {
		pthread_mutex_unlock(&q->lock);
		return -ESHUTDOWN;
	}
	if (!run_here_locked(q, kh_now_ns())) {
		pthread_mutex_unlock(&q->lock);
		return -EBUSY;
	}
	admit_locked(q, job, deadline_ms, KH_JOB_RUNNING);
	w = slot_take_locked(q, RAN_HERE);
	pthread_mutex_unlock(&q->lock);
	run_one(q, w, job);
	ran_here_until_ns = kh_now_ns();
	return 0;
}

void kh_jobq_push(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms)
{
	pthread_mutex_lock(&q->lock);
	q->reserved--;
	if (q->closed) {
		/* Closed between reserve and push: never leave a suspended connection behind. */
		atomic_store(&job->state, KH_JOB_EXPIRED);
		__atomic_store_n(&job->cancel, KH_CANCEL_SHUTDOWN, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&q->lock);
		job->ops->finish(job);
		return;
	}
	enqueue_locked(q, job, deadline_ms);
	pthread_mutex_unlock(&q->lock);
}

int kh_jobq_push_extra(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms)
{
	pthread_mutex_lock(&q->lock);
	if (q->closed || q->stopping) {
		pthread_mutex_unlock(&q->lock);
		return -ESHUTDOWN;
	}
	enqueue_locked(q, job, deadline_ms);
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
		while (q->deadline.head != NULL && e == NULL) {
			struct kh_job *j = q->deadline.head;

			e = expire_locked(q, j, KH_CANCEL_SHUTDOWN);
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

void kh_jobq_ran(struct kh_jobq *q, uint64_t *ret_on_workers, uint64_t *ret_here)
{
	*ret_on_workers = atomic_load_explicit(&q->ran[RAN_ON_WORKER], memory_order_relaxed);
	*ret_here = atomic_load_explicit(&q->ran[RAN_HERE], memory_order_relaxed);
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
	for (unsigned i = 0; q->threads != NULL && i < q->n_workers; i++)
		if (q->threads[i].started)
			pthread_join(q->threads[i].thread, NULL);
	if (q->timer_started)
		pthread_join(q->timer_thread, NULL);
	/* Jobs pushed after the last expire_all (none once the daemon has stopped). */
	kh_jobq_expire_all(q);
	/* every slot is back: the workers are joined and no caller runs a job any more */
	for (unsigned i = 0; q->slots != NULL && i < q->n_workers; i++)
		kh_analyzer_free(q->slots[i].analyzer);
	free(q->slots);
	free(q->threads);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->timer);
	pthread_cond_destroy(&q->ready);
	pthread_mutex_destroy(&q->lock);
	free(q);
	return NULL;
}
