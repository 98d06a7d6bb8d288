/* search.c - searches in every ILS dialect
 *
 * NetMeeting lists everyone with base "objectClass=rtPerson" and scope
 * base (MS-TAIL <28>); the Dialer uses one-level searches below
 * ou=Dynamic,o=Intranet; PTLib and Ekiga use subtree.  All of them see
 * the same registrations.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "back-ils.h"

typedef struct ils_search {
	Filter		*is_filter;	/* the ILS dialect rewritten */
	ils_reply	is_reply;
	int		is_listing;	/* leave unlisted people out */
	struct berval	*is_cn;		/* the one cn the filter names */
	struct berval	*is_needle;	/* bytes every matching record holds */
} ils_search;

/* A listing is any search that does not name one person by an exact cn:
 * (cn=%), (cn=*), (cn=ab*) list, (cn=x) and (&(cn=x)(...)) look up.
 * Returns the (normalised) cn, or NULL. */
static struct berval *
names_one_cn( Filter *f )
{
	struct berval *cn;

	if ( f && f->f_choice == LDAP_FILTER_AND ) {
		for ( f = f->f_list; f; f = f->f_next )
			if ( ( cn = names_one_cn( f ) ) != NULL )
				return cn;
		return NULL;
	}
	if ( f && f->f_choice == LDAP_FILTER_EQUALITY &&
		f->f_av_desc->ad_type == slap_schema.si_ad_cn->ad_type &&
		!memchr( f->f_av_value.bv_val, '%', f->f_av_value.bv_len ) &&
		f->f_av_value.bv_len <= ILS_CN_MAX )
		return &f->f_av_value;
	return NULL;
}

/* sFlags 0: "do not list me" (MS-TAIL 2.2.3) */
static int
unlisted( ils_info *ii, Entry *e )
{
	Attribute *a = ii->ii_ad_sflags ? attr_find( e->e_attrs, ii->ii_ad_sflags ) : NULL;

	return a && a->a_numvals && a->a_vals[0].bv_len == 1 && a->a_vals[0].bv_val[0] == '0';
}

/* The Dialer's rtApplicationUser (its address as cn, its port) shares its
 * person's naming value (ils_app_join): it is as unlisted as the person. */
static int
app_unlisted( ils_info *ii, Entry *e )
{
	char kbuf[ILS_KEYBUF];
	struct berval key;
	ils_name nm;
	Entry *person = NULL;
	int hide;

	if ( !is_entry_objectclass( e, ii->ii_oc_appuser, 0 ) )
		return 0;
	ils_parse_dn( &e->e_nname, &nm );
	if ( nm.in_dn.kind != ILSDN_APPUSER || !ils_sibling_key( &nm, kbuf, &key ) ||
		ils_store_get( ii, NULL, &key, &person ) != LDAP_SUCCESS || !person )
		return 0;
	hide = unlisted( ii, person );
	ils_record_free( person );
	return hide;
}

static int
hidden( Operation *op, ils_search *is, Entry *e )
{
	ils_info *ii = op->o_bd->be_private;

	return is->is_listing && ( unlisted( ii, e ) || app_unlisted( ii, e ) );
}

static int
limits_hit( Operation *op, SlapReply *rs )
{
	if ( op->o_abandon )
		return SLAPD_ABANDON;
	if ( op->ors_slimit != SLAP_NO_LIMIT && rs->sr_nentries >= op->ors_slimit )
		return LDAP_SIZELIMIT_EXCEEDED;
	if ( op->ors_tlimit != SLAP_NO_LIMIT && slap_get_time() > op->o_time + op->ors_tlimit )
		return LDAP_TIMELIMIT_EXCEEDED;
	return LDAP_SUCCESS;
}

/* test one stored entry and send it when it matches; takes e */
static int
send_one( Operation *op, SlapReply *rs, ils_search *is, Entry *e )
{
	Entry *r;
	int rc;

	if ( hidden( op, is, e ) ||
		test_filter( op, e, is->is_filter ) != LDAP_COMPARE_TRUE )
	{
		ils_record_free( e );
		return LDAP_SUCCESS;
	}
	if ( ( rc = limits_hit( op, rs ) ) != LDAP_SUCCESS ) {
		ils_record_free( e );
		return rc;
	}
	r = ils_reply_entry( op, &is->is_reply, e );
	rs->sr_entry = r;
	rs->sr_attrs = op->ors_attrs;
	rs->sr_operational_attrs = NULL;
	/* not modifiable: r shares e's values (reply.c) */
	rs->sr_flags = REP_ENTRY_MUSTBEFREED;
	rc = send_search_entry( op, rs );
	rs_flush_entry( op, rs, NULL );
	rs->sr_entry = NULL;
	ils_record_free( e );
	return rc;
}

/* the one person a filter names by its exact cn: a key lookup instead of
 * a scan (NetMeeting's keep-alive and lookup, PTLib's SearchPerson) */
static int
send_named( Operation *op, SlapReply *rs, ils_search *is )
{
	ils_info *ii = op->o_bd->be_private;
	char kbuf[ILS_KEYBUF];
	struct berval key;
	Entry *e;

	kbuf[0] = ILS_KEY_PERSON;
	memcpy( kbuf + 1, is->is_cn->bv_val, is->is_cn->bv_len );
	key.bv_val = kbuf;
	key.bv_len = is->is_cn->bv_len + 1;
	if ( ils_store_get( ii, NULL, &key, &e ) != LDAP_SUCCESS )
		return LDAP_SUCCESS;
	return send_one( op, rs, is, e );
}

/* every entry of a kind, in batches so no read transaction outlives a
 * send */
static int
send_all( Operation *op, SlapReply *rs, ils_search *is, char kind )
{
	ils_info *ii = op->o_bd->be_private;
	Entry *batch[ILS_SCAN_BATCH];
	struct berval from = BER_BVNULL, last;
	int n, i, rc = LDAP_SUCCESS;

	if ( kind == ILS_KEY_PERSON && is->is_cn )
		return send_named( op, rs, is );

	do {
		rc = is->is_needle ?
			ils_store_scan_having( ii, kind, &from, is->is_needle, batch,
				ILS_SCAN_BATCH, &n, &last ) :
			ils_store_scan( ii, kind, &from, batch, ILS_SCAN_BATCH, &n, &last );
		ch_free( from.bv_val );
		from = last;
		for ( i = 0; i < n; i++ ) {
			if ( rc == LDAP_SUCCESS )
				rc = send_one( op, rs, is, batch[i] );
			else
				ils_record_free( batch[i] );
		}
	} while ( rc == LDAP_SUCCESS && n == ILS_SCAN_BATCH );
	ch_free( from.bv_val );
	return rc;
}

static int
send_stored( Operation *op, SlapReply *rs, ils_search *is, ils_name *nm )
{
	ils_info *ii = op->o_bd->be_private;
	Entry *e;
	int rc = ils_store_get( ii, NULL, &nm->in_key, &e );

	if ( rc != LDAP_SUCCESS )
		return rc;
	return send_one( op, rs, is, e );
}

static int
stored_exists( Operation *op, ils_name *nm )
{
	Entry *e;
	int rc = ils_store_get( op->o_bd->be_private, NULL, &nm->in_key, &e );

	if ( e )
		ils_record_free( e );
	return rc;
}

static int
send_container( Operation *op, SlapReply *rs, ils_search *is, enum ilsdn_kind kind )
{
	Entry *e;
	int rc = ils_container_get( op->o_bd->be_private, NULL, kind, &e );

	return rc == LDAP_SUCCESS ? send_one( op, rs, is, e ) : rc;
}

/* what the base and scope select */
static int
search_scope( Operation *op, SlapReply *rs, ils_search *is, ils_name *nm )
{
	int scope = op->ors_scope;
	int self = scope == LDAP_SCOPE_BASE || scope == LDAP_SCOPE_SUBTREE;
	int below = scope != LDAP_SCOPE_BASE;
	int deep = scope == LDAP_SCOPE_SUBTREE || scope == LDAP_SCOPE_CHILDREN;
	int rc = LDAP_SUCCESS;

#define SEND( x ) do { if ( rc == LDAP_SUCCESS ) rc = ( x ); } while ( 0 )
	switch ( nm->in_dn.kind ) {
	case ILSDN_PSEUDO:
		/* "objectClass=rtPerson" names everybody, whatever the scope */
		return send_all( op, rs, is, ILS_KEY_PERSON );
	case ILSDN_PERSON:
	case ILSDN_APPUSER:
	case ILSDN_CONF:
		if ( !self )		/* leaves: no children */
			return stored_exists( op, nm );
		return send_stored( op, rs, is, nm );
	case ILSDN_ROOT:
		if ( self ) SEND( send_container( op, rs, is, ILSDN_ROOT ) );
		if ( below ) SEND( send_container( op, rs, is, ILSDN_DYNAMIC ) );
		if ( below ) SEND( send_container( op, rs, is, ILSDN_APPS ) );
		if ( deep ) SEND( send_container( op, rs, is, ILSDN_APPCONT ) );
		if ( deep ) SEND( send_all( op, rs, is, ILS_KEY_PERSON ) );
		if ( deep ) SEND( send_all( op, rs, is, ILS_KEY_CONF ) );
		if ( deep ) SEND( send_all( op, rs, is, ILS_KEY_APPUSER ) );
		return rc;
	case ILSDN_DYNAMIC:
		if ( self ) SEND( send_container( op, rs, is, ILSDN_DYNAMIC ) );
		if ( below ) SEND( send_all( op, rs, is, ILS_KEY_PERSON ) );
		if ( below ) SEND( send_all( op, rs, is, ILS_KEY_CONF ) );
		return rc;
	case ILSDN_APPS:
		if ( self ) SEND( send_container( op, rs, is, ILSDN_APPS ) );
		if ( below ) SEND( send_container( op, rs, is, ILSDN_APPCONT ) );
		if ( deep ) SEND( send_all( op, rs, is, ILS_KEY_APPUSER ) );
		return rc;
	case ILSDN_APPCONT:
		if ( self ) SEND( send_container( op, rs, is, ILSDN_APPCONT ) );
		if ( below ) SEND( send_all( op, rs, is, ILS_KEY_APPUSER ) );
		return rc;
	default:
		return LDAP_NO_SUCH_OBJECT;
	}
#undef SEND
}

/* RFC 4528: a search's assertion is about its base; a base that does not
 * exist (NetMeeting's "objectClass=rtPerson" is none) is answered by the
 * search itself */
static int
base_asserted( Operation *op )
{
	Entry *e;
	int ok;

	if ( !get_assert( op ) ||
		ils_entry_get_rw( op, &op->o_req_ndn, NULL, NULL, 0, &e ) != LDAP_SUCCESS )
		return 1;
	ok = ils_assert_ok( op, e );
	ils_record_free( e );
	return ok;
}

int
ils_back_search( Operation *op, SlapReply *rs )
{
	ils_name nm;
	ils_search is;
	const char *text = NULL;
	int rc;

	ils_parse_dn( &op->o_req_ndn, &nm );
	if ( nm.in_dn.kind == ILSDN_BAD && nm.in_dn.cn.bv_len == 0 &&
		!strcmp( nm.in_dn.err, "ILS DN has no cn" ) )
		nm.in_dn.kind = ILSDN_PSEUDO;	/* "c=-,o=x,objectClass=rtPerson" */
	if ( nm.in_dn.kind == ILSDN_BAD )
		return ils_send_error( op, rs, LDAP_NO_SUCH_OBJECT, nm.in_dn.err );
	if ( !base_asserted( op ) )
		return ils_send_error( op, rs, LDAP_ASSERTION_FAILED, NULL );
	if ( ( rc = ils_reply_init( op, &is.is_reply, &text ) ) != LDAP_SUCCESS )
		return ils_send_error( op, rs, rc, text );
	is.is_filter = ils_filter_rewrite( op, op->ors_filter );
	is.is_cn = names_one_cn( op->ors_filter );
	/* syncrepl's lookup of the entry a change is about: (entryUUID=X),
	 * whose normalised value is in the record of that entry only */
	is.is_needle = op->ors_filter && op->ors_filter->f_choice == LDAP_FILTER_EQUALITY &&
		op->ors_filter->f_av_desc == slap_schema.si_ad_entryUUID &&
		op->ors_filter->f_av_value.bv_len > 0 ? &op->ors_filter->f_av_value : NULL;
	is.is_listing = ( (ils_info *)op->o_bd->be_private )->ii_hide_unlisted &&
		!be_isroot( op ) && !is.is_cn;
	rs->sr_nentries = 0;

	rc = search_scope( op, rs, &is, &nm );

	ils_filter_free( op, is.is_filter );
	ils_reply_destroy( op, &is.is_reply );
	switch ( rc ) {
	case SLAPD_ABANDON:
	case LDAP_UNAVAILABLE:
		/* nobody reads the result, but the callbacks of overlays
		 * (their cleanups) must run: send it, as back-mdb does */
		rs->sr_err = rc;
		send_ldap_result( op, rs );
		return rc;
	case LDAP_NO_SUCH_OBJECT:
		rs->sr_matched = op->o_bd->be_suffix[0].bv_val;
		ils_send_error( op, rs, rc, NULL );
		rs->sr_matched = NULL;
		return rc;
	}
	return ils_send_error( op, rs, rc, NULL );
}

/* bi_entry_get_rw: one stored entry by its DN, a registration or a
 * container (syncprov, the ACLs, the assertion control read it) */
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
	if ( ILSDN_IS_ENTRY( nm.in_dn.kind ) ) {
		if ( ( rc = ils_store_get( ii, NULL, &nm.in_key, &e ) ) != LDAP_SUCCESS )
			return rc;
	} else if ( ils_container_get( ii, NULL, nm.in_dn.kind, &e ) != LDAP_SUCCESS ) {
		return LDAP_NO_SUCH_OBJECT;
	}
	if ( oc && !is_entry_objectclass_or_sub( e, oc ) ) {
		ils_record_free( e );
		return LDAP_NO_SUCH_ATTRIBUTE;
	}
	*ep = e;
	return LDAP_SUCCESS;
}

int
ils_entry_release_rw( Operation *op, Entry *e, int rw )
{
	ils_record_free( e );
	return 0;
}
