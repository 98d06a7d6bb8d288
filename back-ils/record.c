/* record.c - a registration as an LMDB value
 *
 * The value is slapd's own flat entry encoding (entry_encode), with
 * normalised values, so a decoded entry can be matched against filters
 * without normalising again; the decoder is back-ils' own, for speed.
 * Two things are left out because the rest gives them: normalised values
 * that are the same bytes as the values (entry_encode's "no normalised
 * values"), and DNs that the key and the naming attribute spell.  A
 * registration takes about 780 bytes, five to an LMDB page.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

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
#define REC_ADS	128	/* a power of 2 */

static AttributeDescription *rec_ads[REC_ADS];

static unsigned
rec_ad_hash( struct berval *name )
{
	unsigned h = 2166136261U;	/* FNV-1a */
	ber_len_t i;

	for ( i = 0; i < name->bv_len; i++ )
		h = ( h ^ (unsigned char)name->bv_val[i] ) * 16777619U;
	return h;
}

static AttributeDescription *
rec_ad( struct berval *name )
{
	AttributeDescription *ad, *cur;
	unsigned h = rec_ad_hash( name ), i;
	const char *text;

	for ( i = 0; i < REC_ADS; i++ ) {
		ad = __atomic_load_n( &rec_ads[( h + i ) & ( REC_ADS - 1 )],
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
	for ( i = 0; i < REC_ADS; i++ ) {
		cur = NULL;
		if ( __atomic_compare_exchange_n( &rec_ads[( h + i ) & ( REC_ADS - 1 )],
				&cur, ad, 0, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE ) ||
			cur == ad )
			break;
	}
	return ad;
}

/* sorted values, as entry_decode() leaves them */
static int
rec_sort( Attribute *a )
{
	const char *text;
	int dup, rc;

	rc = slap_sort_vals( (Modifications *)a, &text, &dup, NULL );
	if ( rc == LDAP_SUCCESS )
		a->a_flags |= SLAP_ATTR_SORTED_VALS;
	return rc == LDAP_TYPE_OR_VALUE_EXISTS;
}

/* The names back-ils gives its entries (canon.c): the naming value
 * between a fixed type and its container's DN, in the DN as written and
 * in the normalised one, whose value is the key.  A record whose DNs are
 * exactly these stores them empty, a tenth of a registration's record;
 * decoding builds them again from the naming attribute and the key.
 * Names that need escaping do not match and are stored whole. */
typedef struct rec_name {
	char		sn_kind;	/* the key's first byte */
	enum ilsdn_kind	sn_dnkind;	/* which names it (ils_entry_naming_ad) */
	struct berval	sn_type;
} rec_name;

static const rec_name rec_names[] = {
	{ ILS_KEY_PERSON, ILSDN_PERSON, BER_BVC( "cn=" ) },
	{ ILS_KEY_CONF, ILSDN_CONF, BER_BVC( "uid=" ) },
	{ ILS_KEY_APPUSER, ILSDN_APPUSER, BER_BVC( "cn=" ) },
};

/* the naming value of e under sn, NULL when there is none */
static struct berval *
name_value( const rec_name *sn, Entry *e )
{
	Attribute *a = attr_find( e->e_attrs, ils_entry_naming_ad( sn->sn_dnkind ) );

	return a && a->a_numvals ? &a->a_vals[0] : NULL;
}

static const rec_name *
name_kind( struct berval *key )
{
	unsigned i;

	for ( i = 0; key->bv_len > 1 && i < sizeof( rec_names ) / sizeof( rec_names[0] ); i++ )
		if ( key->bv_val[0] == rec_names[i].sn_kind )
			return &rec_names[i];
	return NULL;
}

/* dn is type, value, suffix */
static int
name_is( struct berval *dn, const struct berval *type, struct berval *value,
	const struct berval *suffix )
{
	return dn->bv_len == type->bv_len + value->bv_len + suffix->bv_len &&
		!memcmp( dn->bv_val, type->bv_val, type->bv_len ) &&
		!memcmp( dn->bv_val + type->bv_len, value->bv_val, value->bv_len ) &&
		!memcmp( dn->bv_val + type->bv_len + value->bv_len, suffix->bv_val,
			suffix->bv_len );
}

static void
name_build( struct berval *dn, const struct berval *type, struct berval *value,
	const struct berval *suffix )
{
	dn->bv_len = type->bv_len + value->bv_len + suffix->bv_len;
	dn->bv_val = ch_malloc( dn->bv_len + 1 );
	memcpy( dn->bv_val, type->bv_val, type->bv_len );
	memcpy( dn->bv_val + type->bv_len, value->bv_val, value->bv_len );
	memcpy( dn->bv_val + type->bv_len + value->bv_len, suffix->bv_val, suffix->bv_len );
	dn->bv_val[dn->bv_len] = '\0';
}

/* what the names of e are made of: its kind, the naming value and the
 * key's normalised value; NULL when the key or e gives none */
static const rec_name *
name_parts( struct berval *key, Entry *e, struct berval **v, struct berval *kv )
{
	const rec_name *sn = name_kind( key );

	if ( !sn || !( *v = name_value( sn, e ) ) )
		return NULL;
	kv->bv_val = key->bv_val + 1;
	kv->bv_len = key->bv_len - 1;
	return sn;
}

/* whether e's DNs are the ones the key and the naming value give */
static int
name_derived( struct berval *key, Entry *e )
{
	struct berval *v, kv, *tail, *ntail;
	const rec_name *sn = name_parts( key, e, &v, &kv );

	if ( !sn )
		return 0;
	ils_canon_tails( sn->sn_dnkind, &tail, &ntail );
	return !BER_BVISEMPTY( ntail ) && name_is( &e->e_name, &sn->sn_type, v, tail ) &&
		name_is( &e->e_nname, &sn->sn_type, &kv, ntail );
}

/* the DNs of a record that stores them empty */
static int
name_rebuild( struct berval *key, Entry *e )
{
	struct berval *v, kv, *tail, *ntail;
	const rec_name *sn = name_parts( key, e, &v, &kv );

	if ( !sn )
		return -1;
	ils_canon_tails( sn->sn_dnkind, &tail, &ntail );
	if ( BER_BVISEMPTY( ntail ) )
		return -1;	/* ils_canon_open() has not run */
	name_build( &e->e_name, &sn->sn_type, v, tail );
	name_build( &e->e_nname, &sn->sn_type, &kv, ntail );
	return 0;
}

/* slapd keeps a separate list of normalised values for every type whose
 * equality rule normalises (attr_merge() asserts it); records store the
 * values once when they are the same bytes (ils_record_encode), so the decoded
 * attribute gets a second list of slots pointing at the same bytes */
static int
rec_nvals( Attribute *a, struct berval **bpp, struct berval *bend )
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

/* nattrs attributes, linked, in the block at a */
static Attribute *
rec_attrs( Attribute *a, ber_len_t nattrs )
{
	ber_len_t i;

	if ( !nattrs )
		return NULL;
	memset( a, 0, nattrs * sizeof( Attribute ) );
	for ( i = 0; i + 1 < nattrs; i++ )
		a[i].a_next = &a[i + 1];
	return a;
}

/* Free an entry ils_record_decode() made (or any other): the attributes
 * that lie in the decoded block go with it, any others one by one. */
void
ils_record_free( Entry *e )
{
	char *lo = e->e_bv.bv_val, *hi = lo ? lo + e->e_bv.bv_len : lo;
	Attribute *a, *next;

	for ( a = e->e_attrs; a; a = next ) {
		next = a->a_next;
		if ( (char *)a < lo || (char *)a >= hi ) {
			a->a_next = NULL;
			attr_free( a );
		}
	}
	e->e_attrs = NULL;
	entry_free( e );
}

/* The first normalised value of ad in a record, without decoding it: a
 * pointer into rec (its value when it has no normalised one).  Returns 0,
 * 1 when the record has no such attribute, -1 when it is damaged. */
int
ils_record_nval( struct berval *rec, AttributeDescription *ad, struct berval *val )
{
	unsigned char *p = (unsigned char *)rec->bv_val, *end = p + rec->bv_len, *vals;
	ber_len_t nattrs, nvals, i, n;
	struct berval bv;

	if ( rec_getlen( &p, end, &nattrs ) || rec_getlen( &p, end, &nvals ) ||
		rec_field( &p, end, &bv ) || rec_field( &p, end, &bv ) )
		return -1;
	for ( i = 0; i < nattrs; i++ ) {
		if ( rec_field( &p, end, &bv ) )
			return -1;
		if ( rec_ad( &bv ) != ad ) {
			if ( rec_vals( &p, end, NULL, NULL, 0, &n ) ||
				rec_vals( &p, end, NULL, NULL, 1, &n ) )
				return -1;
			continue;
		}
		vals = p;
		if ( rec_vals( &p, end, NULL, NULL, 0, &n ) || !n )
			return -1;
		/* the normalised list, or the values when it is empty */
		if ( rec_getlen( &p, end, &n ) )
			return -1;
		if ( !n && ( p = vals, rec_getlen( &p, end, &n ) ) )
			return -1;
		return rec_field( &p, end, val ) ? -1 : 0;
	}
	return 1;
}

/* Copy an LMDB value into a decoded Entry that owns its memory, laid out
 * much as entry_decode() does: the attributes, the value slots and the
 * record in one buffer that e_bv holds (one allocation, and none of the
 * attribute free list's lock that 500 entries of a browse would take 500
 * times), the attributes flagged not to free their values, the DNs in
 * memory of their own.  So ils_record_free() must free it, not
 * entry_free(), and its attributes must not be freed one by one
 * (attr_delete): a change needs a copy (entry_dup).
 * The slots are twice the record's count: room for the second lists of
 * rec_nvals(), which need at most as many as the values. */
int
ils_record_decode( struct berval *key, struct berval *rec, Entry **ep )
{
	unsigned char *p = (unsigned char *)rec->bv_val, *end = p + rec->bv_len;
	struct berval bv, dn, ndn, *bp, *bend;
	ber_len_t nattrs, nvals, n;
	size_t rest, bvs, ats;
	Attribute *a;
	Entry *e;
	char *buf;

	if ( rec_getlen( &p, end, &nattrs ) || rec_getlen( &p, end, &nvals ) )
		return LDAP_OTHER;
	/* each attribute and each value slot takes a byte of the record at
	 * least; this bounds the allocations below.  A registration has
	 * attributes, and its two DN fields take two bytes each even when
	 * they are empty. */
	rest = end - p;
	if ( !nattrs || rest < 4 || nattrs > rest || nvals > rest )
		return LDAP_OTHER;
	ats = nattrs * sizeof( Attribute );
	bvs = 2 * nvals * sizeof( struct berval );
	buf = ch_malloc( ats + bvs + rest );
	memcpy( buf + ats + bvs, p, rest );
	e = entry_alloc();
	e->e_bv.bv_val = buf;
	e->e_bv.bv_len = ats + bvs + rest;
	bp = (struct berval *)( buf + ats );
	bend = bp + 2 * nvals;
	p = (unsigned char *)buf + ats + bvs;
	end = p + rest;
	if ( rec_field( &p, end, &dn ) || rec_field( &p, end, &ndn ) )
		goto fail;
	e->e_attrs = rec_attrs( (Attribute *)buf, nattrs );
	for ( a = e->e_attrs; a; a = a->a_next ) {
		a->a_flags = SLAP_ATTR_DONT_FREE_DATA | SLAP_ATTR_DONT_FREE_VALS;
		if ( rec_field( &p, end, &bv ) ||
			( a->a_desc = rec_ad( &bv ) ) == NULL )
			goto fail;
		a->a_vals = bp;
		if ( rec_vals( &p, end, &bp, bend, 0, &n ) )
			goto fail;
		a->a_numvals = n;
		a->a_nvals = bp;
		if ( rec_vals( &p, end, &bp, bend, 1, &n ) )
			goto fail;
		/* slapd reads a_nvals[i] for every value i */
		if ( n && n != a->a_numvals )
			goto fail;
		if ( !n ) {
			a->a_nvals = a->a_vals;
			if ( rec_nvals( a, &bp, bend ) )
				goto fail;
		}
		if ( ( a->a_desc->ad_type->sat_flags & SLAP_AT_SORTED_VAL ) &&
			rec_sort( a ) )
			goto fail;
	}
	if ( dn.bv_len || ndn.bv_len ) {
		ber_dupbv( &e->e_name, &dn );
		ber_dupbv( &e->e_nname, &ndn );
	} else if ( name_rebuild( key, e ) ) {
		goto fail;
	}
	*ep = e;
	return LDAP_SUCCESS;
fail:
	Debug( LDAP_DEBUG_ANY, "back-ils: a damaged record (%s)\n",
		e->e_name.bv_val ? e->e_name.bv_val : "no DN" );
	ils_record_free( e );
	return LDAP_OTHER;
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

#define REC_SHALLOW	128

/* entry_encode, with each value whose normalised form is the same bytes
 * stored once (as entry_encode does when a_nvals is a_vals: numbers,
 * addresses, GUIDs and MIME types are a sixth of a registration's
 * record) and the DNs left empty when the key gives them (name_derived).
 * The entry itself is left alone: a shallow copy is encoded. */
int
ils_record_encode( struct berval *key, Entry *e, struct berval *bv )
{
	Attribute copy[REC_SHALLOW], *a, **tail;
	Entry shallow;
	int n = 0;

	for ( a = e->e_attrs; a; a = a->a_next )
		n++;
	if ( n > REC_SHALLOW )
		return entry_encode( e, bv );
	shallow = *e;
	if ( name_derived( key, e ) ) {
		BER_BVSTR( &shallow.e_name, "" );
		BER_BVSTR( &shallow.e_nname, "" );
	}
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

/* the values of an attribute whose only value is m's, as entry_encode()
 * writes them: one value, and its normalised form when it differs (a
 * DN's, modifiersName) */
static unsigned char *
rec_putsingle( unsigned char *p, Modifications *m )
{
	struct berval *nv = m->sml_nvalues ? &m->sml_nvalues[0] : NULL;

	p = rec_putlen( p, 1 );
	p = rec_putfield( p, &m->sml_values[0] );
	if ( !nv || bvmatch( nv, &m->sml_values[0] ) )
		return rec_putlen( p, 0 );
	p = rec_putlen( p, 1 );
	return rec_putfield( p, nv );
}

/* the value slots rec_putsingle() fills: the value and a terminator,
 * and as many for a normalised value of its own */
static ber_len_t
patched_slots( Modifications *m )
{
	return m->sml_nvalues && !bvmatch( &m->sml_nvalues[0], &m->sml_values[0] ) ? 4 : 2;
}

/* Replace the values of the attributes ml names with each one's single
 * value, in the stored record itself: the TTL overlay does so at every
 * keep-alive, and decoding, changing and encoding the whole registration
 * for two short values costs more than the rest of the Modify.  The
 * result is the record entry_encode() would write for the entry after
 * modify_replace_values(), except that a replaced attribute keeps its
 * place; an attribute the record lacks is appended.  The caller ensures
 * that ml holds only replaces with one value (and at most one
 * normalised value), each of a different attribute, at most ILS_PATCH_MODS of them.  The
 * new record is built in a buffer of its own (*bufp, the caller frees
 * it): the old one lies in an LMDB page, which the put that stores the
 * new one may rewrite. */
int
ils_record_patch( struct berval *rec, Modifications *ml, char **bufp,
	struct berval *out_rec )
{
	unsigned char *p, *end, *start, *out, *body, *buf;
	char found[ILS_PATCH_MODS] = { 0 };
	ber_len_t nattrs, nvals, n, nv, na, i;
	struct berval bv;
	Modifications *m;
	size_t max;
	int j;

	/* room for the header, the record and, per modification, a
	 * replaced attribute's name and value (a replacement never needs
	 * more than that beyond the old values) */
	max = 2 * REC_LENLEN + rec->bv_len;
	for ( m = ml, j = 0; m; m = m->sml_next, j++ )
		max += m->sml_desc->ad_cname.bv_len + m->sml_values[0].bv_len +
			( m->sml_nvalues ? m->sml_nvalues[0].bv_len : 0 ) +
			4 * REC_LENLEN + 4;
	if ( j > ILS_PATCH_MODS )
		return LDAP_OTHER;
	*bufp = (char *)( buf = ch_malloc( max ) );
	body = out = buf + 2 * REC_LENLEN;

	p = (unsigned char *)rec->bv_val;
	end = p + rec->bv_len;
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
		if ( rec_field( &p, end, &bv ) || !( ad = rec_ad( &bv ) ) )
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
			out = rec_putsingle( out + ( vals - start ), m );
			nv += patched_slots( m );
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
		out = rec_putsingle( out, m );
		na++;
		nv += patched_slots( m );
	}
	/* the header goes right before the body */
	{
		unsigned char hdr[2 * REC_LENLEN], *h = hdr;

		h = rec_putlen( rec_putlen( h, na ), nv );
		body -= h - hdr;
		memcpy( body, hdr, h - hdr );
	}
	out_rec->bv_val = (char *)body;
	out_rec->bv_len = out - body;
	return LDAP_SUCCESS;
fail:
	ch_free( buf );
	*bufp = NULL;
	return LDAP_OTHER;
}
