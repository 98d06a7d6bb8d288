/* entry.c - registrations as entries: names, containers, limits */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"
#include "ipaddr.h"

void
ils_parse_dn( struct berval *ndn, ils_name *nm )
{
	/* the cn lands after the one-byte kind prefix of the key */
	ilsdn_parse( ndn, &nm->in_dn, nm->in_buf + 1, sizeof( nm->in_buf ) - 1 );
	if ( nm->in_dn.kind == ILSDN_PERSON && nm->in_dn.cn.bv_len > ILS_CN_MAX ) {
		nm->in_dn.kind = ILSDN_BAD;
		nm->in_dn.err = "cn longer than 500 bytes";
	}
	nm->in_buf[0] = 'p';
	nm->in_key.bv_val = nm->in_buf;
	nm->in_key.bv_len = nm->in_dn.kind == ILSDN_PERSON ? nm->in_dn.cn.bv_len + 1 : 0;
}

int
ils_send_error( Operation *op, SlapReply *rs, int err, const char *text )
{
	rs->sr_err = err;
	rs->sr_text = text;
	send_ldap_result( op, rs );
	rs->sr_text = NULL;
	return err;
}

/* give e the canonical name cn=<cn>,ou=Dynamic,o=Intranet */
int
ils_entry_name( Operation *op, struct berval *cn, Entry *e )
{
	static const char suffix[] = ",ou=Dynamic,o=Intranet";
	struct berval dn, pdn, ndn;
	int rc;

	dn.bv_val = op->o_tmpalloc( 3 * cn->bv_len + sizeof( suffix ) + 4, op->o_tmpmemctx );
	strcpy( dn.bv_val, "cn=" );
	dn.bv_len = 3 + ilsdn_escape( cn->bv_val, cn->bv_len, dn.bv_val + 3 );
	strcpy( dn.bv_val + dn.bv_len, suffix );
	dn.bv_len += sizeof( suffix ) - 1;
	rc = dnPrettyNormal( NULL, &dn, &pdn, &ndn, NULL );
	op->o_tmpfree( dn.bv_val, op->o_tmpmemctx );
	if ( rc != LDAP_SUCCESS )
		return rc;
	if ( !BER_BVISNULL( &e->e_name ) ) ch_free( e->e_name.bv_val );
	if ( !BER_BVISNULL( &e->e_nname ) ) ch_free( e->e_nname.bv_val );
	e->e_name = pdn;
	e->e_nname = ndn;
	return LDAP_SUCCESS;
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

/* The containers exist only virtually: they hold no data of their own. */
Entry *
ils_entry_container( enum ilsdn_kind kind )
{
	static const struct { enum ilsdn_kind k; const char *dn, *oc, *type, *val; } c[] = {
		{ ILSDN_ROOT, "o=Intranet", "organization", "o", "Intranet" },
		{ ILSDN_DYNAMIC, "ou=Dynamic,o=Intranet", "organizationalUnit", "ou", "Dynamic" },
		{ ILSDN_APPS, "ou=Applications,o=Intranet", "organizationalUnit", "ou", "Applications" },
		{ 0 }
	};
	struct berval dn;
	Entry *e;
	int i;

	for ( i = 0; c[i].dn && c[i].k != kind; i++ )
		;
	if ( !c[i].dn )
		return NULL;
	e = entry_alloc();
	ber_str2bv( c[i].dn, 0, 0, &dn );
	if ( dnPrettyNormal( NULL, &dn, &e->e_name, &e->e_nname, NULL ) ) {
		entry_free( e );
		return NULL;
	}
	add_value( e, "objectClass", "top" );
	add_value( e, "objectClass", c[i].oc );
	add_value( e, c[i].type, c[i].val );
	return e;
}

/* The registration's identity is the cn of its DN: the cn attribute holds
 * exactly that value and rtPerson is among its classes, whatever the
 * client sent (NetMeeting sends no objectClass, the Dialer no cn). */
int
ils_entry_identity( Operation *op, Entry *e, struct berval *cn )
{
	ils_info *ii = op->o_bd->be_private;
	struct berval oc;

	attr_delete( &e->e_attrs, slap_schema.si_ad_cn );
	if ( attr_merge_normalize_one( e, slap_schema.si_ad_cn, cn, NULL ) )
		return LDAP_INVALID_SYNTAX;
	if ( !is_entry_objectclass( e, ii->ii_oc_rtperson, 0 ) ) {
		oc = ii->ii_oc_rtperson->soc_cname;
		attr_merge_normalize_one( e, slap_schema.si_ad_objectClass, &oc, NULL );
	}
	return LDAP_SUCCESS;
}

/* sipaddress values: one decimal number each, kept in unsigned form */
int
ils_entry_fix_ip( Operation *op, Attribute *a, const char **text,
	char *buf, size_t len )
{
	char dec[ILSIP_DECIMAL_MAX + 1];
	uint32_t v;
	unsigned i;

	for ( i = 0; i < a->a_numvals; i++ ) {
		struct berval *bv = &a->a_vals[i];
		if ( ilsip_parse( bv->bv_val, bv->bv_len, &v ) ) {
			snprintf( buf, len, "%s: value #%u is not an IPv4 address in "
				"ILS form (unsigned decimal)", a->a_desc->ad_cname.bv_val, i );
			*text = buf;
			return LDAP_INVALID_SYNTAX;
		}
		ilsip_format( v, dec );
		if ( strcmp( dec, bv->bv_val ) ) {
			ber_bvreplace( bv, &(struct berval){ strlen( dec ), dec } );
			if ( a->a_nvals != a->a_vals )
				ber_bvreplace( &a->a_nvals[i], bv );
		}
	}
	return LDAP_SUCCESS;
}

static int
is_binary( AttributeDescription *ad )
{
	return ad->ad_type->sat_syntax->ssyn_oid &&
		!strcmp( ad->ad_type->sat_syntax->ssyn_oid, "1.3.6.1.4.1.1466.115.121.1.40" );
}

/* Limits that keep one registration small (slapd-ils(5), LIMITS). */
int
ils_entry_check( Operation *op, Entry *e, const char **text, char *buf, size_t len )
{
	ils_info *ii = op->o_bd->be_private;
	Attribute *a;
	int nattrs = 0, rc;
	unsigned i;

	for ( a = e->e_attrs; a; a = a->a_next ) {
		int max = is_binary( a->a_desc ) ? ii->ii_max_blen : ii->ii_max_vlen;
		const char *name = a->a_desc->ad_cname.bv_val;

		if ( ++nattrs > ii->ii_max_attrs ) {
			snprintf( buf, len, "more than %d attributes", ii->ii_max_attrs );
			*text = buf;
			return LDAP_ADMINLIMIT_EXCEEDED;
		}
		if ( a->a_numvals > (unsigned)ii->ii_max_vals ) {
			snprintf( buf, len, "%s: more than %d values", name, ii->ii_max_vals );
			*text = buf;
			return LDAP_ADMINLIMIT_EXCEEDED;
		}
		for ( i = 0; i < a->a_numvals; i++ ) {
			if ( a->a_vals[i].bv_len > (ber_len_t)max ) {
				snprintf( buf, len, "%s: value #%u longer than %d bytes",
					name, i, max );
				*text = buf;
				return LDAP_CONSTRAINT_VIOLATION;
			}
		}
		if ( a->a_desc == ii->ii_ad_ip &&
			( rc = ils_entry_fix_ip( op, a, text, buf, len ) ) )
			return rc;
	}
	return LDAP_SUCCESS;
}

int
ils_entry_get_rw( Operation *op, struct berval *ndn, ObjectClass *oc,
	AttributeDescription *at, int rw, Entry **ep )
{
	ils_info *ii = op->o_bd->be_private;
	ils_name nm;
	Entry *e = NULL;
	int rc;

	*ep = NULL;
	ils_parse_dn( ndn, &nm );
	if ( nm.in_dn.kind == ILSDN_PERSON ) {
		if ( ( rc = ils_store_get( ii, &nm.in_key, &e ) ) != LDAP_SUCCESS )
			return rc;
	} else if ( ( e = ils_entry_container( nm.in_dn.kind ) ) == NULL ) {
		return LDAP_NO_SUCH_OBJECT;
	}
	if ( oc && !is_entry_objectclass_or_sub( e, oc ) ) {
		entry_free( e );
		return LDAP_NO_SUCH_ATTRIBUTE;
	}
	*ep = e;
	return LDAP_SUCCESS;
}

int
ils_entry_release_rw( Operation *op, Entry *e, int rw )
{
	entry_free( e );
	return 0;
}
