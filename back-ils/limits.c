/* limits.c - what one address may do
 *
 * ILS has no accounts: anyone may register, anonymously, so a flood is
 * told from a busy office only by numbers.  Three caps (slapd-ils(5)):
 *
 *	ils-max-per-address	live registrations of each kind (people,
 *				the Dialer's application entries,
 *				conferences) one owner address holds;
 *	ils-max-per-minute	new names one address registers a minute;
 *	ils-max-entry-size	bytes of one registration, after an Add or a
 *				Modify.
 *
 * The counts are kept per ilsOwnerAddress (owner.c) in an AVL tree under
 * a mutex; every update that creates or removes a registration holds
 * LMDB's write transaction, so checks and counts never race each other:
 * a creation is counted (reserved) inside the transaction and undone if
 * it fails, a removal is counted once its transaction has committed, so
 * between the two a count is never below the truth.  db_open counts what
 * is stored; expiry is an ordinary Delete.
 *
 * The rate of new names is a token bucket: a name costs 60 units and an
 * address regains ils-max-per-minute units a second, so a burst of the
 * whole minute's worth passes and then one every 60/rate seconds.  A full
 * bucket holds no information, so the slot of an address with neither
 * registrations nor recent names is dropped (at most a minute after its
 * last Add): memory follows the stored registrations and the addresses of
 * the last two minutes.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

#define UNITS		60	/* a new name, in rate units */
#define SWEEP_EVERY	60	/* seconds between sweeps of idle slots */

typedef struct addr_slot {
	struct berval	as_addr;	/* first: the tree compares bervals */
	unsigned	as_count[3];	/* person, application user, conference */
	long		as_spent;	/* rate units not yet regained */
	time_t		as_at;		/* when as_spent was last brought up to date */
	struct addr_slot *as_next;	/* the sweep's list */
	char		as_buf[ILSIP_PEER_MAX];
} addr_slot;

struct ils_limits {
	ldap_pvt_thread_mutex_t	il_mutex;
	Avlnode		*il_tree;
	time_t		il_swept;
};

static int
kind_index( char kind )
{
	return kind == ILS_KEY_APPUSER ? 1 : kind == ILS_KEY_CONF ? 2 : 0;
}

/* addresses compare as owner.c stores them: caseIgnoreIA5 */
static int
slot_cmp( const void *a, const void *b )
{
	const struct berval *x = a, *y = b;

	if ( x->bv_len != y->bv_len )
		return x->bv_len < y->bv_len ? -1 : 1;
	return strncasecmp( x->bv_val, y->bv_val, x->bv_len );
}

/* the slot of addr, made when create is set; il_mutex held */
static addr_slot *
slot_get( struct ils_limits *il, struct berval *addr, int create )
{
	addr_slot *s = ldap_avl_find( il->il_tree, addr, slot_cmp );

	if ( s || !create || addr->bv_len >= ILSIP_PEER_MAX )
		return s;
	s = ch_calloc( 1, sizeof( addr_slot ) );
	memcpy( s->as_buf, addr->bv_val, addr->bv_len );
	s->as_addr.bv_val = s->as_buf;
	s->as_addr.bv_len = addr->bv_len;
	s->as_at = slap_get_time();
	ldap_avl_insert( &il->il_tree, s, slot_cmp, ldap_avl_dup_error );
	return s;
}

/* the units regained since as_at */
static void
slot_refill( addr_slot *s, int rate, time_t now )
{
	if ( rate <= 0 || now - s->as_at >= UNITS ) {
		s->as_spent = 0;
	} else if ( now > s->as_at ) {
		s->as_spent -= (long)( now - s->as_at ) * rate;
		if ( s->as_spent < 0 )
			s->as_spent = 0;
	}
	s->as_at = now;
}

static int
slot_idle( addr_slot *s )
{
	return !s->as_count[0] && !s->as_count[1] && !s->as_count[2] && !s->as_spent;
}

struct sweep {
	addr_slot	*sw_list;
	int		sw_rate;
	time_t		sw_now;
};

static int
sweep_collect( void *data, void *arg )
{
	addr_slot *s = data;
	struct sweep *sw = arg;

	slot_refill( s, sw->sw_rate, sw->sw_now );
	if ( slot_idle( s ) ) {
		s->as_next = sw->sw_list;
		sw->sw_list = s;
	}
	return 0;
}

/* drop the slots that hold nothing; il_mutex held */
static void
sweep( ils_info *ii, struct ils_limits *il, time_t now )
{
	struct sweep sw = { NULL, ii->ii_max_per_minute, now };
	addr_slot *s, *next;

	il->il_swept = now;
	ldap_avl_apply( il->il_tree, sweep_collect, &sw, -1, AVL_INORDER );
	for ( s = sw.sw_list; s; s = next ) {
		next = s->as_next;
		ldap_avl_delete( &il->il_tree, &s->as_addr, slot_cmp );
		ch_free( s );
	}
}

/* count one registration of kind more (delta 1) or less (-1) for addr */
static void
count( struct ils_limits *il, char kind, struct berval *addr, int delta )
{
	addr_slot *s;

	if ( ( s = slot_get( il, addr, delta > 0 ) ) == NULL )
		return;
	if ( delta > 0 )
		s->as_count[kind_index( kind )]++;
	else if ( s->as_count[kind_index( kind )] > 0 )
		s->as_count[kind_index( kind )]--;
}

static void
note( ils_tally *t, char kind, struct berval *addr, int gone )
{
	struct ils_tally_note *n;

	if ( t->t_n == ILS_TALLY_MAX || addr->bv_len >= ILSIP_PEER_MAX )
		return;
	n = &t->t_note[t->t_n++];
	n->tn_kind = kind;
	n->tn_gone = gone;
	memcpy( n->tn_addr, addr->bv_val, addr->bv_len );
	n->tn_addr[addr->bv_len] = '\0';
}

/* A registration of kind passes from the owner address from to to (either
 * may be NULL or empty: created, removed); called in the write
 * transaction. */
void
ils_limits_moved( ils_info *ii, char kind, struct berval *from,
	struct berval *to, ils_tally *t )
{
	struct ils_limits *il = ii->ii_limits;
	int has_from = from && from->bv_len, has_to = to && to->bv_len;

	if ( !il || ( has_from && has_to && !slot_cmp( from, to ) ) )
		return;
	if ( has_from )
		note( t, kind, from, 1 );
	if ( has_to ) {
		note( t, kind, to, 0 );
		ldap_pvt_thread_mutex_lock( &il->il_mutex );
		count( il, kind, to, 1 );
		ldap_pvt_thread_mutex_unlock( &il->il_mutex );
	}
}

/* after the transaction: removals happened when it committed, creations
 * did not when it failed */
void
ils_limits_settle( ils_info *ii, ils_tally *t, int rc )
{
	struct ils_limits *il = ii->ii_limits;
	int i;

	if ( !il || !t->t_n )
		return;
	ldap_pvt_thread_mutex_lock( &il->il_mutex );
	for ( i = 0; i < t->t_n; i++ ) {
		struct ils_tally_note *n = &t->t_note[i];
		struct berval addr;

		ber_str2bv( n->tn_addr, 0, 0, &addr );
		if ( n->tn_gone ? rc == LDAP_SUCCESS : rc != LDAP_SUCCESS )
			count( il, n->tn_kind, &addr, -1 );
	}
	ldap_pvt_thread_mutex_unlock( &il->il_mutex );
	t->t_n = 0;
}

static int
exempt( Operation *op )
{
	return be_isroot( op ) || be_shadow_update( op );
}

static int
refused( Operation *op, const char *keyword, struct berval *addr,
	const char *text, const char **textp )
{
	ils_monitor_refused( op, keyword );
	Debug( LDAP_DEBUG_STATS, "%s back-ils: %s: refused from %.*s: %s\n",
		op->o_log_prefix, keyword, addr->bv_len ? (int)addr->bv_len : 9,
		addr->bv_len ? addr->bv_val : "(unknown)", text );
	*textp = text;
	return LDAP_ADMINLIMIT_EXCEEDED;
}

/* one name's worth of addr's rate, if it has it; il_mutex held */
static int
take_rate( Operation *op, addr_slot *s, struct berval *addr, const char **text )
{
	ils_info *ii = op->o_bd->be_private;

	slot_refill( s, ii->ii_max_per_minute, slap_get_time() );
	if ( ii->ii_max_per_minute &&
		s->as_spent + UNITS > (long)ii->ii_max_per_minute * UNITS )
		return refused( op, "ils-max-per-minute", addr, "ils-max-per-minute: "
			"this address registers new names too fast; try again later", text );
	s->as_spent += UNITS;
	return LDAP_SUCCESS;
}

/* the slot of addr, after the sweep that may be due; il_mutex held */
static addr_slot *
slot_now( ils_info *ii, struct ils_limits *il, struct berval *addr )
{
	time_t now = slap_get_time();

	if ( now - il->il_swept >= SWEEP_EVERY )
		sweep( ii, il, now );
	return slot_get( il, addr, 1 );
}

/* may addr register one more name of kind now?  il_mutex held */
static int
may_add( Operation *op, struct ils_limits *il, char kind, struct berval *addr,
	const char **text )
{
	ils_info *ii = op->o_bd->be_private;
	addr_slot *s;

	if ( ( s = slot_now( ii, il, addr ) ) == NULL )
		return LDAP_SUCCESS;
	if ( ii->ii_max_per_addr &&
		s->as_count[kind_index( kind )] >= (unsigned)ii->ii_max_per_addr )
		return refused( op, "ils-max-per-address", addr, "ils-max-per-address: "
			"this address holds as many registrations as it may", text );
	return take_rate( op, s, addr, text );
}

/* An Add of a name another owner holds costs the requester's address a
 * name of its rate (ils-max-per-minute), whether it reclaims the name or
 * not (reclaim.c): guessing a token takes as long as registering names. */
int
ils_limits_attempt( Operation *op, const char **text )
{
	ils_info *ii = op->o_bd->be_private;
	struct ils_limits *il = ii->ii_limits;
	char buf[ILSIP_PEER_MAX];
	struct berval peer;
	addr_slot *s;
	int rc = LDAP_SUCCESS;

	if ( !il || exempt( op ) )
		return LDAP_SUCCESS;
	ils_owner_peer( op, buf, &peer );
	if ( !peer.bv_len )
		return LDAP_SUCCESS;
	ldap_pvt_thread_mutex_lock( &il->il_mutex );
	if ( ( s = slot_now( ii, il, &peer ) ) != NULL )
		rc = take_rate( op, s, &peer, text );
	ldap_pvt_thread_mutex_unlock( &il->il_mutex );
	return rc;
}

/* The Add of e, replacing old (NULL: a new name), in the write
 * transaction, e stamped with its owner: a new name must fit the caps of
 * its owner address (the requester's); the owner's re-Add is no new
 * registration. */
int
ils_limits_add( Operation *op, char kind, Entry *old, Entry *e,
	ils_tally *t, const char **text )
{
	ils_info *ii = op->o_bd->be_private;
	struct ils_limits *il = ii->ii_limits;
	struct berval from = BER_BVNULL, to = BER_BVNULL;
	int rc = LDAP_SUCCESS;

	if ( !il )
		return LDAP_SUCCESS;
	if ( old )
		ils_owner_address( old, &from );
	ils_owner_address( e, &to );
	if ( !old && to.bv_len && !exempt( op ) ) {
		ldap_pvt_thread_mutex_lock( &il->il_mutex );
		rc = may_add( op, il, kind, &to, text );
		ldap_pvt_thread_mutex_unlock( &il->il_mutex );
	}
	if ( rc == LDAP_SUCCESS )
		ils_limits_moved( ii, kind, &from, &to, t );
	return rc;
}

/* the bytes of e's user attributes: their names and values as stored;
 * operational ones are the server's, the same for every registration */
static ber_len_t
entry_size( Entry *e )
{
	ber_len_t n = 0;
	Attribute *a;
	unsigned i;

	for ( a = e->e_attrs; a; a = a->a_next ) {
		if ( is_at_operational( a->a_desc->ad_type ) )
			continue;
		n += a->a_desc->ad_cname.bv_len;
		for ( i = 0; i < a->a_numvals; i++ )
			n += a->a_vals[i].bv_len;
	}
	return n;
}

/* ils-max-entry-size, on an Add's entry and a Modify's result */
int
ils_limits_size( Operation *op, Entry *e, const char **text )
{
	ils_info *ii = op->o_bd->be_private;
	char buf[ILSIP_PEER_MAX];
	struct berval peer;

	if ( !ii->ii_max_entry_size || exempt( op ) ||
		entry_size( e ) <= (ber_len_t)ii->ii_max_entry_size )
		return LDAP_SUCCESS;
	ils_owner_peer( op, buf, &peer );
	return refused( op, "ils-max-entry-size", &peer, "ils-max-entry-size: "
		"the registration would be larger than this server keeps", text );
}

/* ---- life cycle ---- */

/* count what is stored: every kind, every owner address */
static int
count_stored( ils_info *ii, char kind )
{
	Entry *batch[ILS_SCAN_BATCH];
	struct berval from = BER_BVNULL, last, addr;
	int n, i, rc;

	do {
		rc = ils_store_scan( ii, kind, &from, batch, ILS_SCAN_BATCH, &n, &last );
		ch_free( from.bv_val );
		from = last;
		for ( i = 0; i < n; i++ ) {
			if ( ils_owner_address( batch[i], &addr ) )
				count( ii->ii_limits, kind, &addr, 1 );
			ils_record_free( batch[i] );
		}
	} while ( rc == LDAP_SUCCESS && n == ILS_SCAN_BATCH );
	ch_free( from.bv_val );
	return rc;
}

/* at db_open, before any operation: slapd serves nothing of the database
 * yet, so the counts need no lock */
int
ils_limits_open( ils_info *ii )
{
	static const char kinds[] = { ILS_KEY_PERSON, ILS_KEY_APPUSER, ILS_KEY_CONF };
	struct ils_limits *il;
	int i, rc = LDAP_SUCCESS;

	if ( ii->ii_limits )
		return 0;
	il = ii->ii_limits = ch_calloc( 1, sizeof( struct ils_limits ) );
	ldap_pvt_thread_mutex_init( &il->il_mutex );
	il->il_swept = slap_get_time();
	for ( i = 0; i < (int)sizeof( kinds ) && rc == LDAP_SUCCESS; i++ )
		rc = count_stored( ii, kinds[i] );
	if ( rc != LDAP_SUCCESS ) {
		ils_limits_close( ii );
		return 1;
	}
	return 0;
}

void
ils_limits_close( ils_info *ii )
{
	struct ils_limits *il = ii->ii_limits;

	if ( !il )
		return;
	ldap_avl_free( il->il_tree, ch_free );
	ldap_pvt_thread_mutex_destroy( &il->il_mutex );
	ch_free( il );
	ii->ii_limits = NULL;
}
