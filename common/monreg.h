/* monreg.h - counters as attributes of a cn=Monitor entry
 *
 * back-ils and slapo-dynttl show their counters the way back-mdb shows
 * its olmMDB* ones: an AUXILIARY class and one monitorCounter subtype per
 * counter, added to the entry back-monitor keeps for the database
 * (cn=Database N,cn=Databases,cn=Monitor) or for an overlay (cn=Overlay N
 * under it), refreshed by a callback whenever that entry is read.
 * Compiled into each module (nothing but init_module is exported).
 */
#ifndef MONREG_H
#define MONREG_H

LDAP_BEGIN_DECL

/* one counter's attribute type: number n of the arc, a monitorCounter */
#define MONREG_AT( arc, n, name, desc ) \
	"( " arc "." #n " NAME '" name "' DESC '" desc "' " \
	"SUP monitorCounter NO-USER-MODIFICATION USAGE dSAOperation )"

/* one module's attribute types and class, registered once */
typedef struct monreg_schema {
	const char	*ms_who;	/* for the log: "back-ils", "dynttl" */
	char		**ms_at;	/* the types, each SUP monitorCounter */
	int		ms_nat;
	AttributeDescription **ms_ad;	/* ms_nat of them */
	char		*ms_oc;		/* the AUXILIARY class */
	ObjectClass	*ms_ocp;
	int		ms_done, ms_rc;
} monreg_schema;

/* the ms_nat values, in ms_at's order, of what owner counts */
typedef void (monreg_values)( void *owner, unsigned long *v );

typedef struct monreg {
	monreg_schema	*mg_schema;
	monreg_values	*mg_values;
	void		*mg_owner;
	struct berval	mg_ndn;		/* the database's monitor entry; filled
					 * in late when the monitor opens after us */
	struct berval	mg_ovndn;	/* an overlay's: the entry registered with */
	monitor_callback_t *mg_cb;
} monreg;

int monreg_db_init( monreg_schema *ms, BackendDB *be );
monreg *monreg_open( monreg_schema *ms, BackendDB *be, slap_overinst *on,
	monreg_values *fn, void *owner );
void monreg_close( monreg *mg );

LDAP_END_DECL

#endif
