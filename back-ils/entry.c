/* entry.c - registrations as entries: identity, application data, limits */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"
#include "ipaddr.h"

/* An entry's identity is the naming value of its DN: cn (uid for a
 * conference) holds exactly that value and the kind's class is among its
 * classes, whatever the client sent (NetMeeting sends no objectClass, the
 * Dialer no cn and no uid). */
int
ils_entry_identity( Operation *op, enum ilsdn_kind kind, Entry *e, struct berval *id )
{
	ils_info *ii = op->o_bd->be_private;
	AttributeDescription *ad = ils_entry_naming_ad( kind );
	ObjectClass *oc = ii->ii_oc_rtperson;
	struct berval name;

	if ( !ad )
		return LDAP_OTHER;
	if ( kind == ILSDN_CONF ) {
		oc = ii->ii_oc_conf;
	} else if ( kind == ILSDN_APPUSER ) {
		oc = ii->ii_oc_appuser;
	}
	attr_delete( &e->e_attrs, ad );
	if ( attr_merge_normalize_one( e, ad, id, NULL ) )
		return LDAP_INVALID_SYNTAX;
	if ( !is_entry_objectclass( e, oc, 0 ) ) {
		name = oc->soc_cname;
		attr_merge_normalize_one( e, slap_schema.si_ad_objectClass, &name, NULL );
	}
	return LDAP_SUCCESS;
}

/* the application attributes MS-TAIL puts on rtApplicationUser; a person
 * carries the union of its own and its application user's */
static const char *const app_attrs[ILS_APP_ATTRS + 1] = {
	"applicationID", "protocolID", "protocolMimeType", "port", "mimeType",
	"guid", "appName", "protocolGUID", NULL
};

const char *const *
ils_entry_app_attrs( void )
{
	return app_attrs;
}

/* sModOp 1: the application is gone (e: a private copy) */
void
ils_entry_drop_app( Entry *e )
{
	AttributeDescription *ad;
	const char *text;
	int i;

	for ( i = 0; app_attrs[i]; i++ ) {
		ad = NULL;
		if ( slap_str2ad( app_attrs[i], &ad, &text ) == LDAP_SUCCESS )
			attr_delete( &e->e_attrs, ad );
	}
}

/* One Modification of the standard kinds applied to e, as back-mdb
 * applies it.  slapd's modify_add_values() knows only Add and Replace
 * (it asserts on anything else), while internal writers send the soft
 * kinds too: syncrepl's delta-sync conflict resolution a SOFTADD, other
 * overlays ADD_IF_NOT_PRESENT.  A soft add or delete of what is, or is
 * not, there already is no error. */
int
ils_entry_apply_mod( Entry *e, Modification *mod, int permissive,
	const char **text, char *buf, size_t len )
{
	Modification m = *mod;
	int rc;

	switch ( mod->sm_op ) {
	case LDAP_MOD_ADD:
		return modify_add_values( e, mod, permissive, text, buf, len );
	case SLAP_MOD_ADD_IF_NOT_PRESENT:
		if ( attr_find( e->e_attrs, mod->sm_desc ) != NULL )
			return LDAP_SUCCESS;
		/* FALLTHRU */
	case SLAP_MOD_SOFTADD:
		m.sm_op = LDAP_MOD_ADD;
		rc = modify_add_values( e, &m, permissive, text, buf, len );
		return rc == LDAP_TYPE_OR_VALUE_EXISTS ? LDAP_SUCCESS : rc;
	case LDAP_MOD_DELETE:
		return modify_delete_values( e, mod, permissive, text, buf, len );
	case SLAP_MOD_SOFTDEL:
		m.sm_op = LDAP_MOD_DELETE;
		rc = modify_delete_values( e, &m, permissive, text, buf, len );
		return rc == LDAP_NO_SUCH_ATTRIBUTE ? LDAP_SUCCESS : rc;
	case LDAP_MOD_REPLACE:
		return modify_replace_values( e, mod, permissive, text, buf, len );
	case LDAP_MOD_INCREMENT:
		return modify_increment_values( e, mod, permissive, text, buf, len );
	}
	*text = "unknown modification type";
	return LDAP_PROTOCOL_ERROR;
}

/* a permissive add: values the entry has already are skipped */
static void
add_values( Entry *e, Attribute *a )
{
	Modification mod = { 0 };
	char buf[SLAP_TEXT_BUFLEN];
	const char *text;

	mod.sm_op = LDAP_MOD_ADD;
	mod.sm_flags = SLAP_MOD_INTERNAL;
	mod.sm_desc = a->a_desc;
	mod.sm_type = a->a_desc->ad_cname;
	mod.sm_values = a->a_vals;
	mod.sm_nvalues = a->a_nvals != a->a_vals ? a->a_nvals : NULL;
	mod.sm_numvals = a->a_numvals;
	modify_add_values( e, &mod, 1, &text, buf, sizeof( buf ) );
}

/* person must be a private copy (entry_dup), not a decoded entry */
void
ils_entry_merge_app( Entry *person, Entry *app )
{
	AttributeDescription *ad;
	const char *text;
	Attribute *a;
	int i;

	for ( i = 0; app_attrs[i]; i++ ) {
		ad = NULL;
		if ( slap_str2ad( app_attrs[i], &ad, &text ) ||
			( a = attr_find( app->e_attrs, ad ) ) == NULL )
			continue;
		add_values( person, a );
	}
}

/* sipaddress values: one decimal number each, kept in unsigned form */
int
ils_entry_fix_ip( Operation *op, Attribute *a, const char **text,
	char *buf, size_t len )
{
	char dec[ILSIP_DECIMAL_MAX + 1];
	uint32_t v;
	unsigned i;

	for ( i = 0; i < a->a_numvals; i++ ) {
		struct berval *bv = &a->a_vals[i];
		if ( ilsip_parse( bv->bv_val, bv->bv_len, &v ) ) {
			snprintf( buf, len, "%s: value #%u is not an IPv4 address in "
				"ILS form (unsigned decimal)", a->a_desc->ad_cname.bv_val, i );
			*text = buf;
			return LDAP_INVALID_SYNTAX;
		}
		ilsip_format( v, dec );
		if ( strcmp( dec, bv->bv_val ) ) {
			ber_bvreplace( bv, &(struct berval){ strlen( dec ), dec } );
			if ( a->a_nvals != a->a_vals )
				ber_bvreplace( &a->a_nvals[i], bv );
		}
	}
	return LDAP_SUCCESS;
}

/* PTLib writes each list of its record as one value: sport "1503 1720",
 * sprotid "t120h323" (doc/conformance.md), and NetMeeting reads one port
 * or protocol a value.  So a value that is such a list becomes its
 * pieces on the way in: ports are the words between spaces, protocols
 * the known protocol names the value is made of.  Anything else stays
 * as written; a piece that is there already is not repeated. */
static const char *const known_protocols[] = { "h323", "t120", NULL };

/* the piece of a list at p (before end): 1, 0 at the end, -1 when the
 * value is no list (protocols: p starts no known name) */
static int
piece_at( char *p, char *end, int protid, struct berval *piece )
{
	ber_len_t l;
	int i;

	while ( !protid && p < end && *p == ' ' )
		p++;
	if ( p == end )
		return 0;
	piece->bv_val = p;
	if ( !protid ) {
		for ( l = 0; p + l < end && p[l] != ' '; l++ )
			;
		piece->bv_len = l;
		return 1;
	}
	for ( i = 0; known_protocols[i]; i++ ) {
		l = strlen( known_protocols[i] );
		if ( l <= (ber_len_t)( end - p ) && !strncasecmp( p, known_protocols[i], l ) ) {
			piece->bv_len = l;
			return 1;
		}
	}
	return -1;
}

/* the number of pieces of v as a list, 1 when it is none */
static int
list_pieces( struct berval *v, int protid )
{
	char *p = v->bv_val, *end = p + v->bv_len;
	struct berval piece;
	int n = 0, rc;

	while ( ( rc = piece_at( p, end, protid, &piece ) ) > 0 ) {
		n++;
		p = piece.bv_val + piece.bv_len;
	}
	return rc < 0 || n < 1 ? 1 : n;
}

/* piece into vals (n of them, room for max) unless it is there; -1 full */
static int
add_piece( BerVarray vals, int *n, int max, struct berval *piece )
{
	int i;

	for ( i = 0; i < *n; i++ )
		if ( vals[i].bv_len == piece->bv_len &&
			!strncasecmp( vals[i].bv_val, piece->bv_val, piece->bv_len ) )
			return 0;
	if ( *n == max )
		return -1;
	ber_dupbv( &vals[(*n)++], piece );
	return 0;
}

/* split a's list values (see above); more than max values after it is
 * adminLimitExceeded */
static int
split_lists( Attribute *a, int protid, int max, const char **text,
	char *buf, size_t len )
{
	BerVarray vals, nvals = NULL;
	struct berval piece;
	unsigned i;
	int n = 0, full = 0, rc;

	for ( i = 0; i < a->a_numvals && list_pieces( &a->a_vals[i], protid ) == 1; i++ )
		;
	if ( i == a->a_numvals )
		return LDAP_SUCCESS;	/* the common case: nothing to split */
	vals = ch_calloc( max + 1, sizeof( struct berval ) );
	for ( i = 0; i < a->a_numvals && !full; i++ ) {
		char *p = a->a_vals[i].bv_val, *end = p + a->a_vals[i].bv_len;

		if ( list_pieces( &a->a_vals[i], protid ) == 1 ) {
			full = add_piece( vals, &n, max, &a->a_vals[i] );
			continue;
		}
		while ( !full && piece_at( p, end, protid, &piece ) > 0 ) {
			full = add_piece( vals, &n, max, &piece );
			p = piece.bv_val + piece.bv_len;
		}
	}
	if ( full ) {
		ber_bvarray_free( vals );
		snprintf( buf, len, "%s: more than %d values", a->a_desc->ad_cname.bv_val, max );
		*text = buf;
		return LDAP_ADMINLIMIT_EXCEEDED;
	}
	if ( ( rc = attr_normalize( a->a_desc, vals, &nvals, NULL ) ) != LDAP_SUCCESS ) {
		ber_bvarray_free( vals );
		return rc;
	}
	if ( a->a_nvals != a->a_vals )
		ber_bvarray_free( a->a_nvals );
	ber_bvarray_free( a->a_vals );
	a->a_vals = vals;
	a->a_nvals = nvals ? nvals : vals;
	a->a_numvals = n;
	return LDAP_SUCCESS;
}

/* A Modify that deletes a list value as PTLib wrote it ("1503 1720")
 * deletes its pieces, which is what the entry holds (split_lists): the
 * values of vals with every list split, or NULL when none is a list */
BerVarray
ils_entry_list_pieces( ils_info *ii, AttributeDescription *ad, BerVarray vals,
	int *n )
{
	BerVarray out = NULL;
	struct berval piece;
	int protid = ad == ii->ii_ad_protid, i, lists = 0;

	if ( !vals || ( ad != ii->ii_ad_port && !protid ) )
		return NULL;
	for ( i = 0; !BER_BVISNULL( &vals[i] ); i++ )
		if ( list_pieces( &vals[i], protid ) > 1 )
			lists = 1;
	if ( !lists )
		return NULL;
	*n = 0;
	for ( i = 0; !BER_BVISNULL( &vals[i] ); i++ ) {
		char *p = vals[i].bv_val, *end = p + vals[i].bv_len;

		if ( list_pieces( &vals[i], protid ) == 1 ) {
			value_add_one( &out, &vals[i] );
			( *n )++;
			continue;
		}
		while ( piece_at( p, end, protid, &piece ) > 0 ) {
			value_add_one( &out, &piece );
			( *n )++;
			p = piece.bv_val + piece.bv_len;
		}
	}
	return out;
}

static int
is_binary( AttributeDescription *ad )
{
	return ad->ad_type->sat_syntax->ssyn_oid &&
		!strcmp( ad->ad_type->sat_syntax->ssyn_oid, "1.3.6.1.4.1.1466.115.121.1.40" );
}

/* Limits that keep one registration small (slapd-ils(5), LIMITS). */
int
ils_entry_check( Operation *op, Entry *e, const char **text, char *buf, size_t len )
{
	ils_info *ii = op->o_bd->be_private;
	Attribute *a;
	int nattrs = 0, rc;
	unsigned i;

	for ( a = e->e_attrs; a; a = a->a_next ) {
		int max = is_binary( a->a_desc ) ? ii->ii_max_blen : ii->ii_max_vlen;
		const char *name = a->a_desc->ad_cname.bv_val;

		if ( ++nattrs > ii->ii_max_attrs ) {
			snprintf( buf, len, "more than %d attributes", ii->ii_max_attrs );
			*text = buf;
			ILS_MON_COUNT( ii, ILS_MON_REF_SIZE );
			return LDAP_ADMINLIMIT_EXCEEDED;
		}
		if ( a->a_numvals > (unsigned)ii->ii_max_vals ) {
			snprintf( buf, len, "%s: more than %d values", name, ii->ii_max_vals );
			*text = buf;
			ILS_MON_COUNT( ii, ILS_MON_REF_SIZE );
			return LDAP_ADMINLIMIT_EXCEEDED;
		}
		for ( i = 0; i < a->a_numvals; i++ ) {
			if ( a->a_vals[i].bv_len > (ber_len_t)max ) {
				snprintf( buf, len, "%s: value #%u longer than %d bytes",
					name, i, max );
				*text = buf;
				return LDAP_CONSTRAINT_VIOLATION;
			}
		}
		if ( ( a->a_desc == ii->ii_ad_port || a->a_desc == ii->ii_ad_protid ) &&
			( rc = split_lists( a, a->a_desc == ii->ii_ad_protid,
				ii->ii_max_vals, text, buf, len ) ) )
			return rc;
		if ( a->a_desc == ii->ii_ad_ip &&
			( rc = ils_entry_fix_ip( op, a, text, buf, len ) ) )
			return rc;
	}
	return ils_limits_size( op, e, text );
}
