/* owner.c - whom a registration belongs to
 *
 * ILS has no accounts: NetMeeting binds anonymously over LDAPv2.  So a
 * registration belongs to the address of the connection that made it
 * (ilsOwnerAddress; "local" for ldapi://) and, when that client bound
 * with a DN, to that DN (ilsOwnerDN), which then owns it from any
 * address.  back-ils sets both on every Add; they are operational,
 * NO-USER-MODIFICATION, stored with the entry and kept by the owner's own
 * re-Adds.
 *
 * Ownership is a clause of slapd's access control rather than a check
 * beside it: the dynamic ACL "ils-owner" matches a requester that owns
 * the entry being checked,
 *
 *	access to * by dynacl/ils-owner write by * read
 *
 * so every access_allowed() sees it (a Modify's acl_check_modlist(), a
 * Delete, a re-Add, the TTL overlay's refreshes), and operators combine
 * it with ordinary clauses: "by dn.exact=... manage" for moderators,
 * "by peername.ip=... read" for a banned address (slapd-ils(5)).
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "slapd-versions.h"
#include "back-ils.h"
#include "ipaddr.h"

static AttributeDescription *ad_owner_addr, *ad_owner_dn;

/* the requester's address, in buf (ILSIP_PEER_MAX); empty when unknown */
void
ils_owner_peer( Operation *op, char *buf, struct berval *addr )
{
	struct berval *peer = op->o_conn ? &op->o_conn->c_peer_name : NULL;

	addr->bv_val = buf;
	addr->bv_len = peer && !BER_BVISNULL( peer ) ?
		ilsip_peer( peer->bv_val, peer->bv_len, buf, ILSIP_PEER_MAX ) : 0;
}

/* the address e is counted under (limits.c); 0 when it has none */
int
ils_owner_address( Entry *e, struct berval *addr )
{
	Attribute *a = attr_find( e->e_attrs, ad_owner_addr );

	if ( !a )
		return 0;
	*addr = a->a_vals[0];
	return 1;
}

int
ils_owner_is( Operation *op, Entry *e )
{
	Attribute *dn = attr_find( e->e_attrs, ad_owner_dn );
	char buf[ILSIP_PEER_MAX];
	struct berval peer, addr;

	/* a DN owns its registrations from wherever it binds */
	if ( dn )
		return !BER_BVISEMPTY( &op->o_ndn ) &&
			dn_match( &dn->a_nvals[0], &op->o_ndn );
	if ( !ils_owner_address( e, &addr ) )
		return 0;
	ils_owner_peer( op, buf, &peer );
	return peer.bv_len && peer.bv_len == addr.bv_len &&
		!strncasecmp( peer.bv_val, addr.bv_val, peer.bv_len );
}

/* A replica's Add carries the provider's owner; everyone else's gets the
 * requester, or the owner of the live registration it replaces. */
void
ils_owner_stamp( Operation *op, Entry *e, Entry *old )
{
	Attribute *addr = old ? attr_find( old->e_attrs, ad_owner_addr ) : NULL,
		*dn = old ? attr_find( old->e_attrs, ad_owner_dn ) : NULL;
	char buf[ILSIP_PEER_MAX];
	struct berval peer;

	if ( be_shadow_update( op ) )
		return;
	attr_delete( &e->e_attrs, ad_owner_addr );
	attr_delete( &e->e_attrs, ad_owner_dn );
	if ( addr || dn ) {
		if ( addr )
			attr_merge_one( e, ad_owner_addr, &addr->a_vals[0], &addr->a_nvals[0] );
		if ( dn )
			attr_merge_one( e, ad_owner_dn, &dn->a_vals[0], &dn->a_nvals[0] );
		return;
	}
	ils_owner_peer( op, buf, &peer );
	if ( peer.bv_len )
		attr_merge_normalize_one( e, ad_owner_addr, &peer, op->o_tmpmemctx );
	if ( !BER_BVISEMPTY( &op->o_ndn ) )
		attr_merge_one( e, ad_owner_dn, &op->o_dn, &op->o_ndn );
}

/* ---- the dynamic ACL ---- */

static int
owner_parse( ILS_DYNACL_PARSE_ARGS, const char *opts,
	slap_style_t sty, const char *right, void **privp )
{
	if ( opts || right ) {
		Debug( LDAP_DEBUG_ANY, "%s: line %d: dynacl/ils-owner takes no "
			"options and no pattern\n", ILS_DYNACL_WHERE );
		return -1;
	}
	*privp = NULL;
	return 0;
}

static int
owner_unparse( void *priv, struct berval *bv )
{
	ber_str2bv( " dynacl/ils-owner", 0, 1, bv );
	return 0;
}

/* everything for the owner, which the clause's level ("write") trims;
 * nothing for others, so the next clause decides for them */
static int
owner_mask( void *priv, Operation *op, Entry *e, AttributeDescription *desc,
	struct berval *val, int nmatch, regmatch_t *matches,
	slap_access_t *grant, slap_access_t *deny )
{
	ACL_INVALIDATE( *deny );
	if ( ils_owner_is( op, e ) )
		*grant = ACL_LVL_MANAGE;
	else
		ACL_INVALIDATE( *grant );
	return 0;
}

static slap_dynacl_t owner_dynacl = {		/* slapd keeps the pointer */
	"ils-owner", owner_parse, owner_unparse, owner_mask, NULL
};

int
ils_owner_init( void )
{
	if ( register_at( "( " ILS_OID_ROOT ".8.2 NAME 'ilsOwnerAddress' "
			"DESC 'back-ils: the address that registered the entry' "
			"EQUALITY caseIgnoreIA5Match SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 "
			"SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
			&ad_owner_addr, 0 ) ||
		register_at( "( " ILS_OID_ROOT ".8.3 NAME 'ilsOwnerDN' "
			"DESC 'back-ils: the DN that registered the entry' "
			"EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 "
			"SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
			&ad_owner_dn, 0 ) )
		return -1;
	return slap_dynacl_register( &owner_dynacl );
}
