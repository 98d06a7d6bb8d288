/* history.c - how many were online over the last day, sampled by ils-web */
/*
 * A thread lists the directory every interval seconds and keeps the
 * count in a ring of one day of samples, in memory only.  The listing
 * is the page's own (everyone listed), so the chart counts what the
 * page shows.  A full listing also ends the "online since" of the names
 * that are gone (users.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ils-web.h"

#define DAY 86400

static struct sample *ring;
static int ring_size, ring_next, ring_count;
static int interval;
static int stopping;
static pthread_t sampler;
static pthread_mutex_t hist_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hist_wake = PTHREAD_COND_INITIALIZER;

static void
record(time_t at, int count)
{
	pthread_mutex_lock(&hist_lock);
	ring[ring_next].at = at;
	ring[ring_next].count = count;
	ring_next = (ring_next + 1) % ring_size;
	if (ring_count < ring_size)
		ring_count++;
	pthread_mutex_unlock(&hist_lock);
}

static void
sample_once(void)
{
	struct userlist l;
	char err[512];

	if (dir_list(NULL, &l, err, sizeof(err)) == 0) {
		record(l.at, l.n);
		seen_forget_older(l.at);
		userlist_free(&l);
	} else {
		record(time(NULL), -1);
	}
}

static void *
sampler_main(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&hist_lock);
	while (!stopping) {
		pthread_mutex_unlock(&hist_lock);
		sample_once();
		pthread_mutex_lock(&hist_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += interval;
		while (!stopping && pthread_cond_timedwait(&hist_wake,
		    &hist_lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&hist_lock);
	return NULL;
}

int
history_start(int seconds)
{
	interval = seconds;
	ring_size = DAY / seconds + 1;
	if ((ring = calloc(ring_size, sizeof(*ring))) == NULL)
		return -1;
	if (pthread_create(&sampler, NULL, sampler_main, NULL) != 0) {
		free(ring);
		ring = NULL;
		return -1;
	}
	return 0;
}

void
history_stop(void)
{
	if (ring == NULL)
		return;
	pthread_mutex_lock(&hist_lock);
	stopping = 1;
	pthread_cond_signal(&hist_wake);
	pthread_mutex_unlock(&hist_lock);
	pthread_join(sampler, NULL);
	free(ring);
	ring = NULL;
}

int
history_get(struct sample **out)
{
	int i, n, first;

	pthread_mutex_lock(&hist_lock);
	n = ring_count;
	*out = calloc(n > 0 ? n : 1, sizeof(**out));
	if (*out == NULL)
		n = 0;
	first = (ring_next - ring_count + ring_size) % (ring_size ? ring_size : 1);
	for (i = 0; i < n; i++)
		(*out)[i] = ring[(first + i) % ring_size];
	pthread_mutex_unlock(&hist_lock);
	return n;
}

int
history_interval(void)
{
	return interval;
}
