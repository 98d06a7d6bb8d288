/* unit.c - unit tests of back-ils's pure functions
 *
 * ipaddr.c (the ILS IPv4 encoding), latin1.c (ISO-8859-1 <-> UTF-8) and
 * ilsdn.c (what an ILS DN names).  Prints one "ok"/"not ok" line per check.
 */
#include <stdio.h>
#include <string.h>
#include "ipaddr.h"
#include "latin1.h"
#include "ilsdn.h"

static int failed, passed;

static void
check( int cond, const char *what )
{
	printf( "%s - %s\n", cond ? "ok" : "not ok", what );
	if ( cond ) passed++; else failed++;
}

static void
test_ipaddr( void )
{
	static const struct { const char *dotted; uint32_t v; } vec[] = {
		{ "10.70.41.96", 1613317642U },		/* MS-TAIL 2.2.3 */
		{ "192.168.0.224", 3758139584U },	/* MS-TAIL 4.1.2 */
		{ "192.168.0.227", 3808471232U },	/* MS-TAIL 4.5.4 */
		{ "192.168.1.10", 167880896U },
		{ "10.0.0.1", 16777226U },
		{ "127.0.0.1", 16777343U },
		{ "255.255.255.255", 4294967295U },
		{ "0.0.0.0", 0U },
	};
	char buf[32], what[96];
	uint32_t v;
	size_t i;

	for ( i = 0; i < sizeof( vec ) / sizeof( vec[0] ); i++ ) {
		snprintf( what, sizeof( what ), "ipaddr: %s -> %lu", vec[i].dotted,
			(unsigned long)vec[i].v );
		check( ilsip_from_dotted( vec[i].dotted, &v ) == 0 && v == vec[i].v, what );
		ilsip_to_dotted( vec[i].v, buf );
		snprintf( what, sizeof( what ), "ipaddr: %lu -> %s", (unsigned long)vec[i].v,
			vec[i].dotted );
		check( strcmp( buf, vec[i].dotted ) == 0, what );
		ilsip_format( vec[i].v, buf );
		check( ilsip_parse( buf, strlen( buf ), &v ) == 0 && v == vec[i].v,
			"ipaddr: format/parse round trip" );
	}
	check( ilsip_parse( "-1", 2, &v ) == 0 && v == 4294967295U,
		"ipaddr: signed -1 is 255.255.255.255" );
	check( ilsip_parse( "-2147483648", 11, &v ) == 0 && v == 2147483648U,
		"ipaddr: signed minimum" );
	check( ilsip_parse( "4294967296", 10, &v ) != 0, "ipaddr: 2^32 rejected" );
	check( ilsip_parse( "", 0, &v ) != 0, "ipaddr: empty rejected" );
	check( ilsip_parse( "12a", 3, &v ) != 0, "ipaddr: letters rejected" );
	check( ilsip_parse( "-", 1, &v ) != 0, "ipaddr: lone minus rejected" );
	check( ilsip_parse( "-0", 2, &v ) != 0, "ipaddr: -0 rejected" );
	check( ilsip_parse( "99999999999", 11, &v ) != 0, "ipaddr: 11 digits rejected" );
	check( ilsip_from_dotted( "1.2.3.256", &v ) != 0, "ipaddr: octet 256 rejected" );
	check( ilsip_from_dotted( "1.2.3", &v ) != 0, "ipaddr: three octets rejected" );
	check( ilsip_from_dotted( "1.2.3.4x", &v ) != 0, "ipaddr: trailing junk rejected" );
}

static void
test_latin1( void )
{
	char out[64];
	long n;

	check( latin1_is_utf8( "Ren\xc3\xa9", 5 ), "latin1: UTF-8 recognised" );
	check( !latin1_is_utf8( "Ren\xe9", 4 ), "latin1: Latin-1 is not UTF-8" );
	check( !latin1_is_utf8( "\xc0\xaf", 2 ), "latin1: overlong rejected" );
	check( !latin1_is_utf8( "\xed\xa0\x80", 3 ), "latin1: surrogate rejected" );
	check( !latin1_is_utf8( "\xc3", 1 ), "latin1: truncated rejected" );
	n = (long)latin1_to_utf8( "M\xfcller", 6, out );
	check( n == 7 && !memcmp( out, "M\xc3\xbcller", 7 ), "latin1: to UTF-8" );
	n = latin1_from_utf8( "M\xc3\xbcller", 7, out );
	check( n == 6 && !memcmp( out, "M\xfcller", 6 ), "latin1: from UTF-8" );
	check( latin1_from_utf8( "\xe2\x82\xac", 3, out ) == -1,
		"latin1: euro sign has no Latin-1 form" );
	n = latin1_from_utf8( "plain", 5, out );
	check( n == 5 && !memcmp( out, "plain", 5 ), "latin1: ASCII unchanged" );
}

static void
dn_case( const char *dn, enum ilsdn_kind kind, const char *cn, const char *what )
{
	struct berval bv = { strlen( dn ), (char *)dn };
	struct ilsdn d;
	char buf[128];

	ilsdn_parse( &bv, &d, buf, sizeof( buf ) );
	check( d.kind == kind && ( !cn || ( d.cn.bv_len == strlen( cn ) &&
		!memcmp( d.cn.bv_val, cn, d.cn.bv_len ) ) ), what );
}

static void
test_ilsdn( void )
{
	char out[64];

	dn_case( "c=-,o=Microsoft, cn=egruber@contoso.com, objectClass=rtPerson",
		ILSDN_PERSON, "egruber@contoso.com", "ilsdn: NetMeeting 3 form" );
	dn_case( "C=US, O=Microsoft, CN=x@abc.com, OBJECTCLASS=rtperson",
		ILSDN_PERSON, "x@abc.com", "ilsdn: NetMeeting 2 form, capitals" );
	dn_case( "cn=robertj@equival.com.au, objectClass=RTPerson",
		ILSDN_PERSON, "robertj@equival.com.au", "ilsdn: PTLib form without c/o" );
	dn_case( "c=-,o=Gnome,cn=a@b,objectclass=rtperson", ILSDN_PERSON, "a@b",
		"ilsdn: GnomeMeeting form" );
	dn_case( "cn=a@b,ou=Dynamic,o=Intranet", ILSDN_PERSON, "a@b",
		"ilsdn: canonical form" );
	dn_case( "cn=a\\2Cb,ou=dynamic,o=intranet", ILSDN_PERSON, "a,b",
		"ilsdn: escaped value is unescaped" );
	dn_case( "objectClass=rtPerson", ILSDN_PSEUDO, NULL, "ilsdn: pseudo root" );
	dn_case( "o=Intranet", ILSDN_ROOT, NULL, "ilsdn: o=Intranet" );
	dn_case( "ou=Dynamic,o=Intranet", ILSDN_DYNAMIC, NULL, "ilsdn: ou=Dynamic" );
	dn_case( "ou=Applications,o=Intranet", ILSDN_APPS, NULL, "ilsdn: ou=Applications" );
	dn_case( "appName=MS-NetMeeting,ou=applications,o=Intranet", ILSDN_APPCONT, NULL,
		"ilsdn: the application container" );
	dn_case( "cn=egruber]w2kils.testdomain.int,appName=MS-NetMeeting,ou=applications,o=Intranet",
		ILSDN_APPUSER, "egruber]w2kils.testdomain.int", "ilsdn: the Dialer's application user" );
	dn_case( "Uid=Demo Conference,ou=dynamic, o=Intranet", ILSDN_CONF, "Demo Conference",
		"ilsdn: a conference" );
	dn_case( "cn=x,uid=y,ou=Dynamic,o=Intranet", ILSDN_OTHER, NULL,
		"ilsdn: nothing lives below a conference" );
	dn_case( "c=-,o=Microsoft,objectClass=rtPerson", ILSDN_BAD, NULL,
		"ilsdn: no cn is an error" );
	dn_case( "cn=a,cn=b,objectClass=rtPerson", ILSDN_BAD, NULL,
		"ilsdn: two cn is an error" );
	{
		struct berval nul = { 3, "a\0b" }, esc = { 3, "a\033b" },
			del = { 3, "a\177b" }, ok = { 7, "a\351b@x.y" }, none = { 0, "" };

		check( !ilsdn_name_ok( &nul ), "ilsdn: a NUL in a name is refused" );
		check( !ilsdn_name_ok( &esc ), "ilsdn: an ESC in a name is refused" );
		check( !ilsdn_name_ok( &del ), "ilsdn: a DEL in a name is refused" );
		check( ilsdn_name_ok( &ok ) && ilsdn_name_ok( &none ),
			"ilsdn: bytes from 0x20 up, but DEL, are a name" );
	}
	dn_case( "cn=a,objectClass=rtFoo", ILSDN_OTHER, NULL,
		"ilsdn: unknown pseudo-class is not ILS" );
	dn_case( "cn=a,ou=Static,o=Intranet", ILSDN_OTHER, NULL,
		"ilsdn: unknown container is not ILS" );
	dn_case( "dc=example,dc=com", ILSDN_OTHER, NULL, "ilsdn: foreign DN" );
	check( ilsdn_escape( "a,b+c", 5, out ) == 9 && !strcmp( out, "a\\2Cb\\2Bc" ),
		"ilsdn: escape specials" );
	check( ilsdn_escape( " x ", 3, out ) == 7 && !strcmp( out, "\\20x\\20" ),
		"ilsdn: escape leading and trailing space" );
	/* found by tests/fuzz/fuzz-ilsdn: libldap skips these around a value */
	check( ilsdn_escape( "\tx\n", 3, out ) == 7 && !strcmp( out, "\\09x\\0A" ),
		"ilsdn: escape leading TAB and trailing LF" );
	check( ilsdn_escape( "\rx\ty", 4, out ) == 6 && !strcmp( out, "\\0Dx\ty" ),
		"ilsdn: escape a leading CR, not an inner TAB" );
}

static void
peer_case( const char *name, const char *want, const char *what )
{
	char out[ILSIP_PEER_MAX];
	size_t n = ilsip_peer( name, strlen( name ), out, sizeof( out ) );

	check( want ? n == strlen( want ) && !strcmp( out, want ) : n == 0, what );
}

static void
test_peer( void )
{
	peer_case( "IP=127.0.0.2:40123", "127.0.0.2", "peer: IPv4 without its port" );
	peer_case( "IP=[::1]:389", "::1", "peer: IPv6 without brackets and port" );
	peer_case( "IP=[2001:db8::7]:1002", "2001:db8::7", "peer: IPv6 with colons" );
	peer_case( "PATH=/run/slapd/ldapi", "local", "peer: ldapi is local" );
	peer_case( "", NULL, "peer: no name" );
	peer_case( "IP=", NULL, "peer: no address" );
	peer_case( "IP=[::1", NULL, "peer: an unclosed bracket" );
	peer_case( "PIPE=x", NULL, "peer: an unknown form" );
}

static void
test_scope( void )
{
	static const struct { const char *dotted; enum ilsip_scope scope; } vec[] = {
		{ "10.0.0.1", ILSIP_PRIVATE },		/* RFC 1918, all three blocks */
		{ "10.255.255.255", ILSIP_PRIVATE },
		{ "172.16.0.1", ILSIP_PRIVATE },
		{ "172.31.255.254", ILSIP_PRIVATE },
		{ "172.15.255.255", ILSIP_PUBLIC },	/* just outside 172.16/12 */
		{ "172.32.0.1", ILSIP_PUBLIC },
		{ "192.168.0.224", ILSIP_PRIVATE },	/* MS-TAIL 4.1.2's NetMeeting */
		{ "192.169.0.1", ILSIP_PUBLIC },
		{ "127.0.0.1", ILSIP_LOOPBACK },
		{ "127.255.0.2", ILSIP_LOOPBACK },
		{ "169.254.10.20", ILSIP_LINKLOCAL },
		{ "169.253.1.1", ILSIP_PUBLIC },
		{ "100.64.0.1", ILSIP_SHARED },		/* CGNAT, RFC 6598 */
		{ "100.127.255.255", ILSIP_SHARED },
		{ "100.63.255.255", ILSIP_PUBLIC },
		{ "100.128.0.1", ILSIP_PUBLIC },
		{ "0.0.0.0", ILSIP_THIS },
		{ "0.1.2.3", ILSIP_THIS },
		{ "224.0.0.1", ILSIP_MULTICAST },
		{ "255.255.255.255", ILSIP_RESERVED },
		{ "240.0.0.1", ILSIP_RESERVED },
		{ "8.8.8.8", ILSIP_PUBLIC },
		{ "10.70.41.96", ILSIP_PRIVATE },	/* MS-TAIL 2.2.3 */
		{ "193.99.144.80", ILSIP_PUBLIC },
		{ "223.255.255.255", ILSIP_PUBLIC },
	};
	char what[96];
	uint32_t v;
	size_t i;

	for ( i = 0; i < sizeof( vec ) / sizeof( vec[0] ); i++ ) {
		snprintf( what, sizeof( what ), "scope: %s is %s", vec[i].dotted,
			vec[i].scope == ILSIP_PUBLIC ? "public" : "not public" );
		check( ilsip_from_dotted( vec[i].dotted, &v ) == 0 &&
			ilsip_scope( v ) == vec[i].scope, what );
	}
	/* the ILS value, not the dotted order, is what the server classifies */
	check( ilsip_scope( 167880896U ) == ILSIP_PRIVATE, "scope: 167880896 (192.168.1.10)" );
	check( ilsip_scope( 16777226U ) == ILSIP_PRIVATE, "scope: 16777226 (10.0.0.1)" );
	check( ilsip_scope( 33554559U ) == ILSIP_LOOPBACK, "scope: 33554559 (127.0.0.2)" );
}

int
main( void )
{
	test_ipaddr();
	test_scope();
	test_peer();
	test_latin1();
	test_ilsdn();
	printf( "# unit: %d passed, %d failed\n", passed, failed );
	return failed != 0;
}
