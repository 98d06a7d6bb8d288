/* back-ils.h - declarations shared by the files of back-ils
 *
 * back-ils is a slapd backend for the Internet Locator Service (MS-TAIL):
 * the "who is online" directory of NetMeeting, the TAPI 3 Dialer,
 * GnomeMeeting/Ekiga and PTLib.  Registrations live in LMDB, keyed by the
 * normalised cn; every DN spelling a client uses maps onto that key.
 *
 * The functions below are global only within the module: libtool exports
 * nothing but init_module.
 */
#ifndef BACK_ILS_H
#define BACK_ILS_H

#include <lmdb.h>
#include "ilsdn.h"
#include "ipaddr.h"

LDAP_BEGIN_DECL

#define ILS_OID_ROOT	"2.25.311348974533297783944266915000297630664"

/* Limits; see slapd-ils(5).  LMDB keys are at most 511 bytes. */
#define ILS_CN_MAX		500
#define ILS_DEF_MAPSIZE		( (size_t)4 << 30 )
#define ILS_DEF_HIGHWATER	90	/* percent of the map; see store.c */
#define ILS_MIN_HIGHWATER	10
#define ILS_DEF_CHECKPOINT	5	/* seconds between flushes */
#define ILS_MAX_CHECKPOINT	3600
#define ILS_DEF_VALUE_LEN	1024
#define ILS_DEF_BINARY_LEN	65536
#define ILS_DEF_VALUES		64
#define ILS_DEF_ATTRS		64
#define ILS_DEF_REQ_ATTRS	128
#define ILS_SCAN_BATCH		256
/* abuse limits (limits.c), per owner address; 0 turns one off */
#define ILS_DEF_PER_ADDR	50	/* live registrations of each kind */
#define ILS_DEF_PER_MINUTE	20	/* new names a minute */
/* a conference with both binary values at their longest, and its text */
#define ILS_DEF_ENTRY_SIZE	( 2 * ILS_DEF_BINARY_LEN + 32768 )

/* monitor.c: counters of requests (slapd-ils(5), MONITORING) */
enum ils_mon_counter {
	ILS_MON_ADDS, ILS_MON_MODIFIES, ILS_MON_DELETES,
	ILS_MON_REF_OWNER, ILS_MON_REF_PER_ADDR, ILS_MON_REF_RATE,
	ILS_MON_REF_SIZE, ILS_MON_REF_MAP_FULL, ILS_MON_REF_NO_SUCH,
	ILS_MON_REF_BAD_INPUT, ILS_MON_ERRORS,
	ILS_MON_N
};
#define ILS_MON_COUNT( ii, c ) \
	( (void)__atomic_fetch_add( &(ii)->ii_mon[c], 1, __ATOMIC_RELAXED ) )

/* ils-address-policy (addrpolicy.c) */
enum ils_addr_policy {
	ILS_ADDR_AS_SENT,		/* store what the client sent */
	ILS_ADDR_PEER,			/* store the connection's address */
	ILS_ADDR_PEER_IF_PRIVATE	/* ... instead of an unreachable one */
};
#define ILS_DEF_ADDR_POLICY	ILS_ADDR_PEER_IF_PRIVATE

typedef struct ils_info {
	char		*ii_dir;		/* directory */
	size_t		ii_mapsize;		/* ils-mapsize */
	int		ii_nosync;		/* ils-dbnosync */
	int		ii_highwater;		/* ils-map-highwater, percent */
	int		ii_checkpoint;		/* ils-checkpoint, seconds; 0: none */
	struct re_s	*ii_cp_task;		/* the checkpoint in slapd's run queue */
	int		ii_max_vlen;		/* ils-max-value-length */
	int		ii_max_blen;		/* ils-max-binary-length */
	int		ii_max_vals;		/* ils-max-values */
	int		ii_max_attrs;		/* ils-max-attrs */
	int		ii_max_req_attrs;	/* ils-max-request-attrs */
	MDB_env		*ii_env;
	MDB_dbi		ii_dbi;
	AttributeDescription *ii_ad_sttl;	/* sTTL from ils.schema */
	AttributeDescription *ii_ad_ip;	/* ipAddress/sIPAddress */
	AttributeDescription *ii_ad_modop;	/* sModOp */
	ObjectClass	*ii_oc_rtperson;
	ObjectClass	*ii_oc_appuser;
	ObjectClass	*ii_oc_conf;
	AttributeDescription *ii_ad_sflags;
	AttributeDescription *ii_ad_token;	/* securityToken/sSecurity */
	AttributeDescription *ii_ad_appid;	/* applicationID/sAppID */
	AttributeDescription *ii_ad_protid;	/* protocolID/sProtID */
	AttributeDescription *ii_ad_port;	/* port/sPort */
	int		ii_hide_unlisted;	/* ils-hide-unlisted */
	int		ii_h323_any;		/* ils-h323-match */
	int		ii_max_per_addr;	/* ils-max-per-address */
	int		ii_max_per_minute;	/* ils-max-per-minute */
	int		ii_max_entry_size;	/* ils-max-entry-size */
	int		ii_addr_policy;		/* ils-address-policy */
	struct ils_limits *ii_limits;		/* limits.c: counts per address */
	unsigned long	ii_mon[ILS_MON_N];	/* monitor.c: ILS_MON_COUNT */
	struct monreg	*ii_monitor;		/* monitor.c: the cn=Monitor entry */
} ils_info;

/* config.c */
int ils_config_init( BackendInfo *bi );

/* compat.c: the frontend hooks that let NetMeeting's requests through */
int ils_compat_schema( const char **err );
int ils_compat_is_latin1( AttributeDescription *ad );

/* What a request DN names.  An entry's LMDB key is one byte for its kind
 * followed by its normalised naming value: "p" rtPerson (by cn), "a" the
 * Dialer's rtApplicationUser (by cn), "c" rtConference (by uid); "o" a
 * container (container.c) followed by its whole normalised DN
 * ("oo=intranet", "oou=dynamic,o=intranet", ...), whose record stores
 * its DNs. */
#define ILS_KEY_PERSON	'p'
#define ILS_KEY_APPUSER	'a'
#define ILS_KEY_CONF	'c'
#define ILS_KEY_CONTAINER	'o'
#define ILS_KEYBUF	( ILS_CN_MAX + 16 )
typedef struct ils_name {
	struct ilsdn	in_dn;
	struct berval	in_key;
	char		in_buf[ILS_KEYBUF];
} ils_name;

/* canon.c: the key and the canonical DN of a registration */
#define ILS_DN_DYNAMIC	"ou=Dynamic,o=Intranet"	/* people, conferences */
#define ILS_DN_APPCONT	"appName=MS-NetMeeting,ou=Applications,o=Intranet"
int ils_canon_open( void );
void ils_canon_close( void );
void ils_canon_tails( enum ilsdn_kind kind, struct berval **tail,
	struct berval **ntail );
void ils_parse_dn( struct berval *ndn, ils_name *nm );
int ils_sibling_key( ils_name *nm, char *buf, struct berval *key );
AttributeDescription *ils_entry_naming_ad( enum ilsdn_kind kind );
int ils_canon_dn( enum ilsdn_kind kind, struct berval *id, struct berval *dn,
	struct berval *ndn, void *ctx );
int ils_entry_name( enum ilsdn_kind kind, struct berval *id, Entry *e );
int ils_canon_is( struct berval *ndn, ils_name *nm );

/* dialect.c: every client's spelling made canonical before any overlay */
int ils_dialect_init( void );
int ils_dialect_open( void );

/* cascade.c: the Dialer's sibling registration, by internal operations */
void ils_cascade_delete( Operation *op, ils_name *nm );
void ils_cascade_join( Operation *op, ils_name *nm, Entry *app );

/* record.c: a registration as an LMDB value */
int ils_record_decode( struct berval *key, struct berval *rec, Entry **ep );
void ils_record_free( Entry *e );
int ils_record_encode( struct berval *key, Entry *e, struct berval *bv );
int ils_record_patch( struct berval *rec, Modifications *ml, char **bufp,
	struct berval *out );

/* store.c: LMDB */
int ils_store_open( BackendDB *be, ConfigReply *cr );
void ils_store_close( ils_info *ii );
int ils_store_sync_mode( ils_info *ii );
int ils_store_grow( ils_info *ii, size_t mapsize );
void ils_store_checkpoint( BackendDB *be );
int ils_store_begin( ils_info *ii, MDB_txn **txn );
int ils_store_end( MDB_txn *txn, int rc );
int ils_store_get( ils_info *ii, MDB_txn *txn, struct berval *key, Entry **ep );
/* how ils_store_put treats the high-water mark */
#define ILS_PUT_LIMITED	0	/* a client's write: refused above it if it grows the store */
#define ILS_PUT_ANY	1	/* the server's own (TTL bookkeeping): never refused */
int ils_store_put( ils_info *ii, MDB_txn *txn, struct berval *key, Entry *e,
	int how );
int ils_store_refused( Operation *op, int rc, const char **text );
#define ILS_PATCH_MODS	8	/* the most replaces ils_store_patch takes */
int ils_store_patch( ils_info *ii, MDB_txn *txn, struct berval *key,
	Modifications *ml );
int ils_store_del( ils_info *ii, MDB_txn *txn, struct berval *key );
int ils_store_scan( ils_info *ii, char kind, struct berval *from,
	Entry **batch, int max, int *n, struct berval *last );
int ils_store_scan_having( ils_info *ii, char kind, struct berval *from,
	struct berval *needle, Entry **batch, int max, int *n, struct berval *last );
long ils_store_count( ils_info *ii );
int ils_store_usage( ils_info *ii, size_t *mapsize, size_t *used );

/* entry.c: registrations as entries, limits */
int ils_entry_check( Operation *op, Entry *e, const char **text,
	char *buf, size_t len );
int ils_entry_identity( Operation *op, enum ilsdn_kind kind, Entry *e,
	struct berval *id );
#define ILS_APP_ATTRS	8	/* the application attributes of MS-TAIL */
const char *const *ils_entry_app_attrs( void );
void ils_entry_merge_app( Entry *person, Entry *app );
void ils_entry_drop_app( Entry *e );
BerVarray ils_entry_list_pieces( ils_info *ii, AttributeDescription *ad,
	BerVarray vals, int *n );
int ils_entry_fix_ip( Operation *op, Attribute *a, const char **text,
	char *buf, size_t len );

/* container.c: o=Intranet and the containers below it, stored */
#define ILSDN_IS_CONTAINER( k ) ( (k) == ILSDN_ROOT || (k) == ILSDN_DYNAMIC || \
	(k) == ILSDN_APPS || (k) == ILSDN_APPCONT )
Entry *ils_entry_container( enum ilsdn_kind kind );
int ils_container_key( enum ilsdn_kind kind, char *buf, struct berval *key );
int ils_container_get( ils_info *ii, MDB_txn *txn, enum ilsdn_kind kind,
	Entry **ep );
int ils_container_open( BackendDB *be );
int ils_container_writer( Operation *op );
int ils_container_modify( Operation *op, SlapReply *rs, enum ilsdn_kind kind );
int ils_has_subordinates( Operation *op, Entry *e, int *has );
int ils_operational( Operation *op, SlapReply *rs );

/* opattrs.c: entryUUID, entryCSN, creators and modifiers */
int ils_opattrs_add( Operation *op, Entry *e, const char **text, char *buf,
	size_t len );
void ils_opattrs_keep( Operation *op, Entry *e, Entry *old );
void ils_opattrs_mods( Operation *op );

/* owner.c: whom a registration belongs to; the dynacl "ils-owner" */
int ils_owner_init( void );
int ils_owner_is( Operation *op, Entry *e );
void ils_owner_stamp( Operation *op, Entry *e, Entry *old );
void ils_owner_peer( Operation *op, char *buf, struct berval *addr );
int ils_owner_address( Entry *e, struct berval *addr );

/* limits.c: what one address may do (slapd-ils(5), LIMITS AND ERRORS).
 * An update notes the registrations it creates and removes in a tally
 * while it holds LMDB's write transaction; ils_limits_settle() keeps or
 * undoes the notes once the transaction has ended. */
#define ILS_TALLY_MAX	4
typedef struct ils_tally {
	int		t_n;
	struct ils_tally_note {
		char	tn_kind;		/* ILS_KEY_* */
		char	tn_gone;		/* removed, or created */
		char	tn_addr[ILSIP_PEER_MAX];
	} t_note[ILS_TALLY_MAX];
} ils_tally;
int ils_limits_open( ils_info *ii );
void ils_limits_close( ils_info *ii );
int ils_limits_add( Operation *op, char kind, Entry *old, Entry *e,
	ils_tally *t, const char **text );
void ils_limits_moved( ils_info *ii, char kind, struct berval *from,
	struct berval *to, ils_tally *t );
void ils_limits_settle( ils_info *ii, ils_tally *t, int rc );
int ils_limits_size( Operation *op, Entry *e, const char **text );
int ils_limits_attempt( Operation *op, const char **text );

/* monitor.c */
int ils_monitor_db_init( BackendDB *be );
int ils_monitor_db_open( BackendDB *be );
int ils_monitor_db_close( BackendDB *be );
void ils_monitor_result( Operation *op, int err );
void ils_monitor_refused( Operation *op, const char *keyword );

/* addrpolicy.c: the address a registration advertises */
void ils_addr_policy( Operation *op, Modifications *ml, Entry *e );

/* reclaim.c: a NetMeeting that changed address takes its name back */
int ils_reclaim_token_matches( Operation *op, Entry *old, Entry *e );
int ils_reclaim_token_unique( Operation *op, Entry *e );

/* txn.c: the frontend's Start Transaction, closed to anonymous clients */
int ils_txn_guard( void );

/* filter.c */
Filter *ils_filter_rewrite( Operation *op, Filter *f );
void ils_filter_free( Operation *op, Filter *f );

/* names.c: the attribute names clients wrote */
int ils_names_init( void );
void ils_names_note( Entry *e, AttributeDescription *ad, struct berval *type );
void ils_names_keep( Entry *e, AttributeDescription *ad, struct berval *type );
struct berval *ils_names_spelling( Entry *e, AttributeType *at );

/* reply.c: entries shaped the way the client asked for them */
#define ILS_SPELLINGS	32
typedef struct ils_spelling {
	AttributeType		*sp_type;
	AttributeDescription	sp_ad;		/* named as the client wrote it */
} ils_spelling;

typedef struct ils_reply {
	ils_spelling		*ir_spell;	/* for "all attributes" replies */
	int			ir_nspell;
	AttributeDescription	*ir_clones;	/* one per requested name */
	int			ir_nattrs;
	int			ir_all_user;	/* no list, or "*" */
	int			ir_all_oper;	/* "+" */
	int			ir_latin1;	/* an LDAPv2 client */
} ils_reply;
int ils_reply_init( Operation *op, ils_reply *r, const char **text );
Entry *ils_reply_entry( Operation *op, ils_reply *r, Entry *stored );
void ils_reply_destroy( Operation *op, ils_reply *r );

/* csn.c */
void ils_csn_take( Operation *op );
void ils_csn_end( Operation *op );

/* tool.c: slapcat, slapadd, slapindex (bi_tool_*) */
void ils_tool_init( BackendInfo *bi );

/* operations */
int ils_back_search( Operation *op, SlapReply *rs );
/* search.c: one entry by DN (bi_entry_get_rw) */
int ils_entry_get_rw( Operation *op, struct berval *ndn, ObjectClass *oc,
	AttributeDescription *at, int rw, Entry **ep );
int ils_entry_release_rw( Operation *op, Entry *e, int rw );
int ils_back_add( Operation *op, SlapReply *rs );
int ils_back_modify( Operation *op, SlapReply *rs );
int ils_back_delete( Operation *op, SlapReply *rs );
int ils_back_modrdn( Operation *op, SlapReply *rs );

/* update.c: the driver of a Modify or Delete */
int ils_app_join( Operation *op, MDB_txn *txn, ils_name *nm, Entry *e );
int ils_assert_ok( Operation *op, Entry *e );
int ils_update_target( Operation *op, SlapReply *rs, ils_name *nm );
typedef int (ils_update_fn)( Operation *op, MDB_txn *txn, ils_name *nm,
	ils_tally *t, const char **text, char *buf, size_t len );
int ils_update( Operation *op, SlapReply *rs, const char *what, ils_update_fn *fn );
typedef void (ils_cascade_fn)( Operation *op, ils_name *nm );
int ils_update_then( Operation *op, SlapReply *rs, const char *what,
	ils_update_fn *fn, ils_cascade_fn *then );
int ils_send_error( Operation *op, SlapReply *rs, int err, const char *text );

LDAP_END_DECL

#endif
