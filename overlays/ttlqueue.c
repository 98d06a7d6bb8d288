/* ttlqueue.c - the expiry index and the task that expires entries
 *
 * Two threaded AVL trees hold one node per dynamic entry: by DN (to find
 * an entry on refresh or delete) and by (expiry, DN) (to find what is due).
 * A refresh is O(log n); expiring k entries is O(k log n); nothing ever
 * scans the whole index.  A task in slapd's run queue runs every second
 * in slapd's thread pool (as slapo-dds's does) and deletes due entries with
 * ordinary internal Delete operations, so overlays such as syncprov and
 * accesslog see them.  The same task writes refreshed expiry times behind
 * (ttl_queue_refresh).  It checks for a pool pause between entries, so a
 * cn=config change never waits for a mass expiry to end.
 *
 * The invariant of expiry times (dynttl.h) is kept here:
 * - stored <= index: a refresh that would make the entry's time later
 *   than the index's is never written before the index has it, and one
 *   that makes it earlier is written at once (ttl_queue_refresh);
 * - no older over newer: ttl_queue_write() writes under ti_wmutex the
 *   time the index has when it writes; a client's Modify or Add of a TTL
 *   writes its own time, and when such a write ran meanwhile (ti_wseq),
 *   which the database may have committed after the client's, the entry
 *   is queued to be written again with the index's time (ttl_queue_set_op);
 * - no ghost: a node leaves the index only when its entry is gone, by the
 *   generation it had when the Delete was chosen (ttl_queue_remove), and
 *   an expiry Delete whose assertion fails re-reads the stored time
 *   (expire_kept) instead of dropping the node; a dynamic parent whose
 *   Delete meets children (66) keeps its node, its time in the index moved
 *   past theirs while the entry keeps its older one (queue_defer);
 * - keep-alive: a node chosen for an expiry Delete is marked tn_deleting,
 *   and a refresh of it answers -1, so the keep-alive hides the entry;
 *   any other refresh puts the node's time in the future, where the
 *   expiry task never chooses it.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include <ac/time.h>
#include <errno.h>
#include "slap.h"
#include "ldap_rq.h"
#include "slapd-versions.h"
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
	pthread_mutex_init( &ti->ti_wmutex, NULL );
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
	pthread_mutex_destroy( &ti->ti_wmutex );
	pthread_mutex_destroy( &ti->ti_mutex );
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
 * that puts the time later leaves the node where it is: when the task
 * reaches that place it finds the later time and moves the node then
 * (requeue), once per TTL instead of at every keep-alive. */
static ttl_node *
node_move( ttl_info *ti, struct berval *ndn, int64_t expire, int lazy, int *fresh )
{
	ttl_node *n;

	*fresh = 0;
	if ( ( n = node_find( ti, ndn ) ) != NULL ) {
		n->tn_retry = 0;
		n->tn_gen++;
		n->tn_peer = 0;
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
	n->tn_expire = n->tn_queued = expire;
	ldap_tavl_insert( &ti->ti_by_time, n, cmp_time, ldap_avl_dup_error );
	return n;
}

/* Insert or move an entry whose expiry time is in the entry already;
 * peer: that time was written by another server (a replicated write, or
 * an entry loaded that one wrote); returns 1 when the entry is new. */
int
ttl_queue_set( ttl_info *ti, struct berval *ndn, int64_t expire, int peer )
{
	ttl_node *n;
	int fresh;

	pthread_mutex_lock( &ti->ti_mutex );
	n = node_move( ti, ndn, expire, 0, &fresh );
	n->tn_dirty = 0;
	n->tn_peer = peer;
	pthread_mutex_unlock( &ti->ti_mutex );
	return fresh;
}

/* ndn in the list of the next write-behind pass; ti_mutex held */
static void
dirty_push( ttl_info *ti, struct berval *ndn )
{
	if ( ti->ti_ndirty == ti->ti_maxdirty ) {
		ti->ti_maxdirty = ti->ti_maxdirty ? 2 * ti->ti_maxdirty : 256;
		ti->ti_dirty = ch_realloc( ti->ti_dirty,
			ti->ti_maxdirty * sizeof( struct berval ) );
	}
	ber_dupbv( &ti->ti_dirty[ti->ti_ndirty++], ndn );
	if ( !ti->ti_flush_at )
		ti->ti_flush_at = dynttl_now() + (int64_t)ti->ti_delay * 1000;
}

/* queue n for the next write-behind pass; ti_mutex held */
static void
mark_dirty( ttl_info *ti, ttl_node *n, struct berval *ndn )
{
	if ( n->tn_dirty )
		return;
	dirty_push( ti, ndn );
	n->tn_dirty = 1;
}

/* how many times ttl_queue_write() has written, to be given back to
 * ttl_queue_set_op() by an operation that writes a time of its own: a
 * node remembers the count of its last such write (tn_wseq) */
unsigned long
ttl_queue_wseq( ttl_info *ti )
{
	unsigned long seq;

	pthread_mutex_lock( &ti->ti_mutex );
	seq = ti->ti_wseq;
	pthread_mutex_unlock( &ti->ti_mutex );
	return seq;
}

/* An Add or a Modify wrote expire into its entry; the index takes it;
 * returns 1 when the entry is new to the index (cn=Monitor tells an Add
 * from a re-Add by it).
 * A ttl_queue_write() of the same entry during the operation may have
 * read an older time and have its write committed after the operation's:
 * then the entry is written again, by the next pass, with the index's
 * time.  (The operation cannot hold ti_wmutex: inside a transaction the
 * database's write lock is held from one operation to the next.) */
int
ttl_queue_set_op( ttl_info *ti, struct berval *ndn, int64_t expire,
	unsigned long wseq )
{
	ttl_node *n;
	int fresh;

	pthread_mutex_lock( &ti->ti_mutex );
	n = node_move( ti, ndn, expire, 0, &fresh );
	n->tn_dirty = 0;
	if ( n->tn_wseq > wseq )	/* written during the operation */
		mark_dirty( ti, n, ndn );
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
 * lapsed entry, so that a restart finds it alive.  Returns -1, changing
 * nothing, when an expiry Delete of the entry is under way: the caller
 * cannot promise the entry more life than that Delete leaves it (a
 * keep-alive hides it; the extended operation writes its time, and the
 * Delete's assertion decides). */
int
ttl_queue_refresh( ttl_info *ti, struct berval *ndn, int64_t stored,
	int64_t expire, int ttl )
{
	int urgent = stored <= dynttl_now() || expire < stored;
	ttl_node *n;
	int fresh;

	pthread_mutex_lock( &ti->ti_mutex );
	if ( ( n = node_find( ti, ndn ) ) && n->tn_deleting ) {
		pthread_mutex_unlock( &ti->ti_mutex );
		return -1;
	}
	n = node_move( ti, ndn, expire, 1, &fresh );
	n->tn_ttl = ttl;
	if ( !ti->ti_delay || urgent ) {
		n->tn_dirty = 0;
		pthread_mutex_unlock( &ti->ti_mutex );
		return 1;
	}
	mark_dirty( ti, n, ndn );
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

/* the generation of ndn's node (*found 0 when the index has none): a
 * Delete forgets the node only if nothing changed it meanwhile */
unsigned
ttl_queue_gen( ttl_info *ti, struct berval *ndn, int *found )
{
	ttl_node *n;
	unsigned gen = 0;

	pthread_mutex_lock( &ti->ti_mutex );
	if ( ( n = node_find( ti, ndn ) ) )
		gen = n->tn_gen;
	*found = n != NULL;
	pthread_mutex_unlock( &ti->ti_mutex );
	return gen;
}

/* Write ndn's expiry time into its entry: the index's, read now under
 * ti_wmutex, so that of two writers the later writes the later time
 * (invariant 2).  ttl and expire are written instead for a node under an
 * expiry Delete (the extended operation's refresh racing that Delete);
 * with expire < 0 nothing is written then, nor for a node written
 * already (the write-behind pass).  Without a node the entry is gone. */
int
ttl_queue_write( ttl_info *ti, Operation *op, struct berval *ndn,
	int ttl, int64_t expire )
{
	ttl_node *x;
	int rc = LDAP_SUCCESS;

	pthread_mutex_lock( &ti->ti_wmutex );
	pthread_mutex_lock( &ti->ti_mutex );
	if ( ( x = node_find( ti, ndn ) ) )
		x->tn_wseq = ++ti->ti_wseq;
	if ( x && !x->tn_deleting &&
		( x->tn_dirty || expire >= 0 ) )
	{
		expire = x->tn_expire;
		ttl = x->tn_ttl;
		x->tn_dirty = 0;
	} else if ( x && x->tn_deleting == 0 ) {
		expire = -1;
	}
	pthread_mutex_unlock( &ti->ti_mutex );
	if ( !x )
		rc = LDAP_NO_SUCH_OBJECT;	/* deleted meanwhile */
	else if ( expire >= 0 )
		rc = dynttl_persist( op, ti, ndn, ttl, expire );
	pthread_mutex_unlock( &ti->ti_wmutex );
	return rc;
}

/* Let a pool pause (a cn=config change) happen, in the expiry task only;
 * 1 when the overlay is closing and the task must stop at once: it may
 * no longer touch the database (ttl_queue_stop) */
static int
task_pause( ttl_info *ti )
{
	int stop;

	ILS_POOL_PAUSECHECK( &connection_pool );
	pthread_mutex_lock( &ti->ti_mutex );
	stop = ti->ti_stop;
	pthread_mutex_unlock( &ti->ti_mutex );
	return stop;
}

/* The write-behind pass: every refreshed entry gets its latest time.
 * It takes the queue DYNTTL_BATCH entries at a time, as many as were
 * queued when it began; a refresh during the pass queues the entry
 * again, entries deleted meanwhile are skipped.  In the expiry task
 * (in_task) the pass lets a pool pause happen between two batches, when
 * it holds none: the close that may follow the pause (db_close) finds
 * every entry still to write in the queue, and the task stops. */
void
ttl_queue_flush( ttl_info *ti, Operation *op, int in_task )
{
	struct berval batch[DYNTTL_BATCH];
	int i, n, todo;

	pthread_mutex_lock( &ti->ti_mutex );
	todo = ti->ti_ndirty;
	ti->ti_flush_at = 0;
	pthread_mutex_unlock( &ti->ti_mutex );
	while ( todo > 0 ) {
		pthread_mutex_lock( &ti->ti_mutex );
		for ( n = 0; n < DYNTTL_BATCH && n < todo && ti->ti_ndirty > 0; n++ )
			batch[n] = ti->ti_dirty[--ti->ti_ndirty];
		pthread_mutex_unlock( &ti->ti_mutex );
		if ( !n )
			break;
		todo -= n;
		for ( i = 0; i < n; i++ ) {
			ttl_queue_write( ti, op, &batch[i], 0, -1 );
			ch_free( batch[i].bv_val );
		}
		if ( in_task && task_pause( ti ) )
			break;
	}
	pthread_mutex_lock( &ti->ti_mutex );
	if ( ti->ti_ndirty && !ti->ti_flush_at ) {
		ti->ti_flush_at = dynttl_now() + (int64_t)ti->ti_delay * 1000;
	} else if ( !ti->ti_ndirty ) {	/* the space of a burst goes back */
		ch_free( ti->ti_dirty );
		ti->ti_dirty = NULL;
		ti->ti_maxdirty = 0;
	}
	pthread_mutex_unlock( &ti->ti_mutex );
}

/* forget a deleted entry, unless its node changed since generation gen:
 * then an Add of the same name (a re-registration) or a refresh came
 * after the Delete was chosen, and the node is the new entry's */
void
ttl_queue_remove( ttl_info *ti, struct berval *ndn, unsigned gen )
{
	ttl_node *n;

	pthread_mutex_lock( &ti->ti_mutex );
	n = node_find( ti, ndn );
	if ( n && n->tn_gen == gen ) {
		ldap_tavl_delete( &ti->ti_by_dn, n, cmp_dn );
		ldap_tavl_delete( &ti->ti_by_time, n, cmp_time );
		node_free( n );
		ti->ti_count--;
	} else if ( n ) {
		n->tn_deleting = 0;
	}
	pthread_mutex_unlock( &ti->ti_mutex );
}

/* dynttl-max-entries, checked and acted on at once: an Add takes a place
 * before it runs (1) or is refused (0); ttl_queue_unreserve gives the
 * place back once the Add is over, indexed or not */
int
ttl_queue_reserve( ttl_info *ti )
{
	int ok;

	pthread_mutex_lock( &ti->ti_mutex );
	ok = !ti->ti_max_entries || ti->ti_count + ti->ti_reserved < ti->ti_max_entries;
	if ( ok )
		ti->ti_reserved++;
	pthread_mutex_unlock( &ti->ti_mutex );
	return ok;
}

void
ttl_queue_unreserve( ttl_info *ti )
{
	pthread_mutex_lock( &ti->ti_mutex );
	ti->ti_reserved--;
	pthread_mutex_unlock( &ti->ti_mutex );
}

/* After a ModRDN: the node of ndn takes the name newndn, with its time
 * and place.  It is a new node as far as a Delete chosen under the old
 * name goes (generation, tn_deleting): that Delete meets no entry.  A
 * refresh still to be written behind is queued again under the new name
 * (the pass has the old one, and finds no node there); the caller, inside
 * a client's operation, cannot take ti_wmutex to write it now. */
void
ttl_queue_rename( ttl_info *ti, struct berval *ndn, struct berval *newndn )
{
	ttl_node *n, *old;

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
		n->tn_gen++;
		n->tn_deleting = 0;
		ldap_tavl_insert( &ti->ti_by_dn, n, cmp_dn, ldap_avl_dup_error );
		ldap_tavl_insert( &ti->ti_by_time, n, cmp_time, ldap_avl_dup_error );
		if ( n->tn_dirty )
			dirty_push( ti, newndn );
	}
	pthread_mutex_unlock( &ti->ti_mutex );
}

/* RFC 2589 and slapo-dds: a dynamic entry whose subordinates outlive it
 * is not deleted (the Delete gets notAllowedOnNonLeaf) but deferred.
 * Its index time moves to just after the latest of its children's, so
 * the Delete is tried again the moment they are gone, and until then it
 * stays visible, its entryTtl counting down to that moment: deferred,
 * never dropped, never a hidden entry in the database.  Its stored time
 * stays the old one, earlier than the index's (invariant 1), and the
 * next Delete asserts the index's time, chosen then, so the assertion
 * holds once more and the Delete goes once the children are gone.  A
 * static child (made before the overlay, or by slapadd) keeps it for
 * good: it is tried again every DYNTTL_RETRY_MAX.  Only a node still of
 * generation gen (nothing refreshed or replaced it during the Delete) is
 * moved, and the move keeps the generation: it stands for the same entry,
 * so a client's Delete begun before it still forgets the node. */
static void
queue_defer( ttl_info *ti, Operation *op, struct berval *ndn, unsigned gen )
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
	if ( n )
		n->tn_deleting = 0;
	if ( n && n->tn_gen == gen ) {
		n->tn_retry = 0;
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
queue_retry( ttl_info *ti, struct berval *ndn, unsigned gen )
{
	ttl_node *n;

	pthread_mutex_lock( &ti->ti_mutex );
	n = node_find( ti, ndn );
	if ( n )
		n->tn_deleting = 0;
	if ( n && n->tn_gen == gen ) {
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
/* When an entry whose time another server wrote may be deleted here.
 * That server deletes it on time and its Delete replicates; deleting it
 * here too, on time, could remove an entry that a keep-alive on that
 * server has just given a later time this server has not heard of yet.
 * A multi-provider node therefore waits dynttl-replica-grace past the
 * time (the writer may be down), a consumer of one provider never
 * deletes: it cannot write, and hides the entry until the provider's
 * Delete arrives (slapo-dynttl(5), REPLICATION). */
static int64_t
due_here( ttl_info *ti, ttl_node *x )
{
	if ( !x->tn_peer )
		return x->tn_expire;
	if ( SLAP_SINGLE_SHADOW( ti->ti_be ) )
		return INT64_MAX;
	return x->tn_expire + (int64_t)ti->ti_grace * 1000;
}

static int
collect_due( ttl_info *ti, int64_t now, ttl_node *out, int max, int *more )
{
	TAvlnode *t = ldap_tavl_end( ti->ti_by_time, TAVL_DIR_LEFT );
	ttl_node *later[DYNTTL_BATCH];
	int64_t at[DYNTTL_BATCH];
	int n = 0, nl = 0, i;

	*more = 0;
	for ( ; t; t = ldap_tavl_next( t, TAVL_DIR_RIGHT ) ) {
		ttl_node *x = t->avl_data;
		int64_t due;
		if ( x->tn_queued > now )
			break;
		if ( n == max || nl == DYNTTL_BATCH ) {
			*more = 1;
			break;
		}
		if ( ( due = due_here( ti, x ) ) > now ) {
			at[nl] = due;
			later[nl++] = x;
			continue;
		}
		x->tn_deleting = 1;
		ber_dupbv( &out[n].tn_ndn, &x->tn_ndn );
		out[n].tn_gen = x->tn_gen;
		out[n++].tn_expire = x->tn_expire;
	}
	for ( i = 0; i < nl; i++ ) {
		ldap_tavl_delete( &ti->ti_by_time, later[i], cmp_time );
		later[i]->tn_queued = at[i];
		ldap_tavl_insert( &ti->ti_by_time, later[i], cmp_time, ldap_avl_dup_error );
	}
	return n;
}

static int
expire_cb( Operation *op, SlapReply *rs )
{
	return 0;	/* the result is expire_one's */
}

/* the expiry task's operations: their Deletes are the task's to account
 * for (ttlops.c leaves them alone), and only they check for pauses */
int
ttl_queue_is_expiry( Operation *op )
{
	slap_callback *cb;

	for ( cb = op->o_callback; cb; cb = cb->sc_next )
		if ( cb->sc_response == expire_cb )
			return 1;
	return 0;
}

/* One internal Delete, as the rootdn, through the whole overlay stack.
 * It asserts (RFC 4528) that the entry's time is still the one chosen,
 * or earlier: a refresh written between the choice of this entry and the
 * Delete keeps it.  Returns the Delete's result. */
static int
expire_one( Operation *op, ttl_info *ti, struct berval *ndn, int64_t chosen )
{
	slap_callback cb = { NULL, expire_cb, NULL, NULL };
	SlapReply rs = { REP_RESULT };
	char f[128], when[40];
	struct berval bv;

	dynttl_time2str( chosen, &bv, when );
	snprintf( f, sizeof( f ), "(|(dynttlExpireTime<=%s)(!(dynttlExpireTime=*)))", when );
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
	if ( op->o_assertion )
		filter_free_x( op, op->o_assertion, 1 );
	op->o_callback = NULL;
	op->o_assertion = NULL;
	op->o_assert = SLAP_CONTROL_NONE;
	if ( rs.sr_err == LDAP_SUCCESS )
		Debug( LDAP_DEBUG_STATS, "dynttl: \"%s\" expired\n", ndn->bv_val );
	return rs.sr_err;
}

/* gone: the index is done with this entry */
static int
expire_settled( int rc )
{
	return rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT;
}

/* An expiry Delete met a stored time later than the one it chose.  A
 * refresh written meanwhile changed the node too, and it is in its new
 * place already; else the entry holds a time the index never had (a
 * refresh's write racing the Delete, or an entry changed by another
 * writer, such as a replica): the index takes the stored time and the
 * entry lives until then.  Never dropped: that would leave it stored and
 * hidden until a restart. */
static void
expire_kept( Operation *op, ttl_info *ti, ttl_node *due )
{
	Entry *e = NULL;
	int64_t stored = -1;
	ttl_node *n;

	if ( overlay_entry_get_ov( op, &due->tn_ndn, NULL, NULL, 0, &e, ti->ti_on ) ==
		LDAP_SUCCESS && e )
	{
		dynttl_is_dynamic( e, &stored );
		overlay_entry_release_ov( op, e, 0, ti->ti_on );
	}
	pthread_mutex_lock( &ti->ti_mutex );
	n = node_find( ti, &due->tn_ndn );
	if ( n && n->tn_gen == due->tn_gen && stored >= 0 ) {
		n->tn_gen++;
		n->tn_dirty = 0;
		ldap_tavl_delete( &ti->ti_by_time, n, cmp_time );
		n->tn_expire = n->tn_queued = stored;
		ldap_tavl_insert( &ti->ti_by_time, n, cmp_time, ldap_avl_dup_error );
	}
	if ( n )
		n->tn_deleting = 0;
	pthread_mutex_unlock( &ti->ti_mutex );
	if ( !e )	/* gone after all */
		ttl_queue_remove( ti, &due->tn_ndn, due->tn_gen );
}

/* an entry chosen for a Delete that the task leaves undone (it stops) */
static void
queue_unmark( ttl_info *ti, ttl_node *due )
{
	ttl_node *n;

	pthread_mutex_lock( &ti->ti_mutex );
	if ( ( n = node_find( ti, &due->tn_ndn ) ) )
		n->tn_deleting = 0;
	pthread_mutex_unlock( &ti->ti_mutex );
}

/* one batch of due entries: deleted, kept or tried again later; with
 * the overlay closing (after a pause) the rest of it is left alone */
static int
expire_batch( Operation *op, ttl_info *ti, ttl_node *due, int n, int *last )
{
	int i, rc, failed = 0, stop = 0;

	for ( i = 0; i < n; i++ ) {
		if ( stop || ( stop = task_pause( ti ) ) ) {
			queue_unmark( ti, &due[i] );	/* left for a reopen */
		} else {
			rc = expire_one( op, ti, &due[i].tn_ndn, due[i].tn_expire );
			if ( expire_settled( rc ) ) {
				if ( rc == LDAP_SUCCESS )
					DYNTTL_COUNT( ti, DYNTTL_MON_EXPIRED );
				ttl_queue_remove( ti, &due[i].tn_ndn, due[i].tn_gen );
			} else if ( rc == LDAP_ASSERTION_FAILED ) {
				DYNTTL_COUNT( ti, DYNTTL_MON_EXPIRE_KEPT );
				expire_kept( op, ti, &due[i] );
			} else if ( rc == LDAP_NOT_ALLOWED_ON_NONLEAF ) {
				/* RFC 2589: the entry waits for its children, as
				 * the log's count of failures leaves it out too */
				queue_defer( ti, op, &due[i].tn_ndn, due[i].tn_gen );
			} else {
				DYNTTL_COUNT( ti, DYNTTL_MON_EXPIRE_FAILED );
				queue_retry( ti, &due[i].tn_ndn, due[i].tn_gen );
				failed++;
				*last = rc;
			}
		}
		ch_free( due[i].tn_ndn.bv_val );
	}
	return stop ? -1 : failed;
}

/* The expiry task, run by slapd's run queue every second.  It never
 * holds a lock across a pause check, and when the overlay closes while
 * the task waits in one (cn=config pauses the pool, then closes the
 * overlay), the task itself takes its entry out of the run queue once
 * the pause is over, and frees the overlay's state if db_destroy left it
 * behind (ttl_queue_orphan). */
static void *
expire_task( void *ctx, void *arg )
{
	struct re_s *rtask = arg;
	ttl_info *ti = rtask->arg;
	ttl_node due[DYNTTL_BATCH];
	Connection conn = { 0 };
	OperationBuffer opbuf;
	Operation *op;
	int n, more, failed = 0, last = 0, stop, orphan;

	connection_fake_init2( &conn, &opbuf, ctx, 0 );
	op = &opbuf.ob_op;
	pthread_mutex_lock( &ti->ti_mutex );
	ti->ti_task = 1;
	pthread_mutex_unlock( &ti->ti_mutex );
	do {
		pthread_mutex_lock( &ti->ti_mutex );
		n = more = 0;
		if ( !ti->ti_stop )
			n = collect_due( ti, dynttl_now(), due, DYNTTL_BATCH, &more );
		pthread_mutex_unlock( &ti->ti_mutex );
		if ( ( n = expire_batch( op, ti, due, n, &last ) ) < 0 )
			break;
		failed += n;
	} while ( more );
	if ( failed )
		Debug( LDAP_DEBUG_ANY, "dynttl: %d expired entries not deleted (result %d); "
			"trying again in %d s at most\n", failed, last, DYNTTL_RETRY_MAX / 1000 );

	pthread_mutex_lock( &ti->ti_mutex );
	n = !ti->ti_stop && ti->ti_flush_at && ti->ti_flush_at <= dynttl_now();
	pthread_mutex_unlock( &ti->ti_mutex );
	if ( n )
		ttl_queue_flush( ti, op, 1 );

	/* rq_mutex before ti_mutex, as ttl_queue_stop takes them */
	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	pthread_mutex_lock( &ti->ti_mutex );
	stop = ti->ti_stop;
	orphan = ti->ti_orphan;
	if ( ldap_pvt_runqueue_isrunning( &slapd_rq, rtask ) )
		ldap_pvt_runqueue_stoptask( &slapd_rq, rtask );
	if ( stop ) {
		ldap_pvt_runqueue_remove( &slapd_rq, rtask );
		ti->ti_rtask = NULL;
	} else {
		ldap_pvt_runqueue_resched( &slapd_rq, rtask, 0 );
	}
	ti->ti_task = 0;
	pthread_cond_broadcast( &ti->ti_cond );
	pthread_mutex_unlock( &ti->ti_mutex );
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
	if ( orphan ) {
		ttl_queue_destroy( ti );
		ch_free( ti );
	}
	return NULL;
}

int
ttl_queue_start( ttl_info *ti )
{
	int rc = 0;

	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	pthread_mutex_lock( &ti->ti_mutex );
	/* a task stopped during a pause that has not run since is taken
	 * back as it is (olcDisabled off again) */
	ti->ti_stop = 0;
	if ( !ti->ti_rtask ) {
		ti->ti_rtask = ldap_pvt_runqueue_insert( &slapd_rq, 1, expire_task, ti,
			"dynttl_expire", "dynttl" );
		rc = ti->ti_rtask ? 0 : -1;
	}
	pthread_mutex_unlock( &ti->ti_mutex );
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
	return rc;
}

/* Stop the expiry task.  A task the pool has not started yet is taken
 * back and never runs.  A running one stops after its current entry; it
 * is waited for, unless the pool is paused: cn=config pauses it before
 * it closes a database or an overlay, and a task waiting in its pause
 * check can only go on after this returns.  It then sees ti_stop, leaves
 * the database alone and removes itself from the run queue. */
void
ttl_queue_stop( ttl_info *ti )
{
	struct re_s *rtask;

	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	pthread_mutex_lock( &ti->ti_mutex );
	ti->ti_stop = 1;
	if ( ( rtask = ti->ti_rtask ) != NULL &&
		( !ldap_pvt_runqueue_isrunning( &slapd_rq, rtask ) ||
			( rtask->pool_cookie &&
				ldap_pvt_thread_pool_retract( rtask->pool_cookie ) > 0 ) ) )
	{
		if ( ldap_pvt_runqueue_isrunning( &slapd_rq, rtask ) )
			ldap_pvt_runqueue_stoptask( &slapd_rq, rtask );
		ldap_pvt_runqueue_remove( &slapd_rq, rtask );
		ti->ti_rtask = NULL;
	}
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
	/* looking again at the pool now and then: a pause that begins
	 * while this waits stops the task in its pause check */
	while ( ti->ti_rtask && ti->ti_task &&
		ldap_pvt_thread_pool_pausing( &connection_pool ) <= 0 )
	{
		struct timespec ts;
		int64_t at = dynttl_now() + 100;
		ts.tv_sec = at / 1000;
		ts.tv_nsec = ( at % 1000 ) * 1000000;
		pthread_cond_timedwait( &ti->ti_cond, &ti->ti_mutex, &ts );
	}
	pthread_mutex_unlock( &ti->ti_mutex );
}

/* 1 while the expiry task is in the run queue and not stopping: the
 * overlay is open (cn=config's replace of olcDisabled opens it again
 * before it closes it) */
int
ttl_queue_open( ttl_info *ti )
{
	int open;

	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	pthread_mutex_lock( &ti->ti_mutex );
	open = ti->ti_rtask != NULL && !ti->ti_stop;
	pthread_mutex_unlock( &ti->ti_mutex );
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
	return open;
}

/* db_destroy: 1 when the task still has to run once (stopped during a
 * pause, see ttl_queue_stop) and will free ti itself; 0 when the caller
 * frees it */
int
ttl_queue_orphan( ttl_info *ti )
{
	int orphan;

	pthread_mutex_lock( &ti->ti_mutex );
	orphan = ti->ti_orphan = ti->ti_rtask != NULL;
	pthread_mutex_unlock( &ti->ti_mutex );
	return orphan;
}
