/* fuzz-ipaddr.c - libFuzzer target for back-ils/ipaddr.c
 *
 * The sipaddress/ipAddress values clients send, as raw bytes.  Besides not
 * crashing, the encoding must round-trip: a value ilsip_parse() accepts
 * formats to a string that parses to the same number, and the dotted form
 * of any number parses back to it.  See doc/fuzzing.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ipaddr.h"

int
LLVMFuzzerTestOneInput( const uint8_t *data, size_t size )
{
	char dec[ILSIP_DECIMAL_MAX + 1], dot[ILSIP_DOTTED_MAX], *s;
	uint32_t v, w;
	size_t n;

	if ( ilsip_parse( (const char *)data, size, &v ) == 0 ) {
		n = ilsip_format( v, dec );
		if ( n > ILSIP_DECIMAL_MAX || dec[n] != '\0' ||
			ilsip_parse( dec, n, &w ) || w != v )
			abort();
		ilsip_to_dotted( v, dot );
		if ( ilsip_from_dotted( dot, &w ) || w != v )
			abort();
	}
	/* from_dotted reads a C string: hand it one */
	if ( ( s = malloc( size + 1 ) ) == NULL )
		return 0;
	memcpy( s, data, size );
	s[size] = '\0';
	if ( ilsip_from_dotted( s, &v ) == 0 ) {
		ilsip_to_dotted( v, dot );
		if ( strlen( dot ) >= ILSIP_DOTTED_MAX || ilsip_from_dotted( dot, &w ) || w != v )
			abort();
	}
	free( s );
	return 0;
}
