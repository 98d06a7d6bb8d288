/* txn.c - LDAP transactions (RFC 5805) are closed to anonymous clients
 *
 * slapd 2.5's Start Transaction handler marks the connection as holding a
 * transaction.  When the client closes its connection while that request
 * is still running, the mark can be set after the connection's cleanup
 * cleared it, and connection_destroy() then fails its assertion
 * "c->c_txn == CONN_TXN_INACTIVE": slapd aborts.  A stock server refuses
 * anonymous Start Transaction before the mark (backend_check_restrictions()
 * treats it as an update), but an ILS server must "allow update_anon",
 * which opens the race to any anonymous client.
 *
 * back-ils cannot take part in a transaction anyway (it has no bi_op_txn),
 * so while it is loaded an anonymous Start Transaction gets what a stock
 * server answers it: strongerAuthRequired (8).  When no database of the
 * server can take part in one (an ILS alone), no one can start one:
 * unwillingToPerform (53), and the race is closed for authenticated
 * identities too.  Otherwise they reach slapd's own handler, as on a
 * server without back-ils.  The handler is swapped in slapd's extended
 * operation table, the one place every request passes whether it is
 * meant for back-ils or for a database beside it.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

static const struct berval txn_start_oid = BER_BVC( LDAP_EXOP_TXN_START );

/* a database of this server that takes part in transactions (back-mdb) */
static int
some_database_has_txn( void )
{
	BackendDB *be;
	BackendInfo *bi;

	LDAP_STAILQ_FOREACH( be, &backendDB, be_next ) {
		bi = overlay_is_over( be ) ?
			( (slap_overinfo *)be->bd_info->bi_private )->oi_orig : be->bd_info;
		if ( bi->bi_op_txn )
			return 1;
	}
	return 0;
}

static int
ils_txn_start( Operation *op, SlapReply *rs )
{
	if ( !some_database_has_txn() ) {
		Debug( LDAP_DEBUG_STATS, "%s TXN START refused: no database takes "
			"part in transactions\n", op->o_log_prefix );
		rs->sr_text = "no database of this server supports transactions";
		return LDAP_UNWILLING_TO_PERFORM;
	}
	if ( BER_BVISEMPTY( &op->o_ndn ) ) {
		Debug( LDAP_DEBUG_STATS, "%s TXN START refused: anonymous "
			"(back-ils is loaded) peer=%s\n", op->o_log_prefix,
			op->o_conn->c_peer_name.bv_val ?
				op->o_conn->c_peer_name.bv_val : "" );
		rs->sr_text = "transactions require authentication";
		return LDAP_STRONG_AUTH_REQUIRED;
	}
	return txn_start_extop( op, rs );
}

/* flags 1: replace the handler slapd registered for the OID at start-up */
int
ils_txn_guard( void )
{
	return load_extop2( &txn_start_oid, 0, ils_txn_start, 1 );
}
