/* ilsload.c - load generator for ILS (MS-TAIL) directory servers
 *
 * Emulates N NetMeeting users against one slapd on 127.0.0.1 with worker
 * threads, each with its own libldap handle.  By default every action is
 * NetMeeting's own pattern: a new TCP connection, an LDAPv2 anonymous
 * simple bind, the MS-TAIL PDUs (T1 register, T2 keep-alive, T3 browse,
 * lookup, T4 leave) and an Unbind.  -P keeps one connection per worker
 * instead.  -m generic drives a stock back-mdb + dds server with the
 * LDAPv3 equivalents (standard DNs, RFC 2589 refresh, subtree searches);
 * -m null drives back-null with the ILS cycles (a server that does no
 * work: the ceiling).
 *
 * Each scenario ends with one line on stdout:
 *   RESULT server=A scenario=keepalive users=N ops=.. secs=.. ops_per_sec=..
 *          p50_ms=.. p99_ms=.. p999_ms=.. errors=.. rss_kb=.. entries=..
 * Latencies are per action (connect to unbind in the default mode).  With
 * -R the load is open-loop at that rate and latency counts from the
 * moment an action was due, so a server that falls behind shows it.
 * A progress line is drawn only when stdout is a terminal.
 *
 * "lag" measures replication: the keep-alives at -R a second on this
 * server, and -Q registrations a second timed until the replica (-r PORT)
 * has them (lag_p50_ms, lag_p99_ms); see sc_lag.
 *
 * Every loop is bounded by a count or a duration; the server address is
 * 127.0.0.1 unless -H says otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <lber.h>
#include <ldap.h>

enum mode { M_ILS, M_GENERIC, M_NULL };
enum opk { K_REGISTER, K_KEEPALIVE, K_REFRESH, K_LOOKUP, K_BROWSE, K_LEAVE, K_N };
static const char *const opname[K_N] = {
	"register", "keepalive", "refresh", "lookup", "browse", "leave"
};

/* ---- options ---- */
static const char *host = "127.0.0.1";
static int port = 389;
static enum mode mode = M_ILS;
static const char *scenario;
static const char *label = "A";
static long users = 1000;		/* the online population: ids 0..users-1 */
static long first_id;			/* register/leave: first id of the range */
static long count_ops;			/* register/leave: how many (default users) */
static int conc = 8;			/* worker threads = concurrent clients */
static double secs = 10;		/* duration of timed scenarios */
static int persistent;			/* -P: one connection per worker */
static double rate;			/* -R: open-loop ops/s; 0: as fast as it goes */
static long kexp = 1000;		/* expiry: how many registrations lapse at once */
static long slapd_pid;			/* -p PID: for VmRSS */
static const char *datadir;		/* -x DIR: size on disk */
static int browse_limit = 500;
static int do_count = 1;		/* count the entries after the scenario */
static double op_timeout = 60;		/* client-side limit per operation */
static double max_wait = 300;		/* expiry: longest wait for the last one */
static const char *extra = "";		/* -X: appended to the RESULT line */
static int progress;
/* lag: the replica (-r PORT, -z PID), probes a second (-Q), how the
 * replica is watched (-V sync|poll) */
static int peer_port;
static long peer_pid;
static double probe_rate = 10;
static int watch_poll;
static const char *peer_dn = "cn=admin,o=Intranet", *peer_pw = "secret";

/* mixed: per online user and hour, NetMeeting sends 6 keep-alives
 * (10 minutes); people look somebody up twice (a call), open the
 * directory (500 entries) once in five hours, and sessions of two hours
 * give 0.5 registrations and 0.5 leaves.  Weights in that ratio
 * (register, keepalive, refresh, lookup, browse, leave; -M changes them): */
static int mix_w[K_N] = { 5, 60, 0, 20, 2, 5 };

/* ---- time ---- */
static double
now( void )
{
	struct timespec ts;

	clock_gettime( CLOCK_MONOTONIC, &ts );
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_until( double t )
{
	double d = t - now();
	struct timespec ts;

	if ( d <= 0 )
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)( ( d - ts.tv_sec ) * 1e9 );
	nanosleep( &ts, NULL );
}

/* ---- latency histogram: 64 buckets per power of two (about 1.5%) ---- */
#define H_LIN 128
#define H_SUB 64
#define H_N ( H_LIN + 40 * H_SUB )

typedef struct hist {
	uint64_t	b[H_N];
	uint64_t	n;
} hist;

static int
h_index( uint64_t us )
{
	int e, i;

	if ( us < H_LIN )
		return (int)us;
	e = 63 - __builtin_clzll( us ) - 6;	/* us >> e is in [64, 128) */
	i = H_LIN + ( e - 1 ) * H_SUB + (int)( ( us >> e ) - H_SUB );
	return i < H_N ? i : H_N - 1;
}

static double
h_value( int i )
{
	int e, m;

	if ( i < H_LIN )
		return i;
	e = ( i - H_LIN ) / H_SUB + 1;
	m = ( i - H_LIN ) % H_SUB + H_SUB;
	return ( (double)m + 0.5 ) * (double)( 1ULL << e );
}

static void
h_add( hist *h, double secs_taken )
{
	double us = secs_taken * 1e6;

	h->b[h_index( us < 0 ? 0 : (uint64_t)us )]++;
	h->n++;
}

static void
h_merge( hist *to, const hist *from )
{
	int i;

	for ( i = 0; i < H_N; i++ )
		to->b[i] += from->b[i];
	to->n += from->n;
}

/* the q-quantile in milliseconds */
static double
h_ms( const hist *h, double q )
{
	uint64_t want, seen = 0;
	int i;

	if ( h->n == 0 )
		return 0;
	want = (uint64_t)( q * h->n );
	if ( want < 1 )
		want = 1;
	if ( want > h->n )
		want = h->n;
	for ( i = 0; i < H_N; i++ ) {
		seen += h->b[i];
		if ( seen >= want )
			return h_value( i ) / 1000.0;
	}
	return h_value( H_N - 1 ) / 1000.0;
}

/* ---- shared state ---- */
typedef struct worker {
	int		w_id;
	pthread_t	w_thread;
	LDAP		*w_ld;			/* -P: the worker's connection */
	int		w_ldver;
	uint64_t	w_rng;
	hist		w_h[K_N];		/* every action */
	hist		w_win[K_N];		/* expiry: actions due in the window */
	hist		w_pre;			/* expiry: actions due before it */
	uint64_t	w_ops[K_N];
	uint64_t	w_errors;
	uint64_t	w_misses;		/* keep-alive of somebody not there */
	double		w_busy;
} worker;

static worker *workers;
static atomic_long next_seq;		/* register/leave: next id; open loop: next slot */
static atomic_ulong done_ops;		/* for the progress line */
static atomic_ulong done_errors;
static atomic_int stopping;
static double t_start, t_end;		/* timed scenarios */
static double win_from = 1e300, win_to = 1e300;	/* expiry window (monotonic) */
static _Atomic unsigned char *state;	/* mixed: 0 offline, 1 online, 2 busy */
static long nstate;
static atomic_int errors_shown;
static const char *phase = "";

static uint64_t
rnd( worker *w )
{
	/* xorshift64* */
	w->w_rng ^= w->w_rng >> 12;
	w->w_rng ^= w->w_rng << 25;
	w->w_rng ^= w->w_rng >> 27;
	return w->w_rng * 2685821657736338717ULL;
}

static void
complain( const char *fmt, ... )
{
	va_list ap;

	if ( atomic_fetch_add( &errors_shown, 1 ) >= 10 )
		return;
	va_start( ap, fmt );
	fprintf( stderr, "ilsload: " );
	vfprintf( stderr, fmt, ap );
	fprintf( stderr, "\n" );
	va_end( ap );
}

/* ---- names ---- */
#define EXPIRING 1
#define PROBE 2		/* lag: a registration timed until the replica has it */

static void
email( char *buf, size_t len, long id, int flags )
{
	/* expiring users sort first in back-ils's key order: a poll for
	 * "is any left" finds one at once */
	snprintf( buf, len, "%s%07ld@bench.example",
		( flags & EXPIRING ) ? "0x" : ( flags & PROBE ) ? "lag" : "u", id );
}

/* the DN for an Add, Modify or Delete */
static void
entry_dn( char *buf, size_t len, const char *mail, int flags, int for_modify )
{
	if ( mode == M_GENERIC )
		snprintf( buf, len, "cn=%s,ou=%s,o=Intranet", mail,
			( flags & EXPIRING ) ? "Expiring" : "Dynamic" );
	else if ( for_modify )	/* NetMeeting 3.01: a space after every comma */
		snprintf( buf, len, "c=-, o=Microsoft, cn=%s, objectClass=rtPerson", mail );
	else			/* MS-TAIL 4.1.2 as printed */
		snprintf( buf, len, "c=-,o=Microsoft, cn=%s, objectClass=rtPerson", mail );
}

/* the standard name of a registration (RFC 2589 refresh) */
static void
std_dn( char *buf, size_t len, const char *mail, int flags )
{
	snprintf( buf, len, "cn=%s,ou=%s,o=Intranet", mail,
		( mode == M_GENERIC && ( flags & EXPIRING ) ) ? "Expiring" : "Dynamic" );
}

/* ---- connections ---- */
/* a connection to PORT on the host, bound as DN with PW ("" and "": as
 * NetMeeting binds) */
static LDAP *
conn_bind( int to_port, int version, const char *dn, const char *pw, int *rcp )
{
	char uri[128];
	LDAP *ld = NULL;
	struct berval cred;
	struct timeval tv;
	int rc, off = 0;

	cred.bv_val = (char *)pw;
	cred.bv_len = strlen( pw );
	snprintf( uri, sizeof( uri ), "ldap://%s:%d", host, to_port );
	if ( ( rc = ldap_initialize( &ld, uri ) ) != LDAP_SUCCESS ) {
		*rcp = rc;
		return NULL;
	}
	ldap_set_option( ld, LDAP_OPT_PROTOCOL_VERSION, &version );
	ldap_set_option( ld, LDAP_OPT_REFERRALS, &off );
	tv.tv_sec = (time_t)op_timeout;
	tv.tv_usec = 0;
	ldap_set_option( ld, LDAP_OPT_NETWORK_TIMEOUT, &tv );
	ldap_set_option( ld, LDAP_OPT_TIMEOUT, &tv );
	rc = ldap_sasl_bind_s( ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL );
	if ( rc != LDAP_SUCCESS ) {
		ldap_unbind_ext_s( ld, NULL, NULL );
		*rcp = rc;
		return NULL;
	}
	*rcp = 0;
	return ld;
}

/* NetMeeting: simple bind, empty name, zero-length password */
static LDAP *
conn_open( int version, int *rcp )
{
	return conn_bind( port, version, "", "", rcp );
}

static void
conn_close( LDAP *ld )
{
	if ( ld )
		ldap_unbind_ext_s( ld, NULL, NULL );
}

/* ---- the PDUs ---- */

/* T1 step 2: the 15 attributes, one value each, no objectClass */
#include "../tests/mstail-t1.h"
#define NREG ( sizeof( reg_add ) / sizeof( reg_add[0] ) )

/* T1 step 3: the application data */
static const char *const mod_smodop[] = { "0", NULL };
static const char *const mod_sappid[] = { "ms-netmeeting", NULL };
static const char *const mod_smimetype[] = { "text/iuls", NULL };
static const char *const mod_sappguid[] = { "008aff194794cf118796444553540000", NULL };
static const char *const mod_sprotid[] = { "T120", "H323", NULL };
static const char *const mod_sprotmime[] = { "text/t120", "text/h323", NULL };
static const char *const mod_sport[] = { "1503", "1720", NULL };
static const struct { const char *name; const char *const *vals; } reg_mod[] = {
	{ "smodop", mod_smodop },
	{ "sappid", mod_sappid },
	{ "smimetype", mod_smimetype },
	{ "sappguid", mod_sappguid },
	{ "sprotid", mod_sprotid },
	{ "sprotmimetype", mod_sprotmime },
	{ "sport", mod_sport },
};
#define NMOD ( sizeof( reg_mod ) / sizeof( reg_mod[0] ) )

static char *browse_attrs[] = {
	"cn", "givenname", "surname", "rfc822mailbox", "location", "comment",
	"sipaddress", "sport", NULL
};
static char *keepalive_attrs[] = { "sipaddress", "sttl", NULL };
static char *no_attrs[] = { LDAP_NO_ATTRS, NULL };

static int
op_register( LDAP *ld, long id, int flags )
{
	char mail[64], dn[160];
	LDAPMod mods[NREG + 1], *mp[NREG + 2];
	char *vals[NREG + 1][2];
	char *ocv[] = { "rtPerson", "dynamicObject", NULL };
	LDAPMod ocmod;
	size_t i, n = 0;
	int rc;

	email( mail, sizeof( mail ), id, flags );
	entry_dn( dn, sizeof( dn ), mail, flags, 0 );
	if ( mode == M_GENERIC ) {	/* LDAPv3: the object classes are the client's */
		ocmod.mod_op = LDAP_MOD_ADD;
		ocmod.mod_type = "objectClass";
		ocmod.mod_values = ocv;
		mp[n++] = &ocmod;
	}
	for ( i = 0; i < NREG; i++ ) {
		const char *v = reg_add[i][1] ? reg_add[i][1] : mail;
		if ( mode == M_GENERIC && !strcmp( reg_add[i][0], "c" ) )
			v = "US";	/* "-" is no country outside back-ils */
		vals[i][0] = (char *)v;
		vals[i][1] = NULL;
		mods[i].mod_op = LDAP_MOD_ADD;
		mods[i].mod_type = (char *)reg_add[i][0];
		mods[i].mod_values = vals[i];
		mp[n++] = &mods[i];
	}
	mp[n] = NULL;
	rc = ldap_add_ext_s( ld, dn, mp, NULL, NULL );
	if ( rc != LDAP_SUCCESS ) {
		complain( "add %s: %s (%d)", dn, ldap_err2string( rc ), rc );
		return rc;
	}
	for ( i = 0; i < NMOD; i++ ) {
		mods[i].mod_op = LDAP_MOD_ADD;
		mods[i].mod_type = (char *)reg_mod[i].name;
		mods[i].mod_values = (char **)reg_mod[i].vals;
		mp[i] = &mods[i];
	}
	mp[NMOD] = NULL;
	entry_dn( dn, sizeof( dn ), mail, flags, 1 );
	rc = ldap_modify_ext_s( ld, dn, mp, NULL, NULL );
	if ( rc != LDAP_SUCCESS )
		complain( "modify %s: %s (%d)", dn, ldap_err2string( rc ), rc );
	return rc;
}

/* a search; *nentries gets the number of entries returned */
static int
op_search( LDAP *ld, const char *base, int scope, const char *filter,
	char **attrs, int sizelimit, LDAPControl **ctrls, int *nentries )
{
	LDAPMessage *res = NULL;
	struct timeval tv = { (time_t)op_timeout, 0 };
	int rc, err = LDAP_OTHER;

	rc = ldap_search_ext_s( ld, base, scope, filter, attrs, 0, ctrls, NULL,
		&tv, sizelimit, &res );
	*nentries = res ? ldap_count_entries( ld, res ) : 0;
	if ( res ) {
		LDAPMessage *m = ldap_first_message( ld, res );
		for ( ; m; m = ldap_next_message( ld, m ) )
			if ( ldap_msgtype( m ) == LDAP_RES_SEARCH_RESULT )
				ldap_parse_result( ld, m, &err, NULL, NULL, NULL, NULL, 0 );
		ldap_msgfree( res );
		if ( rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED )
			rc = err;
	}
	return rc;
}

/* T2: keep-alive.  ILS: the sttl search; generic: the RFC 2589 refresh */
static int
op_keepalive( LDAP *ld, long id, int flags, int *found )
{
	char mail[64], f[200], dn[160];
	int rc, n = 0;

	email( mail, sizeof( mail ), id, flags );
	if ( mode == M_GENERIC ) {
		struct berval bdn;
		ber_int_t newttl = 0;
		std_dn( dn, sizeof( dn ), mail, flags );
		bdn.bv_val = dn;
		bdn.bv_len = strlen( dn );
		rc = ldap_refresh_s( ld, &bdn, 600, &newttl, NULL, NULL );
		*found = rc == LDAP_SUCCESS;
		if ( rc == LDAP_NO_SUCH_OBJECT )
			rc = LDAP_SUCCESS;	/* NetMeeting would register again */
		return rc;
	}
	snprintf( f, sizeof( f ), "(&(objectClass=rtPerson)(cn=%s)(sttl=10))", mail );
	rc = op_search( ld, "objectClass=rtPerson", LDAP_SCOPE_BASE, f,
		keepalive_attrs, 0, NULL, &n );
	*found = n > 0;
	return rc;
}

/* RFC 2589 refresh extended operation (LDAPv3) */
static int
op_refresh( LDAP *ld, long id, int flags, int ttl, int *found )
{
	char mail[64], dn[160];
	struct berval bdn;
	ber_int_t newttl = 0;
	int rc;

	email( mail, sizeof( mail ), id, flags );
	std_dn( dn, sizeof( dn ), mail, flags );
	bdn.bv_val = dn;
	bdn.bv_len = strlen( dn );
	rc = ldap_refresh_s( ld, &bdn, ttl, &newttl, NULL, NULL );
	*found = rc == LDAP_SUCCESS;
	if ( rc == LDAP_NO_SUCH_OBJECT && !( flags & EXPIRING ) )
		rc = LDAP_SUCCESS;
	return rc;
}

static int
op_lookup( LDAP *ld, long id, int *found )
{
	char mail[64], f[200];
	int rc, n = 0;

	email( mail, sizeof( mail ), id, 0 );
	snprintf( f, sizeof( f ), "(&(objectClass=rtPerson)(cn=%s))", mail );
	if ( mode == M_GENERIC )
		rc = op_search( ld, "ou=Dynamic,o=Intranet", LDAP_SCOPE_SUBTREE, f,
			browse_attrs, 0, NULL, &n );
	else
		rc = op_search( ld, "objectClass=rtPerson", LDAP_SCOPE_BASE, f,
			browse_attrs, 0, NULL, &n );
	*found = n > 0;
	return rc;
}

/* T3: the directory listing, first browse_limit entries */
static int
op_browse( LDAP *ld, int *found )
{
	int rc, n = 0;

	if ( mode == M_GENERIC )
		rc = op_search( ld, "ou=Dynamic,o=Intranet", LDAP_SCOPE_SUBTREE,
			"(&(objectClass=rtPerson)(cn=*)(sappid=ms-netmeeting)(sprotid=h323))",
			browse_attrs, browse_limit, NULL, &n );
	else
		rc = op_search( ld, "objectClass=rtPerson", LDAP_SCOPE_BASE,
			"(&(objectClass=rtPerson)(cn=%)(sappid=ms-netmeeting)(sprotid=h323))",
			browse_attrs, browse_limit, NULL, &n );
	if ( rc == LDAP_SIZELIMIT_EXCEEDED )
		rc = LDAP_SUCCESS;
	*found = n;
	return rc;
}

/* T4 */
static int
op_leave( LDAP *ld, long id, int flags )
{
	char mail[64], dn[160];
	int rc;

	email( mail, sizeof( mail ), id, flags );
	entry_dn( dn, sizeof( dn ), mail, flags, 1 );
	rc = ldap_delete_ext_s( ld, dn, NULL, NULL );
	if ( rc != LDAP_SUCCESS )
		complain( "delete %s: %s (%d)", dn, ldap_err2string( rc ), rc );
	return rc;
}

/* ---- one action: connection, operation, unbind ---- */

static int
version_for( enum opk k )
{
	if ( mode == M_GENERIC || k == K_REFRESH )
		return 3;
	return 2;	/* NetMeeting 3.01 */
}

/* run action k on user id; returns 0 or the LDAP error */
static int
action( worker *w, enum opk k, long id, int flags, int *found )
{
	LDAP *ld;
	int rc, rc2, ver = version_for( k );

	*found = 1;
	if ( persistent && w->w_ld && w->w_ldver == ver ) {
		ld = w->w_ld;
	} else {
		if ( persistent && w->w_ld ) {
			conn_close( w->w_ld );
			w->w_ld = NULL;
		}
		if ( !( ld = conn_open( ver, &rc ) ) ) {
			complain( "connect/bind: %s (%d)", ldap_err2string( rc ), rc );
			return rc ? rc : LDAP_OTHER;
		}
		if ( persistent ) {
			w->w_ld = ld;
			w->w_ldver = ver;
		}
	}
	switch ( k ) {
	case K_REGISTER: rc = op_register( ld, id, flags ); break;
	case K_KEEPALIVE: rc = op_keepalive( ld, id, flags, found ); break;
	case K_REFRESH: rc = op_refresh( ld, id, flags, 600, found ); break;
	case K_LOOKUP: rc = op_lookup( ld, id, found ); break;
	case K_BROWSE: rc = op_browse( ld, found ); break;
	case K_LEAVE: rc = op_leave( ld, id, flags ); break;
	default: rc = LDAP_OTHER;
	}
	if ( rc != LDAP_SUCCESS && k != K_REGISTER && k != K_LEAVE )
		complain( "%s of %ld: %s (%d)", opname[k], id, ldap_err2string( rc ), rc );
	if ( !persistent ) {
		conn_close( ld );
	} else if ( rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT ) {
		rc2 = rc;
		conn_close( w->w_ld );
		w->w_ld = NULL;
		rc = rc2;
	}
	return rc;
}

static void
record( worker *w, enum opk k, double due, double t0, int rc, int found )
{
	double t1 = now(), lat = t1 - ( due > 0 ? due : t0 );

	h_add( &w->w_h[k], lat );
	if ( due <= 0 )
		due = t0;
	if ( due >= win_from && due <= win_to )
		h_add( &w->w_win[k], lat );
	else if ( due < win_from && win_from < 1e300 )
		h_add( &w->w_pre, lat );
	w->w_ops[k]++;
	w->w_busy += t1 - t0;
	if ( rc != LDAP_SUCCESS ) {
		w->w_errors++;
		atomic_fetch_add( &done_errors, 1 );
	} else if ( !found && mode != M_NULL ) {
		w->w_misses++;
	}
	atomic_fetch_add( &done_ops, 1 );
}

/* ---- worker loops ---- */

/* open loop: the time the next action is due, or < 0 when over */
static double
next_due( void )
{
	long s;
	double due;

	if ( rate <= 0 )
		return 0;
	s = atomic_fetch_add( &next_seq, 1 );
	due = t_start + s / rate;
	if ( due >= t_end )
		return -1;
	sleep_until( due );
	return due;
}

static int
over( void )
{
	return atomic_load( &stopping ) || now() >= t_end;
}

/* register or leave ids first_id .. first_id+count_ops-1 */
static enum opk range_kind;
static int range_flags;

static void *
range_loop( void *arg )
{
	worker *w = arg;
	long id;
	int rc, found;
	double t0;

	while ( !atomic_load( &stopping ) ) {
		id = atomic_fetch_add( &next_seq, 1 );
		if ( id >= count_ops )
			break;
		t0 = now();
		rc = action( w, range_kind, first_id + id, range_flags, &found );
		record( w, range_kind, 0, t0, rc, 1 );
	}
	return NULL;
}

/* the same action on random online users until the time is up */
static enum opk timed_kind;

static void *
timed_loop( void *arg )
{
	worker *w = arg;
	double due, t0;
	int rc, found;

	while ( !over() ) {
		if ( ( due = next_due() ) < 0 )
			break;
		t0 = now();
		rc = action( w, timed_kind, (long)( rnd( w ) % (uint64_t)users ), 0, &found );
		record( w, timed_kind, due, t0, rc, found );
	}
	return NULL;
}

/* mixed: a random user in a given state, marked busy; -1 if none found */
static long
pick( worker *w, unsigned char want )
{
	int tries;

	for ( tries = 0; tries < 64; tries++ ) {
		long id = (long)( rnd( w ) % (uint64_t)nstate );
		unsigned char exp = want;
		if ( atomic_compare_exchange_strong( &state[id], &exp, 2 ) )
			return id;
	}
	return -1;
}

/* mixed: keep-alives come from online users; lookups are for anybody */
static long
any_user( worker *w, enum opk k )
{
	long id = (long)( rnd( w ) % (uint64_t)users );
	int tries;

	if ( k != K_KEEPALIVE && k != K_REFRESH )
		return id;
	for ( tries = 0; tries < 16 && atomic_load( &state[id] ) != 1; tries++ )
		id = (long)( rnd( w ) % (uint64_t)nstate );
	return id;
}

static enum opk
mix_kind( worker *w )
{
	int total = 0, i, r;

	for ( i = 0; i < K_N; i++ )
		total += mix_w[i];
	r = (int)( rnd( w ) % (uint64_t)total );
	for ( i = 0; i < K_N; i++ ) {
		if ( r < mix_w[i] )
			return (enum opk)i;
		r -= mix_w[i];
	}
	return K_KEEPALIVE;
}

static void *
mixed_loop( void *arg )
{
	worker *w = arg;
	double due, t0;
	int rc, found;

	while ( !over() ) {
		enum opk k;
		long id;

		if ( ( due = next_due() ) < 0 )
			break;
		k = mix_kind( w );
		if ( mode == M_NULL && ( k == K_REGISTER || k == K_LEAVE ) )
			k = K_KEEPALIVE;	/* back-null: searches only */
		t0 = now();
		switch ( k ) {
		case K_REGISTER:
		case K_LEAVE:
			id = pick( w, k == K_REGISTER ? 0 : 1 );
			if ( id < 0 ) {
				k = K_LOOKUP;
				id = (long)( rnd( w ) % (uint64_t)users );
				break;
			}
			rc = action( w, k, id, 0, &found );
			/* a failed leave leaves the user online, and the reverse */
			atomic_store( &state[id], ( k == K_REGISTER ) == ( rc == 0 ) );
			record( w, k, due, t0, rc, 1 );
			continue;
		default:
			id = any_user( w, k );
			break;
		}
		rc = action( w, k, id, 0, &found );
		record( w, k, due, t0, rc, found );
	}
	return NULL;
}

/* ---- progress, resources ---- */
static void *
progress_loop( void *arg )
{
	double t0 = now(), last = t0;
	unsigned long lastn = 0;
	int i;

	(void)arg;
	for ( i = 0; !atomic_load( &stopping ) && i < 1000000; i++ ) {
		unsigned long n;
		double t;
		usleep( 200000 );
		if ( ( t = now() ) - last < 1 )
			continue;
		n = atomic_load( &done_ops );
		printf( "\r\033[K%s %-9s %s %6.0fs %10lu ops %8.0f/s %lu errors",
			label, scenario, phase, t - t0, n, ( n - lastn ) / ( t - last ),
			atomic_load( &done_errors ) );
		fflush( stdout );
		last = t;
		lastn = n;
	}
	return NULL;
}

static pthread_t progress_thread;

static void
progress_start( void )
{
	atomic_store( &done_ops, 0 );
	if ( progress )
		pthread_create( &progress_thread, NULL, progress_loop, NULL );
}

static void
progress_stop( void )
{
	if ( progress ) {
		atomic_store( &stopping, 1 );
		pthread_join( progress_thread, NULL );
		printf( "\r\033[K" );
		fflush( stdout );
	}
	atomic_store( &stopping, 0 );
}

static long
proc_kb( const char *field )
{
	char path[64], line[256];
	size_t fl = strlen( field );
	long kb = 0;
	FILE *f;

	if ( slapd_pid <= 0 )
		return 0;
	snprintf( path, sizeof( path ), "/proc/%ld/status", slapd_pid );
	if ( !( f = fopen( path, "r" ) ) )
		return 0;
	while ( fgets( line, sizeof( line ), f ) )
		if ( !strncmp( line, field, fl ) && line[fl] == ':' )
			kb = strtol( line + fl + 1, NULL, 10 );
	fclose( f );
	return kb;
}

static uint64_t du_bytes;

static int
du_one( const char *p, const struct stat *st, int flag, struct FTW *ftw )
{
	(void)p;
	(void)flag;
	(void)ftw;
	du_bytes += (uint64_t)st->st_blocks * 512;
	return 0;
}

static long
disk_kb( void )
{
	if ( !datadir )
		return 0;
	du_bytes = 0;
	nftw( datadir, du_one, 16, FTW_PHYS );
	return (long)( du_bytes / 1024 );
}

/* the entries a client can see, counted without keeping them */
static long
count_entries( void )
{
	LDAP *ld;
	LDAPMessage *m;
	struct timeval tv = { 600, 0 };
	int rc, msgid, done = 0;
	long n = 0;

	if ( mode == M_NULL || !do_count )
		return 0;
	if ( !( ld = conn_open( 3, &rc ) ) )
		return -1;
	if ( mode == M_GENERIC )
		rc = ldap_search_ext( ld, "o=Intranet", LDAP_SCOPE_SUBTREE,
			"(objectClass=rtPerson)", no_attrs, 0, NULL, NULL, NULL, 0, &msgid );
	else
		rc = ldap_search_ext( ld, "objectClass=rtPerson", LDAP_SCOPE_BASE,
			"(objectClass=rtPerson)", no_attrs, 0, NULL, NULL, NULL, 0, &msgid );
	while ( rc == LDAP_SUCCESS && !done ) {
		int t = ldap_result( ld, msgid, LDAP_MSG_ONE, &tv, &m );
		if ( t <= 0 ) {
			n = -1;
			break;
		}
		if ( t == LDAP_RES_SEARCH_ENTRY )
			n++;
		else if ( t == LDAP_RES_SEARCH_RESULT )
			done = 1;
		ldap_msgfree( m );
	}
	conn_close( ld );
	return n;
}

/* ---- running workers and reporting ---- */
static void
run_workers( void *( *fn )( void * ) )
{
	int i;

	atomic_store( &next_seq, 0 );
	progress_start();
	for ( i = 0; i < conc; i++ )
		pthread_create( &workers[i].w_thread, NULL, fn, &workers[i] );
	for ( i = 0; i < conc; i++ )
		pthread_join( workers[i].w_thread, NULL );
	progress_stop();
}

static void
reset_workers( void )
{
	int i;

	for ( i = 0; i < conc; i++ ) {
		LDAP *ld = workers[i].w_ld;
		int ver = workers[i].w_ldver;
		memset( &workers[i], 0, sizeof( workers[i] ) );
		workers[i].w_id = i;
		workers[i].w_ld = ld;
		workers[i].w_ldver = ver;
		workers[i].w_rng = 0x9E3779B97F4A7C15ULL * ( i + 1 ) ^ (uint64_t)getpid()
			^ (uint64_t)( now() * 1e6 );
	}
}

static void
close_workers( void )
{
	int i;

	for ( i = 0; i < conc; i++ ) {
		conn_close( workers[i].w_ld );
		workers[i].w_ld = NULL;
	}
}

static const char *
server_mode( void )
{
	return mode == M_ILS ? "ils" : mode == M_GENERIC ? "generic" : "null";
}

/* CPU seconds this process (the load generator) has used */
static double
own_cpu( void )
{
	struct rusage ru;

	getrusage( RUSAGE_SELF, &ru );
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* a process's CPU seconds (utime + stime in /proc/PID/stat) */
static double
pid_cpu( long pid )
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int i;

	if ( pid <= 0 )
		return 0;
	snprintf( path, sizeof( path ), "/proc/%ld/stat", pid );
	if ( !( f = fopen( path, "r" ) ) )
		return 0;
	if ( !fgets( buf, sizeof( buf ), f ) || !( p = strrchr( buf, ')' ) ) ) {
		fclose( f );
		return 0;
	}
	fclose( f );
	/* after "pid (comm)": field 3 is the state; utime, stime are 14, 15 */
	for ( i = 3, p += 2; i < 14 && p; i++ )
		if ( ( p = strchr( p, ' ' ) ) )
			p++;
	if ( p )
		sscanf( p, "%lu %lu", &ut, &st );
	return (double)( ut + st ) / sysconf( _SC_CLK_TCK );
}

static double
slapd_cpu( void )
{
	return pid_cpu( slapd_pid );
}

static double cpu_mark_own, cpu_mark_slapd, cpu_mark_peer;
static int cpu_marked;

/* the CPU used from here on is reported with the next RESULT line */
static void
cpu_mark( void )
{
	cpu_mark_own = own_cpu();
	cpu_mark_slapd = slapd_cpu();
	cpu_mark_peer = pid_cpu( peer_pid );
	cpu_marked = 1;
}

/* one RESULT line; win: the expiry window's histograms */
static void
report( const char *name, double elapsed, int win, const char *more )
{
	hist all, kh[K_N];
	uint64_t ops = 0, errors = 0, misses = 0;
	char per[512] = "", peer[64] = "";
	size_t pl = 0;
	int i, k;

	memset( &all, 0, sizeof( all ) );
	memset( kh, 0, sizeof( kh ) );
	for ( i = 0; i < conc; i++ ) {
		for ( k = 0; k < K_N; k++ ) {
			h_merge( &kh[k], win ? &workers[i].w_win[k] : &workers[i].w_h[k] );
			if ( !win )
				ops += workers[i].w_ops[k];
		}
		errors += workers[i].w_errors;
		misses += workers[i].w_misses;
	}
	for ( k = 0; k < K_N; k++ ) {
		h_merge( &all, &kh[k] );
		if ( win )
			ops += kh[k].n;
	}
	/* per-kind p99 when several kinds ran */
	for ( k = 0, i = 0; k < K_N; k++ )
		i += kh[k].n > 0;
	if ( i > 1 )
		for ( k = 0; k < K_N && pl < sizeof( per ) - 64; k++ )
			if ( kh[k].n )
				pl += snprintf( per + pl, sizeof( per ) - pl,
					" %s_ops=%" PRIu64 " %s_p99_ms=%.3f", opname[k], kh[k].n,
					opname[k], h_ms( &kh[k], 0.99 ) );
	/* the replica's work for what this server did (replicated mode) */
	if ( peer_pid > 0 && cpu_marked )
		snprintf( peer, sizeof( peer ), " peer_cpu_s=%.1f",
			pid_cpu( peer_pid ) - cpu_mark_peer );
	printf( "RESULT server=%s mode=%s scenario=%s users=%ld conc=%d conn=%s "
		"ops=%" PRIu64 " secs=%.2f ops_per_sec=%.1f p50_ms=%.3f p99_ms=%.3f "
		"p999_ms=%.3f errors=%" PRIu64 " misses=%" PRIu64 "%s rss_kb=%ld "
		"rss_anon_kb=%ld rss_file_kb=%ld hwm_kb=%ld db_kb=%ld "
		"slapd_cpu_s=%.1f%s client_cpu_s=%.1f entries=%ld%s%s%s\n",
		label, server_mode(), name, users, conc,
		persistent ? "persistent" : "per-action", ops, elapsed,
		elapsed > 0 ? ops / elapsed : 0, h_ms( &all, 0.5 ), h_ms( &all, 0.99 ),
		h_ms( &all, 0.999 ), errors, misses, per, proc_kb( "VmRSS" ),
		proc_kb( "RssAnon" ), proc_kb( "RssFile" ), proc_kb( "VmHWM" ),
		disk_kb(), cpu_marked ? slapd_cpu() - cpu_mark_slapd : 0, peer,
		cpu_marked ? own_cpu() - cpu_mark_own : 0, count_entries(),
		more ? more : "", *extra ? " " : "", extra );
	fflush( stdout );
}

/* ---- scenarios ---- */
static void
sc_range( const char *name, enum opk k, int flags )
{
	double t0;

	if ( !count_ops )
		count_ops = users;
	range_kind = k;
	range_flags = flags;
	reset_workers();
	phase = "";
	cpu_mark();
	t0 = now();
	run_workers( range_loop );
	report( name, now() - t0, 0, NULL );
}

static void
sc_timed( const char *name, enum opk k )
{
	reset_workers();
	timed_kind = k;
	cpu_mark();
	t_start = now();
	t_end = t_start + secs;
	run_workers( timed_loop );
	report( name, now() - t_start, 0, NULL );
}

/* put back what mixed changed: ids < users online, spares offline */
static void *
restore_loop( void *arg )
{
	worker *w = arg;
	long id;
	int rc, found;

	while ( ( id = atomic_fetch_add( &next_seq, 1 ) ) < nstate ) {
		unsigned char s = atomic_load( &state[id] );
		if ( id < users && s == 0 )
			rc = action( w, K_REGISTER, id, 0, &found );
		else if ( id >= users && s == 1 )
			rc = action( w, K_LEAVE, id, 0, &found );
		else
			continue;
		if ( rc )
			w->w_errors++;
	}
	return NULL;
}

static void
state_init( void )
{
	long i;

	nstate = users + ( users / 10 > 10 ? users / 10 : 10 );
	state = calloc( nstate, sizeof( *state ) );
	for ( i = 0; i < users; i++ )
		state[i] = 1;
}

static void
restore( void )
{
	uint64_t e = 0;
	int i;

	if ( mode == M_NULL )
		return;
	reset_workers();
	phase = "restore";
	run_workers( restore_loop );
	for ( i = 0; i < conc; i++ )
		e += workers[i].w_errors;
	if ( e )
		fprintf( stderr, "ilsload: %" PRIu64 " errors putting the population back\n", e );
	phase = "";
}

static void
sc_mixed( void )
{
	state_init();
	reset_workers();
	phase = "";
	cpu_mark();
	t_start = now();
	t_end = t_start + secs;
	run_workers( mixed_loop );
	report( "mixed", now() - t_start, 0, NULL );
	restore();
}

/* ---- mass expiry ---- */
static atomic_int expiry_done;
static double t_gone;			/* when the last one was seen gone */
static long polls;

/* is any expiring registration still stored?  ManageDsaIT shows entries
 * that are due but not yet removed (slapo-dynttl hides them otherwise) */
static int
any_left( LDAP *ld )
{
	LDAPControl mdsa = { LDAP_CONTROL_MANAGEDSAIT, { 0, NULL }, 0 };
	LDAPControl *ctrls[] = { &mdsa, NULL };
	int rc, n = 0;

	if ( mode == M_GENERIC )
		rc = op_search( ld, "ou=Expiring,o=Intranet", LDAP_SCOPE_ONELEVEL,
			"(objectClass=*)", no_attrs, 1, ctrls, &n );
	else
		rc = op_search( ld, "objectClass=rtPerson", LDAP_SCOPE_BASE,
			"(&(objectClass=rtPerson)(cn=0x%))", no_attrs, 1, ctrls, &n );
	if ( rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED ) {
		complain( "poll: %s (%d)", ldap_err2string( rc ), rc );
		return -1;
	}
	return n > 0;
}

static void *
expiry_mixed_loop( void *arg )
{
	/* the mixed load at a fixed rate until the poller is done */
	worker *w = arg;
	double due, t0;
	int rc, found;

	while ( !atomic_load( &expiry_done ) && !over() ) {
		enum opk k;
		long id;

		if ( ( due = next_due() ) < 0 )
			break;
		k = mix_kind( w );
		t0 = now();
		if ( k == K_REGISTER || k == K_LEAVE ) {
			if ( ( id = pick( w, k == K_REGISTER ? 0 : 1 ) ) >= 0 ) {
				rc = action( w, k, id, 0, &found );
				atomic_store( &state[id], ( k == K_REGISTER ) == ( rc == 0 ) );
				record( w, k, due, t0, rc, 1 );
				continue;
			}
			k = K_LOOKUP;
		}
		id = any_user( w, k );
		rc = action( w, k, id, 0, &found );
		record( w, k, due, t0, rc, found );
	}
	return NULL;
}

/* refresh every expiring registration so that all lapse at wall-clock
 * second `deadline` */
static time_t deadline;
static atomic_long late;

static void *
arm_loop( void *arg )
{
	worker *w = arg;
	long id;
	int rc, found;

	while ( ( id = atomic_fetch_add( &next_seq, 1 ) ) < kexp ) {
		long ttl = (long)( deadline - time( NULL ) );
		double t0 = now();
		if ( ttl < 2 ) {
			atomic_fetch_add( &late, 1 );
			ttl = 2;
		}
		if ( !w->w_ld && !( w->w_ld = conn_open( 3, &rc ) ) ) {
			complain( "connect/bind: %s (%d)", ldap_err2string( rc ), rc );
			record( w, K_REFRESH, 0, t0, rc ? rc : LDAP_OTHER, 1 );
			continue;
		}
		w->w_ldver = 3;
		rc = op_refresh( w->w_ld, id, EXPIRING, (int)ttl, &found );
		if ( rc != LDAP_SUCCESS )
			complain( "refresh of expiring %ld: %s (%d)", id, ldap_err2string( rc ), rc );
		record( w, K_REFRESH, 0, t0, rc, 1 );
	}
	return NULL;
}

static void
sc_expiry( void )
{
	LDAP *pl;
	double t0, treg, tarm, t_deadline_mono, limit;
	int i, rc, left = 1, saved_persistent = persistent;
	char more[256];
	uint64_t errs = 0;
	struct timespec rt;
	hist pre;

	if ( mode == M_NULL ) {
		fprintf( stderr, "ilsload: expiry needs a database\n" );
		exit( 2 );
	}
	/* 1. k registrations with the default TTL (set-up, one connection per
	 * worker, not measured) */
	persistent = 1;
	reset_workers();
	range_kind = K_REGISTER;
	range_flags = EXPIRING;
	count_ops = kexp;
	first_id = 0;
	phase = "setup";
	t0 = now();
	run_workers( range_loop );
	treg = now() - t0;
	for ( i = 0; i < conc; i++ )
		errs += workers[i].w_errors;
	/* 2. one TTL each so that all lapse in the same second: the deadline
	 * leaves the arming pass 1.5 times what the registrations took */
	deadline = time( NULL ) + (time_t)( treg * 1.5 ) + 5;
	close_workers();
	reset_workers();
	phase = "arm";
	t0 = now();
	run_workers( arm_loop );
	tarm = now() - t0;
	for ( i = 0; i < conc; i++ )
		errs += workers[i].w_errors;
	close_workers();
	persistent = saved_persistent;
	if ( errs )
		fprintf( stderr, "ilsload: %" PRIu64 " errors setting up the expiry\n", errs );

	/* 3. the mixed load at -R ops/s from now until the last one is gone */
	clock_gettime( CLOCK_REALTIME, &rt );
	t_deadline_mono = now() + ( deadline - rt.tv_sec ) - rt.tv_nsec / 1e9;
	state_init();
	reset_workers();
	atomic_store( &next_seq, 0 );
	win_from = t_deadline_mono;
	win_to = 1e300;
	atomic_store( &expiry_done, 0 );
	t_start = now();
	t_end = t_deadline_mono + max_wait;
	limit = t_end;
	if ( rate <= 0 )
		rate = users / 600.0 / 0.65 > 50 ? users / 600.0 / 0.65 : 50;
	phase = "expiry";
	cpu_mark();
	progress_start();
	for ( i = 0; i < conc; i++ )
		pthread_create( &workers[i].w_thread, NULL, expiry_mixed_loop, &workers[i] );
	/* the poller: every 50 ms from a second before the deadline */
	if ( !( pl = conn_open( 3, &rc ) ) ) {
		fprintf( stderr, "ilsload: poller cannot connect: %d\n", rc );
		atomic_store( &expiry_done, 1 );
	} else {
		sleep_until( t_deadline_mono - 1 );
		while ( now() < limit ) {
			polls++;
			left = any_left( pl );
			if ( left == 0 )
				break;
			usleep( 50000 );
		}
		t_gone = now();
		conn_close( pl );
	}
	/* the window: from the deadline until the last one went, at least
	 * 2 s so that its percentiles rest on enough actions */
	win_to = t_gone > t_deadline_mono + 2 ? t_gone : t_deadline_mono + 2;
	/* 4. the load goes on to the end of the window, and a second more */
	t_end = win_to + 1 < t_end ? win_to + 1 : t_end;
	sleep_until( t_end );
	atomic_store( &expiry_done, 1 );
	for ( i = 0; i < conc; i++ )
		pthread_join( workers[i].w_thread, NULL );
	progress_stop();
	memset( &pre, 0, sizeof( pre ) );
	for ( i = 0; i < conc; i++ )
		h_merge( &pre, &workers[i].w_pre );
	snprintf( more, sizeof( more ),
		" k=%ld expire_all_secs=%.3f all_gone=%d before_ops=%" PRIu64
		" before_p99_ms=%.3f setup_reg_secs=%.1f arm_secs=%.1f armed_late=%ld"
		" load_rate=%.0f polls=%ld",
		kexp, left == 0 ? t_gone - t_deadline_mono : -1.0, left == 0, pre.n,
		h_ms( &pre, 0.99 ), treg, tarm, atomic_load( &late ), rate, polls );
	report( "expiry", win_to - t_deadline_mono, 1, more );
	restore();
}

/* ---- replication lag ---- */
/* Probes are NetMeeting registrations made on this server at -Q a second
 * while the keep-alive load runs; each is timed from the end of its T1
 * (the Modify's success) until the replica (-r PORT) has it with its
 * application data.  The replica is watched either by one refreshAndPersist
 * sync search (RFC 4533) of the probes, whose entries its syncprov sends as
 * it applies each change (-V sync, the default), or by base searches of the
 * oldest probe not yet seen every 2 ms (-V poll). */
#define PROBE_FILTER "(&(objectClass=rtPerson)(cn=lag*)(sappid=ms-netmeeting))"
#define POLL_US 2000

static long nprobes;			/* probes due in the run */
static _Atomic double *probe_ok;	/* T1's end on this server, 0: not (yet) */
static _Atomic double *probe_seen;	/* first seen on the replica, 0: not yet */
static atomic_long probes_begun;	/* probes whose T1 has started */
static atomic_int watch_stop, watch_ready, watch_failed;
static long probe_errors;
static hist probe_reg;			/* the probes' own T1, from when due */

static void
probe_mark( long id, double t )
{
	double zero = 0;

	if ( id >= 0 && id < nprobes )
		atomic_compare_exchange_strong( &probe_seen[id], &zero, t );
}

/* the probe id in a DN or value "...lagNNNNNNN@..." */
static long
probe_id( const char *s )
{
	const char *p = s ? strstr( s, "lag" ) : NULL;

	return p ? strtol( p + 3, NULL, 10 ) : -1;
}

static void *
probe_loop( void *arg )
{
	worker *w = arg;
	long i;
	int rc, found;

	for ( i = 0; i < nprobes && !atomic_load( &watch_failed ); i++ ) {
		double due = t_start + i / probe_rate;
		if ( due >= t_end )
			break;
		sleep_until( due );
		atomic_store( &probes_begun, i + 1 );
		rc = action( w, K_REGISTER, i, PROBE, &found );
		/* -1: failed, never to be waited for */
		atomic_store( &probe_ok[i], rc == LDAP_SUCCESS ? now() : -1 );
		if ( rc != LDAP_SUCCESS )
			probe_errors++;
		h_add( &probe_reg, now() - due );
	}
	return NULL;
}

/* -V sync: the replica's syncprov sends every probe as it applies the
 * Modify that gives it sappid (an entry that starts to match) */
static int
watch_sync_start( LDAP *ld, int *msgid )
{
	BerElement *ber = ber_alloc_t( LBER_USE_DER );
	struct berval *bv = NULL;
	LDAPControl sync, *ctrls[] = { &sync, NULL };
	char *attrs[] = { LDAP_NO_ATTRS, NULL };
	int rc;

	if ( !ber || ber_printf( ber, "{e}", (ber_int_t)LDAP_SYNC_REFRESH_AND_PERSIST ) < 0 ||
		ber_flatten( ber, &bv ) < 0 ) {
		if ( ber )
			ber_free( ber, 1 );
		return LDAP_ENCODING_ERROR;
	}
	sync.ldctl_oid = LDAP_CONTROL_SYNC;
	sync.ldctl_value = *bv;
	sync.ldctl_iscritical = 1;
	rc = ldap_search_ext( ld, "o=Intranet", LDAP_SCOPE_SUBTREE, PROBE_FILTER,
		attrs, 0, ctrls, NULL, NULL, 0, msgid );
	ber_bvfree( bv );
	ber_free( ber, 1 );
	return rc;
}

static void
watch_sync( LDAP *ld )
{
	struct timeval tv = { 0, 20000 };
	LDAPMessage *m;
	int msgid, t;
	char *dn;

	if ( watch_sync_start( ld, &msgid ) != LDAP_SUCCESS ) {
		complain( "sync search on the replica failed" );
		atomic_store( &watch_failed, 1 );
		return;
	}
	/* no probe exists yet: the refresh phase is empty and ends with a
	 * Sync Info message; the load starts after it */
	while ( !atomic_load( &watch_stop ) ) {
		t = ldap_result( ld, msgid, LDAP_MSG_ONE, &tv, &m );
		if ( t == 0 )
			continue;
		if ( t < 0 ) {
			complain( "sync search on the replica: connection lost" );
			atomic_store( &watch_failed, 1 );
			return;
		}
		if ( t == LDAP_RES_SEARCH_ENTRY ) {
			double seen = now();
			if ( ( dn = ldap_get_dn( ld, m ) ) ) {
				probe_mark( probe_id( dn ), seen );
				ldap_memfree( dn );
			}
		} else if ( t == LDAP_RES_INTERMEDIATE ) {
			atomic_store( &watch_ready, 1 );
		} else if ( t == LDAP_RES_SEARCH_RESULT ) {
			int err = LDAP_OTHER;
			ldap_parse_result( ld, m, &err, NULL, NULL, NULL, NULL, 0 );
			complain( "sync search on the replica ended: %s (%d)",
				ldap_err2string( err ), err );
			atomic_store( &watch_failed, 1 );
			ldap_msgfree( m );
			return;
		}
		ldap_msgfree( m );
	}
}

/* -V poll: the oldest probe begun and not yet seen, every POLL_US */
static void
watch_poll_loop( LDAP *ld )
{
	char mail[64], f[200];
	long next = 0;
	int rc, n;

	atomic_store( &watch_ready, 1 );
	while ( !atomic_load( &watch_stop ) ) {
		while ( next < nprobes && ( atomic_load( &probe_seen[next] ) > 0 ||
			atomic_load( &probe_ok[next] ) < 0 ) )
			next++;
		if ( next >= atomic_load( &probes_begun ) ) {
			usleep( POLL_US );
			continue;
		}
		email( mail, sizeof( mail ), next, PROBE );
		snprintf( f, sizeof( f ), "(&(objectClass=rtPerson)(cn=%s)(sappid=ms-netmeeting))",
			mail );
		rc = op_search( ld, "objectClass=rtPerson", LDAP_SCOPE_BASE, f, no_attrs,
			0, NULL, &n );
		if ( rc != LDAP_SUCCESS ) {
			complain( "poll of the replica: %s (%d)", ldap_err2string( rc ), rc );
			atomic_store( &watch_failed, 1 );
			return;
		}
		if ( n > 0 )
			probe_mark( next, now() );
		else
			usleep( POLL_US );
	}
}

static void *
watch_loop( void *arg )
{
	LDAP *ld;
	int rc;

	(void)arg;
	if ( !( ld = conn_bind( peer_port, 3, peer_dn, peer_pw, &rc ) ) ) {
		complain( "replica: connect/bind: %s (%d)", ldap_err2string( rc ), rc );
		atomic_store( &watch_failed, 1 );
		return NULL;
	}
	if ( watch_poll )
		watch_poll_loop( ld );
	else
		watch_sync( ld );
	conn_close( ld );
	return NULL;
}

/* the lag of every probe seen into h; returns how many were seen */
static long
lag_hist( hist *h, double *max, double *sum )
{
	long i, seen = 0;

	memset( h, 0, sizeof( *h ) );
	*max = *sum = 0;
	for ( i = 0; i < nprobes; i++ ) {
		double ok = atomic_load( &probe_ok[i] ), s = atomic_load( &probe_seen[i] );
		if ( ok <= 0 || s <= 0 )
			continue;
		/* the replica may answer before the reply reaches this client */
		h_add( h, s > ok ? s - ok : 0 );
		if ( s - ok > *max )
			*max = s - ok;
		*sum += s > ok ? s - ok : 0;
		seen++;
	}
	return seen;
}

static long
probes_pending( void )
{
	long i, n = 0;

	for ( i = 0; i < nprobes; i++ )
		n += atomic_load( &probe_ok[i] ) > 0 && atomic_load( &probe_seen[i] ) <= 0;
	return n;
}

static void
sc_lag( void )
{
	pthread_t pt, wt;
	worker *pw;
	hist lag;
	double elapsed, wait_end, lmax, lsum;
	long i, sent, seen, ok = 0;
	char more[512];
	int found;

	if ( peer_port <= 0 || probe_rate <= 0 || mode != M_ILS ) {
		fprintf( stderr, "ilsload: lag needs -m ils, -r PORT (the replica) and -Q > 0\n" );
		exit( 2 );
	}
	nprobes = (long)( secs * probe_rate ) + 1;
	probe_ok = calloc( nprobes, sizeof( *probe_ok ) );
	probe_seen = calloc( nprobes, sizeof( *probe_seen ) );
	pw = calloc( 1, sizeof( *pw ) );
	if ( !probe_ok || !probe_seen || !pw )
		exit( 1 );
	pthread_create( &wt, NULL, watch_loop, NULL );
	for ( i = 0; i < 500 && !atomic_load( &watch_ready ) && !atomic_load( &watch_failed ); i++ )
		usleep( 10000 );
	if ( !atomic_load( &watch_ready ) ) {
		fprintf( stderr, "ilsload: the replica's watch did not start\n" );
		exit( 1 );
	}
	/* the keep-alives at -R, and the probes beside them */
	reset_workers();
	timed_kind = K_KEEPALIVE;
	cpu_mark();
	t_start = now();
	t_end = t_start + secs;
	pthread_create( &pt, NULL, probe_loop, pw );
	run_workers( timed_loop );
	pthread_join( pt, NULL );
	elapsed = now() - t_start;
	/* the last probes get up to -W seconds to arrive */
	wait_end = now() + ( max_wait < 60 ? max_wait : 60 );
	while ( probes_pending() > 0 && now() < wait_end && !atomic_load( &watch_failed ) )
		usleep( 10000 );
	atomic_store( &watch_stop, 1 );
	pthread_join( wt, NULL );
	sent = atomic_load( &probes_begun );
	for ( i = 0; i < sent; i++ )
		ok += atomic_load( &probe_ok[i] ) > 0;
	seen = lag_hist( &lag, &lmax, &lsum );
	snprintf( more, sizeof( more ),
		" watch=%s probes=%ld probe_rate=%.1f probe_errors=%ld seen=%ld lost=%ld"
		" lag_p50_ms=%.3f lag_p99_ms=%.3f lag_max_ms=%.3f lag_mean_ms=%.3f"
		" probe_reg_p99_ms=%.3f load_rate=%.0f",
		watch_poll ? "poll" : "sync", sent, probe_rate, probe_errors, seen, ok - seen,
		h_ms( &lag, 0.5 ), h_ms( &lag, 0.99 ), lmax * 1000,
		seen ? lsum / seen * 1000 : 0, h_ms( &probe_reg, 0.99 ), rate );
	report( "lag", elapsed, 0, more );
	/* the probes leave: a later run registers them again */
	for ( i = 0; i < sent; i++ )
		if ( atomic_load( &probe_ok[i] ) > 0 )
			action( pw, K_LEAVE, i, PROBE, &found );
}

/* ---- main ---- */
static void
usage( void )
{
	fprintf( stderr,
"usage: ilsload [options] SCENARIO\n"
"scenarios:\n"
"  register   register ids -o..-o+-k-1 (default 0..N-1): T1 Bind, Add, Modify, Unbind\n"
"  leave      delete the same range (T4)\n"
"  keepalive  -d seconds of keep-alives of random online users (T2 sttl search;\n"
"             generic: RFC 2589 refresh)\n"
"  refresh    -d seconds of RFC 2589 refresh extended operations (LDAPv3)\n"
"  lookup     -d seconds of (&(objectClass=rtPerson)(cn=EMAIL)) searches\n"
"  browse     -d seconds of T3 directory listings, first -l entries\n"
"  mixed      -d seconds of keep-alives, lookups, browses, registrations and\n"
"             leaves in the ratio 60:20:2:5:5 over N online users\n"
"  expiry     -K registrations lapse in the same second while the mixed load\n"
"             runs at -R ops/s; reports the time until all are gone\n"
"  lag        -d seconds of keep-alives at -R a second, and -Q registrations a\n"
"             second each timed until the replica -r has it (RFC 4533 sync\n"
"             search there, or -V poll: a lookup every 2 ms)\n"
"  count      print the number of entries\n"
"options:\n"
"  -H HOST -p PORT   server (127.0.0.1:389)\n"
"  -m ils|generic|null  ILS PDUs / LDAPv3 equivalents on back-mdb+dds / back-null\n"
"  -n N       online users (1000)        -c C  concurrent clients (8)\n"
"  -d SECS    duration (10)              -R R  open loop at R ops/s (0: closed)\n"
"  -o ID -k COUNT   register/leave: first id and how many\n"
"  -K K       expiry: registrations that lapse (1000)\n"
"  -P         one persistent connection per client instead of one per action\n"
"  -S LABEL   server label in RESULT lines (A)\n"
"  -s PID     slapd's PID (VmRSS)        -x DIR  data directory (size on disk)\n"
"  -l LIMIT   browse size limit (500)    -T SECS per-operation timeout (60)\n"
"  -W SECS    expiry: longest wait (300) -C  do not count entries\n"
"  -X TEXT    appended to RESULT lines   -q  no progress line\n"
"  -M R:K:F:L:B:D  mixed weights of register, keepalive, refresh, lookup,\n"
"             browse, leave (5:60:0:20:2:5)\n"
"  -r PORT    lag: the replica's port     -Q R  lag: probes a second (10)\n"
"  -V sync|poll  lag: how the replica is watched (sync)\n"
"  -z PID     the replica's PID: its CPU time as peer_cpu_s\n" );
	exit( 2 );
}

int
main( int argc, char **argv )
{
	int c, quiet = 0;

	while ( ( c = getopt( argc, argv, "H:p:m:n:c:d:R:o:k:K:PS:s:x:l:T:W:CX:qM:r:z:Q:V:" ) ) != -1 ) {
		switch ( c ) {
		case 'H': host = optarg; break;
		case 'p': port = atoi( optarg ); break;
		case 'm':
			if ( !strcmp( optarg, "ils" ) ) mode = M_ILS;
			else if ( !strcmp( optarg, "generic" ) ) mode = M_GENERIC;
			else if ( !strcmp( optarg, "null" ) ) mode = M_NULL;
			else usage();
			break;
		case 'n': users = atol( optarg ); break;
		case 'c': conc = atoi( optarg ); break;
		case 'd': secs = atof( optarg ); break;
		case 'R': rate = atof( optarg ); break;
		case 'o': first_id = atol( optarg ); break;
		case 'k': count_ops = atol( optarg ); break;
		case 'K': kexp = atol( optarg ); break;
		case 'P': persistent = 1; break;
		case 'S': label = optarg; break;
		case 's': slapd_pid = atol( optarg ); break;
		case 'x': datadir = optarg; break;
		case 'l': browse_limit = atoi( optarg ); break;
		case 'T': op_timeout = atof( optarg ); break;
		case 'W': max_wait = atof( optarg ); break;
		case 'C': do_count = 0; break;
		case 'X': extra = optarg; break;
		case 'q': quiet = 1; break;
		case 'M':
			if ( sscanf( optarg, "%d:%d:%d:%d:%d:%d", &mix_w[0], &mix_w[1],
				&mix_w[2], &mix_w[3], &mix_w[4], &mix_w[5] ) != 6 )
				usage();
			break;
		case 'r': peer_port = atoi( optarg ); break;
		case 'z': peer_pid = atol( optarg ); break;
		case 'Q': probe_rate = atof( optarg ); break;
		case 'V':
			if ( !strcmp( optarg, "sync" ) ) watch_poll = 0;
			else if ( !strcmp( optarg, "poll" ) ) watch_poll = 1;
			else usage();
			break;
		default: usage();
		}
	}
	if ( optind != argc - 1 || users < 1 || conc < 1 || conc > 4096 ||
		secs <= 0 || secs > 86400 || kexp < 1 )
		usage();
	scenario = argv[optind];
	progress = !quiet && isatty( 1 );
	workers = calloc( conc, sizeof( *workers ) );
	if ( !workers )
		return 1;

	if ( !strcmp( scenario, "register" ) )
		sc_range( "register", K_REGISTER, 0 );
	else if ( !strcmp( scenario, "leave" ) )
		sc_range( "leave", K_LEAVE, 0 );
	else if ( !strcmp( scenario, "keepalive" ) )
		sc_timed( "keepalive", K_KEEPALIVE );
	else if ( !strcmp( scenario, "refresh" ) && mode != M_NULL )
		sc_timed( "refresh", K_REFRESH );
	else if ( !strcmp( scenario, "lookup" ) )
		sc_timed( "lookup", K_LOOKUP );
	else if ( !strcmp( scenario, "browse" ) )
		sc_timed( "browse", K_BROWSE );
	else if ( !strcmp( scenario, "mixed" ) )
		sc_mixed();
	else if ( !strcmp( scenario, "expiry" ) )
		sc_expiry();
	else if ( !strcmp( scenario, "lag" ) )
		sc_lag();
	else if ( !strcmp( scenario, "count" ) )
		printf( "%ld\n", count_entries() );
	else
		usage();
	close_workers();
	return 0;
}
