/* init.c - back-ils life cycle: module, backend type, database
 *
 * "database ils" serves the MS-TAIL naming contexts o=Intranet and the
 * NetMeeting pseudo-suffix objectClass=rtPerson from one LMDB environment.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "slap-config.h"
#include "back-ils.h"
#include "slapdver.h"

static int
ils_db_init( BackendDB *be, ConfigReply *cr )
{
	ils_info *ii = ch_calloc( 1, sizeof( ils_info ) );

	ii->ii_mapsize = ILS_DEF_MAPSIZE;
	ii->ii_nosync = 1;
	ii->ii_highwater = ILS_DEF_HIGHWATER;
	ii->ii_checkpoint = ILS_DEF_CHECKPOINT;
	ii->ii_max_vlen = ILS_DEF_VALUE_LEN;
	ii->ii_max_blen = ILS_DEF_BINARY_LEN;
	ii->ii_max_vals = ILS_DEF_VALUES;
	ii->ii_max_attrs = ILS_DEF_ATTRS;
	ii->ii_max_req_attrs = ILS_DEF_REQ_ATTRS;
	ii->ii_hide_unlisted = 1;
	ii->ii_h323_any = 1;
	ii->ii_max_per_addr = ILS_DEF_PER_ADDR;
	ii->ii_max_per_minute = ILS_DEF_PER_MINUTE;
	ii->ii_max_entry_size = ILS_DEF_ENTRY_SIZE;
	ii->ii_addr_policy = ILS_DEF_ADDR_POLICY;
	be->be_private = ii;
	be->be_cf_ocs = be->bd_info->bi_cf_ocs;
	return ils_monitor_db_init( be );
}

/* the schema pieces the backend relies on, looked up once the
 * configuration (and with it ils.schema) has been read */
static int
ils_db_schema( BackendDB *be, ConfigReply *cr )
{
	ils_info *ii = be->be_private;
	const char *text;

	if ( slap_str2ad( "sTTL", &ii->ii_ad_sttl, &text ) ||
		slap_str2ad( "ipAddress", &ii->ii_ad_ip, &text ) ||
		slap_str2ad( "sModOp", &ii->ii_ad_modop, &text ) ||
		slap_str2ad( "sFlags", &ii->ii_ad_sflags, &text ) ||
		slap_str2ad( "securityToken", &ii->ii_ad_token, &text ) ||
		slap_str2ad( "applicationID", &ii->ii_ad_appid, &text ) ||
		slap_str2ad( "protocolID", &ii->ii_ad_protid, &text ) ||
		slap_str2ad( "port", &ii->ii_ad_port, &text ) ||
		( ii->ii_oc_rtperson = oc_find( "rtPerson" ) ) == NULL ||
		( ii->ii_oc_appuser = oc_find( "rtApplicationUser" ) ) == NULL ||
		( ii->ii_oc_conf = oc_find( "rtConference" ) ) == NULL )
	{
		snprintf( cr->msg, sizeof( cr->msg ),
			"back-ils: ils.schema is not loaded (no sTTL, rtPerson, ...)" );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		return 1;
	}
	if ( ils_compat_schema( &text ) ) {
		snprintf( cr->msg, sizeof( cr->msg ), "back-ils: %s", text );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		return 1;
	}
	return 0;
}

static void
ils_db_check_suffixes( BackendDB *be )
{
	static struct berval pseudo = BER_BVC( "objectClass=rtPerson" );
	int i;

	for ( i = 0; be->be_nsuffix && !BER_BVISNULL( &be->be_nsuffix[i] ); i++ )
		if ( dn_match( &be->be_nsuffix[i], &pseudo ) )
			return;
	Debug( LDAP_DEBUG_ANY, "back-ils: no suffix \"objectClass=rtPerson\": "
		"NetMeeting's DNs will not reach this database\n" );
}


static int
ils_db_open( BackendDB *be, ConfigReply *cr )
{
	ils_info *ii = be->be_private;

	if ( ii->ii_dir == NULL ) {
		snprintf( cr->msg, sizeof( cr->msg ), "back-ils: \"directory\" is not set" );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		return 1;
	}
	if ( ils_db_schema( be, cr ) )
		return 1;
	if ( ils_dialect_open() ) {
		snprintf( cr->msg, sizeof( cr->msg ),
			"back-ils: cannot set up the canonical names (ils-dialect)" );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		return 1;
	}
	ils_db_check_suffixes( be );
	if ( ils_store_open( be, cr ) )
		return 1;
	/* slapcat reads; slapadd loads them with the dump (tool.c) */
	if ( !( slapMode & SLAP_TOOL_READONLY ) &&
		ils_container_open( be ) != LDAP_SUCCESS ) {
		snprintf( cr->msg, sizeof( cr->msg ),
			"back-ils: cannot store the containers" );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		ils_store_close( ii );
		return 1;
	}
	/* the slap tools neither serve clients nor count them */
	if ( slapMode & SLAP_TOOL_MODE )
		return 0;
	if ( ils_limits_open( ii ) ) {
		snprintf( cr->msg, sizeof( cr->msg ),
			"back-ils: cannot count the stored registrations" );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		ils_store_close( ii );
		return 1;
	}
	ils_store_checkpoint( be );
	ils_monitor_db_open( be );
	Debug( LDAP_DEBUG_STATS, "back-ils: database \"%s\" open, %ld records (registrations and containers)\n",
		ii->ii_dir, ils_store_count( ii ) );
	return 0;
}

static int
ils_db_close( BackendDB *be, ConfigReply *cr )
{
	ils_monitor_db_close( be );
	ils_limits_close( be->be_private );
	ils_store_close( be->be_private );
	return 0;
}

static int
ils_db_destroy( BackendDB *be, ConfigReply *cr )
{
	ils_info *ii = be->be_private;

	if ( ii ) {
		ils_monitor_db_close( be );
		ils_limits_close( ii );
		ils_store_close( ii );
		ch_free( ii->ii_dir );
		ch_free( ii );
		be->be_private = NULL;
	}
	return 0;
}

/* Only the rootdn authenticates here; NetMeeting's anonymous LDAPv2 binds
 * (empty password, any name) are answered by the frontend. */
static int
ils_back_bind( Operation *op, SlapReply *rs )
{
	if ( be_rootdn_bind( op, NULL ) == LDAP_SUCCESS )
		return LDAP_SUCCESS;
	rs->sr_err = LDAP_INVALID_CREDENTIALS;
	send_ldap_result( op, rs );
	return rs->sr_err;
}

/* slapd ends: what every database of the type shared */
static int
ils_destroy( BackendInfo *bi )
{
	ils_canon_close();
	return 0;
}

static int
ils_initialize( BackendInfo *bi )
{
	static char *controls[] = { LDAP_CONTROL_MANAGEDSAIT, LDAP_CONTROL_ASSERT, NULL };

	bi->bi_controls = controls;
	bi->bi_flags |= SLAP_BFLAG_INCREMENT;
	bi->bi_destroy = ils_destroy;
	bi->bi_db_init = ils_db_init;
	bi->bi_db_config = config_generic_wrapper;
	bi->bi_db_open = ils_db_open;
	bi->bi_db_close = ils_db_close;
	bi->bi_db_destroy = ils_db_destroy;
	bi->bi_op_bind = ils_back_bind;
	bi->bi_op_search = ils_back_search;
	bi->bi_op_compare = 0;		/* the frontend uses bi_entry_get_rw */
	bi->bi_op_add = ils_back_add;
	bi->bi_op_modify = ils_back_modify;
	bi->bi_op_delete = ils_back_delete;
	bi->bi_op_modrdn = ils_back_modrdn;
	bi->bi_has_subordinates = ils_has_subordinates;
	bi->bi_operational = ils_operational;
	bi->bi_entry_get_rw = ils_entry_get_rw;
	bi->bi_entry_release_rw = ils_entry_release_rw;
	ils_tool_init( bi );
	return ils_config_init( bi );
}

static BackendInfo ils_bi;		/* slapd keeps the pointer */

int
init_module( int argc, char *argv[] )
{
	const char *text;

	if ( ils_slapd_version_check( "back-ils" ) ||
		ils_names_init() || ils_owner_init() || ils_txn_guard() ||
		ils_dialect_init() )
		return -1;
	/* the schemas slapd.conf included before this moduleload get their
	 * lenient syntaxes now, so that a server with no ils database (a
	 * back-mdb replica of NetMeeting's registrations: "c: -") takes
	 * them too; otherwise (cn=config loads modules before schemas) the
	 * first ils database's open gives them, as it checks */
	(void)ils_compat_schema( &text );
	ils_bi.bi_type = "ils";
	ils_bi.bi_init = ils_initialize;
	return backend_add( &ils_bi ) ? -1 : 0;
}
