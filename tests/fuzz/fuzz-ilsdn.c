/* fuzz-ilsdn.c - libFuzzer target for back-ils/ilsdn.c
 *
 * Every DN dialect a client may send, as raw bytes: the first byte sets
 * the size of the cn buffer (so "cn value too long" is reached), the rest
 * is the DN.  Checked besides memory safety: a kind that names an entry
 * comes with its cn inside the buffer, NUL-terminated; ILSDN_BAD comes
 * with a reason; and a value escaped by ilsdn_escape() into the canonical
 * DN is found again by ilsdn_parse(), byte for byte.  See doc/fuzzing.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ilsdn.h"

#define SUFFIX ",ou=Dynamic,o=Intranet"

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	struct ilsdn out;
	struct berval bv;
	size_t buflen, n;
	char *buf, *dn;

	if ( size < 1 )
		return 0;
	buflen = data[0] + 1;
	/* a buffer of exactly buflen bytes, so ASan sees any overrun */
	buf = malloc( buflen );
	bv.bv_len = size - 1;
	bv.bv_val = malloc( bv.bv_len + 1 );
	memcpy( bv.bv_val, data + 1, bv.bv_len );
	bv.bv_val[bv.bv_len] = '\0';
	ilsdn_parse( &bv, &out, buf, buflen );
	if ( ILSDN_IS_ENTRY( out.kind ) &&
		( out.cn.bv_val != buf || out.cn.bv_len >= buflen ||
		  buf[out.cn.bv_len] != '\0' ) )
		abort();
	if ( out.kind == ILSDN_BAD && !out.err )
		abort();

	/* the same bytes as a cn value: escaped, they must come back */
	dn = malloc( 3 + 3 * bv.bv_len + sizeof( SUFFIX ) );
	memcpy( dn, "cn=", 3 );
	n = ilsdn_escape( bv.bv_val, bv.bv_len, dn + 3 );
	if ( n > 3 * bv.bv_len || dn[3 + n] != '\0' )
		abort();
	memcpy( dn + 3 + n, SUFFIX, sizeof( SUFFIX ) );
	if ( bv.bv_len > 0 ) {
		struct berval d = { 3 + n + sizeof( SUFFIX ) - 1, dn };
		char *cn = malloc( bv.bv_len + 1 );

		ilsdn_parse( &d, &out, cn, bv.bv_len + 1 );
		if ( out.kind != ILSDN_BAD && ( out.kind != ILSDN_PERSON ||
			out.cn.bv_len != bv.bv_len ||
			memcmp( out.cn.bv_val, bv.bv_val, bv.bv_len ) ) )
			abort();
		free( cn );
	}
	free( dn );
	free( bv.bv_val );
	free( buf );
	return 0;
}
