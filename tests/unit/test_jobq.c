/* SPDX-License-Identifier: MIT */
/* The job queue: capacity, order, deadlines, cancellation, close, exactly one finish. */
#include <errno.h>
#include <stdatomic.h>
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
};

static void t_run(struct kh_job *b, struct kh_worker *w)
{
	struct tjob *j = (struct tjob *)b;

	(void)w;
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

int main(void)
{
	test_capacity_and_order();
	test_deadlines();
	test_close_and_expire_all();
	tap_ok(kh_jobq_free(NULL) == NULL, "free(NULL)");
	return tap_done();
}
