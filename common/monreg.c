/* monreg.c - counters as attributes of a cn=Monitor entry (monreg.h)
 *
 * Modelled on back-mdb's monitor.c: the schema at the first database's
 * db_init, the attributes and an update callback at db_open, both taken
 * back at db_close.  Without "database monitor" nothing registers.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-monitor/back-monitor.h"
#include "monreg.h"

/* the module's one schema (each module compiles its own copy of this
 * file): monreg_free must not read its private pointer, which slapd's
 * shutdown may have freed already (see back-mdb) */
static monreg_schema *the_schema;

/* The schema, once per module, when its first database is made: the
 * monitor backend is built into Debian's slapd (and loaded before any
 * database where it is a module).  0 when monitoring is possible. */
static int
monreg_schema_register( monreg_schema *ms )
{
	int i;

	if ( ms->ms_done++ )
		return ms->ms_rc;
	ms->ms_rc = -1;
	if ( backend_info( "monitor" ) == NULL )
		return ms->ms_rc;
	for ( i = 0; i < ms->ms_nat; i++ ) {
		if ( register_at( ms->ms_at[i], &ms->ms_ad[i], 1 ) ) {
			Debug( LDAP_DEBUG_ANY, "%s: cannot register %s\n", ms->ms_who,
				ms->ms_at[i] );
			return ms->ms_rc;
		}
		ms->ms_ad[i]->ad_type->sat_flags |= SLAP_AT_HIDE;
	}
	if ( register_oc( ms->ms_oc, &ms->ms_ocp, 1 ) ) {
		Debug( LDAP_DEBUG_ANY, "%s: cannot register %s\n", ms->ms_who, ms->ms_oc );
		return ms->ms_rc;
	}
	ms->ms_ocp->soc_flags |= SLAP_OC_HIDE;
	return ms->ms_rc = 0;
}

int
monreg_db_init( monreg_schema *ms, BackendDB *be )
{
	the_schema = ms;
	if ( monreg_schema_register( ms ) == 0 )
		SLAP_DBFLAGS( be ) |= SLAP_DBFLAG_MONITORING;
	return 0;
}

static monitor_extra_t *
monitor_extra( void )
{
	BackendInfo *mi = backend_info( "monitor" );

	return mi ? mi->bi_extra : NULL;
}

static void
set_value( Entry *e, AttributeDescription *ad, unsigned long n )
{
	Attribute *a = attr_find( e->e_attrs, ad );
	char buf[32];
	struct berval bv;

	if ( !a )
		return;
	bv.bv_val = buf;
	bv.bv_len = snprintf( buf, sizeof( buf ), "%lu", n );
	ber_bvreplace( &a->a_vals[0], &bv );
	if ( a->a_nvals != a->a_vals )
		ber_bvreplace( &a->a_nvals[0], &bv );
}

static int
monreg_update( Operation *op, SlapReply *rs, Entry *e, void *priv )
{
	monreg *mg = priv;
	monreg_schema *ms = mg->mg_schema;
	unsigned long *v = op->o_tmpcalloc( ms->ms_nat, sizeof( *v ), op->o_tmpmemctx );
	int i;

	mg->mg_values( mg->mg_owner, v );
	for ( i = 0; i < ms->ms_nat; i++ )
		set_value( e, ms->ms_ad[i], v[i] );
	op->o_tmpfree( v, op->o_tmpmemctx );
	return SLAP_CB_CONTINUE;
}

/* the monitor entry outlives the database (cn=config deletes it): take
 * back the class and the attributes */
static int
monreg_free( Entry *e, void **priv )
{
	monreg_schema *ms = the_schema;
	struct berval vals[2] = { ms->ms_ocp->soc_cname, BER_BVNULL };
	Modification mod = { 0 };
	char textbuf[SLAP_TEXT_BUFLEN];
	const char *text;
	int i;

	*priv = NULL;
	mod.sm_op = LDAP_MOD_DELETE;
	mod.sm_desc = slap_schema.si_ad_objectClass;
	mod.sm_values = vals;
	mod.sm_numvals = 1;
	modify_delete_values( e, &mod, 1, &text, textbuf, sizeof( textbuf ) );
	mod.sm_values = NULL;
	mod.sm_numvals = 0;
	for ( i = 0; i < ms->ms_nat; i++ ) {
		mod.sm_desc = ms->ms_ad[i];
		modify_delete_values( e, &mod, 1, &text, textbuf, sizeof( textbuf ) );
	}
	return SLAP_CB_CONTINUE;
}

/* the class and every attribute at "0" until the first read */
static Attribute *
monreg_attrs( monreg_schema *ms )
{
	struct berval zero = BER_BVC( "0" );
	Attribute *a = attrs_alloc( 1 + ms->ms_nat ), *next;
	int i;

	a->a_desc = slap_schema.si_ad_objectClass;
	attr_valadd( a, &ms->ms_ocp->soc_cname, NULL, 1 );
	for ( i = 0, next = a->a_next; i < ms->ms_nat; i++, next = next->a_next ) {
		next->a_desc = ms->ms_ad[i];
		attr_valadd( next, &zero, NULL, 1 );
	}
	return a;
}

/* The DN of on's entry, "cn=Overlay O" under its database's (O its
 * place among be's overlays, as back-monitor numbers them), into
 * mg_ovndn; mg_ndn names the database's entry when the monitor is open
 * already, and stays empty while it is not.
 *
 * register_overlay does not name it on both releases: 2.6's answers with
 * the database's own entry whenever that exists, which it always does
 * once the monitor has opened (doc/slapd-versions.md).  So the database
 * is registered and the overlay's RDN added here.  Before the monitor
 * opens (slapd starting, the monitor database after this one) the
 * database's entry is not there yet: it will be "cn=Database I", I the
 * database's place in backendDB, which is how the monitor numbers the
 * databases it finds when it opens, and the limbo that register_database
 * and register_entry_attrs wait in is worked off right after that. */
static int
monreg_overlay_ndn( monitor_extra_t *mbe, BackendDB *be, slap_overinst *on,
	monreg *mg, int *queued )
{
	slap_overinst *o2;
	BackendDB *b2;
	int o, i = 0;
	char buf[BACKMONITOR_BUFSIZE];
	struct berval dn;

	for ( o = 0, o2 = on->on_info->oi_list; o2 && o2 != on; o2 = o2->on_next )
		o++;
	LDAP_STAILQ_FOREACH( b2, &backendDB, be_next ) {
		if ( b2 == be->bd_self )
			break;
		i++;
	}
	if ( !o2 || !b2 || mbe->register_database( be, &mg->mg_ndn ) )
		return -1;
	if ( BER_BVISNULL( &mg->mg_ndn ) ) {
		*queued = 1;
		dn.bv_len = snprintf( buf, sizeof( buf ), "cn=Overlay %d,cn=Database %d,"
			SLAPD_MONITOR_DATABASE_DN, o, i );
	} else {
		dn.bv_len = snprintf( buf, sizeof( buf ), "cn=Overlay %d,%s", o,
			mg->mg_ndn.bv_val );
	}
	if ( dn.bv_len >= sizeof( buf ) )
		return -1;
	dn.bv_val = buf;
	return dnNormalize( 0, NULL, NULL, &dn, &mg->mg_ovndn, NULL ) ? -1 : 0;
}

/* Register be's counters in its database entry, or with on an
 * overlay's in the overlay's entry (cn=Overlay N under the database's):
 * one callback per entry, for back-monitor frees the first of an entry's
 * callbacks once per callback when slapd stops.  NULL when there is
 * nothing to register with; the database works anyway. */
monreg *
monreg_open( monreg_schema *ms, BackendDB *be, slap_overinst *on,
	monreg_values *fn, void *owner )
{
	monitor_extra_t *mbe;
	monreg *mg;
	Attribute *a;
	int rc, queued = 0;

	/* the flag may be another module's on the same database */
	if ( ms->ms_rc || !SLAP_DBMONITORING( be ) || !( mbe = monitor_extra() ) )
		return NULL;
	if ( !mbe->is_configured() ) {
		Debug( LDAP_DEBUG_CONFIG, "%s: no monitor database: counters not "
			"shown\n", ms->ms_who );
		return NULL;
	}
	mg = ch_calloc( 1, sizeof( *mg ) );
	mg->mg_schema = ms;
	mg->mg_values = fn;
	mg->mg_owner = owner;
	mg->mg_cb = ch_calloc( 1, sizeof( monitor_callback_t ) );
	mg->mg_cb->mc_update = monreg_update;
	mg->mg_cb->mc_free = monreg_free;
	mg->mg_cb->mc_private = mg;
	a = monreg_attrs( ms );
	/* with the monitor database not open yet both wait in its limbo,
	 * which fills in mg_ndn later and reads mg_ovndn then: mg must stay
	 * where it is */
	if ( on ) {
		rc = monreg_overlay_ndn( mbe, be, on, mg, &queued );
		if ( rc == 0 )
			rc = mbe->register_entry_attrs( &mg->mg_ovndn, a, mg->mg_cb,
				NULL, -1, NULL );
	} else {
		rc = mbe->register_database( be, &mg->mg_ndn );
		queued = rc == 0 && BER_BVISNULL( &mg->mg_ndn );
		if ( rc == 0 )
			rc = mbe->register_entry_attrs( &mg->mg_ndn, a, mg->mg_cb, NULL, -1, NULL );
	}
	attrs_free( a );
	if ( rc ) {
		Debug( LDAP_DEBUG_ANY, "%s: cannot register with cn=Monitor\n", ms->ms_who );
		/* a limbo entry points into mg: leave it (out of memory only) */
		if ( queued )
			return NULL;
		ch_free( mg->mg_ovndn.bv_val );
		ch_free( mg->mg_cb );
		ch_free( mg );
		return NULL;
	}
	return mg;
}

void
monreg_close( monreg *mg )
{
	monitor_extra_t *mbe;

	/* still in the limbo of a monitor that never opened: the limbo
	 * points into mg, which therefore stays.  While slapd stops the
	 * monitor takes the callback back itself (and calls monreg_free
	 * without reading its private pointer). */
	if ( !mg || BER_BVISNULL( &mg->mg_ndn ) )
		return;
	if ( ( mbe = monitor_extra() ) ) {
		struct berval dummy = BER_BVNULL;
		/* frees mg_cb, after monreg_free */
		mbe->unregister_entry_callback( BER_BVISNULL( &mg->mg_ovndn ) ?
			&mg->mg_ndn : &mg->mg_ovndn, mg->mg_cb, &dummy, 0, &dummy );
	}
	ch_free( mg->mg_ovndn.bv_val );
	ch_free( mg );
}
