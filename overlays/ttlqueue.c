/* ttlqueue.c - the expiry index and the thread that keeps time
 *
 * Two threaded AVL trees hold one node per dynamic entry: by DN (to find
 * an entry on refresh or delete) and by (expiry, DN) (to find what is due).
 * A refresh is O(log n); expiring k entries is O(k log n); nothing ever
 * scans the whole index.  The timer thread sleeps on a condition variable
 * until the earliest expiry; when something is due it submits one task to
 * slapd's thread pool, which deletes due entries with ordinary internal
 * Delete operations, so overlays such as syncprov and accesslog see them.
 * The same task writes refreshed expiry times behind (ttl_queue_refresh).
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include <ac/time.h>
#include <errno.h>
#include "slap.h"
#include "dynttl.h"

int64_t
dynttl_now( void )
{
	struct timeval tv;

	gettimeofday( &tv, NULL );
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int
cmp_dn( const void *a, const void *b )
{
	const ttl_node *x = a, *y = b;

	if ( x->tn_ndn.bv_len != y->tn_ndn.bv_len )
		return x->tn_ndn.bv_len < y->tn_ndn.bv_len ? -1 : 1;
	return memcmp( x->tn_ndn.bv_val, y->tn_ndn.bv_val, x->tn_ndn.bv_len );
}

static int
cmp_time( const void *a, const void *b )
{
	const ttl_node *x = a, *y = b;

	if ( x->tn_queued != y->tn_queued )
		return x->tn_queued < y->tn_queued ? -1 : 1;
	return cmp_dn( a, b );
}

void
ttl_queue_init( ttl_info *ti )
{
	pthread_mutex_init( &ti->ti_mutex, NULL );
	pthread_cond_init( &ti->ti_cond, NULL );
}

static void
node_free( void *p )
{
	ttl_node *n = p;

	ch_free( n->tn_ndn.bv_val );
	ch_free( n );
}

void
ttl_queue_destroy( ttl_info *ti )
{
	int i;

	for ( i = 0; i < ti->ti_ndirty; i++ )
		ch_free( ti->ti_dirty[i].bv_val );
	ch_free( ti->ti_dirty );
	ti->ti_dirty = NULL;
	ti->ti_ndirty = ti->ti_maxdirty = 0;
	ldap_tavl_free( ti->ti_by_time, NULL );
	ldap_tavl_free( ti->ti_by_dn, node_free );
	ti->ti_by_time = ti->ti_by_dn = NULL;
	ti->ti_count = 0;
	pthread_cond_destroy( &ti->ti_cond );
	pthread_mutex_destroy( &ti->ti_mutex );
}

static int64_t
earliest( ttl_info *ti )
{
	TAvlnode *t = ldap_tavl_end( ti->ti_by_time, TAVL_DIR_LEFT );

	return t ? ( (ttl_node *)t->avl_data )->tn_queued : INT64_MAX;
}

/* when the timer has work: the next expiry or write-behind pass */
static int64_t
next_due( ttl_info *ti )
{
	int64_t next = earliest( ti );

	if ( ti->ti_flush_at && ti->ti_flush_at < next )
		next = ti->ti_flush_at;
	return next;
}

/* the node of ndn, NULL when the index has none; ti_mutex held */
static ttl_node *
node_find( ttl_info *ti, struct berval *ndn )
{
	ttl_node key;
	TAvlnode *t;

	key.tn_ndn = *ndn;
	t = ldap_tavl_find2( ti->ti_by_dn, &key, cmp_dn );
	return t ? t->avl_data : NULL;
}

/* the node of ndn, created when missing, with its new expiry time and
 * its place in the time order; ti_mutex held.  A lazy move (a refresh)
 * that puts the time later leaves the node where it is: when the timer
 * reaches that place it finds the later time and moves the node then
 * (requeue), once per TTL instead of at every keep-alive. */
static ttl_node *
node_move( ttl_info *ti, struct berval *ndn, int64_t expire, int lazy, int *fresh )
{
	ttl_node *n;

	*fresh = 0;
	if ( ( n = node_find( ti, ndn ) ) != NULL ) {
		n->tn_retry = 0;
		if ( lazy && expire >= n->tn_queued ) {
			n->tn_expire = expire;
			return n;
		}
		ldap_tavl_delete( &ti->ti_by_time, n, cmp_time );
	} else {
		n = ch_calloc( 1, sizeof( *n ) );
		ber_dupbv( &n->tn_ndn, ndn );
		ldap_tavl_insert( &ti->ti_by_dn, n, cmp_dn, ldap_avl_dup_error );
		ti->ti_count++;
		*fresh = 1;
	}
	if ( expire < earliest( ti ) )
		pthread_cond_signal( &ti->ti_cond );
	n->tn_expire = n->tn_queued = expire;
	ldap_tavl_insert( &ti->ti_by_time, n, cmp_time, ldap_avl_dup_error );
	return n;
}

/* Insert or move an entry whose expiry time is in the entry already;
 * returns 1 when the entry is new. */
int
ttl_queue_set( ttl_info *ti, struct berval *ndn, int64_t expire )
{
	int fresh;

	pthread_mutex_lock( &ti->ti_mutex );
	node_move( ti, ndn, expire, 0, &fresh )->tn_dirty = 0;
	pthread_mutex_unlock( &ti->ti_mutex );
	return fresh;
}

/* A refresh from the time the entry holds (stored, -1 for none) to
 * expire.  With dynttl-persist-delay the entry learns the new time in the
 * next write-behind pass, so a keep-alive costs no write of its own and
 * an entry refreshed again meanwhile is written once.  Returns 1 when the
 * caller must write it now: with no delay configured, and for two kinds
 * of refresh.  Expiry Deletes assert that the entry's time has passed,
 * which holds because the entry's time is never later than the index's:
 * a refresh that moves the time earlier (a 10-minute keep-alive of a
 * 30-minute registration) is written at once.  So is the refresh of a
 * lapsed entry, whose Delete may be under way: only the new time in the
 * entry makes that Delete's assertion fail. */
int
ttl_queue_refresh( ttl_info *ti, struct berval *ndn, int64_t stored,
	int64_t expire, int ttl )
{
	int urgent = stored <= dynttl_now() || expire < stored;
	ttl_node *n;
	int fresh;

	pthread_mutex_lock( &ti->ti_mutex );
	n = node_move( ti, ndn, expire, 1, &fresh );
	n->tn_ttl = ttl;
	if ( !ti->ti_delay || urgent ) {
		n->tn_dirty = 0;
		pthread_mutex_unlock( &ti->ti_mutex );
		return 1;
	}
	if ( !n->tn_dirty ) {
		if ( ti->ti_ndirty == ti->ti_maxdirty ) {
			ti->ti_maxdirty = ti->ti_maxdirty ? 2 * ti->ti_maxdirty : 256;
			ti->ti_dirty = ch_realloc( ti->ti_dirty,
				ti->ti_maxdirty * sizeof( struct berval ) );
		}
		ber_dupbv( &ti->ti_dirty[ti->ti_ndirty++], ndn );
		n->tn_dirty = 1;
		if ( !ti->ti_flush_at ) {
			ti->ti_flush_at = dynttl_now() + (int64_t)ti->ti_delay * 1000;
			pthread_cond_signal( &ti->ti_cond );
		}
	}
	pthread_mutex_unlock( &ti->ti_mutex );
	return 0;
}

/* the expiry time the index holds for ndn, -1 when none: the entry's
 * own may lag behind it by up to dynttl-persist-delay */
int64_t
ttl_queue_get( ttl_info *ti, struct berval *ndn )
{
	ttl_node *n;
	int64_t expire;

	pthread_mutex_lock( &ti->ti_mutex );
	expire = ( n = node_find( ti, ndn ) ) ? n->tn_expire : -1;
	pthread_mutex_unlock( &ti->ti_mutex );
	return expire;
}

/* The write-behind pass: every refreshed entry gets its latest time.
 * A refresh during the pass queues the entry again; entries deleted
 * meanwhile are skipped. */
void
ttl_queue_flush( ttl_info *ti, Operation *op )
{
	struct berval *list;
	int i, n;

	pthread_mutex_lock( &ti->ti_mutex );
	list = ti->ti_dirty;
	n = ti->ti_ndirty;
	ti->ti_dirty = NULL;
	ti->ti_ndirty = ti->ti_maxdirty = 0;
	ti->ti_flush_at = 0;
	pthread_mutex_unlock( &ti->ti_mutex );
	for ( i = 0; i < n; i++ ) {
		ttl_node *x;
		int64_t expire = -1;
		int ttl = 0;

		pthread_mutex_lock( &ti->ti_mutex );
		if ( ( x = node_find( ti, &list[i] ) ) && x->tn_dirty ) {
			expire = x->tn_expire;
			ttl = x->tn_ttl;
			x->tn_dirty = 0;
		}
		pthread_mutex_unlock( &ti->ti_mutex );
		if ( expire >= 0 )
			dynttl_persist( op, ti, &list[i], ttl, expire );
		ch_free( list[i].bv_val );
	}
	ch_free( list );
}

/* forget an entry; with expire >= 0 only while it still expires then
 * (a refresh in the meantime keeps it) */
static void
queue_remove( ttl_info *ti, struct berval *ndn, int64_t expire )
{
	ttl_node *n;

	pthread_mutex_lock( &ti->ti_mutex );
	n = node_find( ti, ndn );
	if ( n && ( expire < 0 || n->tn_expire == expire ) ) {
		ldap_tavl_delete( &ti->ti_by_dn, n, cmp_dn );
		ldap_tavl_delete( &ti->ti_by_time, n, cmp_time );
		node_free( n );
		ti->ti_count--;
	}
	pthread_mutex_unlock( &ti->ti_mutex );
}

void
ttl_queue_remove( ttl_info *ti, struct berval *ndn )
{
	queue_remove( ti, ndn, -1 );
}

/* After a ModRDN: the node of ndn takes the name newndn, with its time
 * and place.  Returns 1 when its refresh was still to be written behind:
 * the caller writes *expire and *ttl under the new name now (the pass
 * has the old one, and finds no entry there). */
int
ttl_queue_rename( ttl_info *ti, struct berval *ndn, struct berval *newndn,
	int64_t *expire, int *ttl )
{
	ttl_node *n, *old;
	int dirty = 0;

	pthread_mutex_lock( &ti->ti_mutex );
	if ( ( n = node_find( ti, ndn ) ) != NULL ) {
		ldap_tavl_delete( &ti->ti_by_dn, n, cmp_dn );
		ldap_tavl_delete( &ti->ti_by_time, n, cmp_time );
		if ( ( old = node_find( ti, newndn ) ) != NULL ) {
			/* a node the backend's rename proves stale */
			ldap_tavl_delete( &ti->ti_by_dn, old, cmp_dn );
			ldap_tavl_delete( &ti->ti_by_time, old, cmp_time );
			node_free( old );
			ti->ti_count--;
		}
		ch_free( n->tn_ndn.bv_val );
		ber_dupbv( &n->tn_ndn, newndn );
		ldap_tavl_insert( &ti->ti_by_dn, n, cmp_dn, ldap_avl_dup_error );
		ldap_tavl_insert( &ti->ti_by_time, n, cmp_time, ldap_avl_dup_error );
		dirty = n->tn_dirty;
		n->tn_dirty = 0;
		*expire = n->tn_expire;
		*ttl = n->tn_ttl;
	}
	pthread_mutex_unlock( &ti->ti_mutex );
	return dirty;
}

/* RFC 2589 and slapo-dds: a dynamic entry whose subordinates outlive it
 * is not deleted (the Delete gets notAllowedOnNonLeaf) but deferred.
 * Its index time moves to just after the latest of its children's, so
 * the Delete is tried again the moment they are gone, and until then it
 * stays visible, its entryTtl counting down to that moment: deferred,
 * never dropped, never a hidden entry in the database.  Its stored time
 * stays the old one, earlier than the index's, so the Delete's assertion
 * holds.  A static child (made before the overlay, or by slapadd) keeps
 * it for good: it is tried again every DYNTTL_RETRY_MAX. */
static void
queue_defer( ttl_info *ti, Operation *op, struct berval *ndn, int64_t expire )
{
	int64_t latest = dynttl_children_expire( ti, op, ndn ), now = dynttl_now();
	ttl_node *n;

	if ( latest == INT64_MAX )
		latest = now + DYNTTL_RETRY_MAX;
	else if ( latest <= now )	/* children due, or gone meanwhile */
		latest = now + DYNTTL_RETRY_MIN;
	else
		latest++;
	pthread_mutex_lock( &ti->ti_mutex );
	n = node_find( ti, ndn );
	if ( n && n->tn_expire == expire ) {
		ldap_tavl_delete( &ti->ti_by_time, n, cmp_time );
		n->tn_expire = n->tn_queued = latest;
		ldap_tavl_insert( &ti->ti_by_time, n, cmp_time, ldap_avl_dup_error );
	}
	pthread_mutex_unlock( &ti->ti_mutex );
	Debug( LDAP_DEBUG_STATS, "dynttl: \"%s\" has subordinates; deferred %lld ms\n",
		ndn->bv_val, (long long)( latest - now ) );
}

/* An expiry Delete that failed (the database full, say) keeps its entry
 * in the index, lapsed and so hidden from searches, and puts it back in
 * the time order to be tried again, each time twice as late, up to
 * DYNTTL_RETRY_MAX; a refresh meanwhile ends the retries.  Dropping it
 * would leave it stored until a restart, and stuck the same way then. */
static void
queue_retry( ttl_info *ti, struct berval *ndn, int64_t expire )
{
	ttl_node *n;

	pthread_mutex_lock( &ti->ti_mutex );
	n = node_find( ti, ndn );
	if ( n && n->tn_expire == expire ) {
		n->tn_retry = n->tn_retry ? 2 * n->tn_retry : DYNTTL_RETRY_MIN;
		if ( n->tn_retry > DYNTTL_RETRY_MAX )
			n->tn_retry = DYNTTL_RETRY_MAX;
		ldap_tavl_delete( &ti->ti_by_time, n, cmp_time );
		n->tn_queued = dynttl_now() + n->tn_retry;
		ldap_tavl_insert( &ti->ti_by_time, n, cmp_time, ldap_avl_dup_error );
	}
	pthread_mutex_unlock( &ti->ti_mutex );
}

/* up to max entries that are due, copied (caller frees); ti_mutex held.
 * Nodes whose place has come but whose time was put later by a refresh
 * (node_move) go to their new place instead; *more says that the batch
 * stopped at a limit, not at the first entry that is not due. */
static int
collect_due( ttl_info *ti, int64_t now, ttl_node *out, int max, int *more )
{
	TAvlnode *t = ldap_tavl_end( ti->ti_by_time, TAVL_DIR_LEFT );
	ttl_node *later[DYNTTL_BATCH];
	int n = 0, nl = 0, i;

	*more = 0;
	for ( ; t; t = ldap_tavl_next( t, TAVL_DIR_RIGHT ) ) {
		ttl_node *x = t->avl_data;
		if ( x->tn_queued > now )
			break;
		if ( n == max || nl == DYNTTL_BATCH ) {
			*more = 1;
			break;
		}
		if ( x->tn_expire > now ) {
			later[nl++] = x;
			continue;
		}
		ber_dupbv( &out[n].tn_ndn, &x->tn_ndn );
		out[n++].tn_expire = x->tn_expire;
	}
	for ( i = 0; i < nl; i++ ) {
		ldap_tavl_delete( &ti->ti_by_time, later[i], cmp_time );
		later[i]->tn_queued = later[i]->tn_expire;
		ldap_tavl_insert( &ti->ti_by_time, later[i], cmp_time, ldap_avl_dup_error );
	}
	return n;
}

static int
expire_cb( Operation *op, SlapReply *rs )
{
	return 0;	/* the result is expire_one's */
}

/* One internal Delete, as the rootdn, through the whole overlay stack.
 * It asserts (RFC 4528) that the entry is still expired: a refresh that
 * lands between the choice of this entry and the Delete keeps it.
 * Returns the Delete's result. */
static int
expire_one( Operation *op, ttl_info *ti, struct berval *ndn )
{
	slap_callback cb = { NULL, expire_cb, NULL, NULL };
	SlapReply rs = { REP_RESULT };
	char f[128], now[40];
	struct berval bv;

	dynttl_time2str( dynttl_now(), &bv, now );
	snprintf( f, sizeof( f ), "(|(dynttlExpireTime<=%s)(!(dynttlExpireTime=*)))", now );
	op->o_assertion = str2filter_x( op, f );
	op->o_assert = op->o_assertion ? SLAP_CONTROL_CRITICAL : SLAP_CONTROL_NONE;
	op->o_tag = LDAP_REQ_DELETE;
	op->o_bd = ti->ti_be;
	op->o_callback = &cb;
	op->o_req_dn = *ndn;
	op->o_req_ndn = *ndn;
	op->o_dn = ti->ti_be->be_rootdn;
	op->o_ndn = ti->ti_be->be_rootndn;
	op->o_managedsait = SLAP_CONTROL_CRITICAL;
	op->o_time = slap_get_time();
	ti->ti_be->be_delete( op, &rs );
	ttl_monitor_expiry( ti, rs.sr_err );
	if ( op->o_assertion )
		filter_free_x( op, op->o_assertion, 1 );
	op->o_assertion = NULL;
	op->o_assert = SLAP_CONTROL_NONE;
	if ( rs.sr_err == LDAP_SUCCESS )
		Debug( LDAP_DEBUG_STATS, "dynttl: \"%s\" expired\n", ndn->bv_val );
	return rs.sr_err;
}

/* gone, or kept by a refresh: the index is done with this expiry */
static int
expire_settled( int rc )
{
	return rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT ||
		rc == LDAP_ASSERTION_FAILED;
}

static void *
expire_task( void *ctx, void *arg )
{
	ttl_info *ti = arg;
	ttl_node due[DYNTTL_BATCH];
	Connection conn = { 0 };
	OperationBuffer opbuf;
	Operation *op;
	int i, n, more, rc, failed = 0, last = 0;

	connection_fake_init2( &conn, &opbuf, ctx, 0 );
	op = &opbuf.ob_op;
	do {
		pthread_mutex_lock( &ti->ti_mutex );
		n = more = 0;
		if ( !ti->ti_stop )
			n = collect_due( ti, dynttl_now(), due, DYNTTL_BATCH, &more );
		pthread_mutex_unlock( &ti->ti_mutex );
		for ( i = 0; i < n; i++ ) {
			rc = expire_one( op, ti, &due[i].tn_ndn );
			/* either way, unless refreshed meanwhile */
			if ( expire_settled( rc ) ) {
				queue_remove( ti, &due[i].tn_ndn, due[i].tn_expire );
			} else if ( rc == LDAP_NOT_ALLOWED_ON_NONLEAF ) {
				queue_defer( ti, op, &due[i].tn_ndn, due[i].tn_expire );
			} else {
				queue_retry( ti, &due[i].tn_ndn, due[i].tn_expire );
				failed++;
				last = rc;
			}
			ch_free( due[i].tn_ndn.bv_val );
		}
	} while ( more );
	if ( failed )
		Debug( LDAP_DEBUG_ANY, "dynttl: %d expired entries not deleted (result %d); "
			"trying again in %d s at most\n", failed, last, DYNTTL_RETRY_MAX / 1000 );

	pthread_mutex_lock( &ti->ti_mutex );
	n = !ti->ti_stop && ti->ti_flush_at && ti->ti_flush_at <= dynttl_now();
	pthread_mutex_unlock( &ti->ti_mutex );
	if ( n )
		ttl_queue_flush( ti, op );

	pthread_mutex_lock( &ti->ti_mutex );
	ti->ti_task = 0;
	pthread_cond_broadcast( &ti->ti_cond );
	pthread_mutex_unlock( &ti->ti_mutex );
	return NULL;
}

static void
abs_time( int64_t ms, struct timespec *ts )
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = ( ms % 1000 ) * 1000000;
}

static void *
timer_thread( void *arg )
{
	ttl_info *ti = arg;
	struct timespec ts;

	pthread_mutex_lock( &ti->ti_mutex );
	while ( !ti->ti_stop ) {
		int64_t next = next_due( ti ), now = dynttl_now();

		if ( ti->ti_task || next == INT64_MAX ) {
			pthread_cond_wait( &ti->ti_cond, &ti->ti_mutex );
		} else if ( next > now ) {
			abs_time( next, &ts );
			pthread_cond_timedwait( &ti->ti_cond, &ti->ti_mutex, &ts );
		} else if ( slapd_shutdown ) {
			break;
		} else {
			ti->ti_task = 1;
			pthread_mutex_unlock( &ti->ti_mutex );
			if ( ldap_pvt_thread_pool_submit( &connection_pool, expire_task, ti ) ) {
				/* the pool refused (shutting down): try again soon */
				pthread_mutex_lock( &ti->ti_mutex );
				ti->ti_task = 0;
				abs_time( dynttl_now() + 100, &ts );
				pthread_cond_timedwait( &ti->ti_cond, &ti->ti_mutex, &ts );
				continue;
			}
			pthread_mutex_lock( &ti->ti_mutex );
		}
	}
	pthread_mutex_unlock( &ti->ti_mutex );
	return NULL;
}

int
ttl_queue_start( ttl_info *ti )
{
	if ( ti->ti_thread_up )
		return 0;
	ti->ti_stop = 0;
	if ( ldap_pvt_thread_create( &ti->ti_thread, 0, timer_thread, ti ) )
		return -1;
	ti->ti_thread_up = 1;
	return 0;
}

/* stop the timer and wait for a running expiry task, which looks at
 * ti_stop after every entry batch */
void
ttl_queue_stop( ttl_info *ti )
{
	if ( !ti->ti_thread_up )
		return;
	pthread_mutex_lock( &ti->ti_mutex );
	ti->ti_stop = 1;
	pthread_cond_broadcast( &ti->ti_cond );
	while ( ti->ti_task )
		pthread_cond_wait( &ti->ti_cond, &ti->ti_mutex );
	pthread_mutex_unlock( &ti->ti_mutex );
	ldap_pvt_thread_join( ti->ti_thread, NULL );
	ti->ti_thread_up = 0;
}
