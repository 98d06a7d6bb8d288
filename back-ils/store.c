/* store.c - registrations in LMDB
 *
 * One LMDB environment per database, in its directory; one key per
 * registration: the normalised cn value.  The value is slapd's own flat
 * entry encoding (entry_encode), with normalised values, so a decoded
 * entry can be matched against filters without normalising again.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include <sys/stat.h>
#include <errno.h>
#include "slap.h"
#include "slap-config.h"
#include "back-ils.h"

int
ils_store_open( BackendDB *be, ConfigReply *cr )
{
	ils_info *ii = be->be_private;
	MDB_txn *txn;
	unsigned flags = MDB_NOTLS;
	int rc;

	if ( ii->ii_env )
		return 0;
	if ( mkdir( ii->ii_dir, 0700 ) && errno != EEXIST ) {
		snprintf( cr->msg, sizeof( cr->msg ), "back-ils: cannot create %s: %s",
			ii->ii_dir, strerror( errno ) );
		goto fail;
	}
	/* with WRITEMAP a commit is a memory write; a crashed slapd loses
	 * nothing, since the pages are the kernel's */
	if ( ii->ii_nosync )
		flags |= MDB_NOSYNC | MDB_WRITEMAP;
	if ( ( rc = mdb_env_create( &ii->ii_env ) ) ||
		( rc = mdb_env_set_mapsize( ii->ii_env, ii->ii_mapsize ) ) ||
		( rc = mdb_env_set_maxreaders( ii->ii_env, 1024 ) ) ||
		( rc = mdb_env_open( ii->ii_env, ii->ii_dir, flags, 0600 ) ) ||
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

void
ils_store_close( ils_info *ii )
{
	if ( ii && ii->ii_env ) {
		mdb_env_sync( ii->ii_env, 1 );
		mdb_env_close( ii->ii_env );
		ii->ii_env = NULL;
	}
}

/* The record is entry_encode()'s: the counts of attributes and of value
 * slots (every value plus one terminator per value list), the DN, the
 * normalised DN, then per attribute its name, its values and its
 * normalised values (none when they are the values).  Every field is
 * length-prefixed as entry_getlen() reads it and NUL-terminated.  The
 * readers below check every length against the record's end, so a damaged
 * record is an error, not a read past the buffer. */

/* one length; -1 when it runs past end */
static int
rec_getlen( unsigned char **pp, unsigned char *end, ber_len_t *len )
{
	unsigned char *p = *pp;
	ber_len_t l;
	int n;

	if ( p >= end )
		return -1;
	l = *p++;
	if ( l & 0x80 ) {
		n = l & 0x7f;
		if ( n > (int)sizeof( ber_len_t ) || end - p < n )
			return -1;
		for ( l = 0; n > 0; n-- )
			l = l << 8 | *p++;
	}
	*pp = p;
	*len = l;
	return 0;
}

/* one field, pointed to where it lies */
static int
rec_field( unsigned char **pp, unsigned char *end, struct berval *bv )
{
	ber_len_t len;

	if ( rec_getlen( pp, end, &len ) || len >= (ber_len_t)( end - *pp ) ||
		(*pp)[len] != '\0' )
		return -1;
	bv->bv_val = (char *)*pp;
	bv->bv_len = len;
	*pp += len + 1;
	return 0;
}

/* A value list: its count, then the values.  The values fill the slots
 * from *bpp on, a terminator after them, except for an empty list of
 * normalised values (nvals): that is no list at all.  With bpp NULL the
 * list is only skipped. */
static int
rec_vals( unsigned char **pp, unsigned char *end, struct berval **bpp,
	struct berval *bend, int nvals, ber_len_t *np )
{
	struct berval bv, *bp = bpp ? *bpp : &bv;
	ber_len_t i, n;

	if ( rec_getlen( pp, end, &n ) )
		return -1;
	*np = n;
	if ( nvals && !n )
		return 0;
	if ( bpp && n >= (ber_len_t)( bend - bp ) )
		return -1;
	for ( i = 0; i < n; i++ ) {
		if ( rec_field( pp, end, bp ) )
			return -1;
		if ( bpp )
			bp++;
	}
	if ( bpp ) {
		BER_BVZERO( bp );
		*bpp = bp + 1;
	}
	return 0;
}

/* The description an attribute name in a record stands for.  The names
 * are the ad_cname entry_encode() wrote, a couple of dozen of them, so a
 * table keyed by their exact bytes spares slap_bv2ad() its
 * case-insensitive tree search for every attribute of every record read.
 * Descriptions live as long as slapd.  A slot is filled once, by
 * compare-and-swap, and never changes again, so readers take no lock;
 * the release/acquire pair publishes the description with the slot. */
#define STORE_ADS	128	/* a power of 2 */

static AttributeDescription *store_ads[STORE_ADS];

static unsigned
store_ad_hash( struct berval *name )
{
	unsigned h = 2166136261U;	/* FNV-1a */
	ber_len_t i;

	for ( i = 0; i < name->bv_len; i++ )
		h = ( h ^ (unsigned char)name->bv_val[i] ) * 16777619U;
	return h;
}

static AttributeDescription *
store_ad( struct berval *name )
{
	AttributeDescription *ad, *cur;
	unsigned h = store_ad_hash( name ), i;
	const char *text;

	for ( i = 0; i < STORE_ADS; i++ ) {
		ad = __atomic_load_n( &store_ads[( h + i ) & ( STORE_ADS - 1 )],
			__ATOMIC_ACQUIRE );
		if ( !ad )
			break;
		if ( bvmatch( &ad->ad_cname, name ) )
			return ad;
	}
	ad = NULL;
	if ( slap_bv2ad( name, &ad, &text ) != LDAP_SUCCESS ) {
		/* as entry_decode() does; not kept, since an undefined
		 * description is renamed when the schema learns its type */
		ad = NULL;
		if ( slap_bv2undef_ad( name, &ad, &text, 0 ) != LDAP_SUCCESS ) {
			Debug( LDAP_DEBUG_ANY, "back-ils: attribute %s in a record: %s\n",
				name->bv_val, text );
			return NULL;
		}
		return ad;
	}
	/* a name spelled otherwise than ad_cname would never hit */
	if ( !bvmatch( &ad->ad_cname, name ) )
		return ad;
	for ( i = 0; i < STORE_ADS; i++ ) {
		cur = NULL;
		if ( __atomic_compare_exchange_n( &store_ads[( h + i ) & ( STORE_ADS - 1 )],
				&cur, ad, 0, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE ) ||
			cur == ad )
			break;
	}
	return ad;
}

/* sorted values, as entry_decode() leaves them */
static int
store_sort( Attribute *a )
{
	const char *text;
	int dup, rc;

	rc = slap_sort_vals( (Modifications *)a, &text, &dup, NULL );
	if ( rc == LDAP_SUCCESS )
		a->a_flags |= SLAP_ATTR_SORTED_VALS;
	return rc == LDAP_TYPE_OR_VALUE_EXISTS;
}

/* slapd keeps a separate list of normalised values for every type whose
 * equality rule normalises (attr_merge() asserts it); records store the
 * values once when they are the same bytes (store_encode), so the decoded
 * attribute gets a second list of slots pointing at the same bytes */
static int
store_nvals( Attribute *a, struct berval **bpp, struct berval *bend )
{
	MatchingRule *mr = a->a_desc->ad_type->sat_equality;

	if ( !a->a_numvals || !mr || !mr->smr_normalize )
		return 0;
	if ( (ber_len_t)( bend - *bpp ) < a->a_numvals + 1 )
		return -1;
	memcpy( *bpp, a->a_vals, ( a->a_numvals + 1 ) * sizeof( struct berval ) );
	a->a_nvals = *bpp;
	*bpp += a->a_numvals + 1;
	return 0;
}

/* Copy an LMDB value into a decoded Entry that owns its memory, as
 * entry_decode() lays it out, so that entry_free() frees it: the value
 * slots and the record in one buffer that e_bv holds, the attributes
 * flagged not to free their values, the DNs in memory of their own.
 * The slots are twice the record's count: room for the second lists of
 * store_nvals(), which need at most as many as the values. */
static int
store_decode( MDB_val *data, Entry **ep )
{
	unsigned char *p = data->mv_data, *end = p + data->mv_size;
	struct berval bv, *bp, *bend;
	ber_len_t nattrs, nvals, n;
	size_t rest, bvs;
	Attribute *a;
	Entry *e;
	char *buf;

	if ( rec_getlen( &p, end, &nattrs ) || rec_getlen( &p, end, &nvals ) )
		return LDAP_OTHER;
	/* each attribute and each value slot takes a byte of the record at
	 * least; this bounds the allocations below */
	rest = end - p;
	if ( nattrs > rest || nvals > rest )
		return LDAP_OTHER;
	bvs = 2 * nvals * sizeof( struct berval );
	buf = ch_malloc( bvs + rest );
	memcpy( buf + bvs, p, rest );
	e = entry_alloc();
	e->e_bv.bv_val = buf;
	e->e_bv.bv_len = bvs + rest;
	bp = (struct berval *)buf;
	bend = bp + 2 * nvals;
	p = (unsigned char *)buf + bvs;
	end = p + rest;
	if ( rec_field( &p, end, &bv ) )
		goto fail;
	ber_dupbv( &e->e_name, &bv );
	if ( rec_field( &p, end, &bv ) )
		goto fail;
	ber_dupbv( &e->e_nname, &bv );
	e->e_attrs = nattrs ? attrs_alloc( nattrs ) : NULL;
	for ( a = e->e_attrs; a; a = a->a_next ) {
		a->a_flags = SLAP_ATTR_DONT_FREE_DATA | SLAP_ATTR_DONT_FREE_VALS;
		if ( rec_field( &p, end, &bv ) ||
			( a->a_desc = store_ad( &bv ) ) == NULL )
			goto fail;
		a->a_vals = bp;
		if ( rec_vals( &p, end, &bp, bend, 0, &n ) )
			goto fail;
		a->a_numvals = n;
		a->a_nvals = bp;
		if ( rec_vals( &p, end, &bp, bend, 1, &n ) )
			goto fail;
		if ( !n ) {
			a->a_nvals = a->a_vals;
			if ( store_nvals( a, &bp, bend ) )
				goto fail;
		}
		if ( ( a->a_desc->ad_type->sat_flags & SLAP_AT_SORTED_VAL ) &&
			store_sort( a ) )
			goto fail;
	}
	*ep = e;
	return LDAP_SUCCESS;
fail:
	Debug( LDAP_DEBUG_ANY, "back-ils: a damaged record (%s)\n",
		e->e_name.bv_val ? e->e_name.bv_val : "no DN" );
	entry_free( e );
	return LDAP_OTHER;
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
		rc = store_decode( &v, ep );
	else if ( rc == MDB_NOTFOUND )
		rc = LDAP_NO_SUCH_OBJECT;
	else
		rc = store_error( "get", rc );
	if ( !txn )
		mdb_txn_abort( rtxn );
	return rc;
}

/* the normalised values of a are the same bytes as the values */
static int
same_nvals( Attribute *a )
{
	unsigned i;

	if ( !a->a_vals || a->a_nvals == a->a_vals )
		return 0;
	for ( i = 0; i < a->a_numvals; i++ )
		if ( !bvmatch( &a->a_vals[i], &a->a_nvals[i] ) )
			return 0;
	return 1;
}

#define STORE_SHALLOW	128

/* entry_encode, with each value whose normalised form is the same bytes
 * stored once (as entry_encode does when a_nvals is a_vals): numbers,
 * addresses, GUIDs and MIME types are a sixth of a registration's
 * record.  The entry itself is left alone: a shallow copy is encoded. */
static int
store_encode( Entry *e, struct berval *bv )
{
	Attribute copy[STORE_SHALLOW], *a, **tail;
	Entry shallow;
	int n = 0, any = 0;

	for ( a = e->e_attrs; a; a = a->a_next, n++ )
		any = any || same_nvals( a );
	if ( !any || n > STORE_SHALLOW )
		return entry_encode( e, bv );
	shallow = *e;
	tail = &shallow.e_attrs;
	for ( a = e->e_attrs, n = 0; a; a = a->a_next, n++ ) {
		copy[n] = *a;
		if ( same_nvals( a ) )
			copy[n].a_nvals = copy[n].a_vals;
		*tail = &copy[n];
		tail = &copy[n].a_next;
	}
	*tail = NULL;
	return entry_encode( &shallow, bv );
}

int
ils_store_put( ils_info *ii, MDB_txn *txn, struct berval *key, Entry *e )
{
	MDB_val k, v;
	struct berval bv;
	int rc;

	if ( store_encode( e, &bv ) )
		return LDAP_OTHER;
	store_key( key, &k );
	v.mv_data = bv.bv_val;
	v.mv_size = bv.bv_len;
	rc = mdb_put( txn, ii->ii_dbi, &k, &v, 0 );
	ch_free( bv.bv_val );
	return rc ? store_error( "put", rc ) : LDAP_SUCCESS;
}

/* entry_putlen(): the length as entry_getlen() reads it */
static unsigned char *
rec_putlen( unsigned char *p, ber_len_t len )
{
	int n, i;

	if ( len < 0x80 ) {
		*p++ = len;
		return p;
	}
	for ( n = 1; n < (int)sizeof( ber_len_t ) && len >> ( 8 * n ); n++ )
		;
	*p++ = 0x80 | n;
	for ( i = n; i > 0; i-- )
		p[i - 1] = len >> ( 8 * ( n - i ) );
	return p + n;
}

/* The largest rec_putlen() */
#define REC_LENLEN	( 1 + sizeof( ber_len_t ) )

static unsigned char *
rec_putfield( unsigned char *p, struct berval *bv )
{
	p = rec_putlen( p, bv->bv_len );
	memcpy( p, bv->bv_val, bv->bv_len );
	p[bv->bv_len] = '\0';
	return p + bv->bv_len + 1;
}

/* the values of an attribute whose only value is v, as entry_encode()
 * writes them when a_nvals is a_vals: one value, no normalised ones */
static unsigned char *
rec_putsingle( unsigned char *p, struct berval *v )
{
	p = rec_putlen( p, 1 );
	p = rec_putfield( p, v );
	return rec_putlen( p, 0 );
}

/* Replace the values of the attributes ml names with each one's single
 * value, in the stored record itself: the TTL overlay does so at every
 * keep-alive, and decoding, changing and encoding the whole registration
 * for two short values costs more than the rest of the Modify.  The
 * result is the record entry_encode() would write for the entry after
 * modify_replace_values(), except that a replaced attribute keeps its
 * place; an attribute the record lacks is appended.  The caller ensures
 * that ml holds only replaces with one value and no normalised values,
 * each of a different attribute, at most ILS_PATCH_MODS of them. */
int
ils_store_patch( ils_info *ii, MDB_txn *txn, struct berval *key, Modifications *ml )
{
	unsigned char *p, *end, *start, *out, *body, *buf;
	char found[ILS_PATCH_MODS] = { 0 };
	ber_len_t nattrs, nvals, n, nv, na, i;
	struct berval bv;
	Modifications *m;
	size_t max;
	MDB_val k, v;
	int rc, j;

	store_key( key, &k );
	rc = mdb_get( txn, ii->ii_dbi, &k, &v );
	if ( rc == MDB_NOTFOUND )
		return LDAP_NO_SUCH_OBJECT;
	if ( rc )
		return store_error( "get", rc );
	/* room for the header, the record and, per modification, a
	 * replaced attribute's name and value (a replacement never needs
	 * more than that beyond the old values) */
	max = 2 * REC_LENLEN + v.mv_size;
	for ( m = ml, j = 0; m; m = m->sml_next, j++ )
		max += m->sml_desc->ad_cname.bv_len + m->sml_values[0].bv_len +
			2 * REC_LENLEN + 4;
	if ( j > ILS_PATCH_MODS )
		return LDAP_OTHER;
	buf = ch_malloc( max );
	body = out = buf + 2 * REC_LENLEN;

	/* With MDB_WRITEMAP the old value lies in the map, and the put may
	 * reuse its page: the new record is built apart first. */
	p = v.mv_data;
	end = p + v.mv_size;
	if ( rec_getlen( &p, end, &nattrs ) || rec_getlen( &p, end, &nvals ) )
		goto fail;
	start = p;
	if ( rec_field( &p, end, &bv ) || rec_field( &p, end, &bv ) )
		goto fail;
	memcpy( out, start, p - start );
	out += p - start;
	/* the counts are recounted rather than adjusted */
	na = nv = 0;
	for ( i = 0; i < nattrs; i++ ) {
		AttributeDescription *ad;
		unsigned char *vals;

		start = p;
		if ( rec_field( &p, end, &bv ) || !( ad = store_ad( &bv ) ) )
			goto fail;
		vals = p;
		if ( rec_vals( &p, end, NULL, NULL, 0, &n ) )
			goto fail;
		for ( m = ml, j = 0; m && m->sml_desc != ad; m = m->sml_next, j++ )
			;
		if ( m && !found[j] ) {
			found[j] = 1;
			if ( rec_vals( &p, end, NULL, NULL, 1, &n ) )
				goto fail;
			memcpy( out, start, vals - start );
			out = rec_putsingle( out + ( vals - start ), &m->sml_values[0] );
			nv += 2;
		} else {
			nv += n + 1;
			if ( rec_vals( &p, end, NULL, NULL, 1, &n ) )
				goto fail;
			if ( n )
				nv += n + 1;
			memcpy( out, start, p - start );
			out += p - start;
		}
		na++;
	}
	for ( m = ml, j = 0; m; m = m->sml_next, j++ ) {
		if ( found[j] )
			continue;
		out = rec_putfield( out, &m->sml_desc->ad_cname );
		out = rec_putsingle( out, &m->sml_values[0] );
		na++;
		nv += 2;
	}
	/* the header goes right before the body */
	{
		unsigned char hdr[2 * REC_LENLEN], *h = hdr;

		h = rec_putlen( rec_putlen( h, na ), nv );
		body -= h - hdr;
		memcpy( body, hdr, h - hdr );
	}
	v.mv_data = body;
	v.mv_size = out - body;
	rc = mdb_put( txn, ii->ii_dbi, &k, &v, 0 );
	ch_free( buf );
	return rc ? store_error( "put", rc ) : LDAP_SUCCESS;
fail:
	ch_free( buf );
	Debug( LDAP_DEBUG_ANY, "back-ils: a damaged record (key %.*s)\n",
		(int)key->bv_len, key->bv_val );
	return LDAP_OTHER;
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
int
ils_store_scan( ils_info *ii, char kind, struct berval *from,
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
		if ( store_decode( &v, &batch[*n] ) != LDAP_SUCCESS )
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
