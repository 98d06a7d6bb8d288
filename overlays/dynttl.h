/* dynttl.h - declarations shared by the files of the dynttl overlay
 *
 * slapo-dynttl gives RFC 2589 dynamic objects exact expiry and every ILS
 * client's way of keeping an entry alive.  An in-memory index orders the
 * entries by expiry time; a task in slapd's run queue wakes every second,
 * in slapd's thread pool, and deletes the due entries through the
 * database's whole overlay stack.  Expiry times are kept in the entries
 * (dynttlExpireTime), so they survive restarts.  Keep-alives write them
 * behind: the index has the new time at once, the entry within
 * dynttl-persist-delay, in one pass for all refreshes of that interval.
 *
 * The invariant of expiry times (kept in ttlqueue.c, slapo-dynttl(5)):
 * 1. the time stored in an entry is never later than the index's;
 * 2. no write replaces a newer time by an older one: the index's times
 *    are written by one writer at a time (ti_wmutex), which reads the time
 *    under ti_mutex when it writes, not before; an Add or a Modify that
 *    writes its own time and met such a write has the entry written again
 *    with the index's time (ttl_queue_set_op);
 * 3. every stored entry is visible or deleted within a second of its TTL:
 *    the index forgets an entry only once it is known to be gone, and an
 *    expiry Delete that meets a later stored time re-reads it and keeps
 *    the entry until then (no ghost: stored, hidden, never deleted);
 * 4. a keep-alive that returns an entry guarantees it lives until its new
 *    TTL: the new time is in the index before the entry is sent, an expiry
 *    Delete is only chosen for an entry whose index time has passed, and
 *    one chosen already hides the entry from the keep-alive instead.
 * On replicas (slapo-dynttl(5), REPLICATION) the index takes the times
 * that syncrepl writes as they are, and marks them another server's
 * (tn_peer): such an entry is hidden on time but deleted only after
 * dynttl-replica-grace, or never on a consumer of one provider, whose
 * Delete it waits for.
 */
#ifndef DYNTTL_H
#define DYNTTL_H

#include <pthread.h>
#include <stdint.h>
#include "ldap_avl.h"
#include "ttlmonitor.h"

LDAP_BEGIN_DECL

#define DYNTTL_OID_ROOT		"2.25.311348974533297783944266915000297630664"
#define DYNTTL_RFC_MAX		31557600	/* RFC 2589 4: one year */
#define DYNTTL_BATCH		512		/* deletes per pool task */
#define DYNTTL_DEF_DELAY	1		/* dynttl-persist-delay, s */
#define DYNTTL_MAX_DELAY	3600
#define DYNTTL_DEF_GRACE	30		/* dynttl-replica-grace, s */
#define DYNTTL_MAX_GRACE	86400
#define DYNTTL_RETRY_MIN	1000		/* a failed expiry is tried again, ms */
#define DYNTTL_RETRY_MAX	60000		/* ... doubling up to this */

typedef struct ttl_node {
	struct berval	tn_ndn;
	int64_t		tn_expire;		/* ms since the epoch */
	int64_t		tn_queued;		/* its place in the time order */
	int		tn_ttl;			/* seconds, of the last refresh */
	int		tn_dirty;		/* tn_expire not in the entry yet */
	int		tn_retry;		/* ms until a failed expiry's next try */
	int		tn_deleting;		/* an expiry Delete is under way */
	unsigned	tn_gen;			/* counts the node's changes */
	unsigned long	tn_wseq;		/* ti_wseq at its last write */
	int		tn_peer;		/* the time came from another server */
} ttl_node;

typedef struct ttl_info {
	/* configuration, seconds */
	int		ti_default;
	int		ti_min;
	int		ti_max;
	long		ti_max_entries;		/* 0: no cap */
	int		ti_all;			/* every Add is dynamic */
	int		ti_delay;		/* dynttl-persist-delay */
	int		ti_grace;		/* dynttl-replica-grace */

	BackendDB	*ti_be;			/* the database, whole stack */
	struct slap_overinst *ti_on;

	/* the index: by DN and by (expiry, DN); ti_mutex guards it all */
	pthread_mutex_t	ti_mutex;
	pthread_cond_t	ti_cond;
	TAvlnode	*ti_by_dn;
	TAvlnode	*ti_by_time;
	long		ti_count;
	long		ti_reserved;		/* Adds admitted, not yet indexed */
	int		ti_stop;
	int		ti_task;		/* the expiry task is running */
	int		ti_orphan;		/* the task frees ti (db_destroy) */
	struct re_s	*ti_rtask;		/* in slapd_rq; slapd_rq.rq_mutex */
	/* one writer of the index's times into entries at a time
	 * (invariant 2); taken before ti_mutex, never held across a pool
	 * pause check nor across a client's operation (a transaction holds
	 * the database's write lock from one operation to the next) */
	pthread_mutex_t	ti_wmutex;
	unsigned long	ti_wseq;		/* counts those writes */
	/* refreshes not yet written to their entries (write-behind) */
	struct berval	*ti_dirty;
	int		ti_ndirty, ti_maxdirty;
	int64_t		ti_flush_at;		/* when to write them; 0: none */
	unsigned long	ti_mon[DYNTTL_MON_N];	/* ttlmonitor.h: DYNTTL_COUNT */
	struct monreg	*ti_monitor;		/* ttlmonitor.c: the cn=Monitor entry */
} ttl_info;

extern AttributeDescription *dynttl_ad_expire;
extern AttributeDescription *dynttl_ad_sttl;	/* NULL without ils.schema */

/* ttlqueue.c */
int64_t dynttl_now( void );
void ttl_queue_init( ttl_info *ti );
void ttl_queue_destroy( ttl_info *ti );
int ttl_queue_set( ttl_info *ti, struct berval *ndn, int64_t expire, int peer );
unsigned long ttl_queue_wseq( ttl_info *ti );
int ttl_queue_set_op( ttl_info *ti, struct berval *ndn, int64_t expire,
	unsigned long wseq );
int ttl_queue_refresh( ttl_info *ti, struct berval *ndn, int64_t stored,
	int64_t expire, int ttl );
int64_t ttl_queue_get( ttl_info *ti, struct berval *ndn );
unsigned ttl_queue_gen( ttl_info *ti, struct berval *ndn, int *found );
int ttl_queue_write( ttl_info *ti, Operation *op, struct berval *ndn,
	int ttl, int64_t expire );
void ttl_queue_flush( ttl_info *ti, Operation *op, int in_task );
void ttl_queue_remove( ttl_info *ti, struct berval *ndn, unsigned gen );
int ttl_queue_reserve( ttl_info *ti );
void ttl_queue_unreserve( ttl_info *ti );
int ttl_queue_is_expiry( Operation *op );
void ttl_queue_rename( ttl_info *ti, struct berval *ndn, struct berval *newndn );
int ttl_queue_start( ttl_info *ti );
void ttl_queue_stop( ttl_info *ti );
int ttl_queue_orphan( ttl_info *ti );
int ttl_queue_open( ttl_info *ti );

/* ttlops.c */
int dynttl_op_add( Operation *op, SlapReply *rs );
int dynttl_op_modify( Operation *op, SlapReply *rs );
int dynttl_op_delete( Operation *op, SlapReply *rs );
int dynttl_op_modrdn( Operation *op, SlapReply *rs );
int dynttl_op_search( Operation *op, SlapReply *rs );
int dynttl_response( Operation *op, SlapReply *rs );
int dynttl_clamp( ttl_info *ti, long secs );
int dynttl_persist( Operation *op, ttl_info *ti, struct berval *ndn,
	long ttl, int64_t expire );
int dynttl_is_dynamic( Entry *e, int64_t *expire );
int dynttl_load( ttl_info *ti, BackendDB *be, void *ctx );
int64_t dynttl_children_expire( ttl_info *ti, Operation *op, struct berval *ndn );
void dynttl_time2str( int64_t ms, struct berval *bv, char *buf );

/* refresh.c */
int dynttl_refresh_register( void );
int dynttl_op_extended( Operation *op, SlapReply *rs );

LDAP_END_DECL

#endif
