/* delete.c - unregistering, and the rename ILS does not have */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* remove the entry e stored under key, counting it off its owner */
static int
remove_entry( ils_info *ii, MDB_txn *txn, struct berval *key, Entry *e,
	ils_tally *t )
{
	struct berval owner = BER_BVNULL;

	ils_owner_address( e, &owner );
	ils_limits_moved( ii, key->bv_val[0], &owner, NULL, t );
	ils_record_free( e );
	return ils_store_del( ii, txn, key );
}

/* A Delete of any spelling of a registration removes it, with its
 * application data and the Dialer's application user of the same cn
 * (MS-TAIL 3.5.4). */
static int
delete_entry( Operation *op, MDB_txn *txn, ils_name *nm, ils_tally *t,
	const char **text, char *buf, size_t len )
{
	ils_info *ii = op->o_bd->be_private;
	char kbuf[ILS_KEYBUF];
	struct berval sib;
	Entry *e;
	int rc;

	if ( ( rc = ils_store_get( ii, txn, &nm->in_key, &e ) ) != LDAP_SUCCESS ) {
		*text = rc == LDAP_NO_SUCH_OBJECT ? "no such registration" : NULL;
		return rc;
	}
	if ( !ils_assert_ok( op, e ) ) {
		rc = LDAP_ASSERTION_FAILED;
	} else if ( !access_allowed( op, e, slap_schema.si_ad_entry, NULL, ACL_WDEL, NULL ) ) {
		rc = LDAP_INSUFFICIENT_ACCESS;
		*text = "no write access to this registration";
	}
	if ( rc != LDAP_SUCCESS ) {
		ils_record_free( e );
		return rc;
	}
	ils_opattrs_csn( op );
	rc = remove_entry( ii, txn, &nm->in_key, e, t );
	if ( rc == LDAP_SUCCESS && nm->in_dn.kind == ILSDN_PERSON &&
		ils_sibling_key( nm, kbuf, &sib ) &&
		ils_store_get( ii, txn, &sib, &e ) == LDAP_SUCCESS )
		rc = remove_entry( ii, txn, &sib, e, t );
	return rc;
}

int
ils_back_delete( Operation *op, SlapReply *rs )
{
	return ils_update( op, rs, "delete", delete_entry );
}

/* MS-TAIL 2.2.6: no ModifyDN; clients delete and add again */
int
ils_back_modrdn( Operation *op, SlapReply *rs )
{
	return ils_send_error( op, rs, LDAP_UNWILLING_TO_PERFORM,
		"ILS entries cannot be renamed: delete and add again" );
}
