/* compat.c - letting NetMeeting's requests through slapd's frontend
 *
 * slapd validates and normalises DNs and values before any backend or
 * overlay runs, and three NetMeeting habits fail there on a stock server:
 *
 *  - "c=-": '-' is no Country String, so the DN and the c value are
 *    rejected as invalid syntax;
 *  - ISO-8859-1 bytes in givenname/surname/location/comment are not the
 *    UTF-8 that Directory String requires.
 * ("OBJECTCLASS=rtperson" needs nothing: the frontend prettifies a request
 * DN before normalising it, and objectClass's pretty function turns any
 * spelling of a class into its canonical name.)
 *
 * slapd itself solves such problems in schema_prep.c by giving an
 * attribute type a private copy of its syntax or matching rule; we do the
 * same for exactly these attribute types.  The effects are server-wide
 * (see slapd-ils(5), SHARED SERVERS): "c: -" becomes a valid value, and
 * the Latin-1 types accept ISO-8859-1 and store it as UTF-8.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"
#include "latin1.h"

/* attribute types whose Latin-1 input is transcoded */
static const char *latin1_names[] = {
	"givenName", "sn", "location", "comment", NULL
};

#define LENIENT_MAX 8

/* a private syntax copy and the syntax it stands in for */
static struct lenient {
	Syntax		*copy;
	Syntax		*orig;
	int		dash;		/* accept "-" (c) */
} lenient[LENIENT_MAX];
static int nlenient;

static AttributeType *latin1_types[LENIENT_MAX];

static Syntax *
orig_of( Syntax *s, int *dash )
{
	int i;

	for ( i = 0; i < nlenient; i++ ) {
		if ( lenient[i].copy == s ) {
			*dash = lenient[i].dash;
			return lenient[i].orig;
		}
	}
	*dash = 0;
	return s;
}

static int
orig_validate( Syntax *orig, struct berval *in )
{
	if ( orig->ssyn_validate )
		return orig->ssyn_validate( orig, in );
	return LDAP_SUCCESS;
}

static int
lenient_validate( Syntax *syntax, struct berval *in )
{
	int dash;
	Syntax *orig = orig_of( syntax, &dash );

	if ( dash && in->bv_len == 1 && in->bv_val[0] == '-' )
		return LDAP_SUCCESS;
	if ( orig_validate( orig, in ) == LDAP_SUCCESS )
		return LDAP_SUCCESS;
	/* anything else must be Latin-1 text that becomes valid as UTF-8 */
	if ( dash || memchr( in->bv_val, '\0', in->bv_len ) ||
		latin1_is_utf8( in->bv_val, in->bv_len ) )
		return LDAP_INVALID_SYNTAX;
	return LDAP_SUCCESS;
}

static int
lenient_pretty( Syntax *syntax, struct berval *in, struct berval *out, void *ctx )
{
	int dash;
	Syntax *orig = orig_of( syntax, &dash );
	struct berval u;

	if ( ( dash && in->bv_len == 1 && in->bv_val[0] == '-' ) ||
		orig_validate( orig, in ) == LDAP_SUCCESS )
	{
		if ( orig->ssyn_pretty )
			return orig->ssyn_pretty( orig, in, out, ctx );
		ber_dupbv_x( out, in, ctx );
		return LDAP_SUCCESS;
	}
	if ( lenient_validate( syntax, in ) != LDAP_SUCCESS )
		return LDAP_INVALID_SYNTAX;
	u.bv_val = slap_sl_malloc( 2 * in->bv_len + 1, ctx );
	u.bv_len = latin1_to_utf8( in->bv_val, in->bv_len, u.bv_val );
	u.bv_val[u.bv_len] = '\0';
	if ( orig_validate( orig, &u ) != LDAP_SUCCESS ) {
		slap_sl_free( u.bv_val, ctx );
		return LDAP_INVALID_SYNTAX;
	}
	*out = u;
	return LDAP_SUCCESS;
}

/* give at a private, lenient copy of its syntax (once) */
static int
make_lenient( AttributeType *at, int dash )
{
	Syntax *copy;
	int dummy;

	if ( orig_of( at->sat_syntax, &dummy ) != at->sat_syntax )
		return 0;	/* done by an earlier database */
	if ( nlenient == LENIENT_MAX )
		return -1;
	copy = ch_malloc( sizeof( Syntax ) );
	*copy = *at->sat_syntax;
	copy->ssyn_validate = lenient_validate;
	copy->ssyn_pretty = lenient_pretty;
	lenient[nlenient].copy = copy;
	lenient[nlenient].orig = at->sat_syntax;
	lenient[nlenient].dash = dash;
	nlenient++;
	at->sat_syntax = copy;
	return 0;
}

int
ils_compat_schema( const char **err )
{
	AttributeDescription *ad;
	const char *text;
	int i, n = 0;

	ad = NULL;
	if ( slap_str2ad( "c", &ad, &text ) || make_lenient( ad->ad_type, 1 ) ) {
		*err = "cannot make countryName accept \"-\" (is core.schema loaded?)";
		return 1;
	}
	for ( i = 0; latin1_names[i]; i++ ) {
		ad = NULL;
		if ( slap_str2ad( latin1_names[i], &ad, &text ) ||
			make_lenient( ad->ad_type, 0 ) )
		{
			*err = "cannot make givenName, sn, location and comment accept Latin-1 "
				"(are core.schema and ils.schema loaded?)";
			return 1;
		}
		latin1_types[n++] = ad->ad_type;
	}
	return 0;
}

int
ils_compat_is_latin1( AttributeDescription *ad )
{
	int i;

	for ( i = 0; i < LENIENT_MAX && latin1_types[i]; i++ )
		if ( ad->ad_type == latin1_types[i] )
			return 1;
	return 0;
}
