/* ils-web.h - the "who is online" web page of an ILS directory */
/*
 * ils-web reads an ILS directory (back-ils or any other ILS server) over
 * LDAP with libldap and serves what it lists as an HTML page, as JSON
 * and as a health check, over libmicrohttpd.  The files:
 *   main.c       options, start and stop
 *   http.c       the HTTP routes and their responses
 *   directory.c  the LDAP connection: reuse, reconnect, time-outs
 *   users.c      an ILS entry read as a user: client, address, links
 *   text.c       growable buffers, UTF-8/Latin-1, HTML and URI escaping
 *   page.c       the HTML page
 *   json.c       the JSON answers (jansson)
 *   history.c    the sampler thread and the last day of counts
 */
#ifndef ILS_WEB_H
#define ILS_WEB_H

#include <stddef.h>
#include <time.h>

/* ---- text.c ---- */

struct buf {
	char *s;
	size_t len, cap;
};

void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/* a malloc'd, valid UTF-8 copy: a value that is not UTF-8 is Latin-1 */
char *text_utf8(const char *s, size_t n);
/* HTML text and attribute values: & < > " ' escaped, controls dropped */
void html_esc(struct buf *b, const char *s);
/* the first max characters of s, escaped, with an ellipsis if cut */
void html_esc_cut(struct buf *b, const char *s, size_t max);
/* RFC 3986 percent-encoding of everything but unreserved and keep */
void uri_esc(struct buf *b, const char *s, const char *keep);

/* ---- users.c ---- */

enum client {
	CLIENT_UNKNOWN, CLIENT_NETMEETING, CLIENT_DIALER, CLIENT_GNOMEMEETING,
	CLIENT_EKIGA, CLIENT_PTLIB
};

struct user {
	char *cn, *given, *surname, *email, *location, *comment;
	char *appid;		/* sappid / applicationID as written */
	char addr[16];		/* dotted IPv4 from sipaddress, or "" */
	int port;		/* the H.323 port (0: none written) */
	char *ports;		/* every sport value, space-separated */
	enum client client;
	int in_call;		/* ilsa26214430: 1, 0, or -1 not written */
	int listed;		/* sflags is not 0 */
	time_t since;		/* online since (first seen, see ils-web.8) */
};

struct userlist {
	struct user *u;
	int n;
	time_t at;		/* when it was read */
};

const char *client_name(enum client c);
void user_free(struct user *u);
void userlist_free(struct userlist *l);
/* sort by key: name, email, location, client, address, call, since */
void userlist_sort(struct userlist *l, const char *key, int desc);
/* the callto: and h323: links of u (host: the directory's host) */
void user_callto(struct buf *b, const struct user *u, const char *host);
void user_h323(struct buf *b, const struct user *u);

/* ---- directory.c ---- */

struct dirconf {
	const char *uri;	/* -H */
	const char *base;	/* -b */
	int timeout;		/* -t: seconds for a connect and a search */
	int maxusers;		/* size limit of one listing */
};

int dir_init(const struct dirconf *c);
void dir_destroy(void);
/* the host part of the URI, for callto: links */
const char *dir_host(void);
/* list the users matching q (NULL or "": everyone listed); 0 or -1 with
 * a message in err */
int dir_list(const char *q, struct userlist *out, char *err, size_t errlen);
/* whether the directory answers: 0 or -1 with a message */
int dir_ping(char *err, size_t errlen);

/* used by directory.c to read one entry (users.c) */
extern const char *const user_attrs[];
struct ldap;
struct ldapmsg;
int user_from_entry(struct ldap *ld, struct ldapmsg *e, struct user *u);
time_t seen_since(const char *cn, time_t now);
void seen_forget_older(time_t before);

/* ---- history.c ---- */

struct sample {
	time_t at;
	int count;		/* -1: the directory did not answer */
};

int history_start(int interval);
void history_stop(void);
/* a malloc'd copy of the samples, oldest first */
int history_get(struct sample **out);
int history_interval(void);

/* ---- page.c and json.c ---- */

struct query {
	const char *q;		/* the search box */
	const char *sort;
	int desc;
	int refresh;		/* seconds between page refreshes */
};

void page_online(struct buf *b, const struct userlist *l,
	const struct query *qy, const char *err);
char *json_online(const struct userlist *l, const char *err);
char *json_health(int ok, const char *err);

/* ---- http.c ---- */

struct sockaddr;
struct MHD_Daemon;
struct MHD_Daemon *http_start(const struct sockaddr *sa, int v6,
	int refresh, int verbose);

#endif
