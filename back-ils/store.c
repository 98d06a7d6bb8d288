/* store.c - registrations in LMDB
 *
 * One LMDB environment per database, in its directory; one key per
 * registration: a kind byte and the normalised cn (uid for conferences).
 * The values are records (record.c).
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include <sys/stat.h>
#include <errno.h>
#include "slap.h"
#include "slap-config.h"
#include "ldap_rq.h"
#include "back-ils.h"

/* The LMDB flags of ils-dbnosync.  on: a commit writes its pages but
 * flushes only them, not the meta page that makes it current, so an OS
 * crash can undo the last commit and, as the data pages are always on
 * disk before the meta page that names them, never leaves a meta page
 * naming pages that are not (LMDB's MDB_NOMETASYNC).  The checkpoint
 * flushes the last meta page within ils-checkpoint seconds.  off: every
 * commit is flushed whole.  Not MDB_WRITEMAP, with which an OS crash can
 * leave the file corrupt (lmdb.h, MDB_NOSYNC). */
static unsigned
store_sync_flags( ils_info *ii )
{
	return ii->ii_nosync ? MDB_NOMETASYNC : 0;
}

int
ils_store_open( BackendDB *be, ConfigReply *cr )
{
	ils_info *ii = be->be_private;
	MDB_txn *txn;
	int rc;

	if ( ii->ii_env )
		return 0;
	if ( mkdir( ii->ii_dir, 0700 ) && errno != EEXIST ) {
		snprintf( cr->msg, sizeof( cr->msg ), "back-ils: cannot create %s: %s",
			ii->ii_dir, strerror( errno ) );
		goto fail;
	}
	if ( ( rc = mdb_env_create( &ii->ii_env ) ) ||
		( rc = mdb_env_set_mapsize( ii->ii_env, ii->ii_mapsize ) ) ||
		( rc = mdb_env_set_maxreaders( ii->ii_env, 1024 ) ) ||
		( rc = mdb_env_open( ii->ii_env, ii->ii_dir,
			MDB_NOTLS | store_sync_flags( ii ), 0600 ) ) ||
		( rc = mdb_txn_begin( ii->ii_env, NULL, 0, &txn ) ) )
	{
		snprintf( cr->msg, sizeof( cr->msg ), "back-ils: cannot open LMDB in %s: %s",
			ii->ii_dir, mdb_strerror( rc ) );
		goto fail;
	}
	if ( ( rc = mdb_dbi_open( txn, NULL, 0, &ii->ii_dbi ) ) ||
		( rc = mdb_txn_commit( txn ) ) )
	{
		snprintf( cr->msg, sizeof( cr->msg ), "back-ils: cannot open LMDB database: %s",
			mdb_strerror( rc ) );
		goto fail;
	}
	return 0;
fail:
	Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
	ils_store_close( ii );
	return 1;
}

static void store_checkpoint_remove( ils_info *ii );

void
ils_store_close( ils_info *ii )
{
	if ( ii )
		store_checkpoint_remove( ii );
	if ( ii && ii->ii_env ) {
		mdb_env_sync( ii->ii_env, 1 );
		mdb_env_close( ii->ii_env );
		ii->ii_env = NULL;
	}
}

/* ils-dbnosync changed while the database is open */
int
ils_store_sync_mode( ils_info *ii )
{
	if ( !ii->ii_env )
		return 0;
	return mdb_env_set_flags( ii->ii_env, MDB_NOMETASYNC, ii->ii_nosync ) ||
		mdb_env_sync( ii->ii_env, 1 );
}

/* A larger ils-mapsize while the database is open.  LMDB needs that no
 * transaction is running in the process: cn=config changes run with
 * slapd's thread pool paused, and every transaction of back-ils begins
 * and ends within one operation or task of that pool. */
int
ils_store_grow( ils_info *ii, size_t mapsize )
{
	MDB_envinfo ei;

	if ( !ii->ii_env )
		return 0;
	if ( mdb_env_info( ii->ii_env, &ei ) || mapsize < ei.me_mapsize )
		return -1;
	return mdb_env_set_mapsize( ii->ii_env, mapsize ) ? -1 : 0;
}

/* ---- the checkpoint: ils-checkpoint, a task of slapd's run queue ---- */

static void *
store_checkpoint_task( void *ctx, void *arg )
{
	struct re_s *rtask = arg;
	ils_info *ii = rtask->arg;
	int rc;

	if ( ( rc = mdb_env_sync( ii->ii_env, 1 ) ) )
		Debug( LDAP_DEBUG_ANY, "back-ils: checkpoint of %s: %s\n",
			ii->ii_dir, mdb_strerror( rc ) );
	else
		Debug( LDAP_DEBUG_STATS2, "back-ils: checkpoint of %s\n", ii->ii_dir );
	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	ldap_pvt_runqueue_stoptask( &slapd_rq, rtask );
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
	return NULL;
}

/* out of the run queue, waiting for nothing: a task that runs meanwhile
 * is done before a close can go on (slapd closes databases after its
 * thread pool, and cn=config changes pause the pool) */
static void
store_checkpoint_remove( ils_info *ii )
{
	struct re_s *re = ii->ii_cp_task;

	if ( !re )
		return;
	ii->ii_cp_task = NULL;
	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	if ( ldap_pvt_runqueue_isrunning( &slapd_rq, re ) )
		ldap_pvt_runqueue_stoptask( &slapd_rq, re );
	ldap_pvt_runqueue_remove( &slapd_rq, re );
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
}

/* The checkpoint at ils-checkpoint seconds: put in slapd's run queue, its
 * interval changed, or taken out (0).  Only an open database of a running
 * server has one. */
void
ils_store_checkpoint( BackendDB *be )
{
	ils_info *ii = be->be_private;

	if ( !ii->ii_env || !ii->ii_checkpoint || !( slapMode & SLAP_SERVER_MODE ) ) {
		store_checkpoint_remove( ii );
		return;
	}
	ldap_pvt_thread_mutex_lock( &slapd_rq.rq_mutex );
	if ( ii->ii_cp_task )
		ii->ii_cp_task->interval.tv_sec = ii->ii_checkpoint;
	else
		ii->ii_cp_task = ldap_pvt_runqueue_insert( &slapd_rq, ii->ii_checkpoint,
			store_checkpoint_task, ii, "ils_checkpoint", be->be_suffix[0].bv_val );
	ldap_pvt_thread_mutex_unlock( &slapd_rq.rq_mutex );
}

static int
store_decode( MDB_val *k, MDB_val *v, Entry **ep )
{
	struct berval key = { k->mv_size, k->mv_data }, rec = { v->mv_size, v->mv_data };

	return ils_record_decode( &key, &rec, ep );
}

static void
store_key( struct berval *key, MDB_val *k )
{
	k->mv_data = key->bv_val;
	k->mv_size = key->bv_len;
}

static int
store_error( const char *what, int rc )
{
	Debug( LDAP_DEBUG_ANY, "back-ils: %s: %s\n", what, mdb_strerror( rc ) );
	return rc == MDB_MAP_FULL ? LDAP_ADMINLIMIT_EXCEEDED : LDAP_OTHER;
}

/* Updates run in one write transaction from the read of the entry to its
 * write: LMDB serialises writers, so no Delete (an expiry, say) or other
 * Modify can slip in between and be undone. */
int
ils_store_begin( ils_info *ii, MDB_txn **txn )
{
	int rc = mdb_txn_begin( ii->ii_env, NULL, 0, txn );

	return rc ? store_error( "write", rc ) : LDAP_SUCCESS;
}

int
ils_store_end( MDB_txn *txn, int rc )
{
	if ( rc != LDAP_SUCCESS ) {
		mdb_txn_abort( txn );
		return rc;
	}
	if ( ( rc = mdb_txn_commit( txn ) ) )
		return store_error( "commit", rc );
	return LDAP_SUCCESS;
}

/* the entry under key, read in txn or, when txn is NULL, in a read
 * transaction of its own */
int
ils_store_get( ils_info *ii, MDB_txn *txn, struct berval *key, Entry **ep )
{
	MDB_txn *rtxn = txn;
	MDB_val k, v;
	int rc;

	*ep = NULL;
	if ( !rtxn && ( rc = mdb_txn_begin( ii->ii_env, NULL, MDB_RDONLY, &rtxn ) ) )
		return store_error( "read", rc );
	store_key( key, &k );
	rc = mdb_get( rtxn, ii->ii_dbi, &k, &v );
	if ( rc == 0 )
		rc = store_decode( &k, &v, ep );
	else if ( rc == MDB_NOTFOUND )
		rc = LDAP_NO_SUCH_OBJECT;
	else
		rc = store_error( "get", rc );
	if ( !txn )
		mdb_txn_abort( rtxn );
	return rc;
}

/* ---- the high-water mark: ils-map-highwater ----
 *
 * Every write, a Delete too, copies the pages it changes, so a map that is
 * full refuses the very Deletes (users leaving, expiry) that would make
 * room.  Writes that grow the store therefore stop at the mark, a share of
 * the map well below all of it; what is left over is for Deletes and the
 * server's own bookkeeping.  LMDB reuses freed pages, so how full the map
 * is is the pages the trees hold, not the size of the file. */
static int
store_pages( ils_info *ii, MDB_txn *txn, size_t *max, size_t *used,
	unsigned *psize )
{
	MDB_envinfo ei;
	MDB_stat data, fl;

	if ( mdb_env_info( ii->ii_env, &ei ) ||
		mdb_stat( txn, ii->ii_dbi, &data ) || mdb_stat( txn, 0, &fl ) )
		return -1;
	/* the two meta pages, the records' tree and that of the free pages */
	*used = 2 + data.ms_branch_pages + data.ms_leaf_pages +
		data.ms_overflow_pages + fl.ms_branch_pages + fl.ms_leaf_pages +
		fl.ms_overflow_pages;
	*max = ei.me_mapsize / data.ms_psize;
	*psize = data.ms_psize;
	return 0;
}

static int
store_above_mark( ils_info *ii, MDB_txn *txn )
{
	size_t max, used;
	unsigned psize;

	if ( ii->ii_highwater >= 100 || store_pages( ii, txn, &max, &used, &psize ) )
		return 0;
	return used * 100 > max * ii->ii_highwater;
}

/* how full the map is, as the mark sees it, in bytes (cn=Monitor) */
int
ils_store_usage( ils_info *ii, size_t *mapsize, size_t *used )
{
	MDB_txn *txn;
	size_t max, pages;
	unsigned psize;
	int rc;

	if ( !ii->ii_env || mdb_txn_begin( ii->ii_env, NULL, MDB_RDONLY, &txn ) )
		return -1;
	if ( ( rc = store_pages( ii, txn, &max, &pages, &psize ) ) == 0 ) {
		*mapsize = max * psize;
		*used = pages * psize;
	}
	mdb_txn_abort( txn );
	return rc;
}

/* Above the mark, a write that adds a record or makes one longer than a
 * refresh would: the expiry time's fraction of a second and the TTL's
 * digits make a registration written again a few bytes longer or shorter
 * (GnomeMeeting's Add every 20 minutes, the Dialer's entryTtl Modify). */
#define STORE_REWRITE_SLACK	16

static int
store_grows( ils_info *ii, MDB_txn *txn, MDB_val *k, size_t len )
{
	MDB_val v;

	if ( !store_above_mark( ii, txn ) )
		return 0;
	return mdb_get( txn, ii->ii_dbi, k, &v ) || len > v.mv_size + STORE_REWRITE_SLACK;
}

int
ils_store_put( ils_info *ii, MDB_txn *txn, struct berval *key, Entry *e, int how )
{
	MDB_val k, v;
	struct berval bv;
	int rc;

	if ( ils_record_encode( key, e, &bv ) )
		return LDAP_OTHER;
	store_key( key, &k );
	v.mv_data = bv.bv_val;
	v.mv_size = bv.bv_len;
	if ( how == ILS_PUT_LIMITED && store_grows( ii, txn, &k, v.mv_size ) )
		rc = LDAP_ADMINLIMIT_EXCEEDED;
	else if ( ( rc = mdb_put( txn, ii->ii_dbi, &k, &v, 0 ) ) )
		rc = store_error( "put", rc );
	ch_free( bv.bv_val );
	return rc;
}

/* A write refused for want of room (the mark, or a map that is full
 * after all): the client's diagnostic and a line in slapd's log, with
 * whom it refused, for the operator.  Returns rc. */
int
ils_store_refused( Operation *op, int rc, const char **text )
{
	struct berval *peer = op->o_conn ? &op->o_conn->c_peer_name : NULL;

	if ( rc != LDAP_ADMINLIMIT_EXCEEDED )
		return rc;
	ILS_MON_COUNT( (ils_info *)op->o_bd->be_private, ILS_MON_REF_MAP_FULL );
	*text = "the directory is full: try again later";
	Debug( LDAP_DEBUG_STATS, "%s back-ils: refused a write to \"%s\" from %s: "
		"the store is above ils-map-highwater\n", op->o_log_prefix,
		op->o_req_dn.bv_val, peer && !BER_BVISEMPTY( peer ) ? peer->bv_val : "the server" );
	return rc;
}

/* a few single-valued replaces, applied to the record itself */
int
ils_store_patch( ils_info *ii, MDB_txn *txn, struct berval *key, Modifications *ml )
{
	struct berval rec, patched;
	MDB_val k, v;
	char *buf;
	int rc;

	store_key( key, &k );
	rc = mdb_get( txn, ii->ii_dbi, &k, &v );
	if ( rc == MDB_NOTFOUND )
		return LDAP_NO_SUCH_OBJECT;
	if ( rc )
		return store_error( "get", rc );
	rec.bv_val = v.mv_data;
	rec.bv_len = v.mv_size;
	if ( ils_record_patch( &rec, ml, &buf, &patched ) != LDAP_SUCCESS ) {
		Debug( LDAP_DEBUG_ANY, "back-ils: a damaged record (key %.*s)\n",
			(int)key->bv_len, key->bv_val );
		return LDAP_OTHER;
	}
	v.mv_data = patched.bv_val;
	v.mv_size = patched.bv_len;
	rc = mdb_put( txn, ii->ii_dbi, &k, &v, 0 );
	ch_free( buf );
	return rc ? store_error( "put", rc ) : LDAP_SUCCESS;
}

int
ils_store_del( ils_info *ii, MDB_txn *txn, struct berval *key )
{
	MDB_val k;
	int rc;

	store_key( key, &k );
	rc = mdb_del( txn, ii->ii_dbi, &k, NULL );
	if ( rc == MDB_NOTFOUND )
		return LDAP_NO_SUCH_OBJECT;
	return rc ? store_error( "del", rc ) : LDAP_SUCCESS;
}

/* Decode up to max entries of one kind (the key's first byte) in key
 * order, after the key from (from the first when from is empty).  The read
 * transaction ends before the caller sends anything, so a slow client never
 * pins LMDB pages and callbacks may write.  last receives a copy of the
 * last key read (ch_malloc'd; the caller frees it). */
/* whether the len bytes at p hold needle (memmem() is a GNU extension) */
static int
store_holds( const char *p, size_t len, struct berval *needle )
{
	const char *end = p + len, *q;

	for ( q = p; end - q >= (ptrdiff_t)needle->bv_len &&
		( q = memchr( q, needle->bv_val[0], end - q - needle->bv_len + 1 ) ); q++ )
		if ( !memcmp( q, needle->bv_val, needle->bv_len ) )
			return 1;
	return 0;
}

static int
store_scan( ils_info *ii, char kind, struct berval *from, struct berval *needle,
	Entry **batch, int max, int *n, struct berval *last )
{
	MDB_txn *txn;
	MDB_cursor *mc;
	MDB_val k, v;
	int rc, resume = from && from->bv_len;

	*n = 0;
	BER_BVZERO( last );
	if ( ( rc = mdb_txn_begin( ii->ii_env, NULL, MDB_RDONLY, &txn ) ) )
		return store_error( "read", rc );
	if ( ( rc = mdb_cursor_open( txn, ii->ii_dbi, &mc ) ) ) {
		mdb_txn_abort( txn );
		return store_error( "cursor", rc );
	}
	if ( resume ) {
		store_key( from, &k );
	} else {
		k.mv_data = &kind;
		k.mv_size = 1;
	}
	rc = mdb_cursor_get( mc, &k, &v, MDB_SET_RANGE );
	if ( rc == 0 && resume && k.mv_size == from->bv_len &&
		!memcmp( k.mv_data, from->bv_val, k.mv_size ) )
		rc = mdb_cursor_get( mc, &k, &v, MDB_NEXT );
	for ( ; rc == 0 && *n < max && ( (char *)k.mv_data )[0] == kind;
		rc = mdb_cursor_get( mc, &k, &v, MDB_NEXT ) )
	{
		/* a record without the needle's bytes cannot match */
		if ( needle && !store_holds( v.mv_data, v.mv_size, needle ) )
			continue;
		if ( store_decode( &k, &v, &batch[*n] ) != LDAP_SUCCESS )
			continue;
		(*n)++;
		ber_bvreplace( last, &(struct berval){ k.mv_size, k.mv_data } );
	}
	mdb_cursor_close( mc );
	mdb_txn_abort( txn );
	if ( rc && rc != MDB_NOTFOUND )
		return store_error( "scan", rc );
	return LDAP_SUCCESS;
}

int
ils_store_scan( ils_info *ii, char kind, struct berval *from,
	Entry **batch, int max, int *n, struct berval *last )
{
	return store_scan( ii, kind, from, NULL, batch, max, n, last );
}

/* ils_store_scan() of the records that hold the bytes of needle, which
 * every entry with that normalised value holds (entry_encode() stores
 * values and normalised values as they are): syncrepl's (entryUUID=X),
 * one per change a replica applies, decodes one entry instead of all */
int
ils_store_scan_having( ils_info *ii, char kind, struct berval *from,
	struct berval *needle, Entry **batch, int max, int *n, struct berval *last )
{
	return store_scan( ii, kind, from, needle, batch, max, n, last );
}

long
ils_store_count( ils_info *ii )
{
	MDB_txn *txn;
	MDB_stat st;
	long n = -1;

	if ( mdb_txn_begin( ii->ii_env, NULL, MDB_RDONLY, &txn ) == 0 ) {
		if ( mdb_stat( txn, ii->ii_dbi, &st ) == 0 )
			n = (long)st.ms_entries;
		mdb_txn_abort( txn );
	}
	return n;
}
