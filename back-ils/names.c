/* names.c - the attribute names clients wrote
 *
 * PTLib asks for all attributes and then reads "sipAddress" and "sport" by
 * name; slapd would call them ipAddress and port, the canonical names of
 * those types.  So every entry remembers, in the hidden operational
 * attribute ilsAttrNames, the spelling a client used for each attribute
 * type it wrote, when that spelling is another name than the canonical
 * one (not merely another case of it); replies to
 * "all attributes" use it (reply.c).  Requests that list names get those
 * names, whatever was written.  sTTL's spelling is kept in any case: the
 * TTL overlay turns sTTL into entryTtl, and the spelling is what says
 * that the client wrote sTTL and reads it back (PTLib does).
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

static AttributeDescription *ad_names;

int
ils_names_init( void )
{
	int rc = register_at( "( " ILS_OID_ROOT ".8.1 NAME 'ilsAttrNames' "
		"DESC 'back-ils: the names clients wrote attribute types under' "
		"EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 "
		"NO-USER-MODIFICATION USAGE dSAOperation )", &ad_names, 0 );

	if ( rc == 0 )
		ad_names->ad_type->sat_flags |= SLAP_AT_HIDE;
	return rc;
}

/* the index of the spelling of at among a's values, or -1 */
static int
find( Attribute *a, AttributeType *at )
{
	AttributeDescription *ad;
	const char *text;
	unsigned i;

	for ( i = 0; a && i < a->a_numvals; i++ ) {
		ad = NULL;
		if ( slap_bv2ad( &a->a_vals[i], &ad, &text ) == LDAP_SUCCESS &&
			ad->ad_type == at )
			return (int)i;
	}
	return -1;
}

struct berval *
ils_names_spelling( Entry *e, AttributeType *at )
{
	Attribute *a = attr_find( e->e_attrs, ad_names );
	int i = find( a, at );

	return i < 0 ? NULL : &a->a_vals[i];
}

/* type is the name the client used for ad; e is a private copy; keep:
 * note it even when it is the canonical name */
static void
note( Entry *e, AttributeDescription *ad, struct berval *type, int keep )
{
	Attribute *a;
	int i;

	if ( !ad_names || !type || BER_BVISEMPTY( type ) ||
		is_at_operational( ad->ad_type ) )
		return;
	a = attr_find( e->e_attrs, ad_names );
	i = find( a, ad->ad_type );
	/* Names are case-insensitive (ldap_get_values and Windows' wldap32
	 * compare them so), so a spelling that differs from the canonical
	 * name only in case (givenname, sflags, ilsA...) is not kept: that
	 * is eight of NetMeeting's eighteen names, ninety bytes a record,
	 * and four records to an LMDB page instead of three. */
	if ( !keep && type->bv_len == ad->ad_cname.bv_len &&
		!strncasecmp( type->bv_val, ad->ad_cname.bv_val, type->bv_len ) )
	{
		/* the canonical name again: forget the old spelling */
		if ( i >= 0 && a->a_numvals == 1 ) {
			attr_delete( &e->e_attrs, ad_names );
		} else if ( i >= 0 ) {
			ch_free( a->a_vals[i].bv_val );
			a->a_vals[i] = a->a_vals[--a->a_numvals];
			/* not BER_BVZERO( &a->a_vals[--a->a_numvals] ): the
			 * macro evaluates its argument twice, which took two
			 * spellings off the count for one */
			BER_BVZERO( &a->a_vals[a->a_numvals] );
		}
	} else if ( i >= 0 ) {
		ber_bvreplace( &a->a_vals[i], type );
	} else {
		attr_merge_one( e, ad_names, type, NULL );
	}
}

void
ils_names_note( Entry *e, AttributeDescription *ad, struct berval *type )
{
	note( e, ad, type, 0 );
}

/* An attribute the entry does not store as such (sTTL, which the TTL
 * overlay keeps as entryTtl): its spelling, in any case, is the record
 * that the client wrote it, and all-attribute replies show it (reply.c) */
void
ils_names_keep( Entry *e, AttributeDescription *ad, struct berval *type )
{
	note( e, ad, type, 1 );
}
