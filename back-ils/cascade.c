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

/* nm's sibling (canon.c) as stored, or NULL: a cascade to nothing
 * would be a refused write in the logs and counters */
static Entry *
sibling_stored( Operation *op, ils_name *nm )
{
	ils_info *ii = op->o_bd->be_private;
	char kbuf[ILS_KEYBUF];
	struct berval key;
	Entry *e;

	if ( !ils_sibling_key( nm, kbuf, &key ) ||
		ils_store_get( ii, NULL, &key, &e ) != LDAP_SUCCESS )
		return NULL;
	return e;
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

	Entry *app;

	if ( nm->in_dn.kind != ILSDN_PERSON || ( app = sibling_stored( op, nm ) ) == NULL )
		return;
	ils_record_free( app );
	ils_parse_dn( &op->o_req_dn, &pretty );
	if ( pretty.in_dn.kind == ILSDN_PERSON )
		id = &pretty.in_dn.cn;
	if ( cascade_op( op, &op2, &cb, ILSDN_APPUSER, id, LDAP_REQ_DELETE ) )
		return;
	op2.o_bd->be_delete( &op2, &rs2 );
	cascade_done( op, &op2, &rs2, "cascaded delete" );
}

/* the values of a that person lacks, as an add pointing at a's values
 * (in op's memory); 0 when it has them all.  Adds of values that are
 * there already would fail where a consumer replays the change. */
static int
join_mod( Operation *op, Entry *person, Attribute *a, Modifications *ml )
{
	Attribute *pa = attr_find( person->e_attrs, a->a_desc );
	unsigned i, n = 0, slot;

	ml->sml_values = op->o_tmpcalloc( a->a_numvals + 1, sizeof( struct berval ),
		op->o_tmpmemctx );
	ml->sml_nvalues = a->a_nvals == a->a_vals ? NULL :
		op->o_tmpcalloc( a->a_numvals + 1, sizeof( struct berval ), op->o_tmpmemctx );
	for ( i = 0; i < a->a_numvals; i++ ) {
		if ( pa && attr_valfind( pa, SLAP_MR_EQUALITY | SLAP_MR_VALUE_OF_ASSERTION_SYNTAX |
			SLAP_MR_ASSERTED_VALUE_NORMALIZED_MATCH, &a->a_nvals[i], &slot, NULL ) == 0 )
			continue;
		ml->sml_values[n] = a->a_vals[i];
		if ( ml->sml_nvalues )
			ml->sml_nvalues[n] = a->a_nvals[i];
		n++;
	}
	ml->sml_numvals = n;
	ml->sml_op = LDAP_MOD_ADD;
	ml->sml_flags = SLAP_MOD_INTERNAL;
	ml->sml_desc = a->a_desc;
	ml->sml_type = a->a_desc->ad_cname;
	return n > 0;
}

static void
join_free( Operation *op, Modifications *ml, int n )
{
	int i;

	for ( i = 0; i < n; i++ ) {
		op->o_tmpfree( ml[i].sml_values, op->o_tmpmemctx );
		if ( ml[i].sml_nvalues )
			op->o_tmpfree( ml[i].sml_nvalues, op->o_tmpmemctx );
	}
}

/* the application attributes of app that person lacks, as adds in ml
 * (room for max); the number of them */
static int
join_mods( Operation *op, Entry *app, Entry *person, Modifications *ml, int max )
{
	const char *const *names = ils_entry_app_attrs();
	AttributeDescription *ad;
	const char *text;
	Attribute *a;
	int i, n = 0;

	for ( i = 0; names[i] && n < max; i++ ) {
		ad = NULL;
		if ( slap_str2ad( names[i], &ad, &text ) ||
			( a = attr_find( app->e_attrs, ad ) ) == NULL )
			continue;
		if ( join_mod( op, person, a, &ml[n] ) ) {
			ml[n].sml_next = n ? &ml[n - 1] : NULL;
			n++;
		} else {
			join_free( op, &ml[n], 1 );
		}
	}
	return n;
}

/* after the application user app's Add: a Modify of its person, if there
 * is one and it lacks some of app's application data (ils_app_join) */
void
ils_cascade_join( Operation *op, ils_name *nm, Entry *app )
{
	Modifications ml[ILS_APP_ATTRS];
	SlapReply rs2 = { REP_RESULT };
	slap_callback cb;
	Operation op2;
	Attribute *a;
	Entry *person;
	struct berval *id = &nm->in_dn.cn;
	int n;

	if ( nm->in_dn.kind != ILSDN_APPUSER || ( person = sibling_stored( op, nm ) ) == NULL )
		return;
	memset( ml, 0, sizeof( ml ) );
	n = join_mods( op, app, person, ml, ILS_APP_ATTRS );
	ils_record_free( person );
	/* the cn as the client wrote it (ils_entry_identity put it there) */
	if ( ( a = attr_find( app->e_attrs, slap_schema.si_ad_cn ) ) && a->a_numvals )
		id = &a->a_vals[0];
	if ( n && cascade_op( op, &op2, &cb, ILSDN_PERSON, id, LDAP_REQ_MODIFY ) == 0 ) {
		op2.orm_modlist = &ml[n - 1];
		op2.orm_no_opattrs = 0;
		op2.orm_increment = 0;
		op2.o_bd->be_modify( &op2, &rs2 );
		/* what the database appended (slap_mods_opattrs) is its own */
		if ( ml[0].sml_next ) {
			slap_mods_free( ml[0].sml_next, 1 );
			ml[0].sml_next = NULL;
		}
		cascade_done( op, &op2, &rs2, "application join" );
	}
	join_free( op, ml, n );
}
