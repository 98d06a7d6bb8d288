/* dynttl.c - slapo-dynttl: module, configuration, life cycle
 *
 * See dynttl.h for the design and slapo-dynttl(5) for the keywords.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "slap-config.h"
#include "lutil.h"
#include "dynttl.h"
#include "slapdver.h"

#define DYNTTL_CFAT	DYNTTL_OID_ROOT ".5"
#define DYNTTL_CFOC	DYNTTL_OID_ROOT ".6"
#define DYNTTL_AT	DYNTTL_OID_ROOT ".7"

AttributeDescription *dynttl_ad_expire;
AttributeDescription *dynttl_ad_sttl;

static slap_overinst dynttl;

enum { CF_DEFAULT = 1, CF_MIN, CF_MAX, CF_DELAY, CF_GRACE };

static ConfigDriver dynttl_cf_time;

static ConfigTable dynttl_cfg[] = {
	{ "dynttl-default-ttl", "ttl", 2, 2, 0, ARG_MAGIC|CF_DEFAULT, dynttl_cf_time,
		"( " DYNTTL_CFAT ".1 NAME 'olcDynTTLDefault' "
		"DESC 'TTL of a dynamic object created without one' "
		"EQUALITY caseIgnoreMatch SYNTAX OMsDirectoryString SINGLE-VALUE )", NULL, NULL },
	{ "dynttl-min-ttl", "ttl", 2, 2, 0, ARG_MAGIC|CF_MIN, dynttl_cf_time,
		"( " DYNTTL_CFAT ".2 NAME 'olcDynTTLMin' "
		"DESC 'Shortest TTL granted; shorter requests are raised' "
		"EQUALITY caseIgnoreMatch SYNTAX OMsDirectoryString SINGLE-VALUE )", NULL, NULL },
	{ "dynttl-max-ttl", "ttl", 2, 2, 0, ARG_MAGIC|CF_MAX, dynttl_cf_time,
		"( " DYNTTL_CFAT ".3 NAME 'olcDynTTLMax' "
		"DESC 'Longest TTL granted; longer requests are lowered, or refused by the extended operation' "
		"EQUALITY caseIgnoreMatch SYNTAX OMsDirectoryString SINGLE-VALUE )", NULL, NULL },
	{ "dynttl-max-entries", "count", 2, 2, 0, ARG_LONG|ARG_OFFSET,
		(void *)offsetof( ttl_info, ti_max_entries ),
		"( " DYNTTL_CFAT ".4 NAME 'olcDynTTLMaxEntries' "
		"DESC 'Most dynamic objects the database may hold; 0 is no limit' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "dynttl-all", "on|off", 2, 2, 0, ARG_ON_OFF|ARG_OFFSET,
		(void *)offsetof( ttl_info, ti_all ),
		"( " DYNTTL_CFAT ".5 NAME 'olcDynTTLAll' "
		"DESC 'Every entry added is a dynamic object (ILS registrations)' "
		"EQUALITY booleanMatch SYNTAX OMsBoolean SINGLE-VALUE )", NULL, NULL },
	{ "dynttl-persist-delay", "time", 2, 2, 0, ARG_MAGIC|CF_DELAY, dynttl_cf_time,
		"( " DYNTTL_CFAT ".6 NAME 'olcDynTTLPersistDelay' "
		"DESC 'How long a refreshed expiry time may wait to be written to its entry; 0 writes it in the refresh' "
		"EQUALITY caseIgnoreMatch SYNTAX OMsDirectoryString SINGLE-VALUE )", NULL, NULL },
	{ "dynttl-replica-grace", "time", 2, 2, 0, ARG_MAGIC|CF_GRACE, dynttl_cf_time,
		"( " DYNTTL_CFAT ".7 NAME 'olcDynTTLReplicaGrace' "
		"DESC 'How long past its time a multi-provider node waits before it deletes an entry another server wrote last' "
		"EQUALITY caseIgnoreMatch SYNTAX OMsDirectoryString SINGLE-VALUE )", NULL, NULL },
	{ NULL, NULL, 0, 0, 0, ARG_IGNORED, NULL, NULL, NULL }
};

static ConfigOCs dynttl_ocs[] = {
	{ "( " DYNTTL_CFOC ".1 NAME 'olcDynTTLConfig' "
		"DESC 'dynttl overlay configuration' "
		"SUP olcOverlayConfig "
		"MAY ( olcDynTTLDefault $ olcDynTTLMin $ olcDynTTLMax $ "
		"olcDynTTLMaxEntries $ olcDynTTLAll $ olcDynTTLPersistDelay $ olcDynTTLReplicaGrace ) )",
		Cft_Overlay, dynttl_cfg },
	{ NULL, 0, NULL }
};

static int *
cf_field( ttl_info *ti, int type )
{
	switch ( type ) {
	case CF_DEFAULT: return &ti->ti_default;
	case CF_MIN: return &ti->ti_min;
	case CF_MAX: return &ti->ti_max;
	case CF_DELAY: return &ti->ti_delay;
	case CF_GRACE: return &ti->ti_grace;
	}
	return NULL;
}

/* times in seconds or with units, as "10m" or "1h30m" (lutil_parse_time) */
static int
dynttl_cf_time( ConfigArgs *c )
{
	slap_overinst *on = (slap_overinst *)c->bi;
	ttl_info *ti = on->on_bi.bi_private;
	int *f = cf_field( ti, c->type );
	unsigned long t;
	char buf[64];

	switch ( c->op ) {
	case SLAP_CONFIG_EMIT:
		if ( lutil_unparse_time( buf, sizeof( buf ), *f ) )
			return 1;
		value_add_one( &c->rvalue_vals, &(struct berval){ strlen( buf ), buf } );
		return 0;
	case LDAP_MOD_DELETE:
		*f = c->type == CF_DEFAULT ? 1800 : c->type == CF_MIN ? 1 :
			c->type == CF_DELAY ? DYNTTL_DEF_DELAY :
			c->type == CF_GRACE ? DYNTTL_DEF_GRACE : 86400;
		return 0;
	}
	if ( c->type == CF_DELAY || c->type == CF_GRACE ) {
		unsigned long max = c->type == CF_DELAY ? DYNTTL_MAX_DELAY : DYNTTL_MAX_GRACE;
		if ( lutil_parse_time( c->argv[1], &t ) || t > max ) {
			snprintf( c->cr_msg, sizeof( c->cr_msg ),
				"<%s> must be a time from 0s to %s (\"%s\")", c->argv[0],
				c->type == CF_DELAY ? "1h" : "1d", c->argv[1] );
			Debug( LDAP_DEBUG_ANY, "%s: %s\n", c->log, c->cr_msg );
			return 1;
		}
		*f = (int)t;
		return 0;
	}
	if ( lutil_parse_time( c->argv[1], &t ) || t < 1 || t > DYNTTL_RFC_MAX ) {
		snprintf( c->cr_msg, sizeof( c->cr_msg ),
			"<%s> must be a time from 1s to 31557600s (\"%s\")", c->argv[0], c->argv[1] );
		Debug( LDAP_DEBUG_ANY, "%s: %s\n", c->log, c->cr_msg );
		return 1;
	}
	*f = (int)t;
	return 0;
}

static int
dynttl_db_init( BackendDB *be, ConfigReply *cr )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;
	ttl_info *ti;

	if ( SLAP_ISGLOBALOVERLAY( be ) ) {
		snprintf( cr->msg, sizeof( cr->msg ), "dynttl cannot be global" );
		return 1;
	}
	ti = ch_calloc( 1, sizeof( ttl_info ) );
	ti->ti_default = 1800;
	ti->ti_min = 1;
	ti->ti_max = 86400;
	ti->ti_delay = DYNTTL_DEF_DELAY;
	ti->ti_grace = DYNTTL_DEF_GRACE;
	ti->ti_on = on;
	ttl_queue_init( ti );
	on->on_bi.bi_private = ti;
	/* slapd's built-in dynamicObject class is refused on databases
	 * that do not declare dynamic objects */
	SLAP_DBFLAGS( be ) |= SLAP_DBFLAG_DYNAMIC;
	return ttl_monitor_db_init( be );
}

static int
dynttl_db_open( BackendDB *be, ConfigReply *cr )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;
	ttl_info *ti = on->on_bi.bi_private;
	const char *text;

	if ( ti->ti_min > ti->ti_max || ti->ti_default < ti->ti_min ||
		ti->ti_default > ti->ti_max )
	{
		snprintf( cr->msg, sizeof( cr->msg ),
			"dynttl: need dynttl-min-ttl <= dynttl-default-ttl <= dynttl-max-ttl" );
		Debug( LDAP_DEBUG_ANY, "%s\n", cr->msg );
		return 1;
	}
	if ( !dynttl_ad_sttl )
		slap_str2ad( "sTTL", &dynttl_ad_sttl, &text );	/* ils.schema, optional */
	if ( slapMode & SLAP_TOOL_MODE )
		return 0;
	/* open already: a load now would undo the refreshes not yet
	 * written (cn=config opens the overlay before it disables it) */
	if ( ttl_queue_open( ti ) )
		return 0;
	if ( BER_BVISEMPTY( &be->be_rootndn ) )
		Debug( LDAP_DEBUG_ANY, "dynttl: database \"%s\" has no rootdn; "
			"expiry runs as the rootdn and needs one\n", be->be_suffix[0].bv_val );
	ti->ti_be = select_backend( &be->be_nsuffix[0], 0 );
	dynttl_load( ti, be, ldap_pvt_thread_pool_context() );
	ttl_monitor_db_open( be, ti );
	/* entries that lapsed while slapd was down are due now: the task
	 * removes them at once, and until then no search returns them */
	return ttl_queue_start( ti );
}

/* At a clean stop the refreshes still waiting are written, so a restart
 * finds every entry's latest time.  The backend is still open (overlays
 * close first) but be points at this overlay meanwhile: the writes go
 * through the whole stack again. */
static void
flush_now( BackendDB *be, ttl_info *ti )
{
	Connection conn = { 0 };
	OperationBuffer opbuf;
	BackendInfo *bi = be->bd_info;

	connection_fake_init2( &conn, &opbuf, ldap_pvt_thread_pool_context(), 0 );
	be->bd_info = (BackendInfo *)ti->ti_on->on_info;
	ttl_queue_flush( ti, &opbuf.ob_op, 0 );
	be->bd_info = bi;
}

static int
dynttl_db_close( BackendDB *be, ConfigReply *cr )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;
	ttl_info *ti = on->on_bi.bi_private;

	ttl_monitor_db_close( ti );
	ttl_queue_stop( ti );
	if ( !( slapMode & SLAP_TOOL_MODE ) && ti->ti_ndirty )
		flush_now( be, ti );
	return 0;
}

static int
dynttl_db_destroy( BackendDB *be, ConfigReply *cr )
{
	slap_overinst *on = (slap_overinst *)be->bd_info;
	ttl_info *ti = on->on_bi.bi_private;

	if ( ti ) {
		ttl_monitor_db_close( ti );
		ttl_queue_stop( ti );
		/* else the expiry task frees it once a pool pause is over */
		if ( !ttl_queue_orphan( ti ) ) {
			ttl_queue_destroy( ti );
			ch_free( ti );
		}
		on->on_bi.bi_private = NULL;
	}
	return 0;
}

static char *expire_at =
	"( " DYNTTL_AT ".1 NAME 'dynttlExpireTime' "
	"DESC 'RFC 2589 dynamic object: when it expires (slapo-dynttl)' "
	"EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch "
	"SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE "
	"NO-USER-MODIFICATION USAGE dSAOperation )";

static int
dynttl_initialize( void )
{
	int rc;

	if ( ( rc = register_at( expire_at, &dynttl_ad_expire, 0 ) ) ) {
		Debug( LDAP_DEBUG_ANY, "dynttl: cannot register dynttlExpireTime\n" );
		return rc;
	}
	/* RFC 2589 marks entryTtl NO-USER-MODIFICATION and slapd's frontend
	 * refuses such Modifies before any overlay runs; the TAPI Dialer
	 * refreshes exactly that way, so the overlay takes them over
	 * (slapo-dynttl(5), NOTES) */
	slap_schema.si_ad_entryTtl->ad_type->sat_no_user_mod = 0;

	dynttl.on_bi.bi_type = "dynttl";
	dynttl.on_bi.bi_flags = SLAPO_BFLAG_SINGLE | SLAPO_BFLAG_DBONLY;
	dynttl.on_bi.bi_db_init = dynttl_db_init;
	dynttl.on_bi.bi_db_open = dynttl_db_open;
	dynttl.on_bi.bi_db_close = dynttl_db_close;
	dynttl.on_bi.bi_db_destroy = dynttl_db_destroy;
	dynttl.on_bi.bi_op_add = dynttl_op_add;
	dynttl.on_bi.bi_op_modify = dynttl_op_modify;
	dynttl.on_bi.bi_op_delete = dynttl_op_delete;
	dynttl.on_bi.bi_op_modrdn = dynttl_op_modrdn;
	dynttl.on_bi.bi_op_search = dynttl_op_search;
	dynttl.on_bi.bi_extended = dynttl_op_extended;
	dynttl.on_response = dynttl_response;
	dynttl.on_bi.bi_cf_ocs = dynttl_ocs;
	if ( ( rc = config_register_schema( dynttl_cfg, dynttl_ocs ) ) )
		return rc;
	if ( ( rc = dynttl_refresh_register() ) )
		return rc;
	return overlay_register( &dynttl );
}

int
init_module( int argc, char *argv[] )
{
	if ( ils_slapd_version_check( "slapo-dynttl" ) )
		return -1;
	return dynttl_initialize() ? -1 : 0;
}
