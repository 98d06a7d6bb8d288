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
	{ "ils-dbnosync", NULL, 1, 2, 0, ARG_ON_OFF|ARG_OFFSET,
		(void *)offsetof( ils_info, ii_nosync ),
		"( " ILS_CFAT ".2 NAME 'olcIlsDbNoSync' "
		"DESC 'Do not flush each write to disk (a crashed slapd loses nothing, a crashed machine may)' "
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
	/* .10 is robust-store's olcIlsMapHighWater */
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

static int
ils_cf_gen( ConfigArgs *c )
{
	ils_info *ii = c->be->be_private;
	int *lim;

	switch ( c->op ) {
	case SLAP_CONFIG_EMIT:
		if ( c->type == ILS_DIRECTORY ) {
			if ( !ii->ii_dir ) return 1;
			c->value_string = ch_strdup( ii->ii_dir );
		} else if ( c->type == ILS_MAPSIZE ) {
			c->value_ulong = ii->ii_mapsize;
		} else if ( c->type == ILS_ADDR_POLICY ) {
			struct berval bv;
			enum_to_verb( ils_addr_policies, ii->ii_addr_policy, &bv );
			c->value_string = ch_strdup( bv.bv_val );
		} else if ( ( lim = ils_limit( ii, c->type ) ) != NULL ) {
			c->value_int = *lim;
		}
		return 0;
	case LDAP_MOD_DELETE:
		if ( c->type == ILS_DIRECTORY )
			return ils_cf_fail( c, "cannot be deleted" );
		if ( c->type == ILS_MAPSIZE )
			ii->ii_mapsize = ILS_DEF_MAPSIZE;
		if ( c->type == ILS_ADDR_POLICY )
			ii->ii_addr_policy = ILS_DEF_ADDR_POLICY;
		if ( ils_abuse_default( c->type ) >= 0 )
			*ils_limit( ii, c->type ) = ils_abuse_default( c->type );
		return 0;
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
		if ( ii->ii_env )
			return ils_cf_fail( c, "cannot change while the database is open" );
		if ( c->value_ulong < ( 1UL << 20 ) )
			return ils_cf_fail( c, "must be at least 1048576" );
		ii->ii_mapsize = c->value_ulong;
		return 0;
	case ILS_ADDR_POLICY:
		return ils_cf_policy( c, ii );
	default:
		if ( ( lim = ils_limit( ii, c->type ) ) == NULL )
			return ils_cf_fail( c, "unknown keyword" );
		if ( ils_abuse_default( c->type ) >= 0 && c->value_int < 0 )
			return ils_cf_fail( c, "must be 0 (no cap) or a positive number" );
		if ( ils_abuse_default( c->type ) < 0 && c->value_int < 1 )
			return ils_cf_fail( c, "must be a positive number" );
		*lim = c->value_int;
		return 0;
	}
}

int
ils_config_init( BackendInfo *bi )
{
	bi->bi_cf_ocs = ils_ocs;
	return config_register_schema( ils_cfg, ils_ocs );
}
