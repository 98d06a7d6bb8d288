/* http.c - the routes of ils-web over libmicrohttpd */
/*
 *   GET /            the page (page.c); ?q= search, ?sort= &desc=1
 *   GET /api/online  the same listing as JSON (json.c); ?q= too
 *   GET /healthz     whether the directory answers, 200 or 503
 * Anything else is 404, any method but GET and HEAD 405.  A directory
 * that does not answer makes the page and the API answer 503 with the
 * reason, within the time-out of directory.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "ils-web.h"

#define MAX_QUERY 256		/* bytes of a search; more is refused */
#define MAX_CONNS 64		/* open HTTP connections in all */
/* of them from one address: a client that opens MAX_CONNS and sends
 * nothing would otherwise lock everyone else out until the time-out,
 * and again at once; a browser opens six to a server */
#define MAX_CONNS_PER_ADDR 8

static int refresh_secs;
static int verbose;

/* no script, no frame, no external anything: a value that escaped
 * escaping still could not run */
static const char csp[] = "default-src 'none'; style-src 'unsafe-inline'; "
	"img-src data:; form-action 'self'; frame-ancestors 'none'; "
	"base-uri 'none'";

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned status, const char *type,
	char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
answer_json(struct MHD_Connection *c, unsigned status, char *s)
{
	if (s == NULL)
		return MHD_NO;
	return answer(c, status, "application/json", s, strlen(s));
}

static enum MHD_Result
answer_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char *s = strdup(msg);

	if (s == NULL)
		return MHD_NO;
	return answer(c, status, "text/plain; charset=utf-8", s, strlen(s));
}

static const char *
arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* the listing of / and /api/online: 0, or -1 with err set */
static int
listing(struct MHD_Connection *c, char **q, struct userlist *l,
	struct query *qy, char *err, size_t errlen)
{
	const char *raw = arg(c, "q"), *d = arg(c, "desc");

	memset(qy, 0, sizeof(*qy));
	*q = text_utf8(raw ? raw : "", raw ? strlen(raw) : 0);
	qy->q = *q;
	qy->sort = arg(c, "sort");
	qy->desc = d && !strcmp(d, "1");
	qy->refresh = refresh_secs;
	if (dir_list(*q, l, err, errlen) < 0)
		return -1;
	userlist_sort(l, qy->sort, qy->desc);
	return 0;
}

static enum MHD_Result
route(struct MHD_Connection *c, const char *url)
{
	struct userlist l = { NULL, 0, 0 };
	struct query qy;
	struct buf b = { NULL, 0, 0 };
	char err[600], *q = NULL;
	const char *raw = arg(c, "q");
	enum MHD_Result ret;
	int rc;

	if (raw && strlen(raw) > MAX_QUERY)
		return answer_text(c, MHD_HTTP_BAD_REQUEST,
		    "ils-web: the search is too long\n");
	if (!strcmp(url, "/healthz")) {
		rc = dir_ping(err, sizeof(err));
		return answer_json(c, rc == 0 ? MHD_HTTP_OK :
		    MHD_HTTP_SERVICE_UNAVAILABLE, json_health(rc == 0,
		    rc == 0 ? NULL : err));
	}
	if (!strcmp(url, "/api/online")) {
		rc = listing(c, &q, &l, &qy, err, sizeof(err));
		ret = answer_json(c, rc == 0 ? MHD_HTTP_OK :
		    MHD_HTTP_SERVICE_UNAVAILABLE, json_online(&l, rc ? err : NULL));
	} else if (!strcmp(url, "/")) {
		rc = listing(c, &q, &l, &qy, err, sizeof(err));
		page_online(&b, &l, &qy, rc ? err : NULL);
		ret = answer(c, rc == 0 ? MHD_HTTP_OK :
		    MHD_HTTP_SERVICE_UNAVAILABLE, "text/html; charset=utf-8",
		    b.s, b.len);
	} else {
		return answer_text(c, MHD_HTTP_NOT_FOUND, "ils-web: not found "
		    "(try /, /api/online or /healthz)\n");
	}
	userlist_free(&l);
	free(q);
	return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
	const char *method, const char *version, const char *data,
	size_t *data_size, void **state)
{
	(void)cls; (void)version; (void)data;

	/* the first call only announces the request; a body is ignored */
	if (*state == NULL) {
		*state = (void *)1;
		return MHD_YES;
	}
	if (*data_size) {
		*data_size = 0;
		return MHD_YES;
	}
	if (verbose)
		fprintf(stderr, "ils-web: %s %s\n", method, url);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "ils-web: only GET and HEAD\n");
	return route(c, url);
}

struct MHD_Daemon *
http_start(const struct sockaddr *sa, int v6, int refresh, int verb)
{
	refresh_secs = refresh;
	verbose = verb;
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
	    handler, NULL,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MAX_CONNS_PER_ADDR,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_END);
}
