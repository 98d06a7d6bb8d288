/* ttlmonitor.c - slapo-dynttl counters under cn=Monitor
 *
 * With "database monitor" configured, the overlay's entry under its
 * database's, "cn=Overlay N,cn=Database M,cn=Databases,cn=Monitor",
 * carries the olmDynTTL* attributes (slapo-dynttl(5), MONITORING), over
 * back-ils and back-mdb alike; see common/monreg.c.  The
 * counters live in ttl_info and are bumped atomically where each thing
 * happens (DYNTTL_COUNT); a search of cn=Monitor copies them out.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "slap-config.h"
#include "back-monitor/back-monitor.h"
#include "monreg.h"
#include "dynttl.h"

#define TTL_MON_AT	DYNTTL_OID_ROOT ".10.3"
#define TTL_MON_OC	DYNTTL_OID_ROOT ".10.4"

/* shown besides the counters, in s_at's order after them */
enum { S_KEEPALIVES = DYNTTL_MON_N, S_LIVE, S_PENDING, S_N };

static AttributeDescription *ad_mon[S_N];

#define AT( n, name, desc )	MONREG_AT( TTL_MON_AT, n, name, desc )

static char *s_at[S_N] = {
	AT( 1, "olmDynTTLAdds", "Adds of new dynamic objects" ),
	AT( 2, "olmDynTTLKeepAliveSearch", "Keep-alives by a search with (sttl=N)" ),
	AT( 3, "olmDynTTLKeepAliveModify", "Keep-alives by a Modify of sTTL or entryTtl" ),
	AT( 4, "olmDynTTLKeepAliveRefresh", "Keep-alives by the RFC 2589 refresh operation" ),
	AT( 5, "olmDynTTLKeepAliveReAdd", "Keep-alives by an Add of an existing object" ),
	AT( 6, "olmDynTTLWrites", "Expiry times written to entries by keep-alives and write-behind" ),
	AT( 7, "olmDynTTLExpired", "Dynamic objects deleted by expiry" ),
	AT( 8, "olmDynTTLExpiryKept", "Due objects refreshed before their expiry Delete" ),
	AT( 9, "olmDynTTLExpiryFailed", "Expiry Deletes that failed and were tried again" ),
	AT( 10, "olmDynTTLRefusedMaxEntries", "Adds refused by dynttl-max-entries" ),
	AT( 11, "olmDynTTLRefusedTTL", "Requests refused for a TTL that cannot be" ),
	AT( 12, "olmDynTTLRefusedNotDynamic", "Refreshes of entries that are not dynamic objects" ),
	AT( 13, "olmDynTTLRefusedAccess", "Refreshes refused for want of write access to the TTL" ),
	AT( 14, "olmDynTTLRefusedNoSuchObject", "Refreshes of entries that do not exist" ),
	AT( 15, "olmDynTTLRefreshes", "Keep-alives by every path" ),
	AT( 16, "olmDynTTLLive", "Dynamic objects the overlay knows" ),
	AT( 17, "olmDynTTLPending", "Refreshed expiry times waiting to be written (dynttl-persist-delay)" ),
};

static char s_oc[] =
	"( " TTL_MON_OC ".1 NAME 'olmDynTTLOverlay' SUP top AUXILIARY "
	"MAY ( olmDynTTLAdds $ olmDynTTLKeepAliveSearch $ olmDynTTLKeepAliveModify $ "
	"olmDynTTLKeepAliveRefresh $ olmDynTTLKeepAliveReAdd $ olmDynTTLWrites $ "
	"olmDynTTLExpired $ olmDynTTLExpiryKept $ olmDynTTLExpiryFailed $ "
	"olmDynTTLRefusedMaxEntries $ olmDynTTLRefusedTTL $ olmDynTTLRefusedNotDynamic $ "
	"olmDynTTLRefusedAccess $ olmDynTTLRefusedNoSuchObject $ olmDynTTLRefreshes $ "
	"olmDynTTLLive $ olmDynTTLPending ) )";

static monreg_schema ttl_mon_schema = { "dynttl", s_at, S_N, ad_mon, s_oc };

/* ---- counting ---- */

/* a request the overlay answers itself with rc */
void
ttl_monitor_refused( ttl_info *ti, int rc )
{
	switch ( rc ) {
	case LDAP_ADMINLIMIT_EXCEEDED:
		DYNTTL_COUNT( ti, DYNTTL_MON_REF_MAX_ENTRIES );
		break;
	case LDAP_OBJECT_CLASS_VIOLATION:
		DYNTTL_COUNT( ti, DYNTTL_MON_REF_NOT_DYNAMIC );
		break;
	case LDAP_INSUFFICIENT_ACCESS:
		DYNTTL_COUNT( ti, DYNTTL_MON_REF_ACCESS );
		break;
	case LDAP_NO_SUCH_OBJECT:
		DYNTTL_COUNT( ti, DYNTTL_MON_REF_NO_SUCH );
		break;
	default:		/* constraintViolation, unwilling, sizeLimitExceeded */
		DYNTTL_COUNT( ti, DYNTTL_MON_REF_TTL );
	}
}

/* the refresh operation's result; returns rc */
int
ttl_monitor_refresh( ttl_info *ti, int rc )
{
	if ( rc == LDAP_SUCCESS )
		DYNTTL_COUNT( ti, DYNTTL_MON_KA_REFRESH );
	else
		ttl_monitor_refused( ti, rc );
	return rc;
}

/* ---- the entry ---- */

static void
ttl_monitor_values( void *owner, unsigned long *v )
{
	ttl_info *ti = owner;
	int i;

	for ( i = 0; i < DYNTTL_MON_N; i++ )
		v[i] = __atomic_load_n( &ti->ti_mon[i], __ATOMIC_RELAXED );
	v[S_KEEPALIVES] = v[DYNTTL_MON_KA_SEARCH] + v[DYNTTL_MON_KA_MODIFY] +
		v[DYNTTL_MON_KA_REFRESH] + v[DYNTTL_MON_KA_READD];
	pthread_mutex_lock( &ti->ti_mutex );
	v[S_LIVE] = ti->ti_count;
	v[S_PENDING] = ti->ti_ndirty;
	pthread_mutex_unlock( &ti->ti_mutex );
}

/* ---- life cycle ---- */

int
ttl_monitor_db_init( BackendDB *be )
{
	return monreg_db_init( &ttl_mon_schema, be );
}

/* ti: be->bd_info is not the overlay after dynttl_load() */
int
ttl_monitor_db_open( BackendDB *be, ttl_info *ti )
{
	if ( !ti->ti_monitor )
		ti->ti_monitor = monreg_open( &ttl_mon_schema, be, ti->ti_on,
			ttl_monitor_values, ti );
	return 0;
}

int
ttl_monitor_db_close( ttl_info *ti )
{
	if ( ti && ti->ti_monitor ) {
		monreg_close( ti->ti_monitor );
		ti->ti_monitor = NULL;
	}
	return 0;
}
