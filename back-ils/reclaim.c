/* reclaim.c - a NetMeeting that changes address reclaims its own name
 *
 * A registration belongs to the address that made it (owner.c), but a
 * NetMeeting whose address changes (a DHCP renewal, a laptop on another
 * network, a router reconnecting) registers again at once from the new
 * one while its old registration lives on for up to its TTL.  MS-TAIL
 * (<22>, securityToken) says what NetMeeting sends for exactly this: a
 * decimal DWORD from a clock tick, the same for one running NetMeeting,
 * used to recognise the user when it must reconnect.  So an Add of a live
 * name from another address is the owner's when it carries the stored
 * registration's token, and the registration then belongs to the new
 * address.
 *
 * Some tokens prove nothing: PTLib sends 0, the TAPI Dialer the constant
 * 1508109, and a value that another live registration also carries is
 * no one's secret.  The token is readable only by its owner
 * (securityToken's ACL in the default configuration), and every Add of a
 * name held by another owner costs the requester's address a name of its
 * ils-max-per-minute rate (limits.c), so guessing is as slow as
 * registering names.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* tokens that many clients send alike */
static const struct berval weak[] = {
	BER_BVC( "0" ),			/* PTLib */
	BER_BVC( "1508109" ),		/* the TAPI 3 Dialer, MS-TAIL <22> */
	BER_BVNULL
};

/* e's token, normalised; NULL when it has none or one of the weak ones */
static struct berval *
token_of( ils_info *ii, Entry *e )
{
	Attribute *a = ii->ii_ad_token ? attr_find( e->e_attrs, ii->ii_ad_token ) : NULL;
	int i;

	if ( !a || !a->a_numvals || BER_BVISEMPTY( &a->a_nvals[0] ) )
		return NULL;
	for ( i = 0; !BER_BVISNULL( &weak[i] ); i++ )
		if ( bvmatch( &a->a_nvals[0], &weak[i] ) )
			return NULL;
	return &a->a_nvals[0];
}

/* e, a new registration of old's name, carries old's token, and that
 * token is one that can prove something */
int
ils_reclaim_token_matches( Operation *op, Entry *old, Entry *e )
{
	ils_info *ii = op->o_bd->be_private;
	struct berval *was = token_of( ii, old ), *now = token_of( ii, e );

	return was && now && bvmatch( was, now );
}

/* No other registration carries e's token.  One read of every person,
 * outside any write transaction; it runs only for an Add whose token has
 * matched (an owner's reclaim, or a token that leaked), which the rate
 * charge of limits.c bounds. */
int
ils_reclaim_token_unique( Operation *op, Entry *e )
{
	ils_info *ii = op->o_bd->be_private;
	Entry *batch[ILS_SCAN_BATCH];
	struct berval from = BER_BVNULL, last, *tok = token_of( ii, e ), *other;
	int n, i, holders = 0, rc;

	if ( !tok )
		return 0;
	do {
		rc = ils_store_scan( ii, ILS_KEY_PERSON, &from, batch, ILS_SCAN_BATCH,
			&n, &last );
		ch_free( from.bv_val );
		from = last;
		for ( i = 0; i < n; i++ ) {
			other = token_of( ii, batch[i] );
			if ( other && bvmatch( other, tok ) )
				holders++;
			ils_record_free( batch[i] );
		}
	} while ( rc == LDAP_SUCCESS && n == ILS_SCAN_BATCH && holders < 2 );
	ch_free( from.bv_val );
	/* the registration being reclaimed is one holder */
	return rc == LDAP_SUCCESS && holders == 1;
}
