/* update.c - the driver of a Modify or Delete, and how writes end
 *
 * ils_update() finds the entry a Modify or Delete names, runs the
 * operation's change in one LMDB write transaction and answers.  Writes
 * that change a second registration (the Dialer's application user and
 * its person) do it as operations of their own, through the database's
 * whole overlay stack (cascade.c), after the change is stored and before
 * the client is answered (ils_update_then).
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* The entry a Modify or Delete names; anything else is answered here
 * (and 0 returned): a name that cannot exist is noSuchObject, a container
 * unwillingToPerform. */
int
ils_update_target( Operation *op, SlapReply *rs, ils_name *nm )
{
	ils_parse_dn( &op->o_req_ndn, nm );
	if ( ILSDN_IS_ENTRY( nm->in_dn.kind ) )
		return 1;
	if ( nm->in_dn.kind == ILSDN_BAD || nm->in_dn.kind == ILSDN_OTHER )
		ils_send_error( op, rs, LDAP_NO_SUCH_OBJECT, nm->in_dn.err );
	else
		ils_send_error( op, rs, LDAP_UNWILLING_TO_PERFORM,
			"ILS containers are built in and cannot be changed" );
	return 0;
}

/* a Modify or Delete: the target, then fn in one write transaction,
 * then (when it is stored) the cascade then, and the answer */
int
ils_update_then( Operation *op, SlapReply *rs, const char *what, ils_update_fn *fn,
	ils_cascade_fn *then )
{
	ils_info *ii = op->o_bd->be_private;
	char textbuf[SLAP_TEXT_BUFLEN];
	const char *text = NULL;
	ils_tally t = { 0 };
	MDB_txn *txn;
	ils_name nm;
	int rc;

	if ( !ils_update_target( op, rs, &nm ) )
		return rs->sr_err;
	ils_csn_take( op );
	if ( ( rc = ils_store_begin( ii, &txn ) ) == LDAP_SUCCESS )
		rc = ils_store_end( txn, fn( op, txn, &nm, &t, &text, textbuf,
			sizeof( textbuf ) ) );
	ils_limits_settle( ii, &t, rc );
	Debug( LDAP_DEBUG_TRACE, "back-ils: %s \"%s\": %d\n", what, op->o_req_dn.bv_val, rc );
	if ( rc == LDAP_SUCCESS && then )
		then( op, &nm );
	rc = ils_send_error( op, rs, rc, text );
	ils_csn_end( op );
	return rc;
}

int
ils_update( Operation *op, SlapReply *rs, const char *what, ils_update_fn *fn )
{
	return ils_update_then( op, rs, what, fn, NULL );
}

int
ils_send_error( Operation *op, SlapReply *rs, int err, const char *text )
{
	if ( op->o_tag != LDAP_REQ_SEARCH )
		ils_monitor_result( op, err );
	rs->sr_err = err;
	rs->sr_text = text;
	send_ldap_result( op, rs );
	rs->sr_text = NULL;
	return err;
}

/* The Dialer stores its application data in a separate rtApplicationUser
 * that NetMeeting's browse never reads; MS-TAIL's server evidently joined
 * them.  Here a person carries the union of its own and its application
 * user's application attributes: e is the person being stored (a
 * private copy) in the write transaction txn, and takes its application
 * user's.  Refreshing the person thus keeps the application data it
 * shows alive.  The application user's own Add joins its data into the
 * person by a Modify of its own (cascade.c). */
int
ils_app_join( Operation *op, MDB_txn *txn, ils_name *nm, Entry *e )
{
	ils_info *ii = op->o_bd->be_private;
	struct berval key;
	char kbuf[ILS_KEYBUF];
	Entry *app = NULL;

	if ( nm->in_dn.kind != ILSDN_PERSON || !ils_sibling_key( nm, kbuf, &key ) ||
		ils_store_get( ii, txn, &key, &app ) != LDAP_SUCCESS )
		return LDAP_SUCCESS;
	ils_entry_merge_app( e, app );
	ils_record_free( app );
	return LDAP_SUCCESS;
}

/* RFC 4528 assertion control: the entry must match the assertion (the
 * TTL overlay deletes "only if still expired" this way) */
int
ils_assert_ok( Operation *op, Entry *e )
{
	return !get_assert( op ) ||
		test_filter( op, e, get_assertion( op ) ) == LDAP_COMPARE_TRUE;
}
