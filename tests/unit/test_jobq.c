/* SPDX-License-Identifier: MIT */
/* The job queue: capacity, order, deadlines, cancellation, close, exactly one finish. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "jobq.h"
#include "tap.h"

struct tjob {
	struct kh_job base;
	unsigned spin_ms;        /* how long run() works, checking cancel every ms */
	atomic_int finished;     /* times finish was called */
	atomic_int ran;
	atomic_int *order;       /* shared counter: run order */
	int my_order;
	atomic_int *freed;
	pthread_t thread;        /* where run() ran */
};

static void t_run(struct kh_job *b, struct kh_worker *w)
{
	struct tjob *j = (struct tjob *)b;

	(void)w;
	j->thread = pthread_self();
	j->my_order = atomic_fetch_add(j->order, 1);
	atomic_fetch_add(&j->ran, 1);
	for (unsigned i = 0; i < j->spin_ms && !kh_job_cancelled(b); i++)
		usleep(1000);
}

static void t_finish(struct kh_job *b)
{
	atomic_fetch_add(&((struct tjob *)b)->finished, 1);
}

static void t_free(struct kh_job *b)
{
	atomic_fetch_add(((struct tjob *)b)->freed, 1);
	free(b);
}

static const struct kh_job_ops ops = { t_run, t_finish, t_free };

static struct tjob *tjob_new(unsigned spin_ms, atomic_int *order, atomic_int *freed)
{
	struct tjob *j = calloc(1, sizeof(*j));

	kh_job_init(&j->base, &ops);
	j->spin_ms = spin_ms;
	j->order = order;
	j->freed = freed;
	return j;
}

static void wait_state(struct tjob *j, enum kh_job_state s)
{
	for (int i = 0; i < 5000 && kh_job_get_state(&j->base) != s; i++)
		usleep(1000);
}

static void test_capacity_and_order(void)
{
	struct kh_jobq *q = NULL;
	atomic_int order = 0, freed = 0;
	struct tjob *blocker, *a, *b;
	unsigned queued, inflight;

	tap_is_int(kh_jobq_new(1, 2, &q), 0, "queue with 1 worker, capacity 2");
	blocker = tjob_new(300, &order, &freed);
	tap_is_int(kh_jobq_reserve(q), 0, "reserve 1");
	kh_jobq_push(q, &blocker->base, 10000);
	wait_state(blocker, KH_JOB_RUNNING);
	tap_is_int(kh_jobq_reserve(q), 0, "reserve 2");
	tap_is_int(kh_jobq_reserve(q), 0, "reserve 3 (the first is running, not waiting)");
	tap_is_int(kh_jobq_reserve(q), -EAGAIN, "full: -EAGAIN");
	a = tjob_new(0, &order, &freed);
	b = tjob_new(0, &order, &freed);
	kh_jobq_push(q, &a->base, 10000);
	kh_jobq_push(q, &b->base, 10000);
	kh_jobq_stats(q, &queued, &inflight);
	tap_is_int(queued, 2, "two waiting");
	tap_is_int(inflight, 1, "one running");
	tap_is_int(kh_jobq_workers(q), 1, "one worker");
	wait_state(b, KH_JOB_DONE);
	tap_is_int(kh_job_get_state(&a->base), KH_JOB_DONE, "a done");
	tap_ok(a->my_order < b->my_order, "FIFO order");
	tap_is_int(atomic_load(&a->finished) + atomic_load(&b->finished) + atomic_load(&blocker->finished), 3,
		   "each finished exactly once");
	kh_job_unref(&a->base);
	kh_job_unref(&b->base);
	kh_job_unref(&blocker->base);
	kh_jobq_free(q);
	tap_is_int(atomic_load(&freed), 3, "every job freed");
}

static void test_deadlines(void)
{
	struct kh_jobq *q = NULL;
	atomic_int order = 0, freed = 0;
	struct tjob *slow, *waiting;

	kh_jobq_new(1, 4, &q);
	slow = tjob_new(5000, &order, &freed);
	waiting = tjob_new(0, &order, &freed);
	kh_jobq_reserve(q);
	kh_jobq_push(q, &slow->base, 50);
	kh_jobq_reserve(q);
	kh_jobq_push(q, &waiting->base, 30);
	wait_state(slow, KH_JOB_EXPIRED);
	wait_state(waiting, KH_JOB_EXPIRED);
	tap_is_int(kh_job_get_state(&slow->base), KH_JOB_EXPIRED, "running job expired at its deadline");
	tap_ok(kh_job_cancelled(&slow->base) && !kh_job_shut_down(&slow->base), "cancel flag says deadline");
	tap_is_int(kh_job_get_state(&waiting->base), KH_JOB_EXPIRED, "waiting job expired too");
	usleep(100 * 1000);
	tap_is_int(atomic_load(&waiting->ran), 0, "the expired waiting job never ran");
	tap_is_int(atomic_load(&slow->finished), 1, "finish once for the running one");
	tap_is_int(atomic_load(&waiting->finished), 1, "finish once for the waiting one");
	{
		unsigned queued, inflight;

		for (int i = 0; i < 1000; i++) {
			kh_jobq_stats(q, &queued, &inflight);
			if (inflight == 0)
				break;
			usleep(1000);
		}
		tap_is_int(inflight, 0, "the worker is free again (run saw the cancel flag)");
	}
	kh_job_unref(&slow->base);
	kh_job_unref(&waiting->base);
	kh_jobq_free(q);
	tap_is_int(atomic_load(&freed), 2, "freed");
}

static void test_close_and_expire_all(void)
{
	struct kh_jobq *q = NULL;
	atomic_int order = 0, freed = 0;
	struct tjob *run, *wait1, *late, *extra;

	kh_jobq_new(1, 4, &q);
	run = tjob_new(5000, &order, &freed);
	wait1 = tjob_new(0, &order, &freed);
	late = tjob_new(0, &order, &freed);
	extra = tjob_new(0, &order, &freed);
	kh_jobq_reserve(q);
	kh_jobq_push(q, &run->base, 60000);
	wait_state(run, KH_JOB_RUNNING);
	kh_jobq_reserve(q);
	kh_jobq_push(q, &wait1->base, 60000);
	tap_is_int(kh_jobq_reserve(q), 0, "reserved before close");
	kh_jobq_close(q);
	tap_is_int(kh_jobq_reserve(q), -ESHUTDOWN, "closed: -ESHUTDOWN");
	tap_is_int(kh_jobq_push_extra(q, &extra->base, 1000), -ESHUTDOWN, "closed: push_extra refused");
	kh_jobq_push(q, &late->base, 60000);
	tap_is_int(kh_job_get_state(&late->base), KH_JOB_EXPIRED, "a push on an old reservation expires at once");
	tap_is_int(atomic_load(&late->finished), 1, "and is finished");
	tap_is_int(kh_jobq_expire_all(q), 2, "expire_all takes the running and the waiting job");
	tap_ok(kh_job_shut_down(&run->base) && kh_job_shut_down(&wait1->base), "both marked as shut down");
	kh_job_unref(&run->base);
	kh_job_unref(&wait1->base);
	kh_job_unref(&late->base);
	kh_job_unref(&extra->base);
	kh_jobq_free(q);
	tap_is_int(atomic_load(&freed), 4, "all freed");
}

static void *run_here_thread(void *arg)
{
	void **a = arg;

	return (void *)(intptr_t)kh_jobq_run_here(a[0], a[1], 60000);
}

/* A job run on the caller's thread takes one of the slots: a queued job waits for it. */
static void test_run_here_takes_a_slot(void)
{
	struct kh_jobq *q = NULL;
	atomic_int order = 0, freed = 0;
	struct tjob *here = tjob_new(300, &order, &freed), *queued = tjob_new(0, &order, &freed);
	void *args[2];
	pthread_t t;
	void *rc;
	unsigned nq, nr;

	kh_jobq_new(1, 4, &q);
	args[0] = q;
	args[1] = &here->base;
	pthread_create(&t, NULL, run_here_thread, args);
	wait_state(here, KH_JOB_RUNNING);
	kh_jobq_reserve(q);
	kh_jobq_push(q, &queued->base, 60000);
	usleep(50 * 1000);
	kh_jobq_stats(q, &nq, &nr);
	tap_ok(nq == 1 && nr == 1 && atomic_load(&queued->ran) == 0,
	       "the one worker waits while the only slot runs a job elsewhere");
	pthread_join(t, &rc);
	tap_is_int((int)(intptr_t)rc, 0, "run_here ran the job");
	tap_ok(pthread_equal(here->thread, t), "on the calling thread");
	wait_state(queued, KH_JOB_DONE);
	tap_ok(atomic_load(&queued->ran) == 1 && queued->my_order == 1, "the queued job ran after it");
	kh_job_unref(&here->base);
	kh_job_unref(&queued->base);
	kh_jobq_free(q);
	tap_is_int(atomic_load(&freed), 2, "both freed");
}

static void test_run_here(void)
{
	struct kh_jobq *q = NULL;
	atomic_int order = 0, freed = 0;
	struct tjob *a = tjob_new(0, &order, &freed), *blocker = tjob_new(200, &order, &freed);
	struct tjob *b = tjob_new(0, &order, &freed), *slow = tjob_new(5000, &order, &freed);
	struct tjob *late = tjob_new(0, &order, &freed);
	struct timespec t0, t1;

	kh_jobq_new(1, 4, &q);
	tap_is_int(kh_jobq_run_here(q, &a->base, 10000), 0, "a free slot: run here");
	tap_ok(pthread_equal(a->thread, pthread_self()), "run on the caller's thread");
	tap_ok(kh_job_get_state(&a->base) == KH_JOB_DONE && atomic_load(&a->finished) == 1, "DONE, finished once");

	kh_jobq_reserve(q);
	kh_jobq_push(q, &blocker->base, 10000);
	wait_state(blocker, KH_JOB_RUNNING);
	tap_is_int(kh_jobq_run_here(q, &b->base, 10000), -EBUSY, "no free slot: -EBUSY");
	tap_ok(atomic_load(&b->ran) == 0 && atomic_load(&b->finished) == 0, "and the job is untouched");
	wait_state(blocker, KH_JOB_DONE);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_is_int(kh_jobq_run_here(q, &slow->base, 30), 0, "a job past its deadline here");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(kh_job_get_state(&slow->base) == KH_JOB_EXPIRED && kh_job_cancelled(&slow->base) &&
		       !kh_job_shut_down(&slow->base), "is EXPIRED by the timer, cancelled by its deadline");
	tap_ok(t1.tv_sec - t0.tv_sec < 3, "and stops early");
	for (int i = 0; i < 1000 && atomic_load(&slow->finished) == 0; i++)
		usleep(1000);
	tap_is_int(atomic_load(&slow->finished), 1, "finished exactly once");

	kh_jobq_close(q);
	tap_is_int(kh_jobq_run_here(q, &late->base, 10000), -ESHUTDOWN, "closed: -ESHUTDOWN");
	tap_ok(atomic_load(&late->ran) == 0, "and not run");
	kh_job_unref(&a->base);
	kh_job_unref(&blocker->base);
	kh_job_unref(&b->base);
	kh_job_unref(&slow->base);
	kh_job_unref(&late->base);
	kh_jobq_free(q);
	tap_is_int(atomic_load(&freed), 5, "all freed");
}

/* A caller back at once after a job it ran, while another slot has long been idle,
 * leaves the next job to the workers (its other connections must not wait on it). */
static void test_busy_caller_spills(void)
{
	struct kh_jobq *q = NULL;
	atomic_int order = 0, freed = 0;
	int first = 1, second = 0, spilled = 0, tries = 0;

	kh_jobq_new(2, 4, &q);
	/* "at once" is within 0.1 ms: a loaded machine may preempt us in between, so try
	 * a few times (the idle slot stays idle: nothing else runs jobs here) */
	for (; tries < 20 && !spilled; tries++) {
		struct tjob *a = tjob_new(0, &order, &freed), *b = tjob_new(0, &order, &freed);

		usleep(2000); /* not busy, and the other slot idle for a while */
		first = kh_jobq_run_here(q, &a->base, 10000);
		second = kh_jobq_run_here(q, &b->base, 10000);
		spilled = first == 0 && second == -EBUSY;
		kh_job_unref(&a->base);
		kh_job_unref(&b->base);
		if (first != 0)
			break;
	}
	tap_is_int(first, 0, "not busy, two idle slots: run here");
	tap_ok(spilled, "back at once while another slot is idle: -EBUSY, a worker takes it (%d tries)", tries);
	kh_jobq_free(q);
	tap_is_int(atomic_load(&freed), 2 * tries, "all freed");
}

int main(void)
{
	test_capacity_and_order();
	test_deadlines();
	test_close_and_expire_all();
	test_run_here();
	test_run_here_takes_a_slot();
	test_busy_caller_spills();
	tap_ok(kh_jobq_free(NULL) == NULL, "free(NULL)");
	return tap_done();
}
