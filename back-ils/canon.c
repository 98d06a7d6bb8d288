/* canon.c - what names a registration: its LMDB key and its one DN
 *
 * Clients spell a registration's DN in many ways (ilsdn.h); all of them
 * map onto one key (its kind and normalised naming value) and one
 * canonical DN, an RDN under one of two containers.  The containers' DNs
 * are prettied and normalised by slapd once, at open, when ils.schema
 * (appName) is known; a canonical DN is its RDN, prettied and normalised
 * alone, on top of them.  Nothing here calls the rest of back-ils: the
 * record codec (record.c), the store and the dialect overlay
 * (dialect.c) build on this file.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* the containers registrations live in, and ",<container>" forms of
 * their DNs that record.c compares stored names with */
static struct canon_container {
	const char	*cc_dn;
	struct berval	cc_dn_pretty, cc_dn_norm;
	struct berval	cc_tail, cc_ntail;
} containers[] = {
	{ ILS_DN_DYNAMIC },	/* people, conferences */
	{ ILS_DN_APPCONT },	/* the Dialer's application users */
};

static struct canon_container *
container_of( enum ilsdn_kind kind )
{
	return &containers[kind == ILSDN_APPUSER];
}

static void
comma_tail( struct berval *dn, struct berval *tail )
{
	tail->bv_len = dn->bv_len + 1;
	tail->bv_val = ch_malloc( tail->bv_len + 1 );
	tail->bv_val[0] = ',';
	memcpy( tail->bv_val + 1, dn->bv_val, dn->bv_len + 1 );
}

/* Once per process (every ils database has the same containers); the
 * values stay until the backend type ends (ils_canon_close). */
int
ils_canon_open( void )
{
	struct canon_container *c;
	struct berval dn;
	unsigned i;

	for ( i = 0; i < sizeof( containers ) / sizeof( containers[0] ); i++ ) {
		c = &containers[i];
		if ( !BER_BVISNULL( &c->cc_dn_norm ) )
			continue;
		ber_str2bv( c->cc_dn, 0, 0, &dn );
		if ( dnPrettyNormal( NULL, &dn, &c->cc_dn_pretty, &c->cc_dn_norm, NULL ) )
			return -1;
		comma_tail( &c->cc_dn_pretty, &c->cc_tail );
		comma_tail( &c->cc_dn_norm, &c->cc_ntail );
	}
	return 0;
}

/* at the backend type's end, when slapd stops */
void
ils_canon_close( void )
{
	unsigned i;

	for ( i = 0; i < sizeof( containers ) / sizeof( containers[0] ); i++ ) {
		struct canon_container *c = &containers[i];

		ch_free( c->cc_dn_pretty.bv_val );
		ch_free( c->cc_dn_norm.bv_val );
		ch_free( c->cc_tail.bv_val );
		ch_free( c->cc_ntail.bv_val );
		BER_BVZERO( &c->cc_dn_pretty );
		BER_BVZERO( &c->cc_dn_norm );
		BER_BVZERO( &c->cc_tail );
		BER_BVZERO( &c->cc_ntail );
	}
}

/* ",<container DN>" as written and normalised, for names of kind */
void
ils_canon_tails( enum ilsdn_kind kind, struct berval **tail, struct berval **ntail )
{
	struct canon_container *c = container_of( kind );

	*tail = &c->cc_tail;
	*ntail = &c->cc_ntail;
}

void
ils_parse_dn( struct berval *ndn, ils_name *nm )
{
	/* the cn lands after the one-byte kind prefix of the key */
	ilsdn_parse( ndn, &nm->in_dn, nm->in_buf + 1, sizeof( nm->in_buf ) - 1 );
	if ( ILSDN_IS_ENTRY( nm->in_dn.kind ) && nm->in_dn.cn.bv_len > ILS_CN_MAX ) {
		nm->in_dn.kind = ILSDN_BAD;
		nm->in_dn.err = "naming value longer than 500 bytes";
	}
	nm->in_buf[0] = nm->in_dn.kind == ILSDN_APPUSER ? ILS_KEY_APPUSER :
		nm->in_dn.kind == ILSDN_CONF ? ILS_KEY_CONF : ILS_KEY_PERSON;
	nm->in_key.bv_val = nm->in_buf;
	nm->in_key.bv_len = ILSDN_IS_ENTRY( nm->in_dn.kind ) ? nm->in_dn.cn.bv_len + 1 : 0;
}

/* The key of the other entry of a person's cn: the Dialer's application
 * user of a person, the person of an application user.  0 for the kinds
 * that have none (conferences). */
int
ils_sibling_key( ils_name *nm, char *buf, struct berval *key )
{
	if ( nm->in_dn.kind != ILSDN_PERSON && nm->in_dn.kind != ILSDN_APPUSER )
		return 0;
	memcpy( buf, nm->in_key.bv_val, nm->in_key.bv_len );
	buf[0] = nm->in_dn.kind == ILSDN_PERSON ? ILS_KEY_APPUSER : ILS_KEY_PERSON;
	key->bv_val = buf;
	key->bv_len = nm->in_key.bv_len;
	return 1;
}

/* cn names persons and application users, uid conferences */
AttributeDescription *
ils_entry_naming_ad( enum ilsdn_kind kind )
{
	static AttributeDescription *uid;
	const char *text;

	if ( kind != ILSDN_CONF )
		return slap_schema.si_ad_cn;
	if ( !uid )
		slap_str2ad( "uid", &uid, &text );
	return uid;
}

/* The canonical DN of the registration of kind named id, as written
 * and normalised, in ctx's memory: cn=<cn>,ou=Dynamic,o=Intranet for a
 * person, uid=<uid>,ou=Dynamic,o=Intranet for a conference and
 * cn=<cn>,appName=MS-NetMeeting,ou=Applications,o=Intranet for the
 * Dialer's application user. */
int
ils_canon_dn( enum ilsdn_kind kind, struct berval *id, struct berval *dn,
	struct berval *ndn, void *ctx )
{
	struct canon_container *c = container_of( kind );
	const char *type = kind == ILSDN_CONF ? "uid=" : "cn=";
	struct berval rdn, prdn, nrdn;
	int rc;

	if ( BER_BVISNULL( &c->cc_dn_norm ) )
		return LDAP_OTHER;	/* ils_canon_open() failed */
	rdn.bv_val = slap_sl_malloc( 3 * id->bv_len + 8, ctx );
	strcpy( rdn.bv_val, type );
	rdn.bv_len = strlen( type );
	rdn.bv_len += ilsdn_escape( id->bv_val, id->bv_len, rdn.bv_val + rdn.bv_len );
	rc = dnPrettyNormal( NULL, &rdn, &prdn, &nrdn, ctx );
	slap_sl_free( rdn.bv_val, ctx );
	if ( rc != LDAP_SUCCESS )
		return rc;
	build_new_dn( dn, &c->cc_dn_pretty, &prdn, ctx );
	build_new_dn( ndn, &c->cc_dn_norm, &nrdn, ctx );
	slap_sl_free( prdn.bv_val, ctx );
	slap_sl_free( nrdn.bv_val, ctx );
	return LDAP_SUCCESS;
}

/* give e (in the heap) its canonical name */
int
ils_entry_name( enum ilsdn_kind kind, struct berval *id, Entry *e )
{
	struct berval dn, ndn;
	int rc = ils_canon_dn( kind, id, &dn, &ndn, NULL );

	if ( rc != LDAP_SUCCESS )
		return rc;
	if ( !BER_BVISNULL( &e->e_name ) ) ch_free( e->e_name.bv_val );
	if ( !BER_BVISNULL( &e->e_nname ) ) ch_free( e->e_nname.bv_val );
	e->e_name = dn;
	e->e_nname = ndn;
	return LDAP_SUCCESS;
}

/* whether ndn is the canonical form of the name nm was parsed from: in
 * its container, under the naming type (the pseudo-DNs and the other
 * spellings are not) */
int
ils_canon_is( struct berval *ndn, ils_name *nm )
{
	struct canon_container *c = container_of( nm->in_dn.kind );
	struct berval pdn;

	if ( !ILSDN_IS_ENTRY( nm->in_dn.kind ) || BER_BVISNULL( &c->cc_dn_norm ) )
		return 0;
	dnParent( ndn, &pdn );
	return dn_match( &pdn, &c->cc_dn_norm ) &&
		!strncasecmp( ndn->bv_val, nm->in_dn.kind == ILSDN_CONF ? "uid=" : "cn=",
			nm->in_dn.kind == ILSDN_CONF ? 4 : 3 );
}
