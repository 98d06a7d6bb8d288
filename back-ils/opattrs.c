/* opattrs.c - the operational attributes back-mdb's entries get
 *
 * entryUUID, entryCSN, creatorsName, createTimestamp, modifiersName and
 * modifyTimestamp come from the frontend's slap_add_opattrs() and
 * slap_mods_opattrs(), called as back-mdb calls them; syncprov sends the
 * entryUUID and entryCSN to consumers, and a consumer's writes carry the
 * provider's (be_shadow_update), which are kept.  The CSN an update queues
 * (slap_get_csn) is graduated once its result is sent, which is when
 * syncprov has taken it into the contextCSN.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* the new entry e of an Add (a private copy of op->ora_e) */
int
ils_opattrs_add( Operation *op, Entry *e, const char **text, char *buf,
	size_t len )
{
	Entry *client = op->ora_e;
	ObjectClass *sc = NULL;
	Attribute *a;
	int rc;

	/* entry_schema_check() gives back-mdb's entries their
	 * structuralObjectClass; ILS entries are not schema checked (the
	 * clients are loose), but their classes are back-ils' own */
	if ( !attr_find( e->e_attrs, slap_schema.si_ad_structuralObjectClass ) &&
		( a = attr_find( e->e_attrs, slap_schema.si_ad_objectClass ) ) &&
		structural_class( a->a_vals, &sc, NULL, text, buf, len,
			op->o_tmpmemctx ) == LDAP_SUCCESS && sc )
		attr_merge_one( e, slap_schema.si_ad_structuralObjectClass,
			&sc->soc_cname, NULL );
	*text = NULL;
	op->ora_e = e;
	rc = slap_add_opattrs( op, text, buf, len, 1 );
	op->ora_e = client;
	return rc;
}

/* An Add that replaces a live registration (its owner's re-Add, a
 * reclaim) changes it, it does not make another: e keeps old's identity
 * and creation, as a Modify would.  A consumer's Add (be_shadow_update) is the
 * provider's entry, whose attributes win. */
void
ils_opattrs_keep( Operation *op, Entry *e, Entry *old )
{
	AttributeDescription *ads[] = { slap_schema.si_ad_entryUUID,
		slap_schema.si_ad_creatorsName, slap_schema.si_ad_createTimestamp };
	Attribute *a;
	unsigned i;

	if ( !old || be_shadow_update( op ) )
		return;
	for ( i = 0; i < sizeof( ads ) / sizeof( ads[0] ); i++ ) {
		if ( ( a = attr_find( old->e_attrs, ads[i] ) ) == NULL )
			continue;	/* a registration stored before opattrs */
		attr_delete( &e->e_attrs, ads[i] );
		attr_merge( e, ads[i], a->a_vals,
			a->a_nvals != a->a_vals ? a->a_nvals : NULL );
	}
}

/* A Modify's modifiersName, modifyTimestamp and entryCSN, appended to
 * op->orm_modlist as back-mdb does: not when the caller says so
 * (orm_no_opattrs), nor for a consumer's write of its contextCSN alone,
 * which must not look like a change of the suffix entry. */
void
ils_opattrs_mods( Operation *op )
{
	Modifications *ml = op->orm_modlist;

	if ( be_shadow_update( op ) && ml && !ml->sml_next &&
		ml->sml_desc == slap_schema.si_ad_contextCSN )
		return;
	slap_mods_opattrs( op, &op->orm_modlist, 1 );
}
