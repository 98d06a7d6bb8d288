/* config.c - back-ils keywords, for slapd.conf and cn=config alike */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "slap-config.h"
#include "back-ils.h"

#define ILS_CFAT	ILS_OID_ROOT ".3"
#define ILS_CFOC	ILS_OID_ROOT ".4"

enum {
	ILS_DIRECTORY = 1,
	ILS_MAPSIZE,
	ILS_MAX_VLEN,
	ILS_MAX_BLEN,
	ILS_MAX_VALS,
	ILS_MAX_ATTRS,
	ILS_MAX_REQ,
	ILS_NOSYNC,
	ILS_HIGHWATER,
	ILS_CHECKPOINT,
	ILS_PER_ADDR,		/* the abuse limits: 0 turns one off */
	ILS_PER_MINUTE,
	ILS_ENTRY_SIZE,
	ILS_ADDR_POLICY
};

/* ils-address-policy's words (addrpolicy.c) */
static slap_verbmasks ils_addr_policies[] = {
	{ BER_BVC( "as-sent" ), ILS_ADDR_AS_SENT },
	{ BER_BVC( "peer" ), ILS_ADDR_PEER },
	{ BER_BVC( "peer-if-private" ), ILS_ADDR_PEER_IF_PRIVATE },
	{ BER_BVNULL, 0 }
};

static ConfigDriver ils_cf_gen;

static ConfigTable ils_cfg[] = {
	{ "directory", "dir", 2, 2, 0, ARG_STRING|ARG_MAGIC|ILS_DIRECTORY, ils_cf_gen,
		"( OLcfgDbAt:0.1 NAME 'olcDbDirectory' "
		"DESC 'Directory for database content' "
		"EQUALITY caseExactMatch "
		"SYNTAX OMsDirectoryString SINGLE-VALUE )", NULL, NULL },
	{ "ils-mapsize", "bytes", 2, 2, 0, ARG_MAGIC|ARG_ULONG|ILS_MAPSIZE, ils_cf_gen,
		"( " ILS_CFAT ".1 NAME 'olcIlsMapSize' "
		"DESC 'Maximum size of the LMDB map in bytes' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-dbnosync", NULL, 1, 2, 0, ARG_ON_OFF|ARG_MAGIC|ILS_NOSYNC, ils_cf_gen,
		"( " ILS_CFAT ".2 NAME 'olcIlsDbNoSync' "
		"DESC 'Flush only the data pages of each write; ils-checkpoint flushes the rest' "
		"EQUALITY booleanMatch SYNTAX OMsBoolean SINGLE-VALUE )", NULL, NULL },
	{ "ils-max-value-length", "bytes", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_MAX_VLEN,
		ils_cf_gen,
		"( " ILS_CFAT ".3 NAME 'olcIlsMaxValueLength' "
		"DESC 'Longest accepted text value' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-max-binary-length", "bytes", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_MAX_BLEN,
		ils_cf_gen,
		"( " ILS_CFAT ".4 NAME 'olcIlsMaxBinaryLength' "
		"DESC 'Longest accepted binary value (ntSecurityDescriptor, conferenceBlob)' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-max-values", "count", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_MAX_VALS,
		ils_cf_gen,
		"( " ILS_CFAT ".5 NAME 'olcIlsMaxValues' "
		"DESC 'Most values one attribute of a registration may hold' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-max-attrs", "count", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_MAX_ATTRS,
		ils_cf_gen,
		"( " ILS_CFAT ".6 NAME 'olcIlsMaxAttrs' "
		"DESC 'Most attributes one registration may hold' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-max-request-attrs", "count", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_MAX_REQ,
		ils_cf_gen,
		"( " ILS_CFAT ".7 NAME 'olcIlsMaxRequestAttrs' "
		"DESC 'Most attribute names one search may request' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-hide-unlisted", "on|off", 2, 2, 0, ARG_ON_OFF|ARG_OFFSET,
		(void *)offsetof( ils_info, ii_hide_unlisted ),
		"( " ILS_CFAT ".8 NAME 'olcIlsHideUnlisted' "
		"DESC 'Leave people with sFlags 0 out of listings; exact cn lookups find them' "
		"EQUALITY booleanMatch SYNTAX OMsBoolean SINGLE-VALUE )", NULL, NULL },
	{ "ils-h323-match", "on|off", 2, 2, 0, ARG_ON_OFF|ARG_OFFSET,
		(void *)offsetof( ils_info, ii_h323_any ),
		"( " ILS_CFAT ".9 NAME 'olcIlsH323Match' "
		"DESC 'The NetMeeting application filter finds every H.323 user' "
		"EQUALITY booleanMatch SYNTAX OMsBoolean SINGLE-VALUE )", NULL, NULL },
	{ "ils-map-highwater", "percent", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_HIGHWATER,
		ils_cf_gen,
		"( " ILS_CFAT ".10 NAME 'olcIlsMapHighWater' "
		"DESC 'Share of the LMDB map, in percent, above which writes that grow the store are refused' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-checkpoint", "seconds", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_CHECKPOINT,
		ils_cf_gen,
		"( " ILS_CFAT ".15 NAME 'olcIlsCheckpoint' "
		"DESC 'Seconds between flushes of the database to disk; 0 is none' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-max-per-address", "count", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_PER_ADDR,
		ils_cf_gen,
		"( " ILS_CFAT ".11 NAME 'olcIlsMaxPerAddress' "
		"DESC 'Most live registrations of each kind one owner address may hold (0: no cap)' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-max-per-minute", "count", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_PER_MINUTE,
		ils_cf_gen,
		"( " ILS_CFAT ".12 NAME 'olcIlsMaxPerMinute' "
		"DESC 'Most new names one address may register a minute (0: no cap)' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-max-entry-size", "bytes", 2, 2, 0, ARG_MAGIC|ARG_INT|ILS_ENTRY_SIZE,
		ils_cf_gen,
		"( " ILS_CFAT ".13 NAME 'olcIlsMaxEntrySize' "
		"DESC 'Most bytes of attribute names and values one registration may hold (0: no cap)' "
		"EQUALITY integerMatch SYNTAX OMsInteger SINGLE-VALUE )", NULL, NULL },
	{ "ils-address-policy", "as-sent|peer|peer-if-private", 2, 2, 0,
		ARG_MAGIC|ARG_STRING|ILS_ADDR_POLICY, ils_cf_gen,
		"( " ILS_CFAT ".14 NAME 'olcIlsAddressPolicy' "
		"DESC 'The IP address stored: as-sent, peer, or peer-if-private (the connection address instead of a non-public one)' "
		"EQUALITY caseIgnoreMatch SYNTAX OMsDirectoryString SINGLE-VALUE )", NULL, NULL },
	{ NULL, NULL, 0, 0, 0, ARG_IGNORED, NULL, NULL, NULL }
};

static ConfigOCs ils_ocs[] = {
	{ "( " ILS_CFOC ".1 NAME 'olcIlsConfig' "
		"DESC 'back-ils database configuration' "
		"SUP olcDatabaseConfig "
		"MUST olcDbDirectory "
		"MAY ( olcIlsMapSize $ olcIlsDbNoSync $ olcIlsMaxValueLength $ "
		"olcIlsMaxBinaryLength $ olcIlsMaxValues $ olcIlsMaxAttrs $ "
		"olcIlsMaxRequestAttrs $ olcIlsHideUnlisted $ olcIlsH323Match $ "
		"olcIlsMapHighWater $ olcIlsCheckpoint $ "
		"olcIlsMaxPerAddress $ olcIlsMaxPerMinute $ olcIlsMaxEntrySize $ "
		"olcIlsAddressPolicy ) )",
		Cft_Database, ils_cfg },
	{ NULL, 0, NULL }
};

/* the int a limit keyword sets */
static int *
ils_limit( ils_info *ii, int type )
{
	switch ( type ) {
	case ILS_MAX_VLEN: return &ii->ii_max_vlen;
	case ILS_MAX_BLEN: return &ii->ii_max_blen;
	case ILS_MAX_VALS: return &ii->ii_max_vals;
	case ILS_MAX_ATTRS: return &ii->ii_max_attrs;
	case ILS_MAX_REQ: return &ii->ii_max_req_attrs;
	case ILS_PER_ADDR: return &ii->ii_max_per_addr;
	case ILS_PER_MINUTE: return &ii->ii_max_per_minute;
	case ILS_ENTRY_SIZE: return &ii->ii_max_entry_size;
	}
	return NULL;
}

/* the abuse limits' defaults, which a cn=config delete restores */
static int
ils_abuse_default( int type )
{
	switch ( type ) {
	case ILS_PER_ADDR: return ILS_DEF_PER_ADDR;
	case ILS_PER_MINUTE: return ILS_DEF_PER_MINUTE;
	case ILS_ENTRY_SIZE: return ILS_DEF_ENTRY_SIZE;
	}
	return -1;
}

static int
ils_cf_fail( ConfigArgs *c, const char *msg )
{
	snprintf( c->cr_msg, sizeof( c->cr_msg ), "<%s> %s", c->argv[0], msg );
	Debug( LDAP_DEBUG_ANY, "%s: %s\n", c->log, c->cr_msg );
	return 1;
}

static int
ils_cf_policy( ConfigArgs *c, ils_info *ii )
{
	int i = verb_to_mask( c->value_string, ils_addr_policies );

	ch_free( c->value_string );
	if ( BER_BVISNULL( &ils_addr_policies[i].word ) )
		return ils_cf_fail( c, "must be as-sent, peer or peer-if-private" );
	ii->ii_addr_policy = ils_addr_policies[i].mask;
	return 0;
}

/* the keywords a running database applies at once */
static int
ils_cf_apply( ConfigArgs *c, ils_info *ii )
{
	switch ( c->type ) {
	case ILS_NOSYNC:
		if ( ils_store_sync_mode( ii ) )
			return ils_cf_fail( c, "cannot change the flush mode" );
		return 0;
	case ILS_CHECKPOINT:
		ils_store_checkpoint( c->be );
		return 0;
	}
	return 0;
}

static int
ils_cf_default( ConfigArgs *c, ils_info *ii )
{
	switch ( c->type ) {
	case ILS_DIRECTORY:
		return ils_cf_fail( c, "cannot be deleted" );
	case ILS_MAPSIZE:	/* from the next open on */
		ii->ii_mapsize = ILS_DEF_MAPSIZE;
		return 0;
	case ILS_NOSYNC:
		ii->ii_nosync = 1;
		break;
	case ILS_HIGHWATER:
		ii->ii_highwater = ILS_DEF_HIGHWATER;
		break;
	case ILS_CHECKPOINT:
		ii->ii_checkpoint = ILS_DEF_CHECKPOINT;
		break;
	case ILS_ADDR_POLICY:
		ii->ii_addr_policy = ILS_DEF_ADDR_POLICY;
		return 0;
	default:
		if ( ils_abuse_default( c->type ) >= 0 )
			*ils_limit( ii, c->type ) = ils_abuse_default( c->type );
		return 0;
	}
	return ils_cf_apply( c, ii );
}

static int
ils_cf_emit( ConfigArgs *c, ils_info *ii )
{
	int *lim;

	switch ( c->type ) {
	case ILS_DIRECTORY:
		if ( !ii->ii_dir ) return 1;
		c->value_string = ch_strdup( ii->ii_dir );
		return 0;
	case ILS_MAPSIZE: c->value_ulong = ii->ii_mapsize; return 0;
	case ILS_NOSYNC: c->value_int = ii->ii_nosync; return 0;
	case ILS_HIGHWATER: c->value_int = ii->ii_highwater; return 0;
	case ILS_CHECKPOINT: c->value_int = ii->ii_checkpoint; return 0;
	case ILS_ADDR_POLICY: {
		struct berval bv;
		enum_to_verb( ils_addr_policies, ii->ii_addr_policy, &bv );
		c->value_string = ch_strdup( bv.bv_val );
		return 0;
	}
	}
	if ( ( lim = ils_limit( ii, c->type ) ) != NULL )
		c->value_int = *lim;
	return 0;
}

/* ils-mapsize: a running database's map can grow (ils_store_grow) */
static int
ils_cf_mapsize( ConfigArgs *c, ils_info *ii )
{
	if ( c->value_ulong < ( 1UL << 20 ) )
		return ils_cf_fail( c, "must be at least 1048576" );
	if ( ii->ii_env && ils_store_grow( ii, c->value_ulong ) )
		return ils_cf_fail( c, "can only grow while the database is open" );
	ii->ii_mapsize = c->value_ulong;
	return 0;
}

static int
ils_cf_gen( ConfigArgs *c )
{
	ils_info *ii = c->be->be_private;
	int *lim;

	switch ( c->op ) {
	case SLAP_CONFIG_EMIT:
		return ils_cf_emit( c, ii );
	case LDAP_MOD_DELETE:
		return ils_cf_default( c, ii );
	}
	/* slapd.conf line or cn=config add/replace */
	switch ( c->type ) {
	case ILS_DIRECTORY:
		if ( ii->ii_env ) {
			ch_free( c->value_string );
			return ils_cf_fail( c, "cannot change while the database is open" );
		}
		ch_free( ii->ii_dir );
		ii->ii_dir = c->value_string;
		return 0;
	case ILS_MAPSIZE:
		return ils_cf_mapsize( c, ii );
	case ILS_NOSYNC:
		ii->ii_nosync = c->value_int;
		return ils_cf_apply( c, ii );
	case ILS_HIGHWATER:
		if ( c->value_int < ILS_MIN_HIGHWATER || c->value_int > 100 )
			return ils_cf_fail( c, "must be a percentage from "
				LDAP_XSTRING( ILS_MIN_HIGHWATER ) " to 100" );
		ii->ii_highwater = c->value_int;
		return 0;
	case ILS_CHECKPOINT:
		if ( c->value_int < 0 || c->value_int > ILS_MAX_CHECKPOINT )
			return ils_cf_fail( c, "must be from 0 to "
				LDAP_XSTRING( ILS_MAX_CHECKPOINT ) " seconds" );
		ii->ii_checkpoint = c->value_int;
		return ils_cf_apply( c, ii );
	case ILS_ADDR_POLICY:
		return ils_cf_policy( c, ii );
	}
	if ( ( lim = ils_limit( ii, c->type ) ) == NULL )
		return ils_cf_fail( c, "unknown keyword" );
	if ( ils_abuse_default( c->type ) >= 0 && c->value_int < 0 )
		return ils_cf_fail( c, "must be 0 (no cap) or a positive number" );
	if ( ils_abuse_default( c->type ) < 0 && c->value_int < 1 )
		return ils_cf_fail( c, "must be a positive number" );
	*lim = c->value_int;
	return 0;
}

int
ils_config_init( BackendInfo *bi )
{
	bi->bi_cf_ocs = ils_ocs;
	return config_register_schema( ils_cfg, ils_ocs );
}
