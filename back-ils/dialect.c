/* dialect.c - one canonical request before every overlay
 *
 * NetMeeting names a registration "c=-,o=Microsoft, cn=<id>,
 * objectClass=rtPerson", PTLib and GnomeMeeting have spellings of their
 * own, LDAPv3 clients write cn=<id>,ou=Dynamic,o=Intranet (ilsdn.h).  The
 * overlays of an ils database (syncprov, accesslog, auditlog,
 * slapo-dynttl) must see every write under the one name it is stored
 * under, or a consumer, a log or the TTL index gets a name that does not
 * exist.  So the request's DN, and an Add's entry name and naming
 * attribute, become canonical (canon.c) before any overlay runs: the
 * route is client dialect -> canonical request -> overlays -> store ->
 * reply shaped for the client (search.c, reply.c).
 *
 * Where this runs: a database's overlays run in the reverse order of
 * their configuration, and cn=config puts an overlay added at run time
 * ahead of all the others (backover.c overlay_insert), so no overlay of
 * the ils database itself can promise to run first.  A global overlay
 * (on the frontend database) runs before slapd selects the database
 * (fe_op_add, fe_op_modify, fe_op_delete select it from the request DN),
 * so before every overlay of every database, whatever their order.
 * back-ils puts it on the frontend itself, once, when its first database
 * opens: it is no configuration (nothing to set), and cn=config never
 * lists it, so a slapd.d written from a slapd.conf does not carry it to
 * the next start, where the module installs it again.  It rewrites only
 * DNs that name a registration of an ils database whose canonical name
 * that same database holds; every other write passes as it came.
 * Containers, bad names and names with control characters pass too, and
 * back-ils answers them with today's precise result codes.
 *
 * The rewrite replaces the request's DNs in the operation's memory: the
 * frontend (do_add, do_modify, do_delete) frees whatever o_req_dn and
 * o_req_ndn hold when the operation ends, and an Add's entry is freed
 * with its name.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "slap-config.h"
#include "back-ils.h"

static slap_overinst dialect;

/* the ils database that holds ndn, or NULL */
static BackendDB *
ils_db_of( struct berval *ndn )
{
	BackendDB *be = select_backend( ndn, 1 );
	BackendInfo *bi;

	if ( !be )
		return NULL;
	bi = overlay_is_over( be ) ?
		( (slap_overinfo *)be->bd_info->bi_private )->oi_orig : be->bd_info;
	return bi->bi_op_add == ils_back_add ? be : NULL;
}

/* An Add's naming attribute holds exactly the naming value, as back-ils
 * stores it (ils_entry_identity), so the overlays log an entry whose RDN
 * is among its values (a back-mdb consumer requires it).  The entry's
 * attributes share their value arrays with the request's modlist
 * (slap_mods2entry), so they are changed in place. */
static void
dialect_naming( Entry *e, enum ilsdn_kind kind, struct berval *id )
{
	AttributeDescription *ad = ils_entry_naming_ad( kind );
	Attribute *a;
	struct berval nv;
	unsigned i;

	if ( !ad )
		return;
	if ( ( a = attr_find( e->e_attrs, ad ) ) == NULL ) {
		attr_merge_normalize_one( e, ad, id, NULL );
		return;
	}
	if ( a->a_numvals == 1 && a->a_vals[0].bv_len == id->bv_len &&
		!memcmp( a->a_vals[0].bv_val, id->bv_val, id->bv_len ) )
		return;
	if ( attr_normalize_one( ad, id, &nv, NULL ) != LDAP_SUCCESS )
		return;		/* back-ils refuses the value */
	for ( i = 1; i < a->a_numvals; i++ ) {
		if ( a->a_nvals != a->a_vals )
			ch_free( a->a_nvals[i].bv_val );
		ch_free( a->a_vals[i].bv_val );
	}
	ber_bvreplace( &a->a_vals[0], id );
	BER_BVZERO( &a->a_vals[1] );
	if ( a->a_nvals != a->a_vals ) {
		ch_free( a->a_nvals[0].bv_val );
		a->a_nvals[0] = nv;
		BER_BVZERO( &a->a_nvals[1] );
	} else {
		ch_free( nv.bv_val );
	}
	a->a_numvals = 1;
}

/* The naming value of the registration op's request names, as the
 * client wrote it (not lower-cased), in op's memory; 0 when the request
 * is none of an ils database's registrations and passes as it is. */
static int
dialect_target( Operation *op, ils_name *nm, struct berval *id )
{
	ils_name pretty;

	ils_parse_dn( &op->o_req_ndn, nm );
	if ( !ILSDN_IS_ENTRY( nm->in_dn.kind ) || !ilsdn_name_ok( &nm->in_dn.cn ) ||
		!ils_db_of( &op->o_req_ndn ) )
		return 0;
	ils_parse_dn( &op->o_req_dn, &pretty );
	ber_dupbv_x( id, pretty.in_dn.kind == nm->in_dn.kind ? &pretty.in_dn.cn :
		&nm->in_dn.cn, op->o_tmpmemctx );
	return 1;
}

/* The request's DNs become the canonical ones, when that database holds
 * them; also a canonical DN in another case ("ou=dynamic"), so that logs
 * show one spelling of each name. */
static void
dialect_rename( Operation *op, ils_name *nm, struct berval *id )
{
	struct berval dn, ndn;

	if ( ils_canon_dn( nm->in_dn.kind, id, &dn, &ndn, op->o_tmpmemctx ) != LDAP_SUCCESS )
		return;
	if ( ( bvmatch( &dn, &op->o_req_dn ) && bvmatch( &ndn, &op->o_req_ndn ) ) ||
		ils_db_of( &ndn ) != ils_db_of( &op->o_req_ndn ) )
	{
		/* canonical already, or the canonical name is another
		 * database's: leave it */
		op->o_tmpfree( dn.bv_val, op->o_tmpmemctx );
		op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
		return;
	}
	Debug( LDAP_DEBUG_TRACE, "%s ils-dialect: \"%s\" -> \"%s\"\n",
		op->o_log_prefix, op->o_req_dn.bv_val, dn.bv_val );
	op->o_tmpfree( op->o_req_dn.bv_val, op->o_tmpmemctx );
	op->o_tmpfree( op->o_req_ndn.bv_val, op->o_tmpmemctx );
	op->o_req_dn = dn;
	op->o_req_ndn = ndn;
	if ( op->o_tag == LDAP_REQ_ADD ) {
		ch_free( op->ora_e->e_name.bv_val );
		ch_free( op->ora_e->e_nname.bv_val );
		ber_dupbv( &op->ora_e->e_name, &dn );
		ber_dupbv( &op->ora_e->e_nname, &ndn );
	}
}

static int
dialect_rewrite( Operation *op, SlapReply *rs )
{
	struct berval id;
	ils_name nm;

	if ( !dialect_target( op, &nm, &id ) )
		return SLAP_CB_CONTINUE;
	dialect_rename( op, &nm, &id );
	if ( op->o_tag == LDAP_REQ_ADD )
		dialect_naming( op->ora_e, nm.in_dn.kind, &id );
	op->o_tmpfree( id.bv_val, op->o_tmpmemctx );
	return SLAP_CB_CONTINUE;
}

int
ils_dialect_init( void )
{
	dialect.on_bi.bi_type = "ils-dialect";
	dialect.on_bi.bi_flags = SLAPO_BFLAG_SINGLE | SLAPO_BFLAG_GLOBONLY;
	dialect.on_bi.bi_op_add = dialect_rewrite;
	dialect.on_bi.bi_op_modify = dialect_rewrite;
	dialect.on_bi.bi_op_delete = dialect_rewrite;
	return overlay_register( &dialect );
}

/* at the open of an ils database: the frontend rewrites (once) */
int
ils_dialect_open( void )
{
	ConfigReply cr = { 0 };

	if ( ils_canon_open() )
		return -1;
	if ( ( slapMode & SLAP_TOOL_MODE ) || overlay_is_inst( frontendDB, dialect.on_bi.bi_type ) )
		return 0;
	if ( overlay_config( frontendDB, dialect.on_bi.bi_type, -1, NULL, &cr ) ) {
		Debug( LDAP_DEBUG_ANY, "back-ils: cannot put the ils-dialect overlay on "
			"the frontend: %s\n", cr.msg );
		return -1;
	}
	return 0;
}
