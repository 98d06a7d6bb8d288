/* ttlwrite.c - the overlay's own operations on its database
 *
 * Writes of a TTL through the whole stack (replicas and logs see the
 * refresh), and searches of the database under the overlay, for the
 * expiry index (ttlqueue.c) and the operations (ttlops.c) alike.
 * Calls nothing above ttltime.c.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "dynttl.h"

static int
swallow_cb( Operation *op, SlapReply *rs )
{
	/* an entry deleted before its refresh was written needs none */
	if ( rs->sr_type == REP_RESULT && rs->sr_err != LDAP_SUCCESS &&
		rs->sr_err != LDAP_NO_SUCH_OBJECT )
		Debug( LDAP_DEBUG_ANY, "dynttl: cannot record TTL of \"%s\": %d\n",
			op->o_req_ndn.bv_val, rs->sr_err );
	return 0;
}

/* write ttl and expire into the entry ndn with an internal Modify as the
 * rootdn, through the whole stack (replicas see the refresh); the
 * database gives it a CSN of its own, with modifiersName and
 * modifyTimestamp */
int
dynttl_persist( Operation *op, ttl_info *ti, struct berval *ndn,
	long ttl, int64_t expire )
{
	Operation op2 = *op;
	SlapReply rs2 = { REP_RESULT };
	slap_callback cb = { NULL, swallow_cb, NULL, NULL };
	Modifications *ml = dynttl_ttl_mods( ttl, expire, NULL );

	op2.o_tag = LDAP_REQ_MODIFY;
	op2.o_bd = ti->ti_be;
	op2.o_callback = &cb;
	op2.o_req_dn = *ndn;
	op2.o_req_ndn = *ndn;
	op2.o_dn = ti->ti_be->be_rootdn;
	op2.o_ndn = ti->ti_be->be_rootndn;
	op2.orm_modlist = ml;
	/* a new entryCSN: syncprov sends the write with it, and a consumer
	 * ignores a change whose entryCSN it has seen already */
	op2.orm_no_opattrs = 0;
	BER_BVZERO( &op2.o_csn );	/* not the CSN of the op that refreshed */
	op2.orm_increment = 0;
	op2.o_dont_replicate = 0;
	op2.o_managedsait = SLAP_CONTROL_CRITICAL;
	ti->ti_be->be_modify( &op2, &rs2 );
	if ( rs2.sr_err == LDAP_SUCCESS )
		DYNTTL_COUNT( ti, DYNTTL_MON_WRITES );
	if ( op2.o_csn.bv_val )
		op->o_tmpfree( op2.o_csn.bv_val, op->o_tmpmemctx );
	slap_mods_free( ml, 1 );
	return rs2.sr_err;
}

/* A search as the rootdn of the database be below this overlay (no
 * hiding of lapsed entries, no keep-alives), on a copy of op and of the
 * database so that neither the caller's operation nor the shared
 * BackendDB changes.  fn sees every entry whole. */
int
dynttl_orig_search( ttl_info *ti, Operation *op, BackendDB *be, struct berval *base,
	int scope, const char *filter, slap_response *fn, void *priv )
{
	BackendDB db = *be;
	Operation op2 = *op;
	slap_callback cb = { NULL, fn, NULL, priv };
	SlapReply rs = { REP_RESULT };

	db.bd_info = (BackendInfo *)ti->ti_on->on_info->oi_orig;
	op2.o_bd = &db;
	op2.o_tag = LDAP_REQ_SEARCH;
	memset( &op2.oq_search, 0, sizeof( op2.oq_search ) );
	op2.o_req_dn = *base;
	op2.o_req_ndn = *base;
	op2.o_dn = be->be_rootdn;
	op2.o_ndn = be->be_rootndn;
	op2.o_managedsait = SLAP_CONTROL_CRITICAL;
	/* the client's controls are the client's operation's */
	op2.o_assert = SLAP_CONTROL_NONE;
	op2.o_assertion = NULL;
	op2.o_pagedresults = SLAP_CONTROL_NONE;
	op2.o_sync = SLAP_CONTROL_NONE;
	op2.o_callback = &cb;
	op2.ors_scope = scope;
	op2.ors_deref = LDAP_DEREF_NEVER;
	op2.ors_tlimit = SLAP_NO_LIMIT;
	op2.ors_slimit = SLAP_NO_LIMIT;
	op2.ors_attrs = slap_anlist_no_attrs;
	ber_str2bv( filter, 0, 0, &op2.ors_filterstr );
	if ( ( op2.ors_filter = str2filter_x( &op2, filter ) ) == NULL )
		return LDAP_OTHER;
	db.bd_info->bi_op_search( &op2, &rs );
	filter_free_x( &op2, op2.ors_filter, 1 );
	return rs.sr_err;
}
