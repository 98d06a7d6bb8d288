/* ttlops.c - where TTLs come from and where they go
 *
 * Creation: sTTL in the Add (minutes: NetMeeting 2.x, PTLib), entryTtl in
 * the Add (seconds), else dynttl-default-ttl.
 * Refresh: NetMeeting's keep-alive search (&(...)(sttl=N)), the Dialer's
 * Modify of entryTTL (seconds), a Modify of sTTL (minutes), the RFC 2589
 * extended operation (refresh.c), and a repeated Add.
 * Reading: entryTtl and sTTL count down between refreshes.
 * Every TTL is clamped to [dynttl-min-ttl, dynttl-max-ttl], except that the
 * extended operation answers sizeLimitExceeded above the maximum (RFC 2589).
 * Structure (RFC 2589 3.1, as slapo-dds): no static entry below a dynamic
 * one (Add, ModRDN), no change of kind by Modify; a ModRDN moves the
 * index's nodes of the entries it renames.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "dynttl.h"

#define TTL_INFO( op ) \
	( (ttl_info *)( (slap_overinst *)(op)->o_bd->bd_info )->on_bi.bi_private )

/* A client's TTL value in seconds; sttl counts minutes (MS-TAIL 2.2.5).
 * 0 for a value that is not a positive number.  A value beyond RFC 2589's
 * longest TTL saturates before the multiplication, so no hostile number
 * can wrap around to a short (or a negative) TTL; dynttl_clamp() then
 * applies the configured bounds. */
static long
value2secs( struct berval *v, int minutes )
{
	long n = strtol( v->bv_val, NULL, 10 );

	if ( n <= 0 )
		return 0;
	if ( n > DYNTTL_RFC_MAX )
		n = DYNTTL_RFC_MAX;
	return minutes ? n * 60 : n;
}

int
dynttl_clamp( ttl_info *ti, long secs )
{
	if ( secs < ti->ti_min ) return ti->ti_min;
	if ( secs > ti->ti_max ) return ti->ti_max;
	return (int)secs;
}

/* generalizedTime with milliseconds, YYYYmmddHHMMSS[.fff]Z, in slapd's
 * normalised form (no trailing zeros in the fraction): values are stored
 * without a separate normalised copy, and generalizedTimeOrderingMatch
 * compares strings, so "x.600Z" would sort after "x.6Z" */
void
dynttl_time2str( int64_t ms, struct berval *bv, char *buf )
{
	time_t t = (time_t)( ms / 1000 );
	struct tm tm;
	int frac = (int)( ms % 1000 ), digits = 3;

	gmtime_r( &t, &tm );
	bv->bv_len = strftime( buf, 32, "%Y%m%d%H%M%S", &tm );
	for ( ; frac && frac % 10 == 0; frac /= 10 )
		digits--;
	if ( frac )
		bv->bv_len += snprintf( buf + bv->bv_len, 8, ".%0*d", digits, frac );
	buf[bv->bv_len++] = 'Z';
	buf[bv->bv_len] = '\0';
	bv->bv_val = buf;
}

/* n decimal digits at p, or -1 */
static int
digits( const char *p, int n )
{
	int v = 0;

	for ( ; n > 0; n--, p++ ) {
		if ( *p < '0' || *p > '9' )
			return -1;
		v = v * 10 + ( *p - '0' );
	}
	return v;
}

/* the inverse of dynttl_time2str (by hand, not sscanf: a browse reads
 * the expiry time of every entry it sends) */
static int64_t
str2time( struct berval *bv )
{
	struct tm tm = { 0 };
	char *p = bv->bv_val + 14, *end = bv->bv_val + bv->bv_len;
	int ms = 0;

	if ( bv->bv_len < 15 ||
		( tm.tm_year = digits( bv->bv_val, 4 ) ) < 0 ||
		( tm.tm_mon = digits( bv->bv_val + 4, 2 ) ) < 0 ||
		( tm.tm_mday = digits( bv->bv_val + 6, 2 ) ) < 0 ||
		( tm.tm_hour = digits( bv->bv_val + 8, 2 ) ) < 0 ||
		( tm.tm_min = digits( bv->bv_val + 10, 2 ) ) < 0 ||
		( tm.tm_sec = digits( bv->bv_val + 12, 2 ) ) < 0 )
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ( *p == '.' ) {
		int n = 0;
		for ( p++; p < end && *p >= '0' && *p <= '9'; p++ )
			if ( n++ < 3 )
				ms = ms * 10 + ( *p - '0' );
		for ( ; n < 3; n++ )
			ms *= 10;
	}
	return (int64_t)timegm( &tm ) * 1000 + ms;
}

/* by type, not by description: back-ils replies carry copies of the
 * descriptions, named as the client asked */
static Attribute *
find_type( Entry *e, AttributeDescription *ad )
{
	Attribute *a;

	for ( a = e->e_attrs; a; a = a->a_next )
		if ( a->a_desc->ad_type == ad->ad_type )
			return a;
	return NULL;
}

/* objectClass values name dynamicObject (without the "no objectClass"
 * complaint is_entry_objectclass() logs for NetMeeting's Adds) */
static int
has_dynamic_class( Entry *e )
{
	return find_type( e, slap_schema.si_ad_objectClass ) &&
		is_entry_objectclass( e, slap_schema.si_oc_dynamicObject, 0 );
}

/* 1 when e is a dynamic object; *expire gets its expiry (or -1) */
int
dynttl_is_dynamic( Entry *e, int64_t *expire )
{
	Attribute *a = find_type( e, dynttl_ad_expire );

	*expire = a && a->a_numvals ? str2time( &a->a_vals[0] ) : -1;
	return a != NULL || has_dynamic_class( e );
}

static Modifications *
ttl_mod( AttributeDescription *ad, struct berval *val, Modifications *next )
{
	Modifications *ml = ch_calloc( 1, sizeof( Modifications ) );

	ml->sml_op = LDAP_MOD_REPLACE;
	ml->sml_flags = SLAP_MOD_INTERNAL;
	ml->sml_desc = ad;
	ml->sml_type = ad->ad_cname;
	ml->sml_numvals = 1;
	ml->sml_values = ch_calloc( 2, sizeof( struct berval ) );
	ber_dupbv( &ml->sml_values[0], val );
	ml->sml_nvalues = NULL;
	ml->sml_next = next;
	return ml;
}

/* the two internal modifications that record a TTL in the entry */
static Modifications *
ttl_mods( long ttl, int64_t expire, Modifications *next )
{
	char tbuf[32], ebuf[40];
	struct berval tv, ev;

	tv.bv_val = tbuf;
	tv.bv_len = snprintf( tbuf, sizeof( tbuf ), "%ld", ttl );
	dynttl_time2str( expire, &ev, ebuf );
	next = ttl_mod( slap_schema.si_ad_entryTtl, &tv, next );
	return ttl_mod( dynttl_ad_expire, &ev, next );
}

static int
swallow_cb( Operation *op, SlapReply *rs )
{
	/* an entry deleted before its refresh was written needs none */
	if ( rs->sr_type == REP_RESULT && rs->sr_err != LDAP_SUCCESS &&
		rs->sr_err != LDAP_NO_SUCH_OBJECT )
		Debug( LDAP_DEBUG_ANY, "dynttl: cannot record TTL of \"%s\": %d\n",
			op->o_req_ndn.bv_val, rs->sr_err );
	return 0;
}

/* write ttl and expire into the entry ndn with an internal Modify as the
 * rootdn, through the whole stack (replicas see the refresh); the
 * database gives it a CSN of its own, with modifiersName and
 * modifyTimestamp */
int
dynttl_persist( Operation *op, ttl_info *ti, struct berval *ndn,
	long ttl, int64_t expire )
{
	Operation op2 = *op;
	SlapReply rs2 = { REP_RESULT };
	slap_callback cb = { NULL, swallow_cb, NULL, NULL };
	Modifications *ml = ttl_mods( ttl, expire, NULL );

	op2.o_tag = LDAP_REQ_MODIFY;
	op2.o_bd = ti->ti_be;
	op2.o_callback = &cb;
	op2.o_req_dn = *ndn;
	op2.o_req_ndn = *ndn;
	op2.o_dn = ti->ti_be->be_rootdn;
	op2.o_ndn = ti->ti_be->be_rootndn;
	op2.orm_modlist = ml;
	/* a new entryCSN: syncprov sends the write with it, and a consumer
	 * ignores a change whose entryCSN it has seen already */
	op2.orm_no_opattrs = 0;
	BER_BVZERO( &op2.o_csn );	/* not the CSN of the op that refreshed */
	op2.orm_increment = 0;
	op2.o_dont_replicate = 0;
	op2.o_managedsait = SLAP_CONTROL_CRITICAL;
	ti->ti_be->be_modify( &op2, &rs2 );
	if ( rs2.sr_err == LDAP_SUCCESS )
		DYNTTL_COUNT( ti, DYNTTL_MON_WRITES );
	if ( op2.o_csn.bv_val )
		op->o_tmpfree( op2.o_csn.bv_val, op->o_tmpmemctx );
	slap_mods_free( ml, 1 );
	return rs2.sr_err;
}

/* ---- Add ---- */

typedef struct add_ctx {
	ttl_info	*ac_ti;
	int64_t		ac_expire;
	int		ac_reserved;	/* holds a dynttl-max-entries place */
	unsigned long	ac_wseq;	/* ttl_queue_wseq() before the write */
} add_ctx;

static int
add_cb( Operation *op, SlapReply *rs )
{
	add_ctx *ac = op->o_callback->sc_private;

	/* ora_e carries the name the entry was stored under (back-ils maps
	 * NetMeeting's DNs onto one canonical name and says so there) */
	if ( rs->sr_type == REP_RESULT && rs->sr_err == LDAP_SUCCESS )
		DYNTTL_COUNT( ac->ac_ti, ttl_queue_set_op( ac->ac_ti, &op->ora_e->e_nname,
			ac->ac_expire, ac->ac_wseq ) ? DYNTTL_MON_ADDS : DYNTTL_MON_KA_READD );
	return SLAP_CB_CONTINUE;
}

/* the Add is over, indexed or not: its dynttl-max-entries place is free */
static void
add_release( Operation *op, void *priv )
{
	add_ctx *ac = priv;

	if ( ac->ac_reserved )
		ttl_queue_unreserve( ac->ac_ti );
}

/* a callback with its private data behind it; release, when given, frees
 * what the data holds once the operation is over (abandoned ones too) */
typedef void (cb_release)( Operation *op, void *priv );

typedef struct cb_hdr {
	slap_callback	ch_cb;
	cb_release	*ch_release;
} cb_hdr;

static int
cleanup_cb( Operation *op, SlapReply *rs )
{
	if ( rs->sr_type == REP_RESULT || op->o_abandon ) {
		cb_hdr *h = (cb_hdr *)op->o_callback;
		if ( h->ch_release )
			h->ch_release( op, h->ch_cb.sc_private );
		op->o_callback = h->ch_cb.sc_next;
		op->o_tmpfree( h, op->o_tmpmemctx );
	}
	return SLAP_CB_CONTINUE;
}

static void
push_cb( Operation *op, slap_response *fn, cb_release *release,
	void *priv, size_t privlen )
{
	cb_hdr *h = op->o_tmpcalloc( 1, sizeof( *h ) + privlen, op->o_tmpmemctx );

	h->ch_cb.sc_response = fn;
	h->ch_cb.sc_cleanup = cleanup_cb;
	h->ch_cb.sc_private = h + 1;
	h->ch_release = release;
	memcpy( h->ch_cb.sc_private, priv, privlen );
	h->ch_cb.sc_next = op->o_callback;
	op->o_callback = &h->ch_cb;
}

/* ---- writes a replication consumer applies (syncrepl) ----
 * They carry the entry's time as its writer chose it: the index takes it
 * as it is, marked as another server's (ttlqueue.c, due_here); nothing is
 * computed, clamped or refused here, the writer did that already. */

typedef struct repl_ctx {
	ttl_info	*rc_ti;
	int64_t		rc_expire;
} repl_ctx;

static int
is_replicated( Operation *op )
{
	return SLAPD_SYNC_IS_SYNCCONN( op->o_connid );
}

static int
repl_cb( Operation *op, SlapReply *rs )
{
	repl_ctx *rc = op->o_callback->sc_private;

	if ( rs->sr_type == REP_RESULT && rs->sr_err == LDAP_SUCCESS )
		ttl_queue_set( rc->rc_ti, &op->o_req_ndn, rc->rc_expire, 1 );
	return SLAP_CB_CONTINUE;
}

/* the time a replicated Add or Modify writes into its entry, or -1 */
static int64_t
repl_time( Operation *op )
{
	Modifications *ml;
	Attribute *a;

	if ( op->o_tag == LDAP_REQ_ADD ) {
		a = attr_find( op->ora_e->e_attrs, dynttl_ad_expire );
		return a && a->a_numvals ? str2time( &a->a_vals[0] ) : -1;
	}
	for ( ml = op->orm_modlist; ml; ml = ml->sml_next )
		if ( ml->sml_desc == dynttl_ad_expire && ml->sml_op != LDAP_MOD_DELETE &&
			ml->sml_values && !BER_BVISNULL( &ml->sml_values[0] ) )
			return str2time( &ml->sml_values[0] );
	return -1;
}

static int
repl_write( Operation *op, ttl_info *ti )
{
	repl_ctx rc = { ti, repl_time( op ) };

	if ( rc.rc_expire >= 0 )
		push_cb( op, repl_cb, NULL, &rc, sizeof( rc ) );
	return SLAP_CB_CONTINUE;
}

/* the TTL an Add asks for, in seconds; 0 when it names none */
static int
add_ttl( Operation *op, long *secs, const char **text )
{
	Entry *e = op->ora_e;
	Attribute *a;

	*secs = 0;
	if ( dynttl_ad_sttl && ( a = attr_find( e->e_attrs, dynttl_ad_sttl ) ) ) {
		*secs = value2secs( &a->a_vals[0], 1 );
		attr_delete( &e->e_attrs, dynttl_ad_sttl );
		if ( *secs <= 0 ) { *text = "sttl must be a positive number of minutes"; return LDAP_CONSTRAINT_VIOLATION; }
	}
	if ( ( a = attr_find( e->e_attrs, slap_schema.si_ad_entryTtl ) ) ) {
		if ( !*secs )
			*secs = value2secs( &a->a_vals[0], 0 );
		attr_delete( &e->e_attrs, slap_schema.si_ad_entryTtl );
		if ( *secs <= 0 ) { *text = "entryTtl must be a positive number of seconds"; return LDAP_CONSTRAINT_VIOLATION; }
	}
	return LDAP_SUCCESS;
}

static int
entry_exists( Operation *op, slap_overinst *on )
{
	Entry *e = NULL;
	int rc = overlay_entry_get_ov( op, &op->o_req_ndn, NULL, NULL, 0, &e, on );

	if ( rc == LDAP_SUCCESS && e )
		overlay_entry_release_ov( op, e, 0, on );
	return rc == LDAP_SUCCESS && e;
}

/* RFC 2589 3.1: a dynamic object has no static subordinates.  1 (the
 * result sent) when the entry pdn is dynamic: constraintViolation with
 * slapo-dds's words, or noSuchObject when the requester may not learn
 * that it exists (disclose) */
static int
under_dynamic( Operation *op, SlapReply *rs, slap_overinst *on,
	struct berval *pdn, const char *text )
{
	Entry *e = NULL;
	int64_t expire;
	int rc = LDAP_SUCCESS;

	if ( overlay_entry_get_ov( op, pdn, NULL, NULL, 0, &e, on ) != LDAP_SUCCESS || !e )
		return 0;
	if ( dynttl_is_dynamic( e, &expire ) )
		rc = access_allowed( op, e, slap_schema.si_ad_entry, NULL, ACL_DISCLOSE, NULL ) ?
			LDAP_CONSTRAINT_VIOLATION : LDAP_NO_SUCH_OBJECT;
	overlay_entry_release_ov( op, e, 0, on );
	if ( rc == LDAP_SUCCESS )
		return 0;
	rs->sr_err = rc;
	rs->sr_text = rc == LDAP_CONSTRAINT_VIOLATION ? text : NULL;
	send_ldap_result( op, rs );
	return 1;
}

int
dynttl_op_add( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	ttl_info *ti = on->on_bi.bi_private;
	Entry *e = op->ora_e;
	const char *text = NULL;
	char tbuf[32], ebuf[40];
	struct berval tv, ev, oc;
	add_ctx ac;
	long secs;
	int rc;

	if ( is_replicated( op ) )
		return repl_write( op, ti );
	if ( !ti->ti_all && !has_dynamic_class( e ) ) {
		struct berval pdn;
		if ( be_issuffix( op->o_bd, &op->o_req_ndn ) )
			return SLAP_CB_CONTINUE;
		dnParent( &op->o_req_ndn, &pdn );
		if ( under_dynamic( op, rs, on, &pdn,
			"no static subordinate entries allowed for dynamicObject" ) )
			return rs->sr_err;
		return SLAP_CB_CONTINUE;
	}
	if ( ( rc = add_ttl( op, &secs, &text ) ) != LDAP_SUCCESS ) {
		ttl_monitor_refused( ti, rc );
		rs->sr_err = rc;
		rs->sr_text = text;
		send_ldap_result( op, rs );
		return rc;
	}
	ac.ac_reserved = ttl_queue_reserve( ti );
	if ( !ac.ac_reserved && !entry_exists( op, on ) ) {
		ttl_monitor_refused( ti, LDAP_ADMINLIMIT_EXCEEDED );
		rs->sr_err = LDAP_ADMINLIMIT_EXCEEDED;
		rs->sr_text = "too many dynamic objects (dynttl-max-entries)";
		send_ldap_result( op, rs );
		return rs->sr_err;
	}
	secs = dynttl_clamp( ti, secs ? secs : ti->ti_default );
	ac.ac_ti = ti;
	ac.ac_expire = dynttl_now() + (int64_t)secs * 1000;

	if ( !has_dynamic_class( e ) ) {
		struct berval noc = BER_BVNULL;
		oc = slap_schema.si_oc_dynamicObject->soc_cname;
		attr_normalize_one( slap_schema.si_ad_objectClass, &oc, &noc, NULL );
		attr_merge_one( e, slap_schema.si_ad_objectClass, &oc,
			BER_BVISNULL( &noc ) ? NULL : &noc );
		ch_free( noc.bv_val );
		/* has_dynamic_class() cached the classes it saw; slapd's
		 * schema check reads that cache and would refuse the
		 * entryTtl below (65 "only allowed in dynamic object") */
		e->e_ocflags = 0;
	}
	tv.bv_val = tbuf;
	tv.bv_len = snprintf( tbuf, sizeof( tbuf ), "%ld", secs );
	attr_merge_one( e, slap_schema.si_ad_entryTtl, &tv, NULL );
	dynttl_time2str( ac.ac_expire, &ev, ebuf );
	attr_delete( &e->e_attrs, dynttl_ad_expire );
	attr_merge_one( e, dynttl_ad_expire, &ev, NULL );
	/* the time is the entry's before it is the index's (invariant 2,
	 * ttlqueue.c) */
	ac.ac_wseq = ttl_queue_wseq( ti );
	push_cb( op, add_cb, add_release, &ac, sizeof( ac ) );
	return SLAP_CB_CONTINUE;
}

/* ---- Modify: entryTtl (seconds) and sTTL (minutes) as refreshes ---- */

typedef struct mod_ctx {
	ttl_info	*mc_ti;
	int64_t		mc_expire;
	struct berval	mc_ndn;		/* canonical, op memory */
	unsigned	mc_gen;		/* Delete: the node's generation */
	int		mc_found;	/* ... when the index has a node */
	unsigned long	mc_wseq;	/* Modify: ttl_queue_wseq() before */
} mod_ctx;

static void
mod_release( Operation *op, void *priv )
{
	mod_ctx *mc = priv;

	op->o_tmpfree( mc->mc_ndn.bv_val, op->o_tmpmemctx );
}


static int
mod_cb( Operation *op, SlapReply *rs )
{
	mod_ctx *mc = op->o_callback->sc_private;

	if ( rs->sr_type == REP_RESULT && rs->sr_err == LDAP_SUCCESS ) {
		ttl_queue_set_op( mc->mc_ti, &mc->mc_ndn, mc->mc_expire, mc->mc_wseq );
		DYNTTL_COUNT( mc->mc_ti, DYNTTL_MON_KA_MODIFY );
	}
	return SLAP_CB_CONTINUE;
}

static int
is_ttl_mod( Modifications *ml )
{
	if ( ml->sml_flags & SLAP_MOD_INTERNAL )
		return 0;
	return ml->sml_desc == slap_schema.si_ad_entryTtl ||
		( dynttl_ad_sttl && ml->sml_desc == dynttl_ad_sttl );
}

/* the requester may write every TTL attribute the Modify names */
static int
mods_allowed( Operation *op, Entry *e )
{
	Modifications *ml;

	for ( ml = op->orm_modlist; ml; ml = ml->sml_next )
		if ( is_ttl_mod( ml ) &&
			!access_allowed( op, e, ml->sml_desc, NULL, ACL_WRITE, NULL ) )
			return 0;
	return 1;
}

/* the TTL the modifications ask for, in seconds; unlinks them */
static int
mod_ttl( Operation *op, long *secs, const char **text )
{
	Modifications **mp = &op->orm_modlist, *ml;

	*secs = 0;
	while ( ( ml = *mp ) != NULL ) {
		if ( !is_ttl_mod( ml ) ) {
			mp = &ml->sml_next;
			continue;
		}
		if ( ml->sml_op == LDAP_MOD_DELETE || ml->sml_op == SLAP_MOD_SOFTDEL ||
			!ml->sml_values )
		{
			*text = "the TTL of a dynamic object cannot be removed";
			return LDAP_CONSTRAINT_VIOLATION;
		}
		if ( ml->sml_op == LDAP_MOD_INCREMENT ) {
			*text = "increment of a TTL is not supported";
			return LDAP_UNWILLING_TO_PERFORM;
		}
		*secs = value2secs( &ml->sml_values[0],
			ml->sml_desc != slap_schema.si_ad_entryTtl );
		if ( *secs <= 0 ) {
			*text = "a TTL must be a positive number";
			return LDAP_CONSTRAINT_VIOLATION;
		}
		*mp = ml->sml_next;
		ml->sml_next = NULL;
		slap_mods_free( ml, 1 );
	}
	return LDAP_SUCCESS;
}

/* What the objectClass changes do to dynamicObject, read as slapo-dds
 * reads them: 1 adds the class, -1 removes it (a delete naming it, or
 * of every class), 0 neither.  A replace that leaves it out is not a
 * removal: ILS clients replace objectClass with their own classes and
 * back-ils only ever adds classes. */
static int
class_change( Modifications *ml )
{
	int change = 0, i, del;

	for ( ; ml; ml = ml->sml_next ) {
		if ( ml->sml_desc != slap_schema.si_ad_objectClass )
			continue;
		del = ml->sml_op == LDAP_MOD_DELETE || ml->sml_op == SLAP_MOD_SOFTDEL;
		if ( !ml->sml_values ) {
			if ( del || ml->sml_op == LDAP_MOD_REPLACE )
				change = -1;
			continue;
		}
		for ( i = 0; !BER_BVISNULL( &ml->sml_values[i] ); i++ )
			if ( oc_bvfind( &ml->sml_values[i] ) == slap_schema.si_oc_dynamicObject )
				break;
		if ( !BER_BVISNULL( &ml->sml_values[i] ) )
			change = del ? -1 : 1;
	}
	return change;
}

/* RFC 2589 3.1 (as slapo-dds): a Modify cannot make a static entry
 * dynamic (it would have no TTL, and a restart would give it the default
 * one and delete it) nor a dynamic one static (its expiry would delete a
 * static entry) */
static const char *
class_refused( int change, int dyn )
{
	if ( change > 0 && !dyn )
		return "objectClass modification cannot turn static entry into dynamicObject";
	if ( change < 0 && dyn )
		return "objectClass modification cannot turn dynamicObject into static entry";
	return NULL;
}

int
dynttl_op_modify( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	ttl_info *ti = on->on_bi.bi_private;
	Modifications *ml;
	const char *text = NULL;
	Entry *e = NULL;
	mod_ctx mc = { NULL, 0, BER_BVNULL, 0, 0, 0 };
	int64_t expire;
	long secs;
	int rc, dyn, allowed, disclose, change;

	if ( is_replicated( op ) )
		return repl_write( op, ti );
	for ( ml = op->orm_modlist; ml && !is_ttl_mod( ml ); ml = ml->sml_next )
		;
	change = class_change( op->orm_modlist );
	if ( !ml && !change )
		return SLAP_CB_CONTINUE;
	rc = overlay_entry_get_ov( op, &op->o_req_ndn, NULL, NULL, 0, &e, on );
	if ( rc != LDAP_SUCCESS || !e ) {
		if ( !ml )	/* the database answers */
			return SLAP_CB_CONTINUE;
		rc = LDAP_NO_SUCH_OBJECT;
		text = NULL;
		goto fail;
	}
	dyn = dynttl_is_dynamic( e, &expire );
	/* the TTL changes become internal replaces below, which slapd's
	 * acl_check_modlist() does not look at: check them here, as the
	 * client's own changes */
	allowed = mods_allowed( op, e );
	disclose = access_allowed( op, e, slap_schema.si_ad_entry, NULL, ACL_DISCLOSE, NULL );
	ber_dupbv_x( &mc.mc_ndn, &e->e_nname, op->o_tmpmemctx );
	overlay_entry_release_ov( op, e, 0, on );
	if ( ( text = class_refused( change, dyn ) ) != NULL ) {
		rc = disclose ? LDAP_OBJECT_CLASS_VIOLATION : LDAP_NO_SUCH_OBJECT;
		if ( !disclose )
			text = NULL;
		goto fail;
	}
	if ( !ml ) {
		op->o_tmpfree( mc.mc_ndn.bv_val, op->o_tmpmemctx );
		return SLAP_CB_CONTINUE;
	}
	if ( !dyn ) {
		rc = LDAP_OBJECT_CLASS_VIOLATION;
		text = "entry is not a dynamic object";
		goto fail;
	}
	if ( !allowed ) {
		rc = LDAP_INSUFFICIENT_ACCESS;
		text = "no write access to this entry's TTL";
		goto fail;
	}
	if ( ( rc = mod_ttl( op, &secs, &text ) ) != LDAP_SUCCESS )
		goto fail;
	secs = dynttl_clamp( ti, secs );
	mc.mc_ti = ti;
	mc.mc_expire = dynttl_now() + (int64_t)secs * 1000;
	op->orm_modlist = ttl_mods( secs, mc.mc_expire, op->orm_modlist );
	/* as an Add: the entry, then the index */
	mc.mc_wseq = ttl_queue_wseq( ti );
	push_cb( op, mod_cb, mod_release, &mc, sizeof( mc ) );
	return SLAP_CB_CONTINUE;
fail:
	ttl_monitor_refused( ti, rc );
	if ( mc.mc_ndn.bv_val )
		op->o_tmpfree( mc.mc_ndn.bv_val, op->o_tmpmemctx );
	rs->sr_err = rc;
	rs->sr_text = text;
	send_ldap_result( op, rs );
	return rc;
}

/* ---- Delete: forget the entry ---- */

/* the node goes with its entry, unless an Add of the same name (or a
 * refresh) changed it after this Delete began: it is the new entry's */
static int
del_cb( Operation *op, SlapReply *rs )
{
	mod_ctx *mc = op->o_callback->sc_private;

	if ( rs->sr_type == REP_RESULT && rs->sr_err == LDAP_SUCCESS && mc->mc_found )
		ttl_queue_remove( mc->mc_ti, &mc->mc_ndn, mc->mc_gen );
	return SLAP_CB_CONTINUE;
}

int
dynttl_op_delete( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	Entry *e = NULL;
	mod_ctx mc = { on->on_bi.bi_private, 0, BER_BVNULL, 0, 0, 0 };

	/* the expiry task accounts for its own Deletes (ttlqueue.c) */
	if ( ttl_queue_is_expiry( op ) )
		return SLAP_CB_CONTINUE;

	/* the stored name: the request's when the index knows it (expiry
	 * deletes, LDAPv3 clients), else the entry's (NetMeeting's DNs) */
	if ( ttl_queue_get( mc.mc_ti, &op->o_req_ndn ) >= 0 ) {
		ber_dupbv_x( &mc.mc_ndn, &op->o_req_ndn, op->o_tmpmemctx );
	} else {
		if ( overlay_entry_get_ov( op, &op->o_req_ndn, NULL, NULL, 0, &e, on ) ||
			!e )
			return SLAP_CB_CONTINUE;
		ber_dupbv_x( &mc.mc_ndn, &e->e_nname, op->o_tmpmemctx );
		overlay_entry_release_ov( op, e, 0, on );
	}
	mc.mc_gen = ttl_queue_gen( mc.mc_ti, &mc.mc_ndn, &mc.mc_found );
	push_cb( op, del_cb, mod_release, &mc, sizeof( mc ) );
	return SLAP_CB_CONTINUE;
}

/* ---- internal searches of the database under the overlay ---- */

/* A search as the rootdn of the database be below this overlay (no
 * hiding of lapsed entries, no keep-alives), on a copy of op and of the
 * database so that neither the caller's operation nor the shared
 * BackendDB changes.  fn sees every entry whole. */
static int
orig_search( ttl_info *ti, Operation *op, BackendDB *be, struct berval *base,
	int scope, const char *filter, slap_response *fn, void *priv )
{
	BackendDB db = *be;
	Operation op2 = *op;
	slap_callback cb = { NULL, fn, NULL, priv };
	SlapReply rs = { REP_RESULT };

	db.bd_info = (BackendInfo *)ti->ti_on->on_info->oi_orig;
	op2.o_bd = &db;
	op2.o_tag = LDAP_REQ_SEARCH;
	memset( &op2.oq_search, 0, sizeof( op2.oq_search ) );
	op2.o_req_dn = *base;
	op2.o_req_ndn = *base;
	op2.o_dn = be->be_rootdn;
	op2.o_ndn = be->be_rootndn;
	op2.o_managedsait = SLAP_CONTROL_CRITICAL;
	/* the client's controls are the client's operation's */
	op2.o_assert = SLAP_CONTROL_NONE;
	op2.o_assertion = NULL;
	op2.o_pagedresults = SLAP_CONTROL_NONE;
	op2.o_sync = SLAP_CONTROL_NONE;
	op2.o_callback = &cb;
	op2.ors_scope = scope;
	op2.ors_deref = LDAP_DEREF_NEVER;
	op2.ors_tlimit = SLAP_NO_LIMIT;
	op2.ors_slimit = SLAP_NO_LIMIT;
	op2.ors_attrs = slap_anlist_no_attrs;
	ber_str2bv( filter, 0, 0, &op2.ors_filterstr );
	if ( ( op2.ors_filter = str2filter_x( &op2, filter ) ) == NULL )
		return LDAP_OTHER;
	db.bd_info->bi_op_search( &op2, &rs );
	filter_free_x( &op2, op2.ors_filter, 1 );
	return rs.sr_err;
}

#define DYNAMIC_FILTER	"(objectClass=dynamicObject)"

/* ---- ModRDN: the index follows the entries ---- */

typedef struct ren_ctx {
	ttl_info	*rc_ti;
	struct berval	rc_old;		/* the entry's name, and its new one */
	struct berval	rc_new;
} ren_ctx;

static void
ren_release( Operation *op, void *priv )
{
	ren_ctx *rc = priv;

	ch_free( rc->rc_old.bv_val );
	ch_free( rc->rc_new.bv_val );
}

/* A dynamic entry at or below the new name: it had the same prefix
 * before the old one.  A refresh still to be written behind under the
 * old name is queued again under the new (ttl_queue_rename): the pass
 * writes it, not this callback, which runs inside the client's ModRDN
 * and may not take the writer lock (ttlqueue.c, invariant 2). */
static int
ren_move_cb( Operation *op, SlapReply *rs )
{
	ren_ctx *rc = op->o_callback->sc_private;
	struct berval *nn, on;
	ber_len_t pre;
	int64_t expire;

	if ( rs->sr_type != REP_SEARCH || !dynttl_is_dynamic( rs->sr_entry, &expire ) )
		return 0;
	nn = &rs->sr_entry->e_nname;
	if ( nn->bv_len < rc->rc_new.bv_len )
		return 0;
	pre = nn->bv_len - rc->rc_new.bv_len;
	on.bv_len = pre + rc->rc_old.bv_len;
	on.bv_val = op->o_tmpalloc( on.bv_len + 1, op->o_tmpmemctx );
	memcpy( on.bv_val, nn->bv_val, pre );
	memcpy( on.bv_val + pre, rc->rc_old.bv_val, rc->rc_old.bv_len + 1 );
	ttl_queue_rename( rc->rc_ti, &on, nn );
	op->o_tmpfree( on.bv_val, op->o_tmpmemctx );
	return 0;
}

/* after the rename, so that only an allowed one costs a search: the
 * dynamic entries of the renamed subtree (one for a leaf) */
static int
ren_cb( Operation *op, SlapReply *rs )
{
	ren_ctx *rc = op->o_callback->sc_private;

	if ( rs->sr_type == REP_RESULT && rs->sr_err == LDAP_SUCCESS )
		orig_search( rc->rc_ti, op, rc->rc_ti->ti_be, &rc->rc_new,
			LDAP_SCOPE_SUBTREE, DYNAMIC_FILTER, ren_move_cb, rc );
	return SLAP_CB_CONTINUE;
}

/* RFC 2589 3.1 as slapo-dds: a static entry cannot move under a dynamic
 * one (19).  A dynamic entry keeps its TTL under its new name: the index
 * moves its node and those of the dynamic entries below it (back-mdb
 * renames subtrees, static ones too), so each expires as itself and the
 * old names are free at once.  back-ils refuses every rename after this
 * (unwillingToPerform). */
int
dynttl_op_modrdn( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	ren_ctx rc = { on->on_bi.bi_private, BER_BVNULL, BER_BVNULL };
	struct berval pdn;
	Entry *e = NULL;
	int64_t expire;
	int dyn;

	if ( overlay_entry_get_ov( op, &op->o_req_ndn, NULL, NULL, 0, &e, on ) != LDAP_SUCCESS ||
		!e )
		return SLAP_CB_CONTINUE;	/* the database answers */
	dyn = dynttl_is_dynamic( e, &expire );
	ber_dupbv( &rc.rc_old, &e->e_nname );
	overlay_entry_release_ov( op, e, 0, on );
	if ( !dyn && op->orr_nnewSup && under_dynamic( op, rs, on, op->orr_nnewSup,
		"static entry cannot have dynamicObject as newSuperior" ) )
	{
		ch_free( rc.rc_old.bv_val );
		return rs->sr_err;
	}
	if ( op->orr_nnewSup )
		pdn = *op->orr_nnewSup;
	else
		dnParent( &rc.rc_old, &pdn );
	build_new_dn( &rc.rc_new, &pdn, &op->orr_nnewrdn, NULL );
	push_cb( op, ren_cb, ren_release, &rc, sizeof( rc ) );
	return SLAP_CB_CONTINUE;
}

/* ---- expiry of a parent: how long its subordinates live ---- */

typedef struct kids_ctx {
	ttl_info	*kc_ti;
	int64_t		kc_latest;	/* -1: no child seen */
} kids_ctx;

static int
kids_cb( Operation *op, SlapReply *rs )
{
	kids_ctx *kc = op->o_callback->sc_private;
	int64_t stored, latest;

	if ( rs->sr_type != REP_SEARCH )
		return 0;
	if ( !dynttl_is_dynamic( rs->sr_entry, &stored ) ) {
		kc->kc_latest = INT64_MAX;	/* static: lives for ever */
		return 0;
	}
	latest = ttl_queue_get( kc->kc_ti, &rs->sr_entry->e_nname );
	if ( stored > latest )
		latest = stored;
	if ( latest > kc->kc_latest )
		kc->kc_latest = latest;
	return 0;
}

/* The latest expiry time among the children of ndn: INT64_MAX when one
 * of them is static, -1 when there are none.  op is the expiry task's. */
int64_t
dynttl_children_expire( ttl_info *ti, Operation *op, struct berval *ndn )
{
	kids_ctx kc = { ti, -1 };

	orig_search( ti, op, ti->ti_be, ndn, LDAP_SCOPE_ONELEVEL,
		"(objectClass=*)", kids_cb, &kc );
	return kc.kc_latest;
}

/* ---- Search: the (sttl=N) keep-alive, and TTLs counting down ---- */

typedef struct srch_ctx {
	ttl_info	*sc_ti;
	long		sc_secs;
	int		sc_n;
	struct berval	sc_ndn[16];	/* refreshed entries to record */
	int64_t		sc_exp[16];	/* ... and the times the index has */
} srch_ctx;

/* a term of the AND on cn: 1 for an exact name, -1 for anything that
 * may match several (a wildcard, '%', a substring), 0 for other types */
static int
cn_term( Filter *f )
{
	AttributeType *cn = slap_schema.si_ad_cn->ad_type;

	switch ( f->f_choice ) {
	case LDAP_FILTER_EQUALITY:
		if ( f->f_av_desc->ad_type != cn )
			return 0;
		return memchr( f->f_av_value.bv_val, '%', f->f_av_value.bv_len ) ? -1 : 1;
	case LDAP_FILTER_SUBSTRINGS:
		return f->f_sub_desc->ad_type == cn ? -1 : 0;
	case LDAP_FILTER_PRESENT:
		return f->f_desc->ad_type == cn ? -1 : 0;
	}
	return 0;
}

/* The seconds of a keep-alive: (sttl=N) in a top-level AND that names
 * exactly one cn, as NetMeeting's (&(objectClass=rtPerson)(cn=x)(sttl=10)).
 * A listing with an sttl term is only a listing: one search must not
 * refresh (or shorten) the whole directory. */
static long
sttl_directive( Filter *f )
{
	long secs = 0;
	int names = 0, t;

	if ( !dynttl_ad_sttl || !f || f->f_choice != LDAP_FILTER_AND )
		return 0;
	for ( f = f->f_list; f; f = f->f_next ) {
		if ( f->f_choice == LDAP_FILTER_EQUALITY &&
			f->f_av_desc->ad_type == dynttl_ad_sttl->ad_type )
			secs = value2secs( &f->f_av_value, 1 );
		else if ( ( t = cn_term( f ) ) != 0 )
			names = t < 0 || names ? -1 : 1;
	}
	return names == 1 ? secs : 0;
}

static void
set_expire( Operation *op, SlapReply *rs, slap_overinst *on, int64_t expire )
{
	char ebuf[40];
	struct berval ev;
	Attribute *a;

	rs_entry2modifiable( op, rs, on );
	dynttl_time2str( expire, &ev, ebuf );
	if ( ( a = find_type( rs->sr_entry, dynttl_ad_expire ) ) )
		ber_bvreplace( &a->a_vals[0], &ev );
}

/* record the refreshes of this search in the entries */
static void
srch_release( Operation *op, void *priv )
{
	srch_ctx *sc = priv;
	int i;

	for ( i = 0; i < sc->sc_n; i++ ) {
		ttl_queue_write( sc->sc_ti, op, &sc->sc_ndn[i], sc->sc_secs,
			sc->sc_exp[i] );
		ch_free( sc->sc_ndn[i].bv_val );
	}
	sc->sc_n = 0;
}

/* whether the reply will carry a: only then is rewriting it worth a copy
 * of the entry (back-ils sends entries that share stored values) */
static int
wanted( Operation *op, Attribute *a )
{
	AttributeName *an = op->ors_attrs;

	if ( is_at_operational( a->a_desc->ad_type ) )
		return an && ( an_find( an, slap_bv_all_operational_attrs ) ||
			ad_inlist( a->a_desc, an ) );
	return !an || an_find( an, slap_bv_all_user_attrs ) || ad_inlist( a->a_desc, an );
}

/* the reply carries entryTtl or sTTL */
static int
shows_ttl( Operation *op, Entry *e )
{
	Attribute *a;

	for ( a = e->e_attrs; a; a = a->a_next )
		if ( ( a->a_desc->ad_type == slap_schema.si_ad_entryTtl->ad_type ||
			( dynttl_ad_sttl && a->a_desc->ad_type == dynttl_ad_sttl->ad_type ) ) &&
			wanted( op, a ) )
			return 1;
	return 0;
}

static int
srch_cb( Operation *op, SlapReply *rs )
{
	srch_ctx *sc = op->o_callback->sc_private;
	ttl_info *ti = sc->sc_ti;
	int64_t expire;

	/* refreshed as the requester may: another address's keep-alive is
	 * answered, and refreshes nothing */
	if ( rs->sr_type == REP_SEARCH && dynttl_is_dynamic( rs->sr_entry, &expire ) &&
		access_allowed( op, rs->sr_entry, slap_schema.si_ad_entryTtl, NULL,
			ACL_WRITE, NULL ) )
	{
		int64_t now = dynttl_now(), stored = expire;
		int stale = stored <= now, now_too;
		expire = now + (int64_t)sc->sc_secs * 1000;
		now_too = ttl_queue_refresh( ti, &rs->sr_entry->e_nname, stored,
			expire, sc->sc_secs );
		/* chosen for an expiry Delete already: it may be gone before
		 * the client hears of it, so the keep-alive does not show it
		 * (invariant 4); the client registers again */
		if ( now_too < 0 )
			return LDAP_SUCCESS;
		DYNTTL_COUNT( ti, DYNTTL_MON_KA_SEARCH );
		/* the reply shows the new TTL, and a lapsed entry refreshed
		 * before its Delete is not hidden */
		if ( stale || shows_ttl( op, rs->sr_entry ) )
			set_expire( op, rs, ti->ti_on, expire );
		if ( !now_too )
			return SLAP_CB_CONTINUE;
		if ( sc->sc_n < (int)( sizeof( sc->sc_ndn ) / sizeof( sc->sc_ndn[0] ) ) ) {
			sc->sc_exp[sc->sc_n] = expire;
			ber_dupbv( &sc->sc_ndn[sc->sc_n++], &rs->sr_entry->e_nname );
		} else
			ttl_queue_write( ti, op, &rs->sr_entry->e_nname, sc->sc_secs, expire );
	} else if ( rs->sr_type == REP_RESULT ) {
		/* before the client hears the search is done */
		srch_release( op, sc );
	}
	return SLAP_CB_CONTINUE;
}

int
dynttl_op_search( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	ttl_info *ti = on->on_bi.bi_private;
	long secs = sttl_directive( op->ors_filter );
	srch_ctx sc;

	/* a consumer of one provider cannot write the new time: the search
	 * is only a search there (slapo-dynttl(5), REPLICATION) */
	if ( secs <= 0 || SLAP_SINGLE_SHADOW( op->o_bd ) )
		return SLAP_CB_CONTINUE;
	memset( &sc, 0, sizeof( sc ) );
	sc.sc_ti = ti;
	sc.sc_secs = dynttl_clamp( ti, secs );
	push_cb( op, srch_cb, srch_release, &sc, sizeof( sc ) );
	return SLAP_CB_CONTINUE;
}

/* the remaining TTL in every entryTtl and sTTL value sent; expired
 * entries that the expiry task has not removed yet are not sent at all */
int
dynttl_response( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	Attribute *a;
	int64_t expire, left, latest;
	char buf[32];
	struct berval bv;
	int show;

	if ( rs->sr_type != REP_SEARCH || !rs->sr_entry ||
		!dynttl_is_dynamic( rs->sr_entry, &expire ) || expire < 0 )
		return SLAP_CB_CONTINUE;
	show = shows_ttl( op, rs->sr_entry );
	left = expire - dynttl_now();
	/* the entry's time lags the index's while a refresh is written
	 * behind: ask the index when it matters */
	if ( ( left <= 0 || show ) &&
		( latest = ttl_queue_get( on->on_bi.bi_private, &rs->sr_entry->e_nname ) ) >= 0 )
		left = latest - dynttl_now();
	if ( left <= 0 && !op->o_managedsait )
		return LDAP_SUCCESS;	/* due: as good as gone */
	if ( left < 0 )
		left = 0;
	if ( !show )
		return SLAP_CB_CONTINUE;
	rs_entry2modifiable( op, rs, on );
	for ( a = rs->sr_entry->e_attrs; a; a = a->a_next ) {
		long v;
		if ( a->a_desc->ad_type == slap_schema.si_ad_entryTtl->ad_type )
			v = (long)( ( left + 999 ) / 1000 );
		else if ( dynttl_ad_sttl && a->a_desc->ad_type == dynttl_ad_sttl->ad_type )
			v = (long)( ( left + 59999 ) / 60000 );
		else
			continue;
		bv.bv_val = buf;
		bv.bv_len = snprintf( buf, sizeof( buf ), "%ld", v );
		ber_bvreplace( &a->a_vals[0], &bv );
		if ( a->a_nvals != a->a_vals )
			ber_bvreplace( &a->a_nvals[0], &bv );
	}
	return SLAP_CB_CONTINUE;
}

/* ---- start-up: the index from the entries ---- */

typedef struct load_ctx {
	ttl_info	*lc_ti;
	long		lc_n;
} load_ctx;

/* whether another server wrote the entry last (ttlqueue.c, due_here):
 * on a consumer of one provider, every entry; on a multi-provider node,
 * those whose entryCSN carries another serverID */
static int
loaded_peer( BackendDB *be, Entry *e )
{
	Attribute *a;

	if ( SLAP_SINGLE_SHADOW( be ) )
		return 1;
	if ( !SLAP_MULTIPROVIDER( be ) ||
		!( a = attr_find( e->e_attrs, slap_schema.si_ad_entryCSN ) ) )
		return 0;
	return slap_parse_csn_sid( &a->a_vals[0] ) != slap_serverID;
}

static int
load_cb( Operation *op, SlapReply *rs )
{
	load_ctx *lc = op->o_callback->sc_private;
	int64_t expire;

	if ( rs->sr_type != REP_SEARCH || !dynttl_is_dynamic( rs->sr_entry, &expire ) )
		return 0;
	if ( expire < 0 )	/* made dynamic without this overlay */
		expire = dynttl_now() + (int64_t)lc->lc_ti->ti_default * 1000;
	/* counted once even if another suffix's search returned it too */
	lc->lc_n += ttl_queue_set( lc->lc_ti, &rs->sr_entry->e_nname, expire,
		loaded_peer( lc->lc_ti->ti_be, rs->sr_entry ) );
	return 0;
}

/* Whether the search of suffix i would read entries another one reads:
 * a suffix below another is in that one's subtree, and a suffix with no
 * entry of its own is an alias of the database's (back-ils answers
 * NetMeeting's "objectClass=rtPerson" with every registration, named
 * under o=Intranet) or has nothing in it. */
static int
suffix_read_elsewhere( Operation *op, BackendDB *be, BackendInfo *orig, int i )
{
	struct berval *sfx = &be->be_nsuffix[i];
	Entry *e = NULL;
	int j;

	for ( j = 0; !BER_BVISNULL( &be->be_nsuffix[j] ); j++ )
		if ( j != i && dnIsSuffix( sfx, &be->be_nsuffix[j] ) &&
			!dn_match( sfx, &be->be_nsuffix[j] ) )
			return 1;
	if ( !orig->bi_entry_get_rw )
		return 0;
	if ( orig->bi_entry_get_rw( op, sfx, NULL, NULL, 0, &e ) != LDAP_SUCCESS || !e )
		return 1;
	if ( orig->bi_entry_release_rw )
		orig->bi_entry_release_rw( op, e, 0 );
	return 0;
}

/* every dynamic entry once, however many names the database has */
int
dynttl_load( ttl_info *ti, BackendDB *be, void *ctx )
{
	Connection conn = { 0 };
	OperationBuffer opbuf;
	Operation *op;
	BackendDB db = *be;
	load_ctx lc = { ti, 0 };
	int i;

	connection_fake_init2( &conn, &opbuf, ctx, 0 );
	op = &opbuf.ob_op;
	db.bd_info = (BackendInfo *)ti->ti_on->on_info->oi_orig;
	op->o_bd = &db;
	op->o_dn = be->be_rootdn;
	op->o_ndn = be->be_rootndn;
	for ( i = 0; be->be_nsuffix && !BER_BVISNULL( &be->be_nsuffix[i] ); i++ ) {
		if ( suffix_read_elsewhere( op, be, db.bd_info, i ) )
			continue;
		orig_search( ti, op, be, &be->be_nsuffix[i], LDAP_SCOPE_SUBTREE,
			DYNAMIC_FILTER, load_cb, &lc );
	}
	Debug( LDAP_DEBUG_STATS, "dynttl: %ld dynamic objects loaded\n", lc.lc_n );
	return 0;
}
