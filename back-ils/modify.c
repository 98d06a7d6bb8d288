/* modify.c - changing a registration
 *
 * ILS clients are loose about modification types: NetMeeting adds
 * application attributes that may already be there, GnomeMeeting and PTLib
 * replace every attribute including cn and objectClass.  So values that
 * exist are no error, a replace of cn with the registration's own cn is a
 * no-op, objectClass changes only ever add classes, and sModOp is read as
 * the operation code it is (MS-TAIL 2.2.3): 1 removes the application data.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* every naming value in the modification must be the entry's own */
static int
same_identity( Modification *mod, struct berval *cn )
{
	BerVarray v = mod->sm_nvalues ? mod->sm_nvalues : mod->sm_values;
	unsigned i;

	if ( mod->sm_op == LDAP_MOD_DELETE || mod->sm_op == SLAP_MOD_SOFTDEL || !v )
		return 0;
	for ( i = 0; !BER_BVISNULL( &v[i] ); i++ )
		if ( v[i].bv_len != cn->bv_len || strncasecmp( v[i].bv_val, cn->bv_val, cn->bv_len ) )
			return 0;
	return 1;
}

static int
apply_one( Operation *op, Entry *e, Modification *mod, ils_name *nm,
	const char **text, char *buf, size_t len )
{
	ils_info *ii = op->o_bd->be_private;
	AttributeDescription *ad = mod->sm_desc;
	int rc;

	/* a replica's write (syncrepl) names every type canonically and
	 * carries the provider's ilsAttrNames itself: noting its names
	 * would drop the clients' spellings, and leave syncrepl's next diff
	 * an ilsAttrNames without values (slapd's attr_cmp asserts) */
	if ( !( mod->sm_flags & SLAP_MOD_INTERNAL ) && mod->sm_values &&
		!be_shadow_update( op ) )
		ils_names_note( e, ad, &mod->sm_type );
	if ( ad == ii->ii_ad_modop ) {
		if ( mod->sm_values && mod->sm_values[0].bv_len == 1 &&
			mod->sm_values[0].bv_val[0] == '1' )
			ils_entry_drop_app( e );
		return LDAP_SUCCESS;
	}
	if ( ad == ils_entry_naming_ad( nm->in_dn.kind ) ) {
		if ( same_identity( mod, &nm->in_dn.cn ) )
			return LDAP_SUCCESS;
		*text = "the cn names the registration: delete and add again to change it";
		return LDAP_NOT_ALLOWED_ON_RDN;
	}
	if ( ad == slap_schema.si_ad_objectClass ) {
		Modification add = *mod;

		if ( mod->sm_op == LDAP_MOD_DELETE || mod->sm_op == SLAP_MOD_SOFTDEL ||
			!mod->sm_values )
			return LDAP_SUCCESS;
		add.sm_op = LDAP_MOD_ADD;	/* classes are only ever added */
		return modify_add_values( e, &add, 1, text, buf, len );
	}
	switch ( mod->sm_op ) {
	case LDAP_MOD_DELETE:
	case SLAP_MOD_SOFTDEL: {
		Modification pieces = *mod;
		int n;

		/* a list value as it was written: the pieces it was split into */
		if ( ( pieces.sm_values = ils_entry_list_pieces( ii, ad,
			mod->sm_values, &n ) ) != NULL ) {
			pieces.sm_nvalues = NULL;
			pieces.sm_numvals = n;
			rc = modify_delete_values( e, &pieces, 1, text, buf, len );
			ber_bvarray_free( pieces.sm_values );
		} else {
			rc = modify_delete_values( e, mod, 1, text, buf, len );
		}
		return rc == LDAP_NO_SUCH_ATTRIBUTE ? LDAP_SUCCESS : rc;
	}
	}
	return ils_entry_apply_mod( e, mod, 1, text, buf, len );
}

/* only replaces made by the server itself (the TTL overlay recording a
 * refresh): they need neither the limits check nor the application join */
static int
internal_replaces( Modifications *ml )
{
	for ( ; ml; ml = ml->sml_next )
		if ( !( ml->sml_flags & SLAP_MOD_INTERNAL ) || ml->sml_op != LDAP_MOD_REPLACE )
			return 0;
	return 1;
}

/* The TTL overlay's record of a keep-alive: internal replaces (the
 * caller has checked that) of one value each (and its normalised one:
 * modifiersName has one), of different attributes,
 * none that apply_one() treats specially, by the rootdn (no ACL applies)
 * without an assertion.  Such a Modify needs nothing of the entry but
 * its record, which ils_store_patch() changes without decoding it. */
static int
patchable( Operation *op, ils_name *nm )
{
	ils_info *ii = op->o_bd->be_private;
	Modifications *ml, *prev;
	int n = 0;

	if ( get_assert( op ) || !be_isroot( op ) )
		return 0;
	for ( ml = op->orm_modlist; ml; ml = ml->sml_next ) {
		if ( ml->sml_numvals != 1 ||
			!ml->sml_values || BER_BVISNULL( &ml->sml_values[0] ) ||
			!BER_BVISNULL( &ml->sml_values[1] ) ||
			( ml->sml_nvalues && BER_BVISNULL( &ml->sml_nvalues[0] ) ) ||
			ml->sml_desc == ils_entry_naming_ad( nm->in_dn.kind ) ||
			ml->sml_desc == slap_schema.si_ad_objectClass ||
			ml->sml_desc == ii->ii_ad_modop || ++n > ILS_PATCH_MODS )
			return 0;
		for ( prev = op->orm_modlist; prev != ml; prev = prev->sml_next )
			if ( prev->sml_desc == ml->sml_desc )
				return 0;
	}
	return n > 0;
}

/* Only a replica writes ilsOwnerAddress with a Modify; the registration's
 * count then moves with it (limits.c).  before keeps a copy in buf. */
static void
owner_before( Entry *e, struct berval *before, char *buf )
{
	struct berval addr;

	BER_BVZERO( before );
	if ( ils_owner_address( e, &addr ) && addr.bv_len < ILSIP_PEER_MAX ) {
		memcpy( buf, addr.bv_val, addr.bv_len );
		before->bv_val = buf;
		before->bv_len = addr.bv_len;
	}
}

static void
owner_after( ils_info *ii, ils_name *nm, struct berval *before, Entry *e,
	ils_tally *t )
{
	struct berval after = BER_BVNULL;

	ils_owner_address( e, &after );
	ils_limits_moved( ii, nm->in_key.bv_val[0], before, &after, t );
}

/* read, change and write the entry in one write transaction */
static int
modify_entry( Operation *op, MDB_txn *txn, ils_name *nm, ils_tally *t,
	const char **text, char *buf, size_t len )
{
	ils_info *ii = op->o_bd->be_private;
	int fast;
	char obuf[ILSIP_PEER_MAX];
	struct berval owner;
	Modifications *ml;
	Entry *e, *stored;
	int rc;

	if ( !op->orm_no_opattrs )
		ils_opattrs_mods( op );
	fast = internal_replaces( op->orm_modlist );
	if ( fast && patchable( op, nm ) ) {
		rc = ils_store_patch( ii, txn, &nm->in_key, op->orm_modlist );
		if ( rc == LDAP_NO_SUCH_OBJECT )
			*text = "no such registration";
		else if ( rc != LDAP_SUCCESS )
			*text = "cannot store the registration";
		return rc;
	}
	if ( ( rc = ils_store_get( ii, txn, &nm->in_key, &stored ) ) != LDAP_SUCCESS ) {
		*text = rc == LDAP_NO_SUCH_OBJECT ? "no such registration" : NULL;
		return rc;
	}
	/* a decoded entry keeps its attributes and values in one block:
	 * changes need a private copy */
	e = entry_dup( stored );
	ils_record_free( stored );
	if ( !ils_assert_ok( op, e ) ) {
		rc = LDAP_ASSERTION_FAILED;
	} else if ( !acl_check_modlist( op, e, op->orm_modlist ) ) {
		rc = LDAP_INSUFFICIENT_ACCESS;
		*text = "no write access to this registration";
	}
	owner_before( e, &owner, obuf );
	for ( ml = op->orm_modlist; ml && rc == LDAP_SUCCESS; ml = ml->sml_next )
		rc = apply_one( op, e, &ml->sml_mod, nm, text, buf, len );
	if ( rc == LDAP_SUCCESS && !fast ) {
		ils_addr_policy( op, op->orm_modlist, e );
		rc = ils_entry_check( op, e, text, buf, len );
	}
	if ( rc == LDAP_SUCCESS )
		owner_after( ii, nm, &owner, e, t );
	if ( rc == LDAP_SUCCESS ) {
		if ( !fast )
			rc = ils_app_join( op, txn, nm, e );
		if ( rc == LDAP_SUCCESS )
			rc = ils_store_put( ii, txn, &nm->in_key, e,
				fast ? ILS_PUT_ANY : ILS_PUT_LIMITED );
		if ( rc != LDAP_SUCCESS )
			*text = "cannot store the registration";
		/* the store's refusal (ils-map-highwater) says so */
		ils_store_refused( op, rc, text );
	}
	entry_free( e );
	return rc;
}

/* a container changes only by what slapd itself writes (container.c);
 * anyone else is answered as ever (ils_update_target) */
int
ils_back_modify( Operation *op, SlapReply *rs )
{
	ils_name nm;

	ils_parse_dn( &op->o_req_ndn, &nm );
	if ( ILSDN_IS_CONTAINER( nm.in_dn.kind ) && ils_container_writer( op ) )
		return ils_container_modify( op, rs, nm.in_dn.kind );
	return ils_update( op, rs, "modify", modify_entry );
}
