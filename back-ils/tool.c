/* tool.c - slapcat, slapadd, slapindex, slapschema, slapmodify (bi_tool_*)
 *
 * The slap tools run slapd's configuration in a process of their own and
 * call these hooks on the opened database (ils_db_open in tool mode: no
 * checkpoint task, no cn=Monitor entry, no abuse counts).  LMDB lets
 * readers of other processes in while slapd runs, so slapcat works on a
 * live directory; it reads one snapshot from the first entry to the last.
 *
 * IDs: back-ils keys its records by name and stores no entry IDs.  The
 * tools get the position of a record in the cursor order of that one
 * read transaction, counted from 1: entry_first/next count as they move
 * and entry_get(id) decodes the record at that position, so both agree
 * as long as the snapshot lasts (from entry_first to entry_close).
 * slapadd's IDs are only a count of the entries it stored; slapmodify's
 * entry_get takes the ID dn2id_get gave last, which stands for its key.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* slapadd commits its writes in batches of this many entries */
#define TOOL_BATCH	1000

/* One tool runs on one database of one process at a time, as back-mdb's
 * tools.c also assumes. */
static struct tool_state {
	MDB_txn		*ts_txn;	/* the read snapshot, or slapadd's batch */
	MDB_cursor	*ts_cursor;
	ID		ts_id;		/* the cursor's position, from 1 */
	struct berval	*ts_base;	/* slapcat -b/-s/-H/-a */
	int		ts_scope;
	Filter		*ts_filter;
	Entry		*ts_entry;	/* decoded for the filter, for entry_get */
	int		ts_batch;	/* entries in the write batch */
	ID		ts_added;	/* entries stored or skipped */
	int		ts_write;	/* ts_txn is slapadd's */
	int		ts_mode;	/* entry_open's: 1 for the writing tools */
	ID		ts_found;	/* slapmodify: dn2id_get's last answer */
	char		ts_fkey[ILS_KEYBUF];	/* ... and the key it stands for */
	ber_len_t	ts_fkeylen;
	int		ts_quick;	/* slapadd -q: no sync until the end */
} tool;

static void
tool_drop_entry( void )
{
	if ( tool.ts_entry ) {
		ils_record_free( tool.ts_entry );
		tool.ts_entry = NULL;
	}
}

static int
tool_open( BackendDB *be, int mode )
{
	ils_info *ii = be->be_private;

	memset( &tool, 0, sizeof( tool ) );
	if ( !ii->ii_env )
		return -1;
	tool.ts_mode = mode;
	/* slapadd -q: LMDB flushes nothing until entry_close, where a sync
	 * makes the whole load durable at once */
	if ( mode == 1 && ( slapMode & SLAP_TOOL_QUICK ) &&
		mdb_env_set_flags( ii->ii_env, MDB_NOSYNC, 1 ) == 0 )
		tool.ts_quick = 1;
	return 0;
}

/* commit slapadd's batch; -1 when LMDB refused it */
static int
tool_commit( void )
{
	int rc;

	if ( !tool.ts_txn )
		return 0;
	rc = mdb_txn_commit( tool.ts_txn );
	tool.ts_txn = NULL;
	tool.ts_batch = 0;
	if ( rc ) {
		Debug( LDAP_DEBUG_ANY, "back-ils: cannot store the loaded entries: %s\n",
			mdb_strerror( rc ) );
		return -1;
	}
	return 0;
}

static int
tool_close( BackendDB *be )
{
	ils_info *ii = be->be_private;
	int rc = 0;

	tool_drop_entry();
	if ( tool.ts_cursor )
		mdb_cursor_close( tool.ts_cursor );
	tool.ts_cursor = NULL;
	if ( tool.ts_write )
		rc = tool_commit();
	else if ( tool.ts_txn )
		mdb_txn_abort( tool.ts_txn );
	tool.ts_txn = NULL;
	if ( tool.ts_quick ) {
		mdb_env_set_flags( ii->ii_env, MDB_NOSYNC, 0 );
		if ( mdb_env_sync( ii->ii_env, 1 ) )
			rc = -1;
	}
	return rc;
}

/* ---- reading: slapcat, slapindex, slapschema ---- */

/* whether e is one that slapcat's -b/-s/-H/-a asks for */
static int
tool_wanted( Entry *e )
{
	if ( tool.ts_base && !dnIsSuffixScope( &e->e_nname, tool.ts_base, tool.ts_scope ) )
		return 0;
	return !tool.ts_filter || test_filter( NULL, e, tool.ts_filter ) == LDAP_COMPARE_TRUE;
}

static int
tool_decode( MDB_val *k, MDB_val *v, Entry **ep )
{
	struct berval key = { k->mv_size, k->mv_data }, rec = { v->mv_size, v->mv_data };

	return ils_record_decode( &key, &rec, ep );
}

/* The next record in key order (op: MDB_FIRST or MDB_NEXT) that the
 * filter takes, every kind of key alike; a record that does not decode
 * is given an ID all the same, so entry_get reports it. */
static ID
tool_step( MDB_cursor_op op )
{
	MDB_val k, v;
	Entry *e;

	tool_drop_entry();
	while ( mdb_cursor_get( tool.ts_cursor, &k, &v, op ) == 0 ) {
		op = MDB_NEXT;
		if ( !ILS_KEY_IS_RECORD( k.mv_data, k.mv_size ) )
			continue;	/* the entryUUID index */
		tool.ts_id++;
		if ( !tool.ts_base && !tool.ts_filter )
			return tool.ts_id;
		if ( tool_decode( &k, &v, &e ) != LDAP_SUCCESS )
			return tool.ts_id;
		if ( tool_wanted( e ) ) {
			tool.ts_entry = e;
			return tool.ts_id;
		}
		ils_record_free( e );
	}
	return NOID;
}

static ID
tool_first_x( BackendDB *be, struct berval *base, int scope, Filter *f )
{
	ils_info *ii = be->be_private;
	int rc;

	if ( !tool.ts_txn ) {
		if ( ( rc = mdb_txn_begin( ii->ii_env, NULL, MDB_RDONLY, &tool.ts_txn ) ) ||
			( rc = mdb_cursor_open( tool.ts_txn, ii->ii_dbi, &tool.ts_cursor ) ) )
		{
			Debug( LDAP_DEBUG_ANY, "back-ils: cannot read %s: %s\n",
				ii->ii_dir, mdb_strerror( rc ) );
			return NOID;
		}
	}
	tool.ts_base = base && !BER_BVISEMPTY( base ) ? base : NULL;
	tool.ts_scope = scope;
	tool.ts_filter = f;
	tool.ts_id = 0;
	return tool_step( MDB_FIRST );
}

static ID
tool_next( BackendDB *be )
{
	return tool.ts_cursor ? tool_step( MDB_NEXT ) : NOID;
}

/* the cursor at position id: where it is, or counted from the first */
static int
tool_seek( ID id, MDB_val *k, MDB_val *v )
{
	MDB_cursor_op op = MDB_FIRST;
	ID i;

	if ( id == tool.ts_id )
		return mdb_cursor_get( tool.ts_cursor, k, v, MDB_GET_CURRENT );
	for ( i = 0; mdb_cursor_get( tool.ts_cursor, k, v, op ) == 0; op = MDB_NEXT ) {
		if ( ILS_KEY_IS_RECORD( k->mv_data, k->mv_size ) && ++i == id ) {
			tool.ts_id = id;
			return 0;
		}
	}
	tool.ts_id = 0;
	return MDB_NOTFOUND;
}

/* the write transaction of the batch, begun when there is none */
static int
tool_wtxn( ils_info *ii, const char **text )
{
	int rc;

	if ( !tool.ts_txn && ( rc = mdb_txn_begin( ii->ii_env, NULL, 0, &tool.ts_txn ) ) ) {
		*text = mdb_strerror( rc );
		return LDAP_OTHER;
	}
	tool.ts_write = 1;
	return LDAP_SUCCESS;
}

/* slapmodify: the entry dn2id_get found, read in the batch's transaction
 * (it sees the batch's own writes) */
static Entry *
tool_get_found( BackendDB *be, ID id )
{
	ils_info *ii = be->be_private;
	struct berval key = { tool.ts_fkeylen, tool.ts_fkey };
	const char *text;
	Entry *e;

	if ( id == NOID || id != tool.ts_found || tool_wtxn( ii, &text ) ||
		ils_store_get( ii, tool.ts_txn, &key, &e ) != LDAP_SUCCESS )
		return NULL;
	return e;
}

/* the entry with id; the tool frees it with be_entry_release_r, which is
 * ils_entry_release_rw */
static Entry *
tool_get( BackendDB *be, ID id )
{
	MDB_val k, v;
	Entry *e = NULL;

	if ( tool.ts_mode == 1 )
		return tool_get_found( be, id );
	if ( !tool.ts_cursor || id == NOID || id == 0 )
		return NULL;
	if ( tool.ts_entry && id == tool.ts_id ) {
		e = tool.ts_entry;
		tool.ts_entry = NULL;
		return e;
	}
	tool_drop_entry();
	if ( tool_seek( id, &k, &v ) == 0 && tool_decode( &k, &v, &e ) != LDAP_SUCCESS )
		e = NULL;
	return e;
}

/* slapindex: back-ils keeps no indexes (every search reads the records in
 * key order, or one by its key).  What it can check is that every record
 * decodes. */
static int
tool_reindex( BackendDB *be, ID id, AttributeDescription **adv )
{
	Entry *e = tool_get( be, id );

	if ( id == 1 )
		Debug( LDAP_DEBUG_ANY, "back-ils: no indexes to build; "
			"checking that every record of \"%s\" decodes\n",
			be->be_suffix[0].bv_val );
	if ( !e ) {
		Debug( LDAP_DEBUG_ANY, "back-ils: record #%lu does not decode\n",
			(unsigned long)id );
		return LDAP_OTHER;
	}
	ils_record_free( e );
	return LDAP_SUCCESS;
}

/* ---- writing: slapadd ---- */

/* The key a container's entry is stored under, in buf (container.c) */
static int
tool_container_key( ils_name *nm, char *buf, struct berval *key )
{
	return ils_container_key( nm->in_dn.kind, buf, key );
}

/* what an ldapadd as the rootdn would get: the naming value, the limits
 * of one registration (ils-max-*: slapd-ils(5), LIMITS AND ERRORS) */
static int
tool_check( Operation *op, ils_name *nm, Entry *e, const char **text,
	char *buf, size_t len )
{
	ils_name pretty;
	struct berval cn;
	int rc;

	if ( !ilsdn_name_ok( &nm->in_dn.cn ) ) {
		*text = "the naming value holds a control character";
		return LDAP_INVALID_DN_SYNTAX;
	}
	/* any dialect's spelling is stored under the canonical name, as an
	 * Add would store it; the value as written, not lower-cased */
	ils_parse_dn( &e->e_name, &pretty );
	cn = pretty.in_dn.kind == nm->in_dn.kind ? pretty.in_dn.cn : nm->in_dn.cn;
	if ( ( rc = ils_entry_name( nm->in_dn.kind, &cn, e ) ) != LDAP_SUCCESS ) {
		*text = "cannot build the registration's name";
		return rc;
	}
	return ils_entry_check( op, e, text, buf, len );
}

/* the key e is to be stored under; 0 (and *text) when there is none */
static int
tool_key( Operation *op, ils_name *nm, Entry *e, char *kbuf, struct berval *key,
	const char **text, char *buf, size_t len )
{
	ils_parse_dn( &e->e_nname, nm );
	switch ( nm->in_dn.kind ) {
	case ILSDN_PERSON:
	case ILSDN_APPUSER:
	case ILSDN_CONF:
		if ( tool_check( op, nm, e, text, buf, len ) != LDAP_SUCCESS )
			return 0;
		*key = nm->in_key;
		return 1;
	case ILSDN_BAD:
		*text = nm->in_dn.err;
		return 0;
	case ILSDN_OTHER:
		*text = "not an ILS entry: use cn=<id>,ou=Dynamic,o=Intranet, "
			"cn=<id>,appName=MS-NetMeeting,ou=Applications,o=Intranet "
			"or uid=<id>,ou=Dynamic,o=Intranet";
		return 0;
	default:
		BER_BVZERO( key );
		return tool_container_key( nm, kbuf, key );
	}
}

/* A loaded container keeps the entryUUID derived from its name
 * (container.c), whatever the LDIF says: a back-mdb dump, or slapadd
 * itself, gives it another, and the servers of a multi-provider group
 * must agree on it. */
static void
tool_same_uuid( struct berval *key, MDB_val *v, Entry *e )
{
	struct berval rec = { v->mv_size, v->mv_data };
	Attribute *a;
	Entry *old;

	if ( ils_record_decode( key, &rec, &old ) != LDAP_SUCCESS )
		return;
	if ( ( a = attr_find( old->e_attrs, slap_schema.si_ad_entryUUID ) ) ) {
		attr_delete( &e->e_attrs, slap_schema.si_ad_entryUUID );
		attr_merge_one( e, slap_schema.si_ad_entryUUID, &a->a_vals[0],
			a->a_nvals ? &a->a_nvals[0] : NULL );
	}
	ils_record_free( old );
}

/* store e under key in a child of the batch's transaction, so a refused
 * entry leaves the batch as it was: a new entry (slapadd), or one that
 * replaces the stored one (replace: slapmodify) */
static int
tool_store( ils_info *ii, struct berval *key, Entry *e, int replace,
	const char **text )
{
	MDB_txn *txn;
	MDB_val k = { key->bv_len, key->bv_val }, v;
	int rc, cont;

	if ( ( rc = tool_wtxn( ii, text ) ) != LDAP_SUCCESS )
		return rc;
	rc = mdb_get( tool.ts_txn, ii->ii_dbi, &k, &v );
	/* the database made its containers at open (init.c): the loaded
	 * ones, with their contextCSN, take their place */
	cont = key->bv_val[0] == ILS_KEY_CONTAINER;
	if ( rc == 0 && cont )
		tool_same_uuid( key, &v, e );
	if ( rc == 0 && !replace && !cont ) {
		*text = "an entry of this name is loaded already (one registration has "
			"many DN spellings)";
		return LDAP_ALREADY_EXISTS;
	}
	if ( rc != 0 && replace && !cont ) {
		*text = "no such entry";
		return LDAP_NO_SUCH_OBJECT;
	}
	if ( ( rc = mdb_txn_begin( ii->ii_env, tool.ts_txn, 0, &txn ) ) ) {
		*text = mdb_strerror( rc );
		return LDAP_OTHER;
	}
	rc = ils_store_put( ii, txn, key, e, ILS_PUT_ANY );
	if ( rc == LDAP_SUCCESS && mdb_txn_commit( txn ) )
		rc = LDAP_OTHER;
	else if ( rc != LDAP_SUCCESS )
		mdb_txn_abort( txn );
	if ( rc != LDAP_SUCCESS )
		*text = rc == LDAP_ADMINLIMIT_EXCEEDED ? "the LMDB map is full "
			"(ils-mapsize)" : "cannot store the entry";
	if ( rc == LDAP_SUCCESS && ++tool.ts_batch >= TOOL_BATCH && tool_commit() ) {
		*text = "cannot commit the loaded entries";
		rc = LDAP_OTHER;
	}
	return rc;
}

/* an operation as the rootdn: the administrator's load is exempt from
 * what only anonymous clients are refused (ils-max-entry-size) */
static void
tool_op( BackendDB *be, Connection *conn, OperationBuffer *opbuf )
{
	Operation *op;

	connection_fake_init2( conn, opbuf, ldap_pvt_thread_pool_context(), 0 );
	op = &opbuf->ob_op;
	op->o_bd = be;
	op->o_dn = be->be_rootdn;
	op->o_ndn = be->be_rootndn;
}

static ID
tool_write( BackendDB *be, Entry *e, int replace, struct berval *text )
{
	ils_info *ii = be->be_private;
	char buf[SLAP_TEXT_BUFLEN], kbuf[ILS_KEYBUF];
	Connection conn = { 0 };
	OperationBuffer opbuf;
	const char *msg = NULL;
	struct berval key;
	ils_name nm;

	tool_op( be, &conn, &opbuf );
	if ( !tool_key( &opbuf.ob_op, &nm, e, kbuf, &key, &msg, buf, sizeof( buf ) ) ) {
		if ( msg )
			goto refused;
		Debug( LDAP_DEBUG_ANY, "back-ils: \"%s\" is not stored: skipped\n",
			e->e_name.bv_val );
		return ++tool.ts_added;
	}
	if ( tool_store( ii, &key, e, replace, &msg ) != LDAP_SUCCESS )
		goto refused;
	e->e_id = ++tool.ts_added;
	return e->e_id;
refused:
	snprintf( text->bv_val, text->bv_len, "%s", msg );
	return NOID;
}

static ID
tool_put( BackendDB *be, Entry *e, struct berval *text )
{
	return tool_write( be, e, 0, text );
}

static ID
tool_modify( BackendDB *be, Entry *e, struct berval *text )
{
	return tool_write( be, e, 1, text );
}

/* ---- slapmodify's lookups and Deletes ---- */

/* the stored key of ndn, in nm (or kbuf for a container); 0 when ndn
 * names nothing stored */
static int
tool_dn_key( ils_name *nm, struct berval *ndn, char *kbuf, struct berval *key )
{
	ils_parse_dn( ndn, nm );
	if ( ILSDN_IS_ENTRY( nm->in_dn.kind ) ) {
		*key = nm->in_key;
		return 1;
	}
	return nm->in_dn.kind != ILSDN_BAD && nm->in_dn.kind != ILSDN_OTHER &&
		tool_container_key( nm, kbuf, key );
}

static ID
tool_dn2id( BackendDB *be, struct berval *ndn )
{
	ils_info *ii = be->be_private;
	char kbuf[ILS_KEYBUF];
	struct berval key;
	const char *text;
	ils_name nm;
	MDB_val k, v;

	if ( !tool_dn_key( &nm, ndn, kbuf, &key ) || tool_wtxn( ii, &text ) )
		return NOID;
	k.mv_data = key.bv_val;
	k.mv_size = key.bv_len;
	if ( mdb_get( tool.ts_txn, ii->ii_dbi, &k, &v ) )
		return NOID;
	memcpy( tool.ts_fkey, key.bv_val, key.bv_len );
	tool.ts_fkeylen = key.bv_len;
	return tool.ts_found = ++tool.ts_added;
}

/* A Delete as slapd does it: a person's takes the Dialer's application
 * user of its name along (ils_app_join joined their data). */
static int
tool_delete( BackendDB *be, struct berval *ndn, struct berval *text )
{
	ils_info *ii = be->be_private;
	char kbuf[ILS_KEYBUF], sbuf[ILS_KEYBUF];
	struct berval key, sib;
	const char *msg = "cannot delete the entry";
	ils_name nm;
	int rc = LDAP_NO_SUCH_OBJECT;

	if ( tool_dn_key( &nm, ndn, kbuf, &key ) &&
		( rc = tool_wtxn( ii, &msg ) ) == LDAP_SUCCESS &&
		( rc = ils_store_del( ii, tool.ts_txn, &key ) ) == LDAP_SUCCESS &&
		nm.in_dn.kind == ILSDN_PERSON && ils_sibling_key( &nm, sbuf, &sib ) &&
		( rc = ils_store_del( ii, tool.ts_txn, &sib ) ) == LDAP_NO_SUCH_OBJECT )
		rc = LDAP_SUCCESS;
	if ( rc != LDAP_SUCCESS )
		snprintf( text->bv_val, text->bv_len, "%s", rc == LDAP_NO_SUCH_OBJECT ?
			"no such entry" : msg );
	return rc;
}

static int
tool_sync( BackendDB *be )
{
	ils_info *ii = be->be_private;

	return ii->ii_env && mdb_env_sync( ii->ii_env, 1 ) ? -1 : 0;
}

void
ils_tool_init( BackendInfo *bi )
{
	bi->bi_tool_entry_open = tool_open;
	bi->bi_tool_entry_close = tool_close;
	bi->bi_tool_entry_first = backend_tool_entry_first;
	bi->bi_tool_entry_first_x = tool_first_x;
	bi->bi_tool_entry_next = tool_next;
	bi->bi_tool_entry_get = tool_get;
	bi->bi_tool_entry_put = tool_put;
	bi->bi_tool_entry_reindex = tool_reindex;
	bi->bi_tool_sync = tool_sync;
	bi->bi_tool_dn2id_get = tool_dn2id;
	bi->bi_tool_entry_modify = tool_modify;
	bi->bi_tool_entry_delete = tool_delete;
}
