/* reply.c - entries shaped the way the client asked for them
 *
 * NetMeeting reads the attributes of a search result in the order it
 * requested them and under the names it requested (it cannot tell that
 * "surname" is "sn").  slapd's send_search_entry() writes an entry's
 * attributes in the entry's own order under each description's canonical
 * name.  So for every result we build an entry whose attributes come in
 * request order, each with a private copy of its attribute description
 * whose name is the client's own string.  send_search_entry() then selects
 * them as usual (the copies keep the attribute type) and writes the
 * client's names.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"
#include "latin1.h"

int
ils_reply_init( Operation *op, ils_reply *r, const char **text )
{
	ils_info *ii = op->o_bd->be_private;
	AttributeName *an = op->ors_attrs;
	int i, n = 0;

	memset( r, 0, sizeof( *r ) );
	r->ir_latin1 = op->o_protocol < LDAP_VERSION3;
	/* a consumer's syncrepl reads the entry to diff it with its
	 * provider's by attribute description (syncrepl_diff_entry): it gets
	 * the stored descriptions, neither spellings, whose copies end with
	 * the search while its Modify still names them, nor sTTL */
	r->ir_stored = be_shadow_update( op );
	if ( an == NULL ) {
		r->ir_all_user = 1;
		return LDAP_SUCCESS;
	}
	for ( ; !BER_BVISNULL( &an[n].an_name ); n++ )
		;
	if ( n > ii->ii_max_req_attrs ) {
		*text = "too many attributes requested (see ils-max-request-attrs)";
		return LDAP_ADMINLIMIT_EXCEEDED;
	}
	r->ir_nattrs = n;
	r->ir_clones = op->o_tmpcalloc( n + 1, sizeof( AttributeDescription ),
		op->o_tmpmemctx );
	for ( i = 0; i < n; i++ ) {
		if ( an[i].an_desc ) {
			r->ir_clones[i] = *an[i].an_desc;
			r->ir_clones[i].ad_next = NULL;
			r->ir_clones[i].ad_cname = an[i].an_name;
		} else if ( bvmatch( &an[i].an_name, slap_bv_all_user_attrs ) ) {
			r->ir_all_user = 1;
		} else if ( bvmatch( &an[i].an_name, slap_bv_all_operational_attrs ) ) {
			r->ir_all_oper = 1;
		}
	}
	return LDAP_SUCCESS;
}

void
ils_reply_destroy( Operation *op, ils_reply *r )
{
	if ( r->ir_clones )
		op->o_tmpfree( r->ir_clones, op->o_tmpmemctx );
	while ( r->ir_nspell > 0 )
		op->o_tmpfree( r->ir_spell[--r->ir_nspell].sp_ad.ad_cname.bv_val,
			op->o_tmpmemctx );
	if ( r->ir_spell )
		op->o_tmpfree( r->ir_spell, op->o_tmpmemctx );
	r->ir_clones = NULL;
	r->ir_spell = NULL;
}

/* the description to list ad under in an "all attributes" reply: named
 * as the client wrote it (names.c); the copies live as long as the search */
static AttributeDescription *
spelled( Operation *op, ils_reply *r, Entry *stored, AttributeDescription *ad )
{
	struct berval *name = ils_names_spelling( stored, ad->ad_type );
	ils_spelling *sp;
	int i;

	if ( !name || ad->ad_tags.bv_len || r->ir_stored )
		return ad;
	for ( i = 0; i < r->ir_nspell; i++ ) {
		sp = &r->ir_spell[i];
		if ( sp->sp_type == ad->ad_type && bvmatch( &sp->sp_ad.ad_cname, name ) )
			return &sp->sp_ad;
	}
	if ( r->ir_nspell == ILS_SPELLINGS )
		return ad;
	if ( !r->ir_spell )
		r->ir_spell = op->o_tmpcalloc( ILS_SPELLINGS, sizeof( ils_spelling ),
			op->o_tmpmemctx );
	sp = &r->ir_spell[r->ir_nspell++];
	sp->sp_type = ad->ad_type;
	sp->sp_ad = *ad;
	sp->sp_ad.ad_next = NULL;
	ber_dupbv_x( &sp->sp_ad.ad_cname, name, op->o_tmpmemctx );
	return &sp->sp_ad;
}

/* LDAPv2 clients get the ISO-8859-1 bytes they sent */
static void
to_latin1( Attribute *a )
{
	unsigned i;
	long n;

	for ( i = 0; i < a->a_numvals; i++ ) {
		struct berval *v = &a->a_vals[i];
		char *buf = ch_malloc( v->bv_len + 1 );
		if ( ( n = latin1_from_utf8( v->bv_val, v->bv_len, buf ) ) < 0 ) {
			ch_free( buf );
			continue;
		}
		buf[n] = '\0';
		ch_free( v->bv_val );
		v->bv_val = buf;
		v->bv_len = n;
	}
}

/* sTTL is entryTtl in minutes (MS-TAIL 2.2.5) */
static Attribute *
sttl_from_entryttl( Entry *stored, AttributeDescription *clone )
{
	Attribute *ttl = attr_find( stored->e_attrs, slap_schema.si_ad_entryTtl );
	Attribute *a;
	struct berval bv;
	char buf[32];
	long secs;

	if ( !ttl || ttl->a_numvals != 1 )
		return NULL;
	secs = strtol( ttl->a_vals[0].bv_val, NULL, 10 );
	bv.bv_val = buf;
	bv.bv_len = snprintf( buf, sizeof( buf ), "%ld", ( secs + 59 ) / 60 );
	a = attr_alloc( clone );
	a->a_vals = ch_calloc( 2, sizeof( struct berval ) );
	ber_dupbv( &a->a_vals[0], &bv );
	a->a_nvals = a->a_vals;
	a->a_numvals = 1;
	return a;
}

/* values an LDAPv2 client must get in ISO-8859-1: only those with
 * bytes beyond ASCII differ from their UTF-8 */
static int
needs_latin1( Attribute *a )
{
	unsigned i;
	ber_len_t j;

	if ( !ils_compat_is_latin1( a->a_desc ) )
		return 0;
	for ( i = 0; i < a->a_numvals; i++ )
		for ( j = 0; j < a->a_vals[i].bv_len; j++ )
			if ( (unsigned char)a->a_vals[i].bv_val[j] & 0x80 )
				return 1;
	return 0;
}

/* what a reply will hold: a stored attribute under a description, or
 * (s NULL) sTTL computed from entryTtl */
typedef struct pick {
	Attribute		*p_s;
	AttributeDescription	*p_desc;
	int			p_latin1;
	int			p_first;	/* objectClass: the value to send first */
} pick;

/* PTLib names a registration it has read after its first objectClass
 * value ("cn=x, objectClass=<it>") to change or delete it, so the ILS
 * class must come first, whatever order the record keeps: the TTL
 * overlay adds dynamicObject to NetMeeting's Adds before back-ils adds
 * rtPerson.  The index of the ILS class among a's values, 0 when it is
 * first or not there. */
static int
ils_class_at( ils_info *ii, Attribute *a )
{
	ObjectClass *oc;
	unsigned i;

	if ( a->a_desc != slap_schema.si_ad_objectClass )
		return 0;
	for ( i = 0; i < a->a_numvals; i++ ) {
		oc = oc_bvfind( &a->a_nvals[i] );
		if ( oc && ( oc == ii->ii_oc_rtperson || oc == ii->ii_oc_appuser ||
			oc == ii->ii_oc_conf ) )
			return (int)i;
	}
	return 0;
}

/* value k of v to the front, the others in their order */
static void
to_front( BerVarray v, int k )
{
	struct berval first = v[k];

	memmove( &v[1], &v[0], k * sizeof( struct berval ) );
	v[0] = first;
}

#define ILS_PICKS	512	/* on the stack; larger replies use op memory */

/* The reply's attribute shares the stored entry's values (no copy: a
 * browse sends hundreds of entries), which is why the reply entry is not
 * modifiable: an overlay that changes it gets its own copy first
 * (rs_entry2modifiable).  Values an LDAPv2 client gets in Latin-1 are
 * copied and converted, objectClass values to reorder copied.  r comes
 * from the caller's block (or is NULL). */
static Attribute *
copy_as( Attribute *r, pick *p )
{
	Attribute *a = p->p_s;
	int latin1 = p->p_latin1 && needs_latin1( a );

	if ( latin1 || p->p_first ) {
		if ( r )
			attr_free( r );
		r = attr_dup( a );
	}
	if ( latin1 ) {
		if ( r->a_nvals == r->a_vals ) {
			r->a_vals = NULL;
			ber_bvarray_dup_x( &r->a_vals, r->a_nvals, NULL );
		}
		to_latin1( r );
	} else if ( p->p_first ) {
		to_front( r->a_vals, p->p_first );
		if ( r->a_nvals != r->a_vals )
			to_front( r->a_nvals, p->p_first );
	} else {
		if ( !r )
			r = attr_alloc( NULL );
		r->a_vals = a->a_vals;
		r->a_nvals = a->a_nvals;
		r->a_numvals = a->a_numvals;
		r->a_flags = SLAP_ATTR_DONT_FREE_DATA | SLAP_ATTR_DONT_FREE_VALS;
	}
	r->a_desc = p->p_desc;
	r->a_next = NULL;
	return r;
}

/* the attributes of the reply to stored, in order: at most max, which
 * the caller makes enough for every match */
static int
pick_attrs( Operation *op, ils_reply *r, Entry *stored, pick *picks, int max )
{
	ils_info *ii = op->o_bd->be_private;
	AttributeName *an = op->ors_attrs;
	char used[256];
	Attribute *s;
	int i, k, n = 0, sttl = 0;

	memset( used, 0, sizeof( used ) );
	/* the requested attributes, in request order, under requested names */
	for ( i = 0; i < r->ir_nattrs && n < max; i++ ) {
		AttributeDescription *clone = &r->ir_clones[i];
		int found = 0;

		if ( !an[i].an_desc )
			continue;
		for ( s = stored->e_attrs, k = 0; s && n < max; s = s->a_next, k++ ) {
			if ( !is_at_subtype( s->a_desc->ad_type, clone->ad_type ) )
				continue;
			/* an operational attribute keeps its own description:
			 * overlays look for it by pointer (syncprov's contextCSN
			 * would be sent twice), and no ILS client names one */
			picks[n++] = (pick){ s, is_at_operational( s->a_desc->ad_type ) ?
				s->a_desc : clone, r->ir_latin1, ils_class_at( ii, s ) };
			if ( k < (int)sizeof( used ) ) used[k] = 1;
			found = 1;
		}
		if ( !found && n < max && ii->ii_ad_sttl &&
			clone->ad_type == ii->ii_ad_sttl->ad_type ) {
			picks[n++] = (pick){ NULL, clone, 0, 0 };
			sttl = 1;
		}
	}
	/* everything else that may be wanted: all user attributes for "*" or
	 * an empty list, and operational ones always, since overlays above
	 * (the TTL overlay) read them; send_search_entry() drops what was not
	 * asked for */
	for ( s = stored->e_attrs, k = 0; s && n < max; s = s->a_next, k++ ) {
		int oper = is_at_operational( s->a_desc->ad_type );
		if ( k < (int)sizeof( used ) && used[k] )
			continue;
		if ( !oper && !r->ir_all_user )
			continue;
		picks[n++] = (pick){ s, oper ? s->a_desc : spelled( op, r, stored, s->a_desc ),
			r->ir_latin1 && !oper, ils_class_at( ii, s ) };
	}
	/* sTTL, which the TTL overlay keeps as entryTtl, for a client that
	 * wrote it (names.c): PTLib reads it from all its attributes */
	if ( r->ir_all_user && !r->ir_stored && !sttl && n < max && ii->ii_ad_sttl &&
		!attr_find( stored->e_attrs, ii->ii_ad_sttl ) &&
		ils_names_spelling( stored, ii->ii_ad_sttl->ad_type ) )
		picks[n++] = (pick){ NULL, spelled( op, r, stored, ii->ii_ad_sttl ), 0, 0 };
	return n;
}

/* The entry to send for stored, which must outlive it.  Its attributes
 * come from one attrs_alloc(): slapd's attribute free list has one lock,
 * and a browse of 500 entries would take it thousands of times. */
Entry *
ils_reply_entry( Operation *op, ils_reply *r, Entry *stored )
{
	Entry *e = entry_alloc();
	Attribute **tail = &e->e_attrs, *block, *a;
	pick local[ILS_PICKS], *picks = local;
	int i, n, max;

	ber_dupbv( &e->e_name, &stored->e_name );
	ber_dupbv( &e->e_nname, &stored->e_nname );
	/* each requested name may match every stored attribute (a
	 * supertype), and each stored attribute may go once more, and sTTL */
	for ( a = stored->e_attrs, n = 0; a; a = a->a_next )
		n++;
	max = n * ( r->ir_nattrs + 1 ) + r->ir_nattrs + 1;
	if ( max > ILS_PICKS )
		picks = op->o_tmpalloc( max * sizeof( pick ), op->o_tmpmemctx );
	n = pick_attrs( op, r, stored, picks, max );
	block = n ? attrs_alloc( n ) : NULL;
	for ( i = 0; i < n; i++ ) {
		Attribute *next = block ? block->a_next : NULL;

		a = picks[i].p_s ? copy_as( block, &picks[i] ) :
			sttl_from_entryttl( stored, picks[i].p_desc );
		if ( !picks[i].p_s && block ) {
			block->a_next = NULL;
			attr_free( block );
		}
		block = next;
		if ( a ) {
			*tail = a;
			tail = &a->a_next;
		}
	}
	if ( picks != local )
		op->o_tmpfree( picks, op->o_tmpmemctx );
	return e;
}
