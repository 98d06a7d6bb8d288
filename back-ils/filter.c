/* filter.c - the ILS dialect of search filters
 *
 * Two ILS habits make no sense to slapd's test_filter():
 *  - '%' is the wildcard inside an equality assertion: (cn=%) means any cn,
 *    (sn=%NAME%) means a substring match;
 *  - (sttl=N) is a directive, not a predicate: "refresh what the rest of
 *    the filter matches to N minutes".  For matching it is always TRUE.
 *    The refresh itself is the TTL overlay's business: it reads the
 *    directive from the original filter (slapo-dynttl(5)); back-ils only
 *    makes sure the term never hides the entries.
 * And one policy (ils-h323-match): NetMeeting browses with
 * (sappid=ms-netmeeting)(sprotid=h323), which would hide every H.323 user
 * registered by another client (GnomeMeeting says sappid=GnomeMeeting, the
 * Dialer keeps its protocol in protocolMimeType).  Both terms are widened
 * to "speaks H.323".
 * The rewrite works on a copy; op->ors_filter stays as the client sent it.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

static void
set_computed( Filter *f, int result )
{
	f->f_choice = SLAPD_FILTER_COMPUTED;
	f->f_result = result;
}

/* split "a%b%c" into initial "a", any {"b"}, final "c" */
static void
to_substrings( Operation *op, Filter *f, AttributeDescription *ad, struct berval *v )
{
	SubstringsAssertion *sa = op->o_tmpcalloc( 1, sizeof( *sa ), op->o_tmpmemctx );
	char *p = v->bv_val, *end = v->bv_val + v->bv_len, *pct;
	int first = 1, nany = 0;

	sa->sa_desc = ad;
	sa->sa_any = op->o_tmpcalloc( v->bv_len / 2 + 2, sizeof( struct berval ),
		op->o_tmpmemctx );
	while ( p <= end ) {
		struct berval piece;
		pct = memchr( p, '%', end - p );
		piece.bv_val = p;
		piece.bv_len = ( pct ? pct : end ) - p;
		if ( piece.bv_len ) {
			if ( first )
				ber_dupbv_x( &sa->sa_initial, &piece, op->o_tmpmemctx );
			else if ( !pct )
				ber_dupbv_x( &sa->sa_final, &piece, op->o_tmpmemctx );
			else
				ber_dupbv_x( &sa->sa_any[nany++], &piece, op->o_tmpmemctx );
		}
		if ( !pct )
			break;
		first = 0;
		p = pct + 1;
	}
	if ( nany == 0 ) {
		op->o_tmpfree( sa->sa_any, op->o_tmpmemctx );
		sa->sa_any = NULL;
	}
	f->f_choice = LDAP_FILTER_SUBSTRINGS;
	f->f_sub = sa;
}

static int
all_percent( struct berval *v )
{
	ber_len_t i;

	for ( i = 0; i < v->bv_len; i++ )
		if ( v->bv_val[i] != '%' )
			return 0;
	return v->bv_len > 0;
}

#define H323 "(protocolID=h323)(protocolMimeType=h323)(protocolMimeType=text/h323)"

/* replace f (keeping its place in the list) by the filter s */
static int
replace_with( Operation *op, Filter *f, const char *s )
{
	Filter *n = str2filter_x( op, s );

	if ( n == NULL )
		return 0;
	f->f_choice = n->f_choice;
	f->f_un = n->f_un;
	op->o_tmpfree( n, op->o_tmpmemctx );
	return 1;
}

static int
value_is( struct berval *v, const char *s )
{
	return v->bv_len == strlen( s ) && !strncasecmp( v->bv_val, s, v->bv_len );
}

/* ils-h323-match: NetMeeting's application terms mean "speaks H.323" */
static int
widen_h323( Operation *op, Filter *f )
{
	ils_info *ii = op->o_bd->be_private;
	AttributeType *at = f->f_av_desc->ad_type;

	if ( !ii->ii_h323_any )
		return 0;
	if ( ii->ii_ad_appid && at == ii->ii_ad_appid->ad_type &&
		value_is( &f->f_av_value, "ms-netmeeting" ) )
		return replace_with( op, f, "(|(applicationID=ms-netmeeting)" H323 ")" );
	if ( ii->ii_ad_protid && at == ii->ii_ad_protid->ad_type &&
		value_is( &f->f_av_value, "h323" ) )
		return replace_with( op, f, "(|" H323 ")" );
	return 0;
}

static void
rewrite_eq( Operation *op, Filter *f )
{
	ils_info *ii = op->o_bd->be_private;
	AttributeAssertion *ava = f->f_ava;
	AttributeDescription *ad = ava->aa_desc;
	struct berval v = ava->aa_value;

	/* An unknown attribute or option: slapd's get_filter() marked the
	 * term Undefined and test_filter() answers so without reading it;
	 * '%' does not make it mean more.  Such a term's description may be
	 * a temporary in op memory (SLAP_DESC_TEMPORARY) that ava_free()
	 * frees: rewritten into a term that keeps the description, it would
	 * be freed twice.  Past this point descriptions are the schema's; a
	 * known attribute whose value its syntax refuses ("%" for the integer
	 * sTTL) is Undefined too, and a rewrite below gives it a meaning (each
	 * sets f_choice anew, without the flag). */
	if ( ( ad->ad_flags & SLAP_DESC_TEMPORARY ) ||
		ad->ad_type == slap_schema.si_at_undefined )
		return;

	if ( ii->ii_ad_sttl && ad->ad_type == ii->ii_ad_sttl->ad_type ) {
		set_computed( f, LDAP_COMPARE_TRUE );
	} else if ( widen_h323( op, f ) ) {
		/* f is an OR now */
	} else if ( is_at_operational( ad->ad_type ) ||
		!memchr( v.bv_val, '%', v.bv_len ) ) {
		/* The dialect is the clients' own attributes'.  The value is
		 * the normalised one: syncrepl's (entryUUID=X), by which a
		 * replica finds the entry a change is about, asserts 16 bytes,
		 * and about one UUID in a hundred has a byte 0x25, '%': such an
		 * entry was never found, and a replica lost its Delete. */
		return;
	} else if ( all_percent( &v ) ) {
		f->f_choice = LDAP_FILTER_PRESENT;
		f->f_desc = ad;
	} else if ( ad->ad_type->sat_substr ) {
		to_substrings( op, f, ad, &v );
	} else {
		set_computed( f, LDAP_COMPARE_FALSE );
	}
	/* the new term keeps nothing of the assertion but its description */
	ava_free( op, ava, 1 );
}

static void
rewrite( Operation *op, Filter *f )
{
	for ( ; f; f = f->f_next ) {
		switch ( f->f_choice & SLAPD_FILTER_MASK ) {
		case LDAP_FILTER_AND:
		case LDAP_FILTER_OR:
		case LDAP_FILTER_NOT:
			rewrite( op, f->f_list );
			break;
		case LDAP_FILTER_EQUALITY:
			rewrite_eq( op, f );
			break;
		}
	}
}

Filter *
ils_filter_rewrite( Operation *op, Filter *f )
{
	Filter *copy = filter_dup( f, op->o_tmpmemctx );

	/* the top-level filter has no siblings; rewrite() walks f_next only
	 * inside AND/OR lists */
	switch ( copy->f_choice & SLAPD_FILTER_MASK ) {
	case LDAP_FILTER_EQUALITY:
		rewrite_eq( op, copy );
		break;
	case LDAP_FILTER_AND:
	case LDAP_FILTER_OR:
	case LDAP_FILTER_NOT:
		rewrite( op, copy->f_list );
		break;
	}
	return copy;
}

void
ils_filter_free( Operation *op, Filter *f )
{
	filter_free_x( op, f, 1 );
}
