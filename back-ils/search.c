/* search.c - searches in every ILS dialect
 *
 * NetMeeting lists everyone with base "objectClass=rtPerson" and scope
 * base (MS-TAIL <28>); the Dialer uses one-level searches below
 * ou=Dynamic,o=Intranet; PTLib and Ekiga use subtree.  All of them see
 * the same registrations.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

typedef struct ils_search {
	Filter		*is_filter;	/* the ILS dialect rewritten */
	ils_reply	is_reply;
} ils_search;

static int
limits_hit( Operation *op, SlapReply *rs )
{
	if ( op->o_abandon )
		return SLAPD_ABANDON;
	if ( op->ors_slimit != SLAP_NO_LIMIT && rs->sr_nentries >= op->ors_slimit )
		return LDAP_SIZELIMIT_EXCEEDED;
	if ( op->ors_tlimit != SLAP_NO_LIMIT && slap_get_time() > op->o_time + op->ors_tlimit )
		return LDAP_TIMELIMIT_EXCEEDED;
	return LDAP_SUCCESS;
}

/* test one stored entry and send it when it matches; takes e */
static int
send_one( Operation *op, SlapReply *rs, ils_search *is, Entry *e )
{
	Entry *r;
	int rc;

	if ( test_filter( op, e, is->is_filter ) != LDAP_COMPARE_TRUE ) {
		entry_free( e );
		return LDAP_SUCCESS;
	}
	if ( ( rc = limits_hit( op, rs ) ) != LDAP_SUCCESS ) {
		entry_free( e );
		return rc;
	}
	r = ils_reply_entry( op, &is->is_reply, e );
	entry_free( e );
	rs->sr_entry = r;
	rs->sr_attrs = op->ors_attrs;
	rs->sr_operational_attrs = NULL;
	rs->sr_flags = REP_ENTRY_MODIFIABLE | REP_ENTRY_MUSTBEFREED;
	rc = send_search_entry( op, rs );
	rs_flush_entry( op, rs, NULL );
	rs->sr_entry = NULL;
	return rc;
}

/* every registration, in batches so no read transaction outlives a send */
static int
send_all( Operation *op, SlapReply *rs, ils_search *is )
{
	ils_info *ii = op->o_bd->be_private;
	Entry *batch[ILS_SCAN_BATCH];
	struct berval from = BER_BVNULL, last;
	int n, i, rc = LDAP_SUCCESS;

	do {
		rc = ils_store_scan( ii, &from, !BER_BVISNULL( &from ), batch,
			ILS_SCAN_BATCH, &n, &last );
		ch_free( from.bv_val );
		from = last;
		for ( i = 0; i < n; i++ ) {
			if ( rc == LDAP_SUCCESS )
				rc = send_one( op, rs, is, batch[i] );
			else
				entry_free( batch[i] );
		}
	} while ( rc == LDAP_SUCCESS && n == ILS_SCAN_BATCH );
	ch_free( from.bv_val );
	return rc;
}

static int
send_person( Operation *op, SlapReply *rs, ils_search *is, ils_name *nm )
{
	ils_info *ii = op->o_bd->be_private;
	Entry *e;
	int rc = ils_store_get( ii, &nm->in_key, &e );

	if ( rc != LDAP_SUCCESS )
		return rc;
	return send_one( op, rs, is, e );
}

static int
person_exists( Operation *op, ils_name *nm )
{
	Entry *e;
	int rc = ils_store_get( op->o_bd->be_private, &nm->in_key, &e );

	if ( e )
		entry_free( e );
	return rc;
}

static int
send_container( Operation *op, SlapReply *rs, ils_search *is, enum ilsdn_kind kind )
{
	Entry *e = ils_entry_container( kind );

	return e ? send_one( op, rs, is, e ) : LDAP_OTHER;
}

/* what the base and scope select */
static int
search_scope( Operation *op, SlapReply *rs, ils_search *is, ils_name *nm )
{
	int scope = op->ors_scope;
	int rc = LDAP_SUCCESS;

	switch ( nm->in_dn.kind ) {
	case ILSDN_PSEUDO:
		/* "objectClass=rtPerson" names everybody, whatever the scope */
		return send_all( op, rs, is );
	case ILSDN_PERSON:
		if ( scope == LDAP_SCOPE_ONELEVEL || scope == LDAP_SCOPE_CHILDREN )
			return person_exists( op, nm );	/* a leaf: no children */
		return send_person( op, rs, is, nm );
	case ILSDN_ROOT:
		if ( scope == LDAP_SCOPE_BASE || scope == LDAP_SCOPE_SUBTREE )
			rc = send_container( op, rs, is, ILSDN_ROOT );
		if ( rc == LDAP_SUCCESS && scope != LDAP_SCOPE_BASE )
			rc = send_container( op, rs, is, ILSDN_DYNAMIC );
		if ( rc == LDAP_SUCCESS && scope != LDAP_SCOPE_BASE )
			rc = send_container( op, rs, is, ILSDN_APPS );
		if ( rc == LDAP_SUCCESS && ( scope == LDAP_SCOPE_SUBTREE ||
			scope == LDAP_SCOPE_CHILDREN ) )
			rc = send_all( op, rs, is );
		return rc;
	case ILSDN_DYNAMIC:
		if ( scope == LDAP_SCOPE_BASE || scope == LDAP_SCOPE_SUBTREE )
			rc = send_container( op, rs, is, ILSDN_DYNAMIC );
		if ( rc == LDAP_SUCCESS && scope != LDAP_SCOPE_BASE )
			rc = send_all( op, rs, is );
		return rc;
	case ILSDN_APPS:
		if ( scope == LDAP_SCOPE_BASE || scope == LDAP_SCOPE_SUBTREE )
			rc = send_container( op, rs, is, ILSDN_APPS );
		return rc;
	default:
		return LDAP_NO_SUCH_OBJECT;
	}
}

int
ils_back_search( Operation *op, SlapReply *rs )
{
	ils_name nm;
	ils_search is;
	const char *text = NULL;
	int rc;

	ils_parse_dn( &op->o_req_ndn, &nm );
	if ( nm.in_dn.kind == ILSDN_BAD && nm.in_dn.cn.bv_len == 0 &&
		!strcmp( nm.in_dn.err, "ILS DN has no cn" ) )
		nm.in_dn.kind = ILSDN_PSEUDO;	/* "c=-,o=x,objectClass=rtPerson" */
	if ( nm.in_dn.kind == ILSDN_BAD )
		return ils_send_error( op, rs, LDAP_NO_SUCH_OBJECT, nm.in_dn.err );
	if ( ( rc = ils_reply_init( op, &is.is_reply, &text ) ) != LDAP_SUCCESS )
		return ils_send_error( op, rs, rc, text );
	is.is_filter = ils_filter_rewrite( op, op->ors_filter );
	rs->sr_nentries = 0;

	rc = search_scope( op, rs, &is, &nm );

	ils_filter_free( op, is.is_filter );
	ils_reply_destroy( op, &is.is_reply );
	switch ( rc ) {
	case SLAPD_ABANDON:
	case LDAP_UNAVAILABLE:		/* the client is gone */
		return rc;
	case LDAP_NO_SUCH_OBJECT:
		rs->sr_matched = op->o_bd->be_suffix[0].bv_val;
		ils_send_error( op, rs, rc, NULL );
		rs->sr_matched = NULL;
		return rc;
	}
	return ils_send_error( op, rs, rc, NULL );
}
