/* SPDX-License-Identifier: MIT */
/**
 * @file jobq.h
 * The bounded job queue, the analysis worker pool and the deadline timer.
 *
 * A job is embedded at the start of a caller's struct and reference-counted.
 * Jobs run on analysis slots (one analyzer each, as many as workers): on a worker
 * thread, or on the caller's thread through kh_jobq_run_here().
 * Its state moves QUEUED → RUNNING → DONE on a worker, or to EXPIRED when its
 * deadline passes first (the timer raises job->cancel, which kh_analyze checks
 * between stages).  ops->finish runs exactly once, on DONE or EXPIRED, from the
 * worker or the timer thread; for an HTTP request it resumes the connection.
 * Nothing of the job is touched by the queue after ops->finish except through
 * the queue's own reference.
 */
#ifndef KHABAR_JOBQ_H
#define KHABAR_JOBQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct kh_job;
struct kh_jobq;
struct kh_worker;

enum kh_job_state { KH_JOB_NEW = 0, KH_JOB_QUEUED, KH_JOB_RUNNING, KH_JOB_DONE, KH_JOB_EXPIRED };

struct kh_job_ops {
	/** Do the work on a worker thread; may check kh_job_cancelled(). */
	void (*run)(struct kh_job *job, struct kh_worker *w);
	/** Called once when the job is DONE or EXPIRED (any thread). */
	void (*finish)(struct kh_job *job);
	/** Free the job when the last reference goes. */
	void (*free)(struct kh_job *job);
};

struct kh_job {
	const struct kh_job_ops *ops;
	atomic_int state;       /**< enum kh_job_state */
	atomic_int refs;
	int cancel;             /**< KH_CANCEL_*, raised (atomically) on expiry; pass &cancel to kh_request */
	uint64_t enqueued_ns;   /**< CLOCK_MONOTONIC */
	uint64_t deadline_ns;   /**< CLOCK_MONOTONIC */
	struct {
		struct kh_job *prev, *next;
	} link[2]; /* [0]: the waiting list; [1]: the outstanding list, by deadline */
};

/** Initialise an embedded job with one reference (the caller's). */
void kh_job_init(struct kh_job *job, const struct kh_job_ops *ops);

/** Take a reference. @return job */
struct kh_job *kh_job_ref(struct kh_job *job);

/** Drop a reference; ops->free on the last. Accepts NULL. @return NULL */
struct kh_job *kh_job_unref(struct kh_job *job);

/** @return the job's enum kh_job_state */
enum kh_job_state kh_job_get_state(struct kh_job *job);

/** Values of kh_job.cancel: why a job expired. */
enum { KH_CANCEL_NONE = 0, KH_CANCEL_DEADLINE = 1, KH_CANCEL_SHUTDOWN = 2 };

/** @return true once the job expired (deadline or shutdown) */
bool kh_job_cancelled(const struct kh_job *job);

/** @return true when the job expired because the server shuts down, not by its deadline */
bool kh_job_shut_down(const struct kh_job *job);

/** The analyzer of the slot a job runs on (one job at a time per slot). */
struct kh_analyzer *kh_worker_analyzer(struct kh_worker *w);

/** Monotonic clock in nanoseconds. */
uint64_t kh_now_ns(void);

/**
 * Start @p workers threads (each with its own kh_analyzer) and the deadline timer.
 * @param[in] capacity jobs waiting at most
 * @param[out] ret_q the queue
 * @return 0, -ENOMEM, or another negative errno when a thread or analyzer cannot start
 */
int kh_jobq_new(unsigned workers, unsigned capacity, struct kh_jobq **ret_q);

/**
 * Reserve a place in the queue before making a job visible (suspend the connection
 * between kh_jobq_reserve() and kh_jobq_push()).
 * @return 0, -EAGAIN when the queue is full, -ESHUTDOWN while stopping
 */
int kh_jobq_reserve(struct kh_jobq *q);

/** Give back a reservation that will not be pushed. */
void kh_jobq_unreserve(struct kh_jobq *q);

/**
 * Queue a job on a reservation; the queue takes its own reference.
 * @param[in] deadline_ms time the job may take from now, queue wait included
 */
void kh_jobq_push(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms);

/**
 * Run a job on the calling thread, now, when an analysis slot is free and no job is
 * waiting (a waiting job is never overtaken): no hand-off to a worker thread and back.
 * The deadline timer sees the job as for a queued one; ops->finish is called once, on
 * this thread when the job is DONE or on the timer's when it EXPIRED first.
 * @return 0 once the job ran (its state is DONE or EXPIRED), -EBUSY when it must be
 *         queued instead, -ESHUTDOWN once the queue is closed
 */
int kh_jobq_run_here(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms);

/**
 * Queue a job without a reservation, beyond the capacity: for the documents of a
 * batch, which keeps its own number of outstanding jobs small (at most the number
 * of workers) and was admitted with a reservation of its own.
 * @return 0, or -ESHUTDOWN once the queue is closed (ops->finish is not called)
 */
int kh_jobq_push_extra(struct kh_jobq *q, struct kh_job *job, unsigned deadline_ms);

/** Take no new jobs: kh_jobq_reserve() fails with -ESHUTDOWN from now on. */
void kh_jobq_close(struct kh_jobq *q);

/** Expire every queued or running job now (shutdown after the drain timeout). @return how many */
unsigned kh_jobq_expire_all(struct kh_jobq *q);

/** Jobs waiting, and jobs a worker is running. */
void kh_jobq_stats(struct kh_jobq *q, unsigned *ret_queued, unsigned *ret_inflight);

/** Jobs run so far on worker threads, and by kh_jobq_run_here() on their callers' threads. */
void kh_jobq_ran(struct kh_jobq *q, uint64_t *ret_on_workers, uint64_t *ret_here);

/** Number of workers. */
unsigned kh_jobq_workers(const struct kh_jobq *q);

/** Stop the threads (expiring what is left), join them and free. Accepts NULL. @return NULL */
struct kh_jobq *kh_jobq_free(struct kh_jobq *q);

#endif
