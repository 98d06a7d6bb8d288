/* race.c - many clients against slapo-dynttl's expiry boundary
 *
 * usage: race -H URI -m mdb|ils [-b BASE] [-D DN -w PW] [-c CLIENTS]
 *             [-n NAMES] [-f FILL] [-t SECONDS] [-s SEED]
 *
 * Each client thread owns NAMES dynamic entries and, for SECONDS, acts on
 * each of them when its TTL lapses, from 200 ms before to 1.2 s after (the
 * expiry task runs every second, and deletes what lapsed meanwhile in one
 * batch: the later entries of a batch are chosen long before their
 * Delete, the window the keep-alive must not fall into): a refresh (RFC
 * 2589 extended operation, a Modify of entryTtl, on ils the NetMeeting
 * keep-alive search and a repeated Add), a Delete, an Add, a search.  TTLs
 * are 1 to 4 seconds, so refreshes put times earlier and later, and the
 * write-behind pass, the expiry task and the clients meet at the boundary.
 * Owning its names, a client knows what the server acknowledged, and
 * checks at every step:
 *   - an acknowledged refresh (or Add) is honoured: the entry exists until
 *     at least the time of the request plus the TTL granted;
 *   - an acknowledged Delete holds: the entry does not come back.
 * After the load every entry is refreshed to 1 second (or found gone),
 * and once that has lapsed the database must hold none of them, hidden or
 * not (searched with manageDSAit, as the rootdn on mdb): no ghost.
 * With -f one more client owns FILL names that it adds with a TTL of 1 s
 * in bursts, again once they are gone: the expiry task then has batches
 * of them to delete, and the other clients' entries lapsing in the same
 * second wait, chosen, for their Delete behind them.
 * Prints "ok - ..." / "not ok - ..." lines; exit status 0 when all hold.
 * The run is repeatable in its choices from the seed (thread timing is not).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#define LDAP_DEPRECATED 0
#include <ldap.h>

enum { R_ADD, R_DEL, R_REFRESH, R_MODTTL, R_KEEPALIVE, R_SEARCH, R_NOPS };
static const char *opname[R_NOPS] = {
	"add", "delete", "refresh", "modify-ttl", "keep-alive", "search"
};

typedef struct name {
	char	cn[64];
	int64_t	alive_until;	/* acknowledged: exists at least until */
	int64_t	alive_max;	/* ... and at most until (0: gone) */
	int	deleted;	/* an acknowledged Delete, no Add since */
	int64_t	next;		/* when to act on it */
} name;

typedef struct client {
	int		id;
	int		filler;		/* Adds of 1 s entries, in bursts */
	int		nnames;
	unsigned	seed;
	LDAP		*ld;
	name		*names;
	long		ops[R_NOPS], ok[R_NOPS];
	long		bad;
} client;

static const char *uri, *base = "dc=race", *binddn, *bindpw;
static int ils, nclients = 8, nnames = 6, seconds = 20, nfill = 0;
static pthread_mutex_t out_mutex = PTHREAD_MUTEX_INITIALIZER;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_until(int64_t t)
{
	int64_t d = t - now_ms();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = d / 1000;
	ts.tv_nsec = (d % 1000) * 1000000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
violation(client *c, name *n, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_mutex);
	printf("not ok - client %d, %s: ", c->id, n->cn);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&out_mutex);
	c->bad++;
}

static void
dn_of(const name *n, char *buf, size_t len)
{
	if (ils)
		snprintf(buf, len, "cn=%s,ou=Dynamic,o=Intranet", n->cn);
	else
		snprintf(buf, len, "cn=%s,%s", n->cn, base);
}

static LDAP *
connect_ld(void)
{
	LDAP *ld;
	int v = 3;
	struct berval pw = { 0, NULL };

	if (ldap_initialize(&ld, uri) != LDAP_SUCCESS)
		return NULL;
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v);
	if (binddn) {
		pw.bv_val = (char *)bindpw;
		pw.bv_len = strlen(bindpw);
	}
	if (ldap_sasl_bind_s(ld, binddn, LDAP_SASL_SIMPLE, &pw, NULL, NULL,
	    NULL) != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return NULL;
	}
	return ld;
}

/* the entry is absent now (t1: the reply's time): fine only once the
 * acknowledged life is over */
static void
absent(client *c, name *n, const char *how, int64_t t1)
{
	if (t1 < n->alive_until)
		violation(c, n, "%s: gone %lld ms before its acknowledged TTL",
		    how, (long long)(n->alive_until - t1));
	n->alive_until = n->alive_max = 0;
}

/* the entry is there: not after its acknowledged Delete */
static void
present(client *c, name *n, const char *how)
{
	if (n->deleted)
		violation(c, n, "%s: the entry is back after its Delete", how);
}

/* granted: alive from t0 + ttl to t1 + ttl (the server chose in between) */
static void
granted(name *n, int64_t t0, int64_t t1, long ttl)
{
	n->alive_until = t0 + ttl * 1000;
	n->alive_max = t1 + ttl * 1000;
	n->deleted = 0;
}

/* the answer rc to a refresh sent at t0: ttl granted, or the entry gone */
static int
refreshed(client *c, name *n, const char *how, int rc, int64_t t0, long ttl)
{
	int64_t t1 = now_ms();

	if (rc == LDAP_SUCCESS) {
		present(c, n, how);
		granted(n, t0, t1, ttl);
	} else if (rc == LDAP_NO_SUCH_OBJECT) {
		absent(c, n, how, t1);
	}
	return rc;
}

static int
do_add(client *c, name *n, int ttl)
{
	char dn[256], tbuf[16];
	char *ocs_mdb[] = { "inetOrgPerson", "dynamicObject", NULL };
	char *ocs_ils[] = { "rtPerson", NULL };
	char *cnv[] = { n->cn, NULL }, *snv[] = { "R", NULL };
	char *ipv[] = { "16777343", NULL }, *ttlv[] = { tbuf, NULL };
	LDAPMod oc = { LDAP_MOD_ADD, "objectClass", { ils ? ocs_ils : ocs_mdb } };
	LDAPMod cn = { LDAP_MOD_ADD, "cn", { cnv } };
	LDAPMod sn = { LDAP_MOD_ADD, ils ? "sipaddress" : "sn", { ils ? ipv : snv } };
	LDAPMod et = { LDAP_MOD_ADD, "entryTtl", { ttlv } };
	LDAPMod *mods[] = { &oc, &cn, &sn, &et, NULL };
	int64_t t0, t1;
	int rc;

	snprintf(tbuf, sizeof(tbuf), "%d", ttl);
	if (ils)
		snprintf(dn, sizeof(dn), "c=-,o=Microsoft, cn=%s, objectClass=rtPerson", n->cn);
	else
		dn_of(n, dn, sizeof(dn));
	t0 = now_ms();
	rc = ldap_add_ext_s(c->ld, dn, mods, NULL, NULL);
	t1 = now_ms();
	if (rc == LDAP_SUCCESS)		/* new, or on ils a refresh */
		granted(n, t0, t1, ttl);
	else if (rc == LDAP_ALREADY_EXISTS)
		present(c, n, "add");
	return rc;
}

static int
do_delete(client *c, name *n)
{
	char dn[256];
	int64_t t1;
	int rc;

	dn_of(n, dn, sizeof(dn));
	rc = ldap_delete_ext_s(c->ld, dn, NULL, NULL);
	t1 = now_ms();
	if (rc == LDAP_SUCCESS) {
		n->deleted = 1;
		n->alive_until = n->alive_max = 0;
	} else if (rc == LDAP_NO_SUCH_OBJECT) {
		absent(c, n, "delete", t1);
	}
	return rc;
}

static int
do_refresh(client *c, name *n, int ttl)
{
	char dn[256];
	struct berval bdn;
	ber_int_t newttl = 0;
	int64_t t0;
	int rc;

	dn_of(n, dn, sizeof(dn));
	bdn.bv_val = dn;
	bdn.bv_len = strlen(dn);
	t0 = now_ms();
	rc = ldap_refresh_s(c->ld, &bdn, ttl, &newttl, NULL, NULL);
	return refreshed(c, n, "refresh", rc, t0, newttl);
}

static int
do_modttl(client *c, name *n, int ttl)
{
	char dn[256], tbuf[16];
	char *v[] = { tbuf, NULL };
	LDAPMod m = { LDAP_MOD_REPLACE, "entryTtl", { v } };
	LDAPMod *mods[] = { &m, NULL };
	int64_t t0;
	int rc;

	dn_of(n, dn, sizeof(dn));
	snprintf(tbuf, sizeof(tbuf), "%d", ttl);
	t0 = now_ms();
	rc = ldap_modify_ext_s(c->ld, dn, mods, NULL, NULL);
	return refreshed(c, n, "modify-ttl", rc, t0, ttl);
}

/* a search that finds the entry or not; keep is NetMeeting's keep-alive
 * (sttl=1: one minute), which refreshes what it returns */
static int
do_search(client *c, name *n, int keep)
{
	char dn[256], filter[128];
	char *attrs[] = { "1.1", NULL };
	LDAPMessage *res = NULL;
	int64_t t0, t1;
	int rc, found;

	if (keep) {
		snprintf(filter, sizeof(filter),
		    "(&(objectClass=rtPerson)(cn=%s)(sttl=1))", n->cn);
		snprintf(dn, sizeof(dn), "objectClass=rtPerson");
	} else {
		snprintf(filter, sizeof(filter), "(objectClass=*)");
		dn_of(n, dn, sizeof(dn));
	}
	t0 = now_ms();
	rc = ldap_search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, filter, attrs, 0,
	    NULL, NULL, NULL, 0, &res);
	t1 = now_ms();
	found = rc == LDAP_SUCCESS && ldap_count_entries(c->ld, res) > 0;
	if (res)
		ldap_msgfree(res);
	if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT)
		return rc;
	if (found) {
		present(c, n, opname[keep ? R_KEEPALIVE : R_SEARCH]);
		if (keep)
			granted(n, t0, t1, 60);
	} else {
		absent(c, n, opname[keep ? R_KEEPALIVE : R_SEARCH], t1);
	}
	return LDAP_SUCCESS;
}

static int
act(client *c, name *n, int op, int ttl)
{
	switch (op) {
	case R_ADD: return do_add(c, n, ttl);
	case R_DEL: return do_delete(c, n);
	case R_REFRESH: return do_refresh(c, n, ttl);
	case R_MODTTL: return do_modttl(c, n, ttl);
	case R_KEEPALIVE: return do_search(c, n, 1);
	}
	return do_search(c, n, 0);
}

/* the next thing to do: mostly refreshes and re-Adds, aimed at the
 * moment the entry lapses */
static int
choose(client *c, name *n)
{
	int r = rand_r(&c->seed) % 100;

	if (c->filler)
		return R_ADD;
	if (!n->alive_max)
		return r < 80 ? R_ADD : r < 90 ? R_REFRESH : R_SEARCH;
	/* a lapsed entry, maybe chosen for a Delete: NetMeeting's
	 * keep-alive must then not return it, or keep it */
	if (ils && r < (now_ms() > n->alive_max ? 60 : 20)) return R_KEEPALIVE;
	if (r < 45) return R_REFRESH;
	if (r < 60) return R_ADD;
	if (r < 70) return R_MODTTL;
	if (r < 82) return R_SEARCH;
	return R_DEL;
}

static name *
earliest(client *c)
{
	name *best = &c->names[0];
	int i;

	for (i = 1; i < c->nnames; i++)
		if (c->names[i].next < best->next)
			best = &c->names[i];
	return best;
}

static void *
run(void *arg)
{
	client *c = arg;
	int64_t end = now_ms() + (int64_t)seconds * 1000;
	int i, op, rc;
	name *n;

	for (i = 0; i < c->nnames; i++) {
		n = &c->names[i];
		snprintf(n->cn, sizeof(n->cn), "r%d-%d", c->id, i);
		if (c->filler)
			continue;
		n->next = now_ms() + rand_r(&c->seed) % 500;
	}
	while ((n = earliest(c))->next < end) {
		sleep_until(n->next);
		op = choose(c, n);
		rc = act(c, n, op, c->filler ? 1 : 1 + rand_r(&c->seed) % 4);
		c->ops[op]++;
		if (rc == LDAP_SUCCESS)
			c->ok[op]++;
		else if (rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT) {
			violation(c, n, "%s: %s", opname[op], ldap_err2string(rc));
			break;
		}
		/* next: around the boundary of what was granted; soon after
		 * a keep-alive's minute, to put the time earlier again while
		 * the write-behind pass has the minute to write */
		if (c->filler)	/* all again once the burst has lapsed */
			n->next = (n->alive_max ? n->alive_max : now_ms()) + 1000;
		else if (n->alive_max > now_ms() + 5000)
			n->next = now_ms() + rand_r(&c->seed) % 1500;
		else
			n->next = (n->alive_max ? n->alive_max : now_ms()) - 200 +
			    rand_r(&c->seed) % 1400;
		if (n->next < now_ms())
			n->next = now_ms() + rand_r(&c->seed) % 50;
	}
	/* settle: every entry gets 1 second or is found gone */
	for (i = 0; i < c->nnames; i++) {
		n = &c->names[i];
		if (n->alive_max && do_refresh(c, n, 1) != LDAP_SUCCESS)
			n->alive_max = 0;
	}
	return NULL;
}

/* the names of the entries stored under the base, hidden ones too */
static int
stored(LDAP *ld, int *count, FILE *list)
{
	LDAPControl mdsa = { LDAP_CONTROL_MANAGEDSAIT, { 0, NULL }, 1 };
	LDAPControl *ctrls[] = { &mdsa, NULL };
	char *attrs[] = { "dynttlExpireTime", NULL };
	const char *b = ils ? "ou=Dynamic,o=Intranet" : base;
	LDAPMessage *res = NULL, *e;
	int rc;

	rc = ldap_search_ext_s(ld, b, LDAP_SCOPE_ONELEVEL, "(cn=r*)", attrs, 0,
	    ctrls, NULL, NULL, 0, &res);
	*count = 0;
	if (rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT)
		for (e = ldap_first_entry(ld, res); e; e = ldap_next_entry(ld, e)) {
			char *dn = ldap_get_dn(ld, e);
			struct berval **v = ldap_get_values_len(ld, e, "dynttlExpireTime");
			if (list)
				fprintf(list, "#   stored: %s expires %s\n", dn,
				    v && v[0] ? v[0]->bv_val : "(none)");
			ldap_value_free_len(v);
			ldap_memfree(dn);
			(*count)++;
		}
	if (res)
		ldap_msgfree(res);
	return rc == LDAP_NO_SUCH_OBJECT ? LDAP_SUCCESS : rc;
}

int
main(int argc, char **argv)
{
	unsigned seed = (unsigned)time(NULL);
	client *cl;
	pthread_t *th;
	long ops[R_NOPS] = { 0 }, okc[R_NOPS] = { 0 }, bad = 0, total = 0;
	int64_t last = 0;
	int opt, i, j, left = 0, rc = -1;
	LDAP *ld;

	while ((opt = getopt(argc, argv, "H:m:b:D:w:c:n:t:s:f:")) != -1) {
		switch (opt) {
		case 'H': uri = optarg; break;
		case 'm': ils = !strcmp(optarg, "ils"); break;
		case 'b': base = optarg; break;
		case 'D': binddn = optarg; break;
		case 'w': bindpw = optarg; break;
		case 'c': nclients = atoi(optarg); break;
		case 'n': nnames = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		case 's': seed = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'f': nfill = atoi(optarg); break;
		default: uri = NULL; break;
		}
	}
	if (!uri || optind != argc || nclients < 1 || nclients > 256 ||
	    nnames < 1 || nnames > 1000 || seconds < 1 || seconds > 3600 ||
	    nfill < 0 || nfill > 10000 ||
	    (binddn && !bindpw)) {
		fprintf(stderr, "usage: race -H URI -m mdb|ils [-b BASE] [-D DN -w PW]"
		    " [-c CLIENTS] [-n NAMES] [-f FILL] [-t SECONDS] [-s SEED]\n");
		return 2;
	}
	printf("# race: seed %u, %d clients x %d names, %d filler names, %d s, %s\n",
	    seed, nclients, nnames, nfill, seconds, ils ? "ils" : "mdb");
	fflush(stdout);
	if (nfill)
		nclients++;	/* the last one is the filler */
	cl = calloc(nclients, sizeof(*cl));
	th = calloc(nclients, sizeof(*th));
	for (i = 0; i < nclients; i++) {
		cl[i].id = i;
		cl[i].seed = seed * 7919u + i;
		cl[i].filler = nfill && i == nclients - 1;
		cl[i].nnames = cl[i].filler ? nfill : nnames;
		cl[i].names = calloc(cl[i].nnames, sizeof(name));
		if (!(cl[i].ld = connect_ld())) {
			printf("not ok - client %d cannot bind to %s\n", i, uri);
			return 1;
		}
		pthread_create(&th[i], NULL, run, &cl[i]);
	}
	for (i = 0; i < nclients; i++) {
		pthread_join(th[i], NULL);
		for (j = 0; j < R_NOPS; j++) {
			ops[j] += cl[i].ops[j];
			okc[j] += cl[i].ok[j];
			total += cl[i].ops[j];
		}
		bad += cl[i].bad;
		for (j = 0; j < cl[i].nnames; j++)
			if (cl[i].names[j].alive_max > last)
				last = cl[i].names[j].alive_max;
	}
	for (j = 0; j < R_NOPS; j++)
		printf("# %-10s %6ld sent, %6ld succeeded\n", opname[j], ops[j], okc[j]);
	printf("%s - %ld operations at the expiry boundary, every acknowledged "
	    "refresh honoured and no entry back after its Delete (%ld violations)\n",
	    bad == 0 && total > 0 ? "ok" : "not ok", total, bad);
	/* every refresh acknowledged and every Add made, none of which
	 * was refused for another reason than a lapse: the load was real */
	printf("%s - refreshes and Adds succeeded (%ld and %ld)\n",
	    okc[R_REFRESH] > 0 && okc[R_ADD] > 0 ? "ok" : "not ok",
	    okc[R_REFRESH], okc[R_ADD]);

	/* no ghost: once the last TTL has lapsed, deleted within seconds */
	ld = connect_ld();
	sleep_until(last + 1000);
	for (i = 0; i < 150; i++) {
		if (!ld || (rc = stored(ld, &left, NULL)) != LDAP_SUCCESS)
			break;
		if (left == 0)
			break;
		usleep(100000);
	}
	if (ld && rc == LDAP_SUCCESS && left > 0)
		stored(ld, &left, stdout);
	printf("%s - no entry stored, hidden or not, within seconds of the "
	    "last TTL (%d left)\n",
	    ld && rc == LDAP_SUCCESS && left == 0 ? "ok" : "not ok", left);
	if (ld)
		ldap_unbind_ext_s(ld, NULL, NULL);
	for (i = 0; i < nclients; i++)
		ldap_unbind_ext_s(cl[i].ld, NULL, NULL);
	return bad || !total || !okc[R_REFRESH] || !okc[R_ADD] ||
	    !ld || rc != LDAP_SUCCESS || left ? 1 : 0;
}
