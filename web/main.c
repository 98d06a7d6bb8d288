/* main.c - ils-web: options, start, and a clean stop on SIGINT/SIGTERM */
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "ils-web.h"

static void
usage(void)
{
	fprintf(stderr, "usage: ils-web [-v] [-H ldapuri] [-l [addr:]port] "
	    "[-b base] [-t timeout]\n"
	    "               [-r refresh] [-i interval] [-z sizelimit]\n");
	exit(2);
}

static int
number(const char *s, int lo, int hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "ils-web: %s must be a number from %d to %d\n",
		    what, lo, hi);
		exit(2);
	}
	return (int)v;
}

/* -l PORT, ADDR:PORT or [ADDR6]:PORT; numeric, loopback by default */
static struct addrinfo *
listen_addr(const char *spec)
{
	struct addrinfo hints, *ai = NULL;
	char addr[128] = "127.0.0.1";
	const char *port = spec, *colon;
	int rc;

	if (spec[0] == '[' && (colon = strstr(spec, "]:")) != NULL) {
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - spec - 1),
		    spec + 1);
		port = colon + 2;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	}
	number(port, 1, 65535, "the port of -l");
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(addr, port, &hints, &ai)) != 0) {
		fprintf(stderr, "ils-web: -l %s: %s\n", spec, gai_strerror(rc));
		exit(2);
	}
	return ai;
}

int
main(int argc, char **argv)
{
	struct dirconf dc = { "ldap://127.0.0.1/", "ou=Dynamic,o=Intranet",
	    5, 1000 };
	const char *listen = "127.0.0.1:8080";
	int refresh = 30, interval = 60, verbose = 0, ch, sig;
	struct MHD_Daemon *d;
	struct addrinfo *ai;
	sigset_t set;

	while ((ch = getopt(argc, argv, "vH:l:b:t:r:i:z:")) != -1) {
		switch (ch) {
		case 'v': verbose = 1; break;
		case 'H': dc.uri = optarg; break;
		case 'l': listen = optarg; break;
		case 'b': dc.base = optarg; break;
		case 't': dc.timeout = number(optarg, 1, 300, "-t"); break;
		case 'r': refresh = number(optarg, 0, 86400, "-r"); break;
		case 'i': interval = number(optarg, 1, 86400, "-i"); break;
		case 'z': dc.maxusers = number(optarg, 1, 1000000, "-z"); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	ai = listen_addr(listen);
	if (dir_init(&dc) < 0)
		return 1;

	/* signals go to sigwait below, not to MHD's or the sampler's threads */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = http_start(ai->ai_addr, ai->ai_family == AF_INET6, refresh, verbose);
	if (d == NULL) {
		fprintf(stderr, "ils-web: cannot listen on %s\n", listen);
		return 1;
	}
	freeaddrinfo(ai);
	if (history_start(interval) < 0) {
		fprintf(stderr, "ils-web: cannot start the sampler\n");
		MHD_stop_daemon(d);
		return 1;
	}
	fprintf(stderr, "ils-web: listening on %s, reading %s\n", listen,
	    dc.uri);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	history_stop();
	dir_destroy();
	return 0;
}
