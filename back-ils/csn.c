/* csn.c - the change sequence number of an update
 *
 * back-mdb gives each Add, Modify and Delete a CSN (slap_add_opattrs,
 * slap_mods_opattrs, slap_get_csn) that the overlays above read from
 * op->o_csn once the update is done: syncprov makes it the contextCSN,
 * accesslog records it, and accesslog puts the first CSN of each server
 * into its log database's minCSN.  An update without one leaves minCSN
 * unset for good, and then slapd 2.5's syncprov, asked by a consumer with
 * an old cookie to replay cn=accesslog, releases an entry pointer it
 * never set (syncprov_op_search, the reloadhint branch: "Entry *e;" and
 * overlay_entry_get_ov() failing with noSuchAttribute) and the whole
 * slapd aborts.  So every update of back-ils carries a CSN as back-mdb's
 * do (slapd-ils(5), REPLICATION).
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* Queue a new CSN for op unless it has one: a consumer's write (syncrepl,
 * delta-syncrepl) carries the provider's.  slap_queue_csn() keeps it in
 * op memory, so the buffer may go. */
void
ils_csn_take( Operation *op )
{
	char buf[LDAP_PVT_CSNSTR_BUFSIZE];
	struct berval csn = { sizeof( buf ), buf };

	if ( SLAP_LASTMOD( op->o_bd ) && BER_BVISEMPTY( &op->o_csn ) )
		slap_get_csn( op, &csn, 1 );
}

/* An update's CSN off the pending list, once its result is sent:
 * syncprov reads the committed CSN while the result is sent
 * (slap_get_commit_csn), and a CSN left pending would hold every later
 * one back from the contextCSN. */
void
ils_csn_end( Operation *op )
{
	slap_graduate_commit_csn( op );
}
