/* addrpolicy.c - the address a registration advertises
 *
 * A client behind a home router registers the address of its own
 * interface, 192.168.x.y, which no one outside can call; the router's
 * address, which the server sees as the connection's peer, would reach
 * it (or its router).  ils-address-policy (slapd-ils(5)) says what to
 * store in sipaddress/ipAddress:
 *
 *	as-sent			the client's value;
 *	peer			the peer's address instead;
 *	peer-if-private		the peer's address instead of a value that is
 *				not public (private, CGNAT, loopback,
 *				link-local, 0/8, ...), when the peer is public.
 *
 * An IPv6 or ldapi:// peer has no ILS form, so the value stays as sent;
 * so does a value the rootdn or a replica writes (an administrator's
 * choice, the provider's decision).
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* the ILS value of the requester's IPv4 address; 0 when it has none */
static int
peer_value( Operation *op, uint32_t *v )
{
	char buf[ILSIP_PEER_MAX];
	struct berval peer;

	ils_owner_peer( op, buf, &peer );
	return peer.bv_len && ilsip_from_dotted( buf, v ) == 0;
}

/* the Modify names the IP attribute with values (ml NULL: an Add, all of
 * whose values are the client's) */
static int
sends_address( ils_info *ii, Modifications *ml )
{
	if ( !ml )
		return 1;
	for ( ; ml; ml = ml->sml_next )
		if ( ml->sml_desc == ii->ii_ad_ip && ml->sml_values &&
			ml->sml_op != LDAP_MOD_DELETE && ml->sml_op != SLAP_MOD_SOFTDEL )
			return 1;
	return 0;
}

/* e: a private copy, after the Add's or the Modify's (ml) changes and
 * before its checks; a value that is no ILS address is left for them */
void
ils_addr_policy( Operation *op, Modifications *ml, Entry *e )
{
	ils_info *ii = op->o_bd->be_private;
	char dec[ILSIP_DECIMAL_MAX + 1];
	struct berval *bv;
	Attribute *a;
	uint32_t sent, peer;

	if ( ii->ii_addr_policy == ILS_ADDR_AS_SENT || be_isroot( op ) ||
		be_shadow_update( op ) || !sends_address( ii, ml ) ||
		( a = attr_find( e->e_attrs, ii->ii_ad_ip ) ) == NULL ||
		a->a_numvals != 1 || !peer_value( op, &peer ) )
		return;
	bv = &a->a_vals[0];
	if ( ilsip_parse( bv->bv_val, bv->bv_len, &sent ) || sent == peer )
		return;
	if ( ii->ii_addr_policy == ILS_ADDR_PEER_IF_PRIVATE &&
		( ilsip_scope( sent ) == ILSIP_PUBLIC || ilsip_scope( peer ) != ILSIP_PUBLIC ) )
		return;
	ilsip_format( peer, dec );
	ber_bvreplace( bv, &(struct berval){ strlen( dec ), dec } );
	if ( a->a_nvals != a->a_vals )
		ber_bvreplace( &a->a_nvals[0], bv );
}
