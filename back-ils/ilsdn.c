/* ilsdn.c - what an ILS DN names, see ilsdn.h */
#include <string.h>
#include <strings.h>
#include <ldap.h>
#include "ilsdn.h"

#define RTPERSON_OID \
	"1.2.840.113556.1.4.611.1103010708051504150108150101130009121504000012000415120210000708"

static int
bv_is( struct berval *bv, const char *s )
{
	size_t n = strlen( s );
	return bv->bv_len == n && strncasecmp( bv->bv_val, s, n ) == 0;
}

static int
ava_is( LDAPAVA *ava, const char *type, const char *value )
{
	return bv_is( &ava->la_attr, type ) && ( !value || bv_is( &ava->la_value, value ) );
}

/* a single-AVA RDN of the given type (and value, when not NULL) */
static int
rdn_is( LDAPRDN rdn, const char *type, const char *value )
{
	return rdn && rdn[0] && !rdn[1] && ava_is( rdn[0], type, value );
}

static int
is_pseudo_class( LDAPRDN rdn )
{
	return rdn_is( rdn, "objectClass", "rtPerson" ) ||
		rdn_is( rdn, "objectClass", RTPERSON_OID );
}

static void
set_cn( struct ilsdn *out, LDAPAVA *ava, char *buf, size_t buflen,
	enum ilsdn_kind kind )
{
	if ( ava->la_value.bv_len >= buflen ) {
		out->kind = ILSDN_BAD;
		out->err = "cn value too long";
		return;
	}
	memcpy( buf, ava->la_value.bv_val, ava->la_value.bv_len );
	buf[ava->la_value.bv_len] = '\0';
	out->cn.bv_val = buf;
	out->cn.bv_len = ava->la_value.bv_len;
	out->kind = kind;
}

int
ilsdn_name_ok( const struct berval *cn )
{
	ber_len_t i;

	for ( i = 0; i < cn->bv_len; i++ )
		if ( (unsigned char)cn->bv_val[i] < 0x20 || cn->bv_val[i] == 0x7f )
			return 0;
	return 1;
}

/* NetMeeting's pseudo-DN: RDNs in any order before the trailing
 * objectClass; exactly one cn among them, c and o ignored. */
static void
parse_pseudo( LDAPDN dn, int n, struct ilsdn *out, char *buf, size_t buflen )
{
	LDAPAVA *cn = NULL;
	int i, j;

	if ( n == 1 ) {
		out->kind = ILSDN_PSEUDO;
		return;
	}
	for ( i = 0; i < n - 1; i++ ) {
		for ( j = 0; dn[i][j]; j++ ) {
			if ( !bv_is( &dn[i][j]->la_attr, "cn" ) )
				continue;
			if ( cn ) {
				out->kind = ILSDN_BAD;
				out->err = "ILS DN names more than one cn";
				return;
			}
			cn = dn[i][j];
		}
	}
	if ( !cn ) {
		out->kind = ILSDN_BAD;
		out->err = "ILS DN has no cn";
		return;
	}
	set_cn( out, cn, buf, buflen, ILSDN_PERSON );
}

/* ou=Applications: appName=<app> holds the Dialer's application users */
static void
parse_apps( LDAPDN dn, int n, struct ilsdn *out, char *buf, size_t buflen )
{
	if ( n == 2 ) {
		out->kind = ILSDN_APPS;
	} else if ( rdn_is( dn[n - 3], "appName", NULL ) ) {
		if ( n == 3 )
			out->kind = ILSDN_APPCONT;
		else if ( n == 4 && rdn_is( dn[0], "cn", NULL ) )
			set_cn( out, dn[0][0], buf, buflen, ILSDN_APPUSER );
	}
}

/* the MS-TAIL tree below o=Intranet */
static void
parse_tree( LDAPDN dn, int n, struct ilsdn *out, char *buf, size_t buflen )
{
	if ( n == 1 ) {
		out->kind = ILSDN_ROOT;
		return;
	}
	if ( rdn_is( dn[n - 2], "ou", "Applications" ) ) {
		parse_apps( dn, n, out, buf, buflen );
		return;
	}
	if ( !rdn_is( dn[n - 2], "ou", "Dynamic" ) )
		return;
	if ( n == 2 )
		out->kind = ILSDN_DYNAMIC;
	else if ( n == 3 && rdn_is( dn[0], "cn", NULL ) )
		set_cn( out, dn[0][0], buf, buflen, ILSDN_PERSON );
	else if ( n == 3 && rdn_is( dn[0], "uid", NULL ) )
		set_cn( out, dn[0][0], buf, buflen, ILSDN_CONF );
}

void
ilsdn_parse( struct berval *bv, struct ilsdn *out, char *buf, size_t buflen )
{
	LDAPDN dn = NULL;
	int n;

	memset( out, 0, sizeof( *out ) );
	if ( bv->bv_len == 0 )
		return;
	if ( ldap_bv2dn( bv, &dn, LDAP_DN_FORMAT_LDAPV3 ) != LDAP_SUCCESS || !dn ) {
		out->kind = ILSDN_BAD;
		out->err = "malformed DN";
		return;
	}
	for ( n = 0; dn[n]; n++ )
		;
	if ( is_pseudo_class( dn[n - 1] ) )
		parse_pseudo( dn, n, out, buf, buflen );
	else if ( rdn_is( dn[n - 1], "o", "Intranet" ) )
		parse_tree( dn, n, out, buf, buflen );
	ldap_dnfree( dn );
}

/* RFC 4514 asks only a leading or trailing SPACE to be escaped, but
 * ldap_str2dn() (and so slapd's dnPrettyNormal()) skips TAB, LF and CR
 * around a value too: unescaped, "\tx" would come back as "x" and the
 * DN ils_entry_name() builds would name another registration */
static int
is_dnspace( unsigned char c )
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t
ilsdn_escape( const char *in, size_t len, char *out )
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for ( i = 0; i < len; i++ ) {
		unsigned char c = (unsigned char)in[i];
		if ( c == 0 ) {
			out[o++] = '\\'; out[o++] = '0'; out[o++] = '0';
		} else if ( strchr( ",+\"\\<>;=", c ) ||
			( i == 0 && ( c == '#' || is_dnspace( c ) ) ) ||
			( i == len - 1 && is_dnspace( c ) ) )
		{
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}
