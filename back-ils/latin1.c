/* latin1.c - ISO-8859-1 <-> UTF-8, see latin1.h */
#include "latin1.h"

/* length of the UTF-8 sequence at s, or 0 when it is malformed */
static size_t
utf8_seq( const unsigned char *s, size_t left, unsigned long *cp )
{
	size_t n, i;
	unsigned long c, min;

	if ( s[0] < 0x80 ) { *cp = s[0]; return 1; }
	if ( ( s[0] & 0xe0 ) == 0xc0 ) { n = 2; c = s[0] & 0x1f; min = 0x80; }
	else if ( ( s[0] & 0xf0 ) == 0xe0 ) { n = 3; c = s[0] & 0x0f; min = 0x800; }
	else if ( ( s[0] & 0xf8 ) == 0xf0 ) { n = 4; c = s[0] & 0x07; min = 0x10000; }
	else return 0;
	if ( n > left )
		return 0;
	for ( i = 1; i < n; i++ ) {
		if ( ( s[i] & 0xc0 ) != 0x80 )
			return 0;
		c = ( c << 6 ) | ( s[i] & 0x3f );
	}
	if ( c < min || c > 0x10ffff || ( c >= 0xd800 && c <= 0xdfff ) )
		return 0;
	*cp = c;
	return n;
}

int
latin1_is_utf8( const char *s, size_t len )
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t i = 0, n;

	while ( i < len ) {
		if ( ( n = utf8_seq( p + i, len - i, &cp ) ) == 0 )
			return 0;
		i += n;
	}
	return 1;
}

size_t
latin1_to_utf8( const char *in, size_t len, char *out )
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i, o = 0;

	for ( i = 0; i < len; i++ ) {
		if ( p[i] < 0x80 ) {
			out[o++] = (char)p[i];
		} else {
			out[o++] = (char)( 0xc0 | ( p[i] >> 6 ) );
			out[o++] = (char)( 0x80 | ( p[i] & 0x3f ) );
		}
	}
	return o;
}

long
latin1_from_utf8( const char *in, size_t len, char *out )
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned long cp;
	size_t i = 0, n;
	long o = 0;

	while ( i < len ) {
		if ( ( n = utf8_seq( p + i, len - i, &cp ) ) == 0 || cp > 0xff )
			return -1;
		out[o++] = (char)cp;
		i += n;
	}
	return o;
}
