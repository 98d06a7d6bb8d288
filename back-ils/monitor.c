/* monitor.c - back-ils counters under cn=Monitor
 *
 * With "database monitor" configured, the ILS database's entry
 * "cn=Database N,cn=Databases,cn=Monitor" carries the olmIls* attributes
 * (slapd-ils(5), MONITORING), registered the way back-mdb registers its
 * olmMDB* ones.  Counters of requests are bumped atomically on the
 * operations' own paths (ILS_MON_COUNT); what the store holds (live
 * registrations by dialect, map use) is read when cn=Monitor is searched,
 * so the hot path pays nothing for it.  Without the monitor database
 * nothing registers and the counters are merely kept.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "slap-config.h"
#include "back-ils.h"
#include "back-monitor/back-monitor.h"
#include "monreg.h"

#define ILS_MON_AT	ILS_OID_ROOT ".10.1"
#define ILS_MON_OC	ILS_OID_ROOT ".10.2"

/* the dialect a stored registration was written by */
enum { D_NETMEETING, D_DIALER, D_GNOME, D_PTLIB, D_OTHER, D_N };

/* what one update of the entry shows, in s_at's order after the counters */
enum { S_LIVE = ILS_MON_N, S_MAPSIZE = S_LIVE + 1 + D_N, S_MAPUSED,
	S_HIGHWATER, S_N };

static AttributeDescription *ad_mon[S_N];
static AttributeDescription *ad_guid;

#define AT( n, name, desc )	MONREG_AT( ILS_MON_AT, n, name, desc )

/* index: ILS_MON_* counters, then S_* */
static char *s_at[S_N] = {
	AT( 1, "olmIlsAdds", "Adds that stored a registration (new or again)" ),
	AT( 2, "olmIlsModifies", "Modifies of registrations that succeeded" ),
	AT( 3, "olmIlsDeletes", "Deletes of registrations that succeeded" ),
	AT( 4, "olmIlsRefusedOwnership", "Writes refused: the registration or its name belongs to another owner" ),
	AT( 5, "olmIlsRefusedPerAddress", "Writes refused by ils-max-per-address" ),
	AT( 6, "olmIlsRefusedRate", "Writes refused by ils-max-per-minute" ),
	AT( 7, "olmIlsRefusedSize", "Writes refused by ils-max-entry-size, ils-max-attrs or ils-max-values" ),
	AT( 8, "olmIlsRefusedMapFull", "Writes refused at ils-map-highwater or with the map full" ),
	AT( 9, "olmIlsRefusedNoSuchObject", "Modifies and Deletes of registrations that do not exist" ),
	AT( 10, "olmIlsRefusedBadInput", "Writes refused as malformed or against the ILS rules" ),
	AT( 11, "olmIlsErrors", "Writes that failed inside the server" ),
	AT( 12, "olmIlsLive", "Registrations stored" ),
	AT( 13, "olmIlsLiveNetMeeting", "Registrations by NetMeeting (sappid ms-netmeeting)" ),
	AT( 14, "olmIlsLiveDialer", "Registrations by the TAPI 3 Dialer (application users, conferences, their people)" ),
	AT( 15, "olmIlsLiveGnomeMeeting", "Registrations by GnomeMeeting or Ekiga" ),
	AT( 16, "olmIlsLivePTLib", "Registrations by PTLib clients (sappguid none)" ),
	AT( 17, "olmIlsLiveOther", "Registrations by other clients" ),
	AT( 18, "olmIlsMapSize", "LMDB map size, bytes" ),
	AT( 19, "olmIlsMapUsed", "Bytes of the map that the stored trees hold" ),
	AT( 20, "olmIlsMapHighWater", "ils-map-highwater, percent of the map" ),
};

static char s_oc[] =
	"( " ILS_MON_OC ".1 NAME 'olmIlsDatabase' SUP top AUXILIARY "
	"MAY ( olmIlsAdds $ olmIlsModifies $ olmIlsDeletes $ "
	"olmIlsRefusedOwnership $ olmIlsRefusedPerAddress $ olmIlsRefusedRate $ "
	"olmIlsRefusedSize $ olmIlsRefusedMapFull $ olmIlsRefusedNoSuchObject $ "
	"olmIlsRefusedBadInput $ olmIlsErrors $ olmIlsLive $ olmIlsLiveNetMeeting $ "
	"olmIlsLiveDialer $ olmIlsLiveGnomeMeeting $ olmIlsLivePTLib $ "
	"olmIlsLiveOther $ olmIlsMapSize $ olmIlsMapUsed $ olmIlsMapHighWater ) )";

static monreg_schema ils_mon_schema = { "back-ils", s_at, S_N, ad_mon, s_oc };

/* ---- counting ---- */

/* A write's result, from ils_send_error.  The rootdn's writes are not
 * counted: dynttl's expiry Deletes and TTL writes run as the rootdn.
 * adminLimitExceeded is counted where the limit refuses, by limit. */
void
ils_monitor_result( Operation *op, int err )
{
	ils_info *ii = op->o_bd->be_private;
	int c;

	if ( be_isroot( op ) )
		return;
	switch ( err ) {
	case LDAP_SUCCESS:
		c = op->o_tag == LDAP_REQ_ADD ? ILS_MON_ADDS :
			op->o_tag == LDAP_REQ_MODIFY ? ILS_MON_MODIFIES :
			op->o_tag == LDAP_REQ_DELETE ? ILS_MON_DELETES : -1;
		break;
	case LDAP_INSUFFICIENT_ACCESS:
	case LDAP_ALREADY_EXISTS:
		c = ILS_MON_REF_OWNER;
		break;
	case LDAP_NO_SUCH_OBJECT:
		c = ILS_MON_REF_NO_SUCH;
		break;
	case LDAP_ADMINLIMIT_EXCEEDED:
		c = -1;
		break;
	case LDAP_OTHER:
	case LDAP_BUSY:
	case LDAP_UNAVAILABLE:
		c = ILS_MON_ERRORS;
		break;
	default:
		c = ILS_MON_REF_BAD_INPUT;
	}
	if ( c >= 0 )
		ILS_MON_COUNT( ii, c );
}

/* a refusal by one of limits.c's keywords */
void
ils_monitor_refused( Operation *op, const char *keyword )
{
	ils_info *ii = op->o_bd->be_private;

	if ( !strcmp( keyword, "ils-max-per-address" ) )
		ILS_MON_COUNT( ii, ILS_MON_REF_PER_ADDR );
	else if ( !strcmp( keyword, "ils-max-per-minute" ) )
		ILS_MON_COUNT( ii, ILS_MON_REF_RATE );
	else
		ILS_MON_COUNT( ii, ILS_MON_REF_SIZE );
}

/* ---- reading the store ---- */

static int
has_val( Entry *e, AttributeDescription *ad, const char *word, int prefix )
{
	Attribute *a = ad ? attr_find( e->e_attrs, ad ) : NULL;
	size_t n = strlen( word );
	unsigned i;

	for ( i = 0; a && i < a->a_numvals; i++ ) {
		struct berval *v = &a->a_vals[i];
		if ( ( prefix ? v->bv_len >= n : v->bv_len == n ) &&
			!strncasecmp( v->bv_val, word, n ) )
			return 1;
	}
	return 0;
}

/* The Dialer alone writes application users and conferences, and its
 * people have an application user of the same cn; the others say who
 * they are in sappid (PTLib: the process name, but sappguid "none"). */
static int
dialect( ils_info *ii, MDB_txn *txn, MDB_val *k, MDB_val *v )
{
	struct berval key = { k->mv_size, k->mv_data }, rec = { v->mv_size, v->mv_data };
	char buf[ILS_KEYBUF];
	MDB_val sk, sv;
	Entry *e;
	int d;

	if ( key.bv_val[0] != ILS_KEY_PERSON )
		return D_DIALER;
	if ( key.bv_len <= sizeof( buf ) ) {
		memcpy( buf, key.bv_val, key.bv_len );
		buf[0] = ILS_KEY_APPUSER;
		sk.mv_data = buf;
		sk.mv_size = key.bv_len;
		if ( mdb_get( txn, ii->ii_dbi, &sk, &sv ) == 0 )
			return D_DIALER;
	}
	if ( ils_record_decode( &key, &rec, &e ) != LDAP_SUCCESS )
		return D_OTHER;
	if ( has_val( e, ad_guid, "none", 0 ) )
		d = D_PTLIB;
	else if ( has_val( e, ii->ii_ad_appid, "ms-netmeeting", 0 ) )
		d = D_NETMEETING;
	else if ( has_val( e, ii->ii_ad_appid, "gnomemeeting", 1 ) ||
		has_val( e, ii->ii_ad_appid, "ekiga", 1 ) )
		d = D_GNOME;
	else
		d = D_OTHER;
	ils_record_free( e );
	return d;
}

/* live[0] all, live[1 + D_*] by dialect: one read transaction */
static void
count_live( ils_info *ii, unsigned long *live )
{
	MDB_txn *txn;
	MDB_cursor *mc;
	MDB_val k, v;

	if ( !ii->ii_env || mdb_txn_begin( ii->ii_env, NULL, MDB_RDONLY, &txn ) )
		return;
	if ( mdb_cursor_open( txn, ii->ii_dbi, &mc ) == 0 ) {
		while ( mdb_cursor_get( mc, &k, &v, MDB_NEXT ) == 0 ) {
			/* the containers are records, not registrations; the
			 * entryUUID index is neither */
			if ( !ILS_KEY_IS_RECORD( k.mv_data, k.mv_size ) ||
				( (char *)k.mv_data )[0] == ILS_KEY_CONTAINER )
				continue;
			live[0]++;
			live[1 + dialect( ii, txn, &k, &v )]++;
		}
		mdb_cursor_close( mc );
	}
	mdb_txn_abort( txn );
}

static void
ils_monitor_values( void *owner, unsigned long *v )
{
	ils_info *ii = owner;
	size_t mapsize = 0, used = 0;
	int i;

	for ( i = 0; i < ILS_MON_N; i++ )
		v[i] = __atomic_load_n( &ii->ii_mon[i], __ATOMIC_RELAXED );
	count_live( ii, &v[S_LIVE] );
	ils_store_usage( ii, &mapsize, &used );
	v[S_MAPSIZE] = mapsize;
	v[S_MAPUSED] = used;
	v[S_HIGHWATER] = ii->ii_highwater;
}

/* ---- life cycle ---- */

int
ils_monitor_db_init( BackendDB *be )
{
	return monreg_db_init( &ils_mon_schema, be );
}

int
ils_monitor_db_open( BackendDB *be )
{
	ils_info *ii = be->be_private;
	const char *text;

	if ( !ad_guid )
		slap_str2ad( "guid", &ad_guid, &text );
	if ( !ii->ii_monitor )
		ii->ii_monitor = monreg_open( &ils_mon_schema, be, NULL,
			ils_monitor_values, ii );
	return 0;
}

int
ils_monitor_db_close( BackendDB *be )
{
	ils_info *ii = be->be_private;

	if ( ii && ii->ii_monitor ) {
		monreg_close( ii->ii_monitor );
		ii->ii_monitor = NULL;
	}
	return 0;
}
