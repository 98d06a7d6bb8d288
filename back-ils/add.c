/* add.c - registering
 *
 * An Add names a registration in any DN dialect; it is stored under its
 * canonical name (cn=<cn>,ou=Dynamic,o=Intranet for a person; the Dialer's
 * application users and conferences have their own).  An Add of an entry
 * that exists replaces it: GnomeMeeting re-Adds every 20 minutes without
 * looking at the result, and NetMeeting re-registers after a failed
 * keep-alive, so entryAlreadyExists would only make users vanish.
 * A replica's Add (syncrepl) does not replace: see claim().
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* the entry to store: the client's attributes under the canonical name
 * the request carries (dialect.c), the identity (cn, rtPerson); sModOp
 * is an operation code, not data */
static int
build_entry( Operation *op, ils_name *nm, Entry **ep, const char **text,
	char *buf, size_t len )
{
	ils_info *ii = op->o_bd->be_private;
	struct berval cn;
	ils_name pretty;
	Entry *e = entry_dup( op->ora_e );
	Modifications *ml;
	int rc;

	/* the naming value as the client wrote it, not lower-cased */
	ils_parse_dn( &op->o_req_dn, &pretty );
	cn = pretty.in_dn.kind == nm->in_dn.kind ? pretty.in_dn.cn : nm->in_dn.cn;

	attr_delete( &e->e_attrs, ii->ii_ad_modop );
	/* a replica's write (syncrepl) stores the names its provider
	 * stored; its Add carries no ora_modlist (the field is left over
	 * from syncrepl's last search) */
	if ( !be_shadow_update( op ) ) {
		for ( ml = op->ora_modlist; ml; ml = ml->sml_next ) {
			if ( ml->sml_desc == ii->ii_ad_sttl )
				ils_names_keep( e, ml->sml_desc, &ml->sml_type );
			else
				ils_names_note( e, ml->sml_desc, &ml->sml_type );
		}
	}
	ils_addr_policy( op, NULL, e );
	if ( ( rc = ils_entry_identity( op, nm->in_dn.kind, e, &cn ) ) != LDAP_SUCCESS )
	{
		*text = "cannot build the registration's name";
	} else {
		rc = ils_entry_check( op, e, text, buf, len );
	}
	/* once, before the claim, which a reclaim tries twice: each call
	 * queues a CSN for the operation */
	if ( rc == LDAP_SUCCESS )
		rc = ils_opattrs_add( op, e, text, buf, len );
	if ( rc != LDAP_SUCCESS ) {
		entry_free( e );
		return rc;
	}
	*ep = e;
	return LDAP_SUCCESS;
}

/* the stored entry under key, or NULL; 0 or an LDAP error */
static int
stored( ils_info *ii, MDB_txn *txn, struct berval *key, Entry **ep )
{
	int rc = ils_store_get( ii, txn, key, ep );

	if ( rc == LDAP_NO_SUCH_OBJECT ) {
		*ep = NULL;
		rc = LDAP_SUCCESS;
	}
	return rc;
}

/* The Dialer's person and application user of one cn are one identity:
 * the application user's data is joined into the person (ils_app_join)
 * and goes with the person's Delete.  Whoever adds one of them must be
 * able to write the other, if it exists, or could change or remove a
 * registration that is not theirs. */
static int
sibling_taken( Operation *op, MDB_txn *txn, ils_name *nm )
{
	ils_info *ii = op->o_bd->be_private;
	char kbuf[ILS_KEYBUF];
	struct berval key;
	Entry *sib;
	int taken;

	if ( !ils_sibling_key( nm, kbuf, &key ) ||
		stored( ii, txn, &key, &sib ) != LDAP_SUCCESS || !sib )
		return 0;
	taken = !access_allowed( op, sib, slap_schema.si_ad_entry, NULL, ACL_WADD, NULL );
	ils_record_free( sib );
	return taken;
}

/* an Add of a name whose live registration belongs to someone else */
typedef struct ils_claim {
	int	cl_charged;	/* the attempt cost the requester's rate */
	int	cl_matched;	/* it carries the registration's token */
	int	cl_reclaim;	/* ... which no one else has: it takes the name */
} ils_claim;

/* An Add of a name another owner holds: it costs the requester's rate
 * once (limits.c), and takes the name only as a reclaim (reclaim.c) */
static int
foreign_name( Operation *op, Entry *old, Entry *e, ils_claim *cl,
	const char **text )
{
	int rc;

	if ( !cl->cl_charged ) {
		cl->cl_charged = 1;
		if ( ( rc = ils_limits_attempt( op, text ) ) != LDAP_SUCCESS )
			return rc;
	}
	cl->cl_matched = ils_reclaim_token_matches( op, old, e );
	if ( cl->cl_matched && cl->cl_reclaim )
		return LDAP_SUCCESS;
	*text = "the name is registered by another address";
	return LDAP_ALREADY_EXISTS;
}

/* The name for e, inside the Add's write transaction: a live
 * registration of it may be replaced only by whom the ACLs let write it
 * (its owner, owner.c), and keeps its owner, unless a NetMeeting that
 * changed address reclaims it with its token; then the requester needs
 * write access to the new entry, and a new name must fit its address's
 * limits (limits.c). */
static int
claim( Operation *op, MDB_txn *txn, ils_name *nm, Entry *e, ils_tally *t,
	ils_claim *cl, const char **text )
{
	ils_info *ii = op->o_bd->be_private;
	Entry *old;
	int rc = stored( ii, txn, &nm->in_key, &old ), foreign;

	if ( rc != LDAP_SUCCESS )
		return rc;
	/* A replica's Add (syncrepl) of a name stored here already is a
	 * conflict of two servers' writes, which syncrepl resolves itself
	 * when told entryAlreadyExists, as back-mdb tells it: it reads this
	 * entry and modifies it into the provider's only when the provider's
	 * entryCSN is the later (syncrepl.c, syncrepl_entry, dn_callback).
	 * Replaced here, the older write won on the node that received it. */
	if ( old && be_shadow_update( op ) ) {
		ils_record_free( old );
		*text = "the name is stored here already";
		return LDAP_ALREADY_EXISTS;
	}
	foreign = old && !access_allowed( op, old, slap_schema.si_ad_entry, NULL,
		ACL_WADD, NULL );
	if ( foreign )
		rc = foreign_name( op, old, e, cl, text );
	if ( rc == LDAP_SUCCESS && sibling_taken( op, txn, nm ) ) {
		*text = "the name is registered by another address";
		rc = LDAP_ALREADY_EXISTS;
	}
	if ( rc == LDAP_SUCCESS ) {
		ils_opattrs_keep( op, e, old );
		/* a reclaimed registration is the requester's from now on */
		ils_owner_stamp( op, e, foreign ? NULL : old );
		if ( !access_allowed( op, e, slap_schema.si_ad_entry, NULL, ACL_WADD, NULL ) ) {
			*text = "no write access to register";
			rc = LDAP_INSUFFICIENT_ACCESS;
		} else {
			rc = ils_limits_add( op, nm->in_key.bv_val[0], old, e, t, text );
		}
	}
	if ( old )
		ils_record_free( old );
	return rc;
}

/* the new entry and its application join, in one write transaction */
static int
store_entry( Operation *op, ils_name *nm, Entry *e, ils_claim *cl,
	const char **text )
{
	ils_info *ii = op->o_bd->be_private;
	ils_tally t = { 0 };
	MDB_txn *txn;
	int rc;

	if ( ( rc = ils_store_begin( ii, &txn ) ) != LDAP_SUCCESS )
		return rc;
	rc = claim( op, txn, nm, e, &t, cl, text );
	if ( rc == LDAP_SUCCESS ) {
		rc = ils_app_join( op, txn, nm, e );
		if ( rc == LDAP_SUCCESS )
			rc = ils_store_put( ii, txn, &nm->in_key, e, ILS_PUT_LIMITED );
		/* the store's refusal (ils-map-highwater), not the claim's */
		ils_store_refused( op, rc, text );
	}
	if ( ( rc = ils_store_end( txn, rc ) ) != LDAP_SUCCESS && !*text )
		*text = "cannot store the registration";
	ils_limits_settle( ii, &t, rc );
	return rc;
}

/* Store e; a refused Add that carries the registration's token is tried
 * once more as a reclaim, after the token has been found to be no one
 * else's, a read of the whole store that no write transaction waits for */
static int
store_or_reclaim( Operation *op, ils_name *nm, Entry *e, const char **text )
{
	ils_claim cl = { 0 };
	int rc = store_entry( op, nm, e, &cl, text );

	if ( rc == LDAP_ALREADY_EXISTS && cl.cl_matched && nm->in_dn.kind == ILSDN_PERSON &&
		ils_reclaim_token_unique( op, e ) )
	{
		cl.cl_reclaim = 1;
		*text = NULL;
		rc = store_entry( op, nm, e, &cl, text );
		if ( rc == LDAP_SUCCESS )
			Debug( LDAP_DEBUG_STATS, "%s back-ils: \"%s\" reclaimed with its "
				"token\n", op->o_log_prefix, op->o_req_dn.bv_val );
	}
	return rc;
}

static void
entry_swap( Entry *a, Entry *b )
{
	struct berval n = a->e_name, nn = a->e_nname;
	Attribute *attrs = a->e_attrs;

	a->e_name = b->e_name;
	a->e_nname = b->e_nname;
	a->e_attrs = b->e_attrs;
	b->e_name = n;
	b->e_nname = nn;
	b->e_attrs = attrs;
}

int
ils_back_add( Operation *op, SlapReply *rs )
{
	char textbuf[SLAP_TEXT_BUFLEN];
	const char *text = NULL;
	ils_name nm;
	Entry *e = NULL;
	int rc;

	ils_parse_dn( &op->ora_e->e_nname, &nm );
	switch ( nm.in_dn.kind ) {
	case ILSDN_PERSON:
	case ILSDN_APPUSER:
	case ILSDN_CONF:
		if ( !ilsdn_name_ok( &nm.in_dn.cn ) )
			return ils_send_error( op, rs, LDAP_INVALID_DN_SYNTAX,
				"the naming value holds a control character" );
		/* a client's Add is canonical by now (dialect.c); an internal
		 * one that did not pass the frontend would be stored, and
		 * logged by the overlays, under a name no one searches */
		if ( !ils_canon_is( &op->ora_e->e_nname, &nm ) )
			return ils_send_error( op, rs, LDAP_UNWILLING_TO_PERFORM,
				"an internal Add must use the registration's canonical DN" );
		break;
	case ILSDN_BAD:
		return ils_send_error( op, rs, LDAP_NAMING_VIOLATION, nm.in_dn.err );
	case ILSDN_ROOT:
	case ILSDN_DYNAMIC:
	case ILSDN_APPS:
	case ILSDN_APPCONT:
	case ILSDN_PSEUDO:
		return ils_send_error( op, rs, LDAP_ALREADY_EXISTS,
			"ILS containers are built in" );
	default:
		return ils_send_error( op, rs, LDAP_UNWILLING_TO_PERFORM,
			"not an ILS entry: use cn=<id>,ou=Dynamic,o=Intranet, "
			"cn=<id>,objectClass=rtPerson or uid=<id>,ou=Dynamic,o=Intranet" );
	}
	ils_csn_take( op );
	rc = build_entry( op, &nm, &e, &text, textbuf, sizeof( textbuf ) );
	if ( rc == LDAP_SUCCESS ) {
		rc = store_or_reclaim( op, &nm, e, &text );
		/* overlays reading the result see the entry as it is stored:
		 * dynttl and accesslog its name, syncprov its entryUUID and
		 * entryCSN, which it sends to consumers.  A refused Add keeps
		 * the request's entry: syncrepl, told entryAlreadyExists,
		 * diffs it against the stored one in step with the modlist
		 * it was built with, so its attributes' order must stay */
		if ( rc == LDAP_SUCCESS ) {
			ils_cascade_join( op, &nm, e );
			entry_swap( op->ora_e, e );
		}
		/* syncrepl names its Add by the entry's own name (o_req_dn
		 * shares e_name's memory): the names the swap took away are
		 * freed below, so the request takes the ones that stay, or
		 * the overlays' result callbacks (dynttl queues the entry by
		 * o_req_ndn) would read freed memory */
		if ( op->o_req_dn.bv_val == e->e_name.bv_val )
			op->o_req_dn = op->ora_e->e_name;
		if ( op->o_req_ndn.bv_val == e->e_nname.bv_val )
			op->o_req_ndn = op->ora_e->e_nname;
		entry_free( e );
	}
	Debug( LDAP_DEBUG_TRACE, "back-ils: add \"%s\": %d\n", op->o_req_dn.bv_val, rc );
	rc = ils_send_error( op, rs, rc, text );
	ils_csn_end( op );
	return rc;
}
