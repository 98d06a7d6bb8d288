/* fuzz-latin1.c - libFuzzer target for back-ils/latin1.c
 *
 * Names arrive as ISO-8859-1 from LDAPv2 clients and as (maybe broken)
 * UTF-8 from others.  Checked besides memory safety: Latin-1 converted to
 * UTF-8 is well-formed and converts back to the same bytes; UTF-8 that
 * converts to Latin-1 converts back to itself; what latin1_is_utf8()
 * rejects, latin1_from_utf8() rejects too.  See doc/fuzzing.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "latin1.h"

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	const char *in = (const char *)data;
	char *u = malloc( 2 * size + 1 ), *l = malloc( 2 * size + 1 );
	size_t n;
	long m;

	if ( !u || !l )
		goto done;
	n = latin1_to_utf8( in, size, u );
	if ( n > 2 * size || !latin1_is_utf8( u, n ) )
		abort();
	m = latin1_from_utf8( u, n, l );
	if ( m != (long)size || memcmp( l, in, size ) )
		abort();

	m = latin1_from_utf8( in, size, l );
	if ( !latin1_is_utf8( in, size ) ) {
		if ( m != -1 )
			abort();
	} else if ( m >= 0 ) {
		if ( m > (long)size )
			abort();
		n = latin1_to_utf8( l, m, u );
		if ( n != size || memcmp( u, in, size ) )
			abort();
	}
done:
	free( u );
	free( l );
	return 0;
}
