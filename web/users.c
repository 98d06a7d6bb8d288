/* users.c - an ILS entry read as a user: client, address, port, links */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "ils-web.h"

/*
 * Each field under every name the clients write it with: the MS-TAIL
 * names (NetMeeting, GnomeMeeting, PTLib) and the Dialer's LDAPv3 ones.
 * back-ils answers under the names asked for; another ILS server may
 * hold only one of them.
 */
static const char *const n_cn[] = { "cn", NULL };
static const char *const n_given[] = { "givenName", NULL };
static const char *const n_sn[] = { "surname", "sn", NULL };
static const char *const n_mail[] = { "rfc822mailbox", "mail", NULL };
static const char *const n_loc[] = { "location", "l", NULL };
static const char *const n_comment[] = { "comment", "description", NULL };
static const char *const n_ip[] = { "sipaddress", "ipAddress", NULL };
static const char *const n_port[] = { "sport", "port", NULL };
static const char *const n_app[] = { "sappid", "applicationID", NULL };
static const char *const n_guid[] = { "sappguid", "guid", NULL };
static const char *const n_flags[] = { "sflags", NULL };
static const char *const n_call[] = { "ilsa26214430", NULL };

/* the attribute list of a listing: every name above */
const char *const user_attrs[] = {
	"cn", "givenName", "surname", "sn", "rfc822mailbox", "mail",
	"location", "l", "comment", "description", "sipaddress", "ipAddress",
	"sport", "port", "sappid", "applicationID", "sappguid", "guid",
	"sflags", "ilsa26214430", NULL
};

static struct berval **
values(LDAP *ld, LDAPMessage *e, const char *const *names)
{
	struct berval **v;

	for (; *names; names++)
		if ((v = ldap_get_values_len(ld, e, *names)) != NULL) {
			if (v[0] != NULL)
				return v;
			ldap_value_free_len(v);
		}
	return NULL;
}

/* the first value as valid UTF-8 ("" when there is none) */
static char *
first(LDAP *ld, LDAPMessage *e, const char *const *names)
{
	struct berval **v = values(ld, e, names);
	char *s;

	s = v ? text_utf8(v[0]->bv_val, v[0]->bv_len) : text_utf8("", 0);
	if (v)
		ldap_value_free_len(v);
	return s;
}

/* MS-TAIL 2.2.3: the network-order bytes read as a little-endian
 * unsigned number; some clients printed it as a signed one */
static void
decode_ip(const char *s, char out[16])
{
	char *end;
	long long v;

	out[0] = '\0';
	if (*s == '\0' || strlen(s) > 11)
		return;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < -2147483648LL || v > 4294967295LL)
		return;
	if (v < 0)
		v += 4294967296LL;
	snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(v & 255),
	    (unsigned)(v >> 8 & 255), (unsigned)(v >> 16 & 255),
	    (unsigned)(v >> 24 & 255));
}

/*
 * Every port, space-separated, and the one to call: the first that is
 * not 1503 (T.120), as OPAL's callto: does.  PTLib writes the list as
 * one value "1503 1720", so values are split on spaces too.
 */
static void
read_ports(LDAP *ld, LDAPMessage *e, struct user *u)
{
	struct berval **v = values(ld, e, n_port);
	struct buf all = { NULL, 0, 0 };
	char *s, *tok, *save;
	int i, p;

	buf_add(&all, "", 0);
	for (i = 0; v && v[i]; i++) {
		s = text_utf8(v[i]->bv_val, v[i]->bv_len);
		for (tok = strtok_r(s, " ,", &save); tok;
		    tok = strtok_r(NULL, " ,", &save)) {
			p = atoi(tok);
			if (p <= 0 || p > 65535)
				continue;
			buf_printf(&all, "%s%d", all.len ? " " : "", p);
			if (u->port == 0 && p != 1503)
				u->port = p;
		}
		free(s);
	}
	if (v)
		ldap_value_free_len(v);
	u->ports = all.s;
}

static enum client
detect(const struct user *u, const char *guid)
{
	if (strchr(u->cn, ']'))		/* the Dialer's cn is user]host */
		return CLIENT_DIALER;
	if (!strcasecmp(u->appid, "ms-netmeeting"))
		return CLIENT_NETMEETING;
	if (!strcasecmp(u->appid, "GnomeMeeting"))
		return CLIENT_GNOMEMEETING;
	if (!strncasecmp(u->appid, "ekiga", 5))
		return CLIENT_EKIGA;
	/* PTLib names the application after the process, with no GUID */
	if (!strcasecmp(guid, "none"))
		return CLIENT_PTLIB;
	return CLIENT_UNKNOWN;
}

int
user_from_entry(struct ldap *ld, struct ldapmsg *e, struct user *u)
{
	char *s;

	memset(u, 0, sizeof(*u));
	u->cn = first(ld, e, n_cn);
	if (u->cn[0] == '\0') {
		free(u->cn);
		u->cn = NULL;
		return -1;	/* a conference or a container: not a person */
	}
	u->given = first(ld, e, n_given);
	u->surname = first(ld, e, n_sn);
	u->email = first(ld, e, n_mail);
	u->location = first(ld, e, n_loc);
	u->comment = first(ld, e, n_comment);
	u->appid = first(ld, e, n_app);
	s = first(ld, e, n_ip);
	decode_ip(s, u->addr);
	free(s);
	read_ports(ld, e, u);
	s = first(ld, e, n_guid);
	u->client = detect(u, s);
	free(s);
	s = first(ld, e, n_flags);
	u->listed = strcmp(s, "0") != 0;
	free(s);
	s = first(ld, e, n_call);
	u->in_call = *s ? atoi(s) != 0 : -1;
	free(s);
	return 0;
}

const char *
client_name(enum client c)
{
	switch (c) {
	case CLIENT_NETMEETING: return "NetMeeting";
	case CLIENT_DIALER: return "Phone Dialer";
	case CLIENT_GNOMEMEETING: return "GnomeMeeting";
	case CLIENT_EKIGA: return "Ekiga";
	case CLIENT_PTLIB: return "PTLib";
	default: return "other";
	}
}

void
user_free(struct user *u)
{
	free(u->cn);
	free(u->given);
	free(u->surname);
	free(u->email);
	free(u->location);
	free(u->comment);
	free(u->appid);
	free(u->ports);
}

void
userlist_free(struct userlist *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		user_free(&l->u[i]);
	free(l->u);
	l->u = NULL;
	l->n = 0;
}

/* ---- sorting ---- */

static int sort_key;	/* set under sort_lock for the comparator */
static int sort_desc;
static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const sort_keys[] = {
	"name", "email", "location", "client", "address", "call", "since", NULL
};

static int
addr_cmp(const struct user *a, const struct user *b)
{
	unsigned x[4] = { 0 }, y[4] = { 0 };
	int i;

	sscanf(a->addr, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]);
	sscanf(b->addr, "%u.%u.%u.%u", &y[0], &y[1], &y[2], &y[3]);
	for (i = 0; i < 4; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static int
user_cmp(const void *pa, const void *pb)
{
	const struct user *a = pa, *b = pb;
	int r = 0;

	switch (sort_key) {
	case 1: r = strcasecmp(a->email, b->email); break;
	case 2: r = strcasecmp(a->location, b->location); break;
	case 3: r = strcmp(client_name(a->client), client_name(b->client)); break;
	case 4: r = addr_cmp(a, b); break;
	case 5: r = a->in_call - b->in_call; break;
	case 6: r = (a->since > b->since) - (a->since < b->since); break;
	}
	if (r == 0) {
		r = strcasecmp(a->surname, b->surname);
		if (r == 0)
			r = strcasecmp(a->given, b->given);
		if (r == 0)
			r = strcasecmp(a->cn, b->cn);
	}
	return sort_desc ? -r : r;
}

void
userlist_sort(struct userlist *l, const char *key, int desc)
{
	int k = 0, i;

	for (i = 0; key && sort_keys[i]; i++)
		if (!strcmp(key, sort_keys[i]))
			k = i;
	pthread_mutex_lock(&sort_lock);
	sort_key = k;
	sort_desc = desc;
	qsort(l->u, l->n, sizeof(*l->u), user_cmp);
	pthread_mutex_unlock(&sort_lock);
}

/* ---- links ---- */

/* NetMeeting's callto://ILSSERVER/EMAIL names the directory and the user */
void
user_callto(struct buf *b, const struct user *u, const char *host)
{
	buf_puts(b, "callto:");
	if (host && *host) {
		buf_puts(b, strchr(host, ':') ? "//[" : "//");
		uri_esc(b, host, ":");
		buf_puts(b, strchr(host, ':') ? "]/" : "/");
	}
	uri_esc(b, u->cn, "@");
}

/* RFC 3508: h323:USER@HOST[:PORT] */
void
user_h323(struct buf *b, const struct user *u)
{
	buf_puts(b, "h323:");
	uri_esc(b, u->cn, NULL);
	if (u->addr[0]) {
		buf_printf(b, "@%s", u->addr);
		if (u->port && u->port != 1720)
			buf_printf(b, ":%d", u->port);
	}
}

/* ---- online since ---- */

/*
 * ILS registrations carry no time of their own (back-ils keeps no
 * createTimestamp, NetMeeting writes none), so "online since" is when
 * ils-web first listed the cn; a cn missing from a full listing is
 * forgotten, and starts again when it comes back.
 */
struct seen {
	char *cn;
	time_t first, last;
};
static struct seen *seen;
static int nseen;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

time_t
seen_since(const char *cn, time_t now)
{
	struct seen *s;
	time_t t;
	int i;

	pthread_mutex_lock(&seen_lock);
	for (i = 0; i < nseen; i++)
		if (!strcasecmp(seen[i].cn, cn))
			break;
	if (i == nseen && (s = realloc(seen, (nseen + 1) * sizeof(*s)))) {
		seen = s;
		seen[i].cn = strdup(cn);
		seen[i].first = now;
		if (seen[i].cn)
			nseen++;
	}
	t = now;
	if (i < nseen) {
		seen[i].last = now;
		t = seen[i].first;
	}
	pthread_mutex_unlock(&seen_lock);
	return t;
}

void
seen_forget_older(time_t before)
{
	int i, j;

	pthread_mutex_lock(&seen_lock);
	for (i = j = 0; i < nseen; i++) {
		if (seen[i].last < before)
			free(seen[i].cn);
		else
			seen[j++] = seen[i];
	}
	nseen = j;
	pthread_mutex_unlock(&seen_lock);
}
