/* refresh.c - the RFC 2589 refresh extended operation
 *
 * slapd has no built-in handler for it, so the module registers one: it
 * decodes the request, picks the database that holds the entry and hands
 * it to that database's be_extended, where this overlay (or slapo-dds on a
 * database configured with it) answers.  Unlike slapo-dds the operation is
 * advertised in the root DSE's supportedExtension, as RFC 2589 6.2 asks.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "dynttl.h"

static struct berval refresh_oid = BER_BVC( LDAP_EXOP_REFRESH );

/* SEQUENCE { entryName [0] LDAPDN, requestTtl [1] INTEGER } */
static int
parse_request( Operation *op, struct berval *in, struct berval *ndn, long *ttl,
	const char **text )
{
	BerElementBuffer berbuf;
	BerElement *ber = (BerElement *)&berbuf;
	struct berval dn = BER_BVNULL, pdn, copy;
	ber_tag_t tag;
	ber_len_t len;
	ber_int_t i = 0;
	int rc;

	if ( in == NULL || in->bv_len == 0 ) {
		*text = "refresh request without a value";
		return LDAP_PROTOCOL_ERROR;
	}
	/* decoding writes NUL terminators into the buffer: work on a copy */
	ber_dupbv_x( &copy, in, op->o_tmpmemctx );
	ber_init2( ber, &copy, 0 );
	rc = LDAP_PROTOCOL_ERROR;
	if ( ber_scanf( ber, "{" ) == LBER_ERROR ||
		ber_peek_tag( ber, &len ) != LDAP_TAG_EXOP_REFRESH_REQ_DN ||
		ber_scanf( ber, "m", &dn ) == LBER_ERROR ||
		ber_peek_tag( ber, &len ) != LDAP_TAG_EXOP_REFRESH_REQ_TTL ||
		ber_scanf( ber, "i", &i ) == LBER_ERROR ||
		( tag = ber_peek_tag( ber, &len ) ) != LBER_DEFAULT )
	{
		*text = "malformed refresh request";
	} else if ( i <= 0 || i > DYNTTL_RFC_MAX ) {
		*text = "requestTtl outside 1..31557600";
	} else if ( dnPrettyNormal( NULL, &dn, &pdn, ndn, op->o_tmpmemctx ) != LDAP_SUCCESS ) {
		/* pretty first, as the frontend does: "OBJECTCLASS=rtperson"
		 * becomes the spelling that names the database's suffix */
		*text = "invalid entryName";
		rc = LDAP_INVALID_DN_SYNTAX;
	} else {
		op->o_tmpfree( pdn.bv_val, op->o_tmpmemctx );
		*ttl = i;
		rc = LDAP_SUCCESS;
	}
	op->o_tmpfree( copy.bv_val, op->o_tmpmemctx );
	return rc;
}

/* the global handler: decode, then the database's be_extended */
static int
refresh_exop( Operation *op, SlapReply *rs )
{
	BackendDB *bd = op->o_bd;
	long ttl;
	int rc;

	rc = parse_request( op, op->ore_reqdata, &op->o_req_ndn, &ttl, &rs->sr_text );
	if ( rc != LDAP_SUCCESS ) {
		rs->sr_err = rc;
		return rc;
	}
	op->o_req_dn = op->o_req_ndn;
	Debug( LDAP_DEBUG_STATS, "%s REFRESH dn=\"%s\" ttl=%ld\n",
		op->o_log_prefix, op->o_req_ndn.bv_val, ttl );
	op->o_bd = select_backend( &op->o_req_ndn, 0 );
	if ( op->o_bd == NULL ) {
		rc = LDAP_NO_SUCH_OBJECT;
		rs->sr_text = "no such object";
	} else if ( !SLAP_DYNAMIC( op->o_bd ) || !op->o_bd->be_extended ) {
		rc = LDAP_UNAVAILABLE_CRITICAL_EXTENSION;
		rs->sr_text = "this database has no dynamic objects";
	} else if ( SLAP_SINGLE_SHADOW( op->o_bd ) ) {
		/* a consumer of one provider: a write, sent where writes go,
		 * as slapd's frontend sends the others */
		if ( op->o_bd->be_update_refs ) {
			/* do_extended() frees the list */
			rc = LDAP_REFERRAL;
			rs->sr_ref = referral_rewrite( op->o_bd->be_update_refs,
				NULL, &op->o_req_dn, LDAP_SCOPE_DEFAULT );
			if ( !rs->sr_ref )
				ber_bvarray_dup_x( &rs->sr_ref, op->o_bd->be_update_refs, NULL );
		} else {
			rc = LDAP_UNWILLING_TO_PERFORM;
			rs->sr_text = "shadow context; no update referral";
		}
	} else if ( ( rc = backend_check_restrictions( op, rs, &refresh_oid ) ) == LDAP_SUCCESS ) {
		rc = op->o_bd->be_extended( op, rs );
	}
	op->o_tmpfree( op->o_req_ndn.bv_val, op->o_tmpmemctx );
	BER_BVZERO( &op->o_req_ndn );
	BER_BVZERO( &op->o_req_dn );
	op->o_bd = bd;
	rs->sr_err = rc;
	return rc;
}

static void
set_response( Operation *op, SlapReply *rs, long ttl )
{
	BerElementBuffer berbuf;
	BerElement *ber = (BerElement *)&berbuf;

	ber_init_w_nullc( ber, LBER_USE_DER );
	ber_printf( ber, "{tiN}", LDAP_TAG_EXOP_REFRESH_RES_TTL, (ber_int_t)ttl );
	rs->sr_rspdata = ch_malloc( sizeof( struct berval ) );
	ber_flatten2( ber, rs->sr_rspdata, 1 );
	ber_free_buf( ber );
	rs->sr_rspoid = ch_strdup( LDAP_EXOP_REFRESH );
}

/* the overlay's part: the entry, its class, the limits, the refresh */
int
dynttl_op_extended( Operation *op, SlapReply *rs )
{
	slap_overinst *on = (slap_overinst *)op->o_bd->bd_info;
	ttl_info *ti = on->on_bi.bi_private;
	struct berval ndn;
	Entry *e = NULL;
	int64_t expire;
	long ttl;
	int rc, dyn, allowed;

	if ( !bvmatch( &op->ore_reqoid, &refresh_oid ) )
		return SLAP_CB_CONTINUE;
	/* parse again: the global handler keeps only the DN */
	if ( parse_request( op, op->ore_reqdata, &ndn, &ttl, &rs->sr_text ) )
		return rs->sr_err = LDAP_PROTOCOL_ERROR;
	op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );

	rc = overlay_entry_get_ov( op, &op->o_req_ndn, NULL, NULL, 0, &e, on );
	if ( rc != LDAP_SUCCESS || !e ) {
		rs->sr_text = "no such object";
		return rs->sr_err = ttl_monitor_refresh( ti, LDAP_NO_SUCH_OBJECT );
	}
	dyn = dynttl_is_dynamic( e, &expire );
	allowed = access_allowed( op, e, slap_schema.si_ad_entryTtl, NULL, ACL_WRITE, NULL );
	ber_dupbv_x( &ndn, &e->e_nname, op->o_tmpmemctx );
	overlay_entry_release_ov( op, e, 0, on );

	if ( !dyn ) {
		rs->sr_text = "entry is not a dynamic object";
		rc = LDAP_OBJECT_CLASS_VIOLATION;
	} else if ( !allowed ) {
		rs->sr_text = "no write access to entryTtl";
		rc = LDAP_INSUFFICIENT_ACCESS;
	} else if ( ttl > ti->ti_max ) {
		rs->sr_text = "time-to-live exceeds dynttl-max-ttl";
		rc = LDAP_SIZELIMIT_EXCEEDED;
	} else {
		/* written behind, as keep-alives are (ttl_queue_refresh) */
		int64_t stored = expire;
		ttl = dynttl_clamp( ti, ttl );
		expire = dynttl_now() + (int64_t)ttl * 1000;
		rc = LDAP_SUCCESS;
		/* an expiry Delete under way (-1): this write races it, and
		 * the Delete's assertion decides which one wins */
		if ( ttl_queue_refresh( ti, &ndn, stored, expire, (int)ttl ) )
			rc = ttl_queue_write( ti, op, &ndn, (int)ttl, expire );
		if ( rc == LDAP_SUCCESS )
			set_response( op, rs, ttl );
	}
	op->o_tmpfree( ndn.bv_val, op->o_tmpmemctx );
	return rs->sr_err = ttl_monitor_refresh( ti, rc );
}

int
dynttl_refresh_register( void )
{
	return load_extop2( &refresh_oid, SLAP_EXOP_WRITES, refresh_exop, 1 );
}
