/* ttlmonitor.h - the dynttl counters shown under cn=Monitor
 *
 * Kept in ttl_info, bumped atomically where each thing happens; see
 * ttlmonitor.c and slapo-dynttl(5), MONITORING.
 */
#ifndef TTLMONITOR_H
#define TTLMONITOR_H

LDAP_BEGIN_DECL

enum dynttl_mon_counter {
	DYNTTL_MON_ADDS,		/* Adds of new dynamic objects */
	DYNTTL_MON_KA_SEARCH,		/* keep-alives: the (sttl=N) search */
	DYNTTL_MON_KA_MODIFY,		/* ... a Modify of sTTL or entryTtl */
	DYNTTL_MON_KA_REFRESH,		/* ... the RFC 2589 refresh operation */
	DYNTTL_MON_KA_READD,		/* ... an Add of an existing object */
	DYNTTL_MON_WRITES,		/* expiry times written to entries */
	DYNTTL_MON_EXPIRED,		/* deleted by expiry */
	DYNTTL_MON_EXPIRE_KEPT,		/* due, but refreshed before the Delete */
	DYNTTL_MON_EXPIRE_FAILED,	/* expiry Deletes that failed (retried) */
	DYNTTL_MON_REF_MAX_ENTRIES,	/* refusals: dynttl-max-entries */
	DYNTTL_MON_REF_TTL,		/* ... a TTL that cannot be */
	DYNTTL_MON_REF_NOT_DYNAMIC,	/* ... not a dynamic object */
	DYNTTL_MON_REF_ACCESS,		/* ... no write access to the TTL */
	DYNTTL_MON_REF_NO_SUCH,		/* ... no such object */
	DYNTTL_MON_N
};

#define DYNTTL_COUNT( ti, c ) \
	( (void)__atomic_fetch_add( &(ti)->ti_mon[c], 1, __ATOMIC_RELAXED ) )

struct ttl_info;

/* ttlmonitor.c */
int ttl_monitor_db_init( BackendDB *be );
int ttl_monitor_db_open( BackendDB *be, struct ttl_info *ti );
int ttl_monitor_db_close( struct ttl_info *ti );
void ttl_monitor_refused( struct ttl_info *ti, int rc );
int ttl_monitor_refresh( struct ttl_info *ti, int rc );

LDAP_END_DECL

#endif
