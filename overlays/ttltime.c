/* ttltime.c - an entry's TTL: its attributes, times and values
 *
 * What the rest of slapo-dynttl reads from and writes into an entry:
 * whether it is dynamic, its expiry time (entryExpireTimestamp, in
 * slapd's generalizedTime form) and the internal modifications that
 * record a TTL.  Nothing here calls another file of the overlay.
 */
#include "portable.h"
#include <stdio.h>
#include <ac/string.h>
#include "slap.h"
#include "dynttl.h"

AttributeDescription *dynttl_ad_expire;
AttributeDescription *dynttl_ad_sttl;

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
int64_t
dynttl_str2time( struct berval *bv )
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
Attribute *
dynttl_find_type( Entry *e, AttributeDescription *ad )
{
	Attribute *a;

	for ( a = e->e_attrs; a; a = a->a_next )
		if ( a->a_desc->ad_type == ad->ad_type )
			return a;
	return NULL;
}

/* objectClass values name dynamicObject (without the "no objectClass"
 * complaint is_entry_objectclass() logs for NetMeeting's Adds) */
int
dynttl_has_dynamic_class( Entry *e )
{
	return dynttl_find_type( e, slap_schema.si_ad_objectClass ) &&
		is_entry_objectclass( e, slap_schema.si_oc_dynamicObject, 0 );
}

/* 1 when e is a dynamic object; *expire gets its expiry (or -1) */
int
dynttl_is_dynamic( Entry *e, int64_t *expire )
{
	Attribute *a = dynttl_find_type( e, dynttl_ad_expire );

	*expire = a && a->a_numvals ? dynttl_str2time( &a->a_vals[0] ) : -1;
	return a != NULL || dynttl_has_dynamic_class( e );
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
Modifications *
dynttl_ttl_mods( long ttl, int64_t expire, Modifications *next )
{
	char tbuf[32], ebuf[40];
	struct berval tv, ev;

	tv.bv_val = tbuf;
	tv.bv_len = snprintf( tbuf, sizeof( tbuf ), "%ld", ttl );
	dynttl_time2str( expire, &ev, ebuf );
	next = ttl_mod( slap_schema.si_ad_entryTtl, &tv, next );
	return ttl_mod( dynttl_ad_expire, &ev, next );
}
