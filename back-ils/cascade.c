/* cascade.c - the writes one registration's change makes to its sibling
 *
 * The Dialer's person and application user of one cn are one identity
 * (MS-TAIL 3.5.4): the application user's Add joins its application data
 * into the person, and the person's Delete removes the application user.
 * Both are operations of their own, issued once the client's write is
 * stored and before it is answered (the client sees the directory as its
 * write left it), through the database's whole overlay stack (bd_self),
 * so syncprov, accesslog, auditlog and slapo-dynttl see them as they see
 * a client's.  They run as the requester, with the requester's
 * connection: the ACLs (and ils-owner, owner.c) decide them as they would
 * the client's own write, so no one removes or changes through them a
 * registration they could not write themselves.  A cascade that fails
 * leaves the client's write as it is, and says so in the log.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* whether nm's sibling (canon.c) is stored: a cascade to nothing would
 * be a refused write in the logs and counters */
static int
sibling_stored( Operation *op, ils_name *nm )
{
	ils_info *ii = op->o_bd->be_private;
	char kbuf[ILS_KEYBUF];
	struct berval key;
	Entry *e;

	if ( !ils_sibling_key( nm, kbuf, &key ) ||
		ils_store_get( ii, NULL, &key, &e ) != LDAP_SUCCESS )
		return 0;
	ils_record_free( e );
	return 1;
}

/* op2: an internal write of op's requester on the canonical name of
 * kind named id (in op's memory), answered to nobody */
static int
cascade_op( Operation *op, Operation *op2, slap_callback *cb,
	enum ilsdn_kind kind, struct berval *id, ber_tag_t tag )
{
	*op2 = *op;
	if ( ils_canon_dn( kind, id, &op2->o_req_dn, &op2->o_req_ndn,
		op->o_tmpmemctx ) != LDAP_SUCCESS )
		return -1;
	memset( cb, 0, sizeof( *cb ) );
	cb->sc_response = slap_null_cb;
	op2->o_tag = tag;
	op2->o_callback = cb;
	op2->o_bd = op->o_bd->bd_self;	/* the top of the overlay stack */
	op2->o_assert = SLAP_CONTROL_NONE;	/* the client's was the person's */
	op2->o_ctrls = NULL;
	BER_BVZERO( &op2->o_csn );	/* each write its own CSN */
	return 0;
}

static void
cascade_done( Operation *op, Operation *op2, SlapReply *rs2, const char *what )
{
	if ( rs2->sr_err != LDAP_SUCCESS && rs2->sr_err != LDAP_NO_SUCH_OBJECT )
		Debug( LDAP_DEBUG_ANY, "%s back-ils: the %s of \"%s\" failed (%d)\n",
			op->o_log_prefix, what, op2->o_req_dn.bv_val, rs2->sr_err );
	op->o_tmpfree( op2->o_req_dn.bv_val, op->o_tmpmemctx );
	op->o_tmpfree( op2->o_req_ndn.bv_val, op->o_tmpmemctx );
}

/* after the person nm's Delete: the Dialer's application user of its
 * cn, if there is one */
void
ils_cascade_delete( Operation *op, ils_name *nm )
{
	SlapReply rs2 = { REP_RESULT };
	slap_callback cb;
	Operation op2;
	ils_name pretty;
	struct berval *id = &nm->in_dn.cn;

	if ( nm->in_dn.kind != ILSDN_PERSON || !sibling_stored( op, nm ) )
		return;
	ils_parse_dn( &op->o_req_dn, &pretty );
	if ( pretty.in_dn.kind == ILSDN_PERSON )
		id = &pretty.in_dn.cn;
	if ( cascade_op( op, &op2, &cb, ILSDN_APPUSER, id, LDAP_REQ_DELETE ) )
		return;
	op2.o_bd->be_delete( &op2, &rs2 );
	cascade_done( op, &op2, &rs2, "cascaded delete" );
}

/* the application attributes of app as soft adds (values the person has
 * already are no error), pointing at app's values; NULL when it has none */
static Modifications *
join_mods( Entry *app, Modifications *ml, int max )
{
	AttributeDescription *ad;
	Modifications *head = NULL;
	const char *const *names = ils_entry_app_attrs();
	const char *text;
	Attribute *a;
	int i, n = 0;

	for ( i = 0; names[i] && n < max; i++ ) {
		ad = NULL;
		if ( slap_str2ad( names[i], &ad, &text ) ||
			( a = attr_find( app->e_attrs, ad ) ) == NULL )
			continue;
		ml[n].sml_op = SLAP_MOD_SOFTADD;
		ml[n].sml_flags = SLAP_MOD_INTERNAL;
		ml[n].sml_desc = ad;
		ml[n].sml_type = ad->ad_cname;
		ml[n].sml_values = a->a_vals;
		ml[n].sml_nvalues = a->a_nvals != a->a_vals ? a->a_nvals : NULL;
		ml[n].sml_numvals = a->a_numvals;
		ml[n].sml_next = head;
		head = &ml[n++];
	}
	return head;
}

/* after the application user app's Add: a Modify of its person, if there
 * is one, that adds the application data (ils_app_join) */
void
ils_cascade_join( Operation *op, ils_name *nm, Entry *app )
{
	Modifications ml[ILS_APP_ATTRS];
	SlapReply rs2 = { REP_RESULT };
	slap_callback cb;
	Operation op2;
	Attribute *a;
	struct berval *id = &nm->in_dn.cn;

	if ( nm->in_dn.kind != ILSDN_APPUSER || !sibling_stored( op, nm ) )
		return;
	/* the cn as the client wrote it (ils_entry_identity put it there) */
	if ( ( a = attr_find( app->e_attrs, slap_schema.si_ad_cn ) ) && a->a_numvals )
		id = &a->a_vals[0];
	if ( cascade_op( op, &op2, &cb, ILSDN_PERSON, id, LDAP_REQ_MODIFY ) )
		return;
	memset( ml, 0, sizeof( ml ) );
	op2.orm_modlist = join_mods( app, ml, sizeof( ml ) / sizeof( ml[0] ) );
	op2.orm_no_opattrs = 0;
	op2.orm_increment = 0;
	if ( op2.orm_modlist )
		op2.o_bd->be_modify( &op2, &rs2 );
	cascade_done( op, &op2, &rs2, "application join" );
}
