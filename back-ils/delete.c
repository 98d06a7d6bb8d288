/* delete.c - unregistering, and the rename ILS does not have */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* A Delete of any spelling of a registration removes it, with its
 * application data and the Dialer's application user of the same cn
 * (MS-TAIL 3.5.4). */
int
ils_back_delete( Operation *op, SlapReply *rs )
{
	ils_info *ii = op->o_bd->be_private;
	ils_name nm;
	Entry *e;
	int rc;

	if ( !ils_update_target( op, rs, &nm ) )
		return rs->sr_err;
	if ( ils_store_get( ii, &nm.in_key, &e ) == LDAP_SUCCESS ) {
		int ok = access_allowed( op, e, slap_schema.si_ad_entry, NULL, ACL_WDEL, NULL );
		entry_free( e );
		if ( !ok )
			return ils_send_error( op, rs, LDAP_INSUFFICIENT_ACCESS,
				"no write access to this registration" );
	}
	rc = ils_store_del( ii, &nm.in_key );
	if ( rc == LDAP_SUCCESS && nm.in_dn.kind == ILSDN_PERSON ) {
		nm.in_key.bv_val[0] = ILS_KEY_APPUSER;
		ils_store_del( ii, &nm.in_key );
	}
	Debug( LDAP_DEBUG_TRACE, "back-ils: delete \"%s\": %d\n", op->o_req_dn.bv_val, rc );
	return ils_send_error( op, rs, rc, rc == LDAP_NO_SUCH_OBJECT ?
		"no such registration" : NULL );
}

/* MS-TAIL 2.2.6: no ModifyDN; clients delete and add again */
int
ils_back_modrdn( Operation *op, SlapReply *rs )
{
	return ils_send_error( op, rs, LDAP_UNWILLING_TO_PERFORM,
		"ILS entries cannot be renamed: delete and add again" );
}
