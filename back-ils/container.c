/* container.c - the stored containers
 *
 * o=Intranet, ou=Dynamic, ou=Applications and appName=MS-NetMeeting hold
 * no registrations' data, but they are entries of the database like the
 * others: syncprov keeps the contextCSN in the suffix entry, a consumer
 * its cookie, and a consumer's refresh receives them before their
 * children.  They are made at database open when missing, and only the
 * server itself (internal operations, the rootdn, a replica's update DN)
 * may change them; clients get what they always got.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

/* Every server of a multi-provider group makes its containers on its
 * own, so their entryUUIDs are derived from their names and the same
 * everywhere: syncrepl matches entries by entryUUID, and containers of
 * different UUIDs under one DN would be deleted and added again on each
 * side.  These are version-5 UUIDs of the normalised DN in the X.500
 * name space (RFC 4122 4.3), computed once; the names never change. */
static const struct ils_cont {
	enum ilsdn_kind	ct_kind;
	const char	*ct_dn, *ct_oc, *ct_type, *ct_val, *ct_uuid;
} conts[] = {
	{ ILSDN_ROOT, "o=Intranet", "organization", "o", "Intranet",
		"24c4d501-7c75-5272-aeac-243ec266daeb" },
	{ ILSDN_DYNAMIC, ILS_DN_DYNAMIC, "organizationalUnit", "ou", "Dynamic",
		"2942a4a0-42f6-5407-8647-963d2875338c" },
	{ ILSDN_APPS, "ou=Applications,o=Intranet", "organizationalUnit", "ou",
		"Applications", "5246715e-312e-5d56-9cc0-e319a2dbb2c2" },
	{ ILSDN_APPCONT, ILS_DN_APPCONT, "ilsApplication", "appName",
		"MS-NetMeeting", "e47038fe-86f8-5078-ad44-56d5e30f2935" },
};
#define NCONTS	( sizeof( conts ) / sizeof( conts[0] ) )

static const struct ils_cont *
cont_of( enum ilsdn_kind kind )
{
	unsigned i;

	for ( i = 0; i < NCONTS; i++ )
		if ( conts[i].ct_kind == kind )
			return &conts[i];
	return NULL;
}

static void
add_value( Entry *e, const char *type, const char *value )
{
	AttributeDescription *ad = NULL;
	const char *text;
	struct berval bv;

	if ( slap_str2ad( type, &ad, &text ) == LDAP_SUCCESS ) {
		ber_str2bv( value, 0, 0, &bv );
		attr_merge_normalize_one( e, ad, &bv, NULL );
	}
}

/* the container as it is first made: its name, classes, naming value
 * and entryUUID; NULL for a kind that is no container */
Entry *
ils_entry_container( enum ilsdn_kind kind )
{
	const struct ils_cont *c = cont_of( kind );
	struct berval dn;
	Entry *e;

	if ( !c )
		return NULL;
	e = entry_alloc();
	ber_str2bv( c->ct_dn, 0, 0, &dn );
	if ( dnPrettyNormal( NULL, &dn, &e->e_name, &e->e_nname, NULL ) ) {
		entry_free( e );
		return NULL;
	}
	add_value( e, "objectClass", "top" );
	add_value( e, "objectClass", c->ct_oc );
	add_value( e, c->ct_type, c->ct_val );
	add_value( e, "entryUUID", c->ct_uuid );
	add_value( e, "structuralObjectClass", c->ct_oc );
	return e;
}

/* A container's key: ILS_KEY_CONTAINER and its normalised DN.  0 when
 * kind is none, or the DN does not fit. */
int
ils_container_key( enum ilsdn_kind kind, char *buf, struct berval *key )
{
	const struct ils_cont *c = cont_of( kind );
	struct berval dn, ndn;

	ber_str2bv( c ? c->ct_dn : "", 0, 0, &dn );
	if ( !c || dnNormalize( 0, NULL, NULL, &dn, &ndn, NULL ) != LDAP_SUCCESS )
		return 0;
	if ( ndn.bv_len + 1 > ILS_KEYBUF ) {
		ch_free( ndn.bv_val );
		return 0;
	}
	buf[0] = ILS_KEY_CONTAINER;
	memcpy( buf + 1, ndn.bv_val, ndn.bv_len );
	key->bv_val = buf;
	key->bv_len = ndn.bv_len + 1;
	ch_free( ndn.bv_val );
	return 1;
}

/* the stored container of kind; the one first made if it is missing
 * (a database some other program changed) */
int
ils_container_get( ils_info *ii, MDB_txn *txn, enum ilsdn_kind kind, Entry **ep )
{
	char kbuf[ILS_KEYBUF];
	struct berval key;
	int rc;

	*ep = NULL;
	if ( !ils_container_key( kind, kbuf, &key ) )
		return LDAP_NO_SUCH_OBJECT;
	rc = ils_store_get( ii, txn, &key, ep );
	if ( rc == LDAP_NO_SUCH_OBJECT && ( *ep = ils_entry_container( kind ) ) )
		rc = LDAP_SUCCESS;
	return rc;
}

/* A new container's operational attributes, as slap_add_opattrs() gives
 * an entry the server itself adds (creatorsName the rootdn): its CSN is
 * this server's, made now, and queued nowhere, since no operation
 * carries it. */
static void
cont_opattrs( BackendDB *be, Entry *e )
{
	char csnbuf[LDAP_PVT_CSNSTR_BUFSIZE], timebuf[LDAP_LUTIL_GENTIME_BUFSIZE];
	struct berval csn = { sizeof( csnbuf ), csnbuf }, ts, name, nname;

	/* slap_get_csn() without its operation: it logs op->o_log_prefix at
	 * loglevel sync, a NULL dereference when there is no operation */
	csn.bv_len = ldap_pvt_csnstr( csn.bv_val, csn.bv_len, slap_serverID, 0 );
	/* the timestamp is the CSN's, as slap_add_opattrs() takes it */
	ts.bv_len = STRLENOF( "YYYYMMDDHHMMSSZ" );
	ts.bv_val = timebuf;
	memcpy( timebuf, csn.bv_val, ts.bv_len );
	timebuf[ts.bv_len - 1] = 'Z';
	timebuf[ts.bv_len] = '\0';
	name = be->be_rootdn;
	nname = be->be_rootndn;
	if ( BER_BVISEMPTY( &name ) ) {
		BER_BVSTR( &name, SLAPD_ANONYMOUS );
		nname = name;
	}
	attr_merge_one( e, slap_schema.si_ad_entryCSN, &csn, NULL );
	attr_merge_one( e, slap_schema.si_ad_creatorsName, &name, &nname );
	attr_merge_one( e, slap_schema.si_ad_createTimestamp, &ts, NULL );
	attr_merge_one( e, slap_schema.si_ad_modifiersName, &name, &nname );
	attr_merge_one( e, slap_schema.si_ad_modifyTimestamp, &ts, NULL );
}

/* at database open: the containers that are missing, in one transaction */
int
ils_container_open( BackendDB *be )
{
	ils_info *ii = be->be_private;
	char kbuf[ILS_KEYBUF];
	struct berval key;
	MDB_txn *txn;
	Entry *e;
	unsigned i;
	int rc;

	if ( ( rc = ils_store_begin( ii, &txn ) ) != LDAP_SUCCESS )
		return rc;
	for ( i = 0; i < NCONTS && rc == LDAP_SUCCESS; i++ ) {
		if ( !ils_container_key( conts[i].ct_kind, kbuf, &key ) ) {
			rc = LDAP_OTHER;
			break;
		}
		rc = ils_store_get( ii, txn, &key, &e );
		if ( rc == LDAP_SUCCESS ) {
			ils_record_free( e );
			continue;
		}
		if ( rc != LDAP_NO_SUCH_OBJECT || !( e = ils_entry_container( conts[i].ct_kind ) ) )
			break;
		cont_opattrs( be, e );
		rc = ils_store_put( ii, txn, &key, e, ILS_PUT_ANY );
		Debug( LDAP_DEBUG_STATS, "back-ils: made the container \"%s\": %d\n",
			e->e_name.bv_val, rc );
		entry_free( e );
	}
	return ils_store_end( txn, rc );
}

/* a change slapd itself makes: syncprov's contextCSN, syncrepl's cookie,
 * a write of the administrator (rootdn) or a replica's update DN */
int
ils_container_writer( Operation *op )
{
	Modifications *ml;

	if ( be_isroot( op ) || be_shadow_update( op ) )
		return 1;
	for ( ml = op->orm_modlist; ml; ml = ml->sml_next )
		if ( !( ml->sml_flags & SLAP_MOD_INTERNAL ) )
			return 0;
	return op->orm_modlist != NULL;
}

/* the naming value of c must stay, whatever the change (the values are
 * ASCII words, and their rules ignore case) */
static int
cont_named( const struct ils_cont *c, Entry *e )
{
	AttributeDescription *ad = NULL;
	const char *text;
	Attribute *a;
	size_t l = strlen( c->ct_val );
	unsigned i;

	if ( slap_str2ad( c->ct_type, &ad, &text ) != LDAP_SUCCESS ||
		( a = attr_find( e->e_attrs, ad ) ) == NULL )
		return 0;
	for ( i = 0; i < a->a_numvals; i++ )
		if ( a->a_vals[i].bv_len == l && !strncasecmp( a->a_vals[i].bv_val, c->ct_val, l ) )
			return 1;
	return 0;
}

static int
cont_apply( Operation *op, Entry *e, const char **text, char *buf, size_t len )
{
	Modifications *ml;
	int rc = LDAP_SUCCESS;

	for ( ml = op->orm_modlist; ml && rc == LDAP_SUCCESS; ml = ml->sml_next ) {
		Modification *mod = &ml->sml_mod;

		switch ( mod->sm_op ) {
		case LDAP_MOD_ADD:
		case SLAP_MOD_SOFTADD:
		case SLAP_MOD_ADD_IF_NOT_PRESENT:
			rc = modify_add_values( e, mod, get_permissiveModify( op ), text, buf, len );
			break;
		case LDAP_MOD_DELETE:
		case SLAP_MOD_SOFTDEL:
			rc = modify_delete_values( e, mod, get_permissiveModify( op ), text, buf, len );
			break;
		case LDAP_MOD_REPLACE:
			rc = modify_replace_values( e, mod, get_permissiveModify( op ), text, buf, len );
			break;
		case LDAP_MOD_INCREMENT:
			rc = modify_increment_values( e, mod, get_permissiveModify( op ), text, buf, len );
			break;
		default:
			*text = "unknown modification type";
			rc = LDAP_PROTOCOL_ERROR;
		}
	}
	return rc;
}

/* a Modify of the container kind, in one write transaction */
static int
cont_modify( Operation *op, enum ilsdn_kind kind, const char **text, char *buf,
	size_t len )
{
	ils_info *ii = op->o_bd->be_private;
	const struct ils_cont *c = cont_of( kind );
	char kbuf[ILS_KEYBUF];
	struct berval key;
	MDB_txn *txn;
	Entry *stored, *e;
	int rc;

	if ( !c || !ils_container_key( kind, kbuf, &key ) )
		return LDAP_NO_SUCH_OBJECT;
	if ( ( rc = ils_store_begin( ii, &txn ) ) != LDAP_SUCCESS )
		return rc;
	if ( ( rc = ils_container_get( ii, txn, kind, &stored ) ) != LDAP_SUCCESS )
		return ils_store_end( txn, rc );
	e = entry_dup( stored );
	ils_record_free( stored );
	if ( !ils_assert_ok( op, e ) )
		rc = LDAP_ASSERTION_FAILED;
	else
		rc = cont_apply( op, e, text, buf, len );
	if ( rc == LDAP_SUCCESS && !cont_named( c, e ) ) {
		*text = "the container's naming value cannot be removed";
		rc = LDAP_NOT_ALLOWED_ON_RDN;
	}
	if ( rc == LDAP_SUCCESS )
		rc = ils_store_put( ii, txn, &key, e, ILS_PUT_ANY );
	entry_free( e );
	return ils_store_end( txn, rc );
}

/* A Modify of a container by ils_container_writer() */
int
ils_container_modify( Operation *op, SlapReply *rs, enum ilsdn_kind kind )
{
	char textbuf[SLAP_TEXT_BUFLEN];
	const char *text = NULL;
	int rc;

	ils_csn_take( op );
	if ( !op->orm_no_opattrs )
		ils_opattrs_mods( op );
	rc = cont_modify( op, kind, &text, textbuf, sizeof( textbuf ) );
	Debug( LDAP_DEBUG_TRACE, "back-ils: modify container \"%s\": %d\n",
		op->o_req_dn.bv_val, rc );
	rc = ils_send_error( op, rs, rc, text );
	ils_csn_end( op );
	return rc;
}

/* bi_has_subordinates: a container has what the search of its subtree
 * would find below it (search.c), a registration nothing */
int
ils_has_subordinates( Operation *op, Entry *e, int *has )
{
	ils_info *ii = op->o_bd->be_private;
	Entry *batch[1];
	struct berval last;
	ils_name nm;
	int n = 0, rc = LDAP_SUCCESS;

	ils_parse_dn( &e->e_nname, &nm );
	switch ( nm.in_dn.kind ) {
	case ILSDN_ROOT:
	case ILSDN_APPS:
		n = 1;		/* other containers */
		break;
	case ILSDN_DYNAMIC:
		rc = ils_store_scan( ii, ILS_KEY_PERSON, NULL, batch, 1, &n, &last );
		if ( rc == LDAP_SUCCESS && !n )
			rc = ils_store_scan( ii, ILS_KEY_CONF, NULL, batch, 1, &n, &last );
		break;
	case ILSDN_APPCONT:
		rc = ils_store_scan( ii, ILS_KEY_APPUSER, NULL, batch, 1, &n, &last );
		break;
	default:
		break;
	}
	if ( n && nm.in_dn.kind != ILSDN_ROOT && nm.in_dn.kind != ILSDN_APPS ) {
		ils_record_free( batch[0] );
		ch_free( last.bv_val );
	}
	*has = n ? LDAP_COMPARE_TRUE : LDAP_COMPARE_FALSE;
	return rc;
}

/* bi_operational: hasSubordinates, as back-mdb adds it for "+" or by name */
int
ils_operational( Operation *op, SlapReply *rs )
{
	Attribute **ap;
	int has;

	for ( ap = &rs->sr_operational_attrs; *ap; ap = &(*ap)->a_next )
		if ( (*ap)->a_desc == slap_schema.si_ad_hasSubordinates )
			return LDAP_SUCCESS;
	if ( rs->sr_entry &&
		!attr_find( rs->sr_entry->e_attrs, slap_schema.si_ad_hasSubordinates ) &&
		( SLAP_OPATTRS( rs->sr_attr_flags ) ||
			ad_inlist( slap_schema.si_ad_hasSubordinates, rs->sr_attrs ) ) &&
		ils_has_subordinates( op, rs->sr_entry, &has ) == LDAP_SUCCESS )
		*ap = slap_operational_hasSubordinate( has == LDAP_COMPARE_TRUE );
	return LDAP_SUCCESS;
}
