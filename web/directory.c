/* directory.c - reading the ILS directory: one reused LDAP connection */
/*
 * One anonymous LDAPv3 connection serves every request and the sampler;
 * libldap runs one synchronous operation on it at a time, under dir_lock.
 * Every wait is bounded: the TCP connect (LDAP_OPT_NETWORK_TIMEOUT), each
 * reply (LDAP_OPT_TIMEOUT, which libldap's synchronous calls use), the
 * server's own time limit, and the wait for the lock itself, so that a
 * directory that is down or never answers gives an error page within
 * about the time-out rather than a request that hangs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "ils-web.h"

static struct dirconf conf;
static LDAP *ld;			/* NULL: not connected */
static char host[256];
static pthread_mutex_t dir_lock = PTHREAD_MUTEX_INITIALIZER;

int
dir_init(const struct dirconf *c)
{
	LDAPURLDesc *lud;

	conf = *c;
	if (ldap_url_parse(conf.uri, &lud) != LDAP_URL_SUCCESS) {
		fprintf(stderr, "ils-web: -H %s is not an LDAP URI\n", conf.uri);
		return -1;
	}
	snprintf(host, sizeof(host), "%s", lud->lud_host ? lud->lud_host : "");
	ldap_free_urldesc(lud);
	return 0;
}

const char *
dir_host(void)
{
	return host;
}

static void
drop(void)
{
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	ld = NULL;
}

void
dir_destroy(void)
{
	pthread_mutex_lock(&dir_lock);
	drop();
	pthread_mutex_unlock(&dir_lock);
}

static void
say_error(int rc, char *err, size_t errlen)
{
	char *diag = NULL;

	if (rc == LDAP_TIMEOUT) {
		snprintf(err, errlen, "the directory %s did not answer within "
		    "%d seconds", conf.uri, conf.timeout);
	} else if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) {
		snprintf(err, errlen, "cannot reach the directory %s (%s)",
		    conf.uri, ldap_err2string(rc));
	} else {
		if (ld != NULL)
			ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		snprintf(err, errlen, "the directory %s answered: %s (%d)%s%s",
		    conf.uri, ldap_err2string(rc), rc, diag && *diag ? ": " : "",
		    diag ? diag : "");
		ldap_memfree(diag);
	}
}

/* a new connection and its anonymous bind */
static int
connect_dir(void)
{
	struct timeval tv = { conf.timeout, 0 };
	struct berval cred = { 0, NULL };
	int v3 = LDAP_VERSION3, rc;

	if ((rc = ldap_initialize(&ld, conf.uri)) != LDAP_SUCCESS) {
		ld = NULL;
		return rc;
	}
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMELIMIT, &conf.timeout);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	rc = ldap_sasl_bind_s(ld, "", LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	if (rc != LDAP_SUCCESS)
		drop();
	return rc;
}

/* take the connection, within the time-out */
static int
dir_lock_timed(char *err, size_t errlen)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += conf.timeout + 1;
	if (pthread_mutex_timedlock(&dir_lock, &until) == 0)
		return 0;
	snprintf(err, errlen, "the directory %s is busy: an earlier request "
	    "is still waiting for it", conf.uri);
	return -1;
}

/*
 * One search on the shared connection.  A connection that was reused
 * may have been closed by the server meanwhile (a restart, an idle
 * time-out): that one is tried once more on a new connection.  After a
 * time-out the connection is dropped, since a reply may still come.
 */
static int
search(const char *base, int scope, const char *filter, char **attrs,
	int sizelimit, LDAPMessage **res, char *err, size_t errlen)
{
	struct timeval tv = { conf.timeout, 0 };
	int rc, tries, fresh;

	*res = NULL;
	for (tries = 0; tries < 2; tries++) {
		fresh = ld == NULL;
		if (fresh && (rc = connect_dir()) != LDAP_SUCCESS)
			break;
		rc = ldap_search_ext_s(ld, base, scope, filter, attrs, 0, NULL,
		    NULL, &tv, sizelimit, res);
		if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED)
			return 0;
		if (*res) {
			ldap_msgfree(*res);
			*res = NULL;
		}
		if (rc != LDAP_SERVER_DOWN && rc != LDAP_CONNECT_ERROR &&
		    rc != LDAP_TIMEOUT)
			break;		/* an answer: the connection is fine */
		drop();
		if (fresh || rc == LDAP_TIMEOUT)
			break;
	}
	say_error(rc, err, errlen);
	return -1;
}

/* a base naming the NetMeeting pseudo-class is searched with scope base
 * (MS-TAIL <28>); a container with scope one */
static int
base_scope(void)
{
	return strncasecmp(conf.base, "objectClass=", 12) ?
	    LDAP_SCOPE_ONELEVEL : LDAP_SCOPE_BASE;
}

/*
 * The filter of a listing: every person, or those whose cn, e-mail or
 * name contains q.  q goes in as an escaped assertion value (RFC 4515),
 * so no input can change the filter's structure.
 */
static char *
make_filter(const char *q)
{
	struct berval in, esc = { 0, NULL };
	struct buf f = { NULL, 0, 0 };

	if (q == NULL || *q == '\0') {
		buf_puts(&f, "(&(objectClass=rtPerson)(cn=*))");
		return f.s;
	}
	in.bv_val = (char *)q;
	in.bv_len = strlen(q);
	if (ldap_bv2escaped_filter_value(&in, &esc) != 0)
		return NULL;
	buf_printf(&f, "(&(objectClass=rtPerson)(|(cn=*%s*)(rfc822mailbox=*%s*)"
	    "(givenName=*%s*)(surname=*%s*)))", esc.bv_val, esc.bv_val,
	    esc.bv_val, esc.bv_val);
	ldap_memfree(esc.bv_val);
	return f.s;
}

static void
collect(LDAPMessage *res, struct userlist *out)
{
	LDAPMessage *e;
	struct user u;
	int n = ldap_count_entries(ld, res);

	out->u = calloc(n > 0 ? n : 1, sizeof(*out->u));
	if (out->u == NULL)
		return;
	for (e = ldap_first_entry(ld, res); e; e = ldap_next_entry(ld, e)) {
		if (user_from_entry(ld, e, &u) < 0)
			continue;
		/* sflags=0: "do not list me", as NetMeeting's own listing
		 * does, whether or not the server leaves them out itself */
		if (!u.listed) {
			user_free(&u);
			continue;
		}
		u.since = seen_since(u.cn, out->at);
		out->u[out->n++] = u;
	}
}

int
dir_list(const char *q, struct userlist *out, char *err, size_t errlen)
{
	LDAPMessage *res;
	char *filter;
	int rc;

	memset(out, 0, sizeof(*out));
	out->at = time(NULL);
	if ((filter = make_filter(q)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (dir_lock_timed(err, errlen) < 0) {
		free(filter);
		return -1;
	}
	rc = search(conf.base, base_scope(), filter, (char **)user_attrs,
	    conf.maxusers, &res, err, errlen);
	if (rc == 0) {
		collect(res, out);
		ldap_msgfree(res);
	}
	pthread_mutex_unlock(&dir_lock);
	free(filter);
	return rc;
}

int
dir_ping(char *err, size_t errlen)
{
	static char *no_attrs[] = { LDAP_NO_ATTRS, NULL };
	LDAPMessage *res;
	int rc;

	if (dir_lock_timed(err, errlen) < 0)
		return -1;
	rc = search("", LDAP_SCOPE_BASE, "(objectClass=*)", no_attrs, 1, &res,
	    err, errlen);
	if (rc == 0)
		ldap_msgfree(res);
	pthread_mutex_unlock(&dir_lock);
	return rc;
}
