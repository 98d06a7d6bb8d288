/* add.c - registering
 *
 * An Add names a registration in any DN dialect; it is stored under its
 * canonical name (cn=<cn>,ou=Dynamic,o=Intranet for a person; the Dialer's
 * application users and conferences have their own).  An Add of an entry
 * that exists replaces it: GnomeMeeting re-Adds every 20 minutes without
 * looking at the result, and NetMeeting re-registers after a failed
 * keep-alive, so entryAlreadyExists would only make users vanish.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* the entry to store: the client's attributes, the canonical name, the
 * identity (cn, rtPerson); sModOp is an operation code, not data */
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
	for ( ml = op->ora_modlist; ml; ml = ml->sml_next )
		ils_names_note( e, ml->sml_desc, &ml->sml_type );
	if ( ( rc = ils_entry_name( op, nm->in_dn.kind, &cn, e ) ) != LDAP_SUCCESS ||
		( rc = ils_entry_identity( op, nm->in_dn.kind, e, &cn ) ) != LDAP_SUCCESS )
	{
		*text = "cannot build the registration's name";
	} else {
		rc = ils_entry_check( op, e, text, buf, len );
	}
	if ( rc != LDAP_SUCCESS ) {
		entry_free( e );
		return rc;
	}
	*ep = e;
	return LDAP_SUCCESS;
}

/* the new entry and its application join, in one write transaction */
static int
store_entry( Operation *op, ils_name *nm, Entry *e )
{
	ils_info *ii = op->o_bd->be_private;
	MDB_txn *txn;
	int rc;

	if ( ( rc = ils_store_begin( ii, &txn ) ) != LDAP_SUCCESS )
		return rc;
	rc = ils_app_join( op, txn, nm, e );
	if ( rc == LDAP_SUCCESS )
		rc = ils_store_put( ii, txn, &nm->in_key, e, ILS_PUT_LIMITED );
	return ils_store_end( txn, rc );
}

static void
entry_name_swap( Entry *a, Entry *b )
{
	struct berval n = a->e_name, nn = a->e_nname;

	a->e_name = b->e_name;
	a->e_nname = b->e_nname;
	b->e_name = n;
	b->e_nname = nn;
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
	rc = build_entry( op, &nm, &e, &text, textbuf, sizeof( textbuf ) );
	if ( rc == LDAP_SUCCESS &&
		!access_allowed( op, e, slap_schema.si_ad_entry, NULL, ACL_WADD, NULL ) )
	{
		rc = LDAP_INSUFFICIENT_ACCESS;
		text = "no write access to register";
		entry_free( e );
	} else if ( rc == LDAP_SUCCESS ) {
		rc = store_entry( op, &nm, e );
		if ( rc != LDAP_SUCCESS )
			text = "cannot store the registration";
		ils_store_refused( op, rc, &text );
		/* overlays reading the result (dynttl, accesslog) see the name
		 * the registration is stored under */
		entry_name_swap( op->ora_e, e );
		entry_free( e );
	}
	Debug( LDAP_DEBUG_TRACE, "back-ils: add \"%s\": %d\n", op->o_req_dn.bv_val, rc );
	return ils_send_error( op, rs, rc, text );
}
