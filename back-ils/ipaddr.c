/* ipaddr.c - the ILS encoding of IPv4 addresses, see ipaddr.h */
#include <stdio.h>
#include <string.h>
#include "ipaddr.h"

int
ilsip_parse( const char *s, size_t len, uint32_t *out )
{
	uint64_t v = 0;
	size_t i = 0;
	int neg = 0;

	if ( len > 0 && s[0] == '-' ) {
		neg = 1;
		i = 1;
	}
	if ( i == len || len - i > 10 )
		return -1;
	for ( ; i < len; i++ ) {
		if ( s[i] < '0' || s[i] > '9' )
			return -1;
		v = v * 10 + (uint64_t)( s[i] - '0' );
	}
	if ( neg ) {
		if ( v == 0 || v > 2147483648ULL )
			return -1;
		*out = (uint32_t)( 0x100000000ULL - v );
		return 0;
	}
	if ( v > 0xffffffffULL )
		return -1;
	*out = (uint32_t)v;
	return 0;
}

size_t
ilsip_format( uint32_t v, char *buf )
{
	return (size_t)snprintf( buf, ILSIP_DECIMAL_MAX + 1, "%lu", (unsigned long)v );
}

int
ilsip_from_dotted( const char *s, uint32_t *out )
{
	unsigned a[4];
	char tail;
	int i;

	if ( sscanf( s, "%3u.%3u.%3u.%3u%c", &a[0], &a[1], &a[2], &a[3], &tail ) != 4 )
		return -1;
	for ( i = 0; i < 4; i++ )
		if ( a[i] > 255 )
			return -1;
	/* the first dotted octet is the least significant byte */
	*out = (uint32_t)a[0] | (uint32_t)a[1] << 8 | (uint32_t)a[2] << 16 |
		(uint32_t)a[3] << 24;
	return 0;
}

void
ilsip_to_dotted( uint32_t v, char *buf )
{
	snprintf( buf, ILSIP_DOTTED_MAX, "%u.%u.%u.%u", v & 0xff, ( v >> 8 ) & 0xff,
		( v >> 16 ) & 0xff, ( v >> 24 ) & 0xff );
}

size_t
ilsip_peer( const char *name, size_t len, char *out, size_t outsize )
{
	const char *p, *end = name + len;
	size_t n;

	if ( outsize < ILSIP_PEER_MAX )
		return 0;
	if ( len >= 5 && !memcmp( name, "PATH=", 5 ) ) {
		strcpy( out, "local" );
		return 5;
	}
	if ( len < 4 || memcmp( name, "IP=", 3 ) )
		return 0;
	p = name + 3;
	if ( *p == '[' ) {		/* IP=[v6]:port */
		const char *close = memchr( p, ']', end - p );
		if ( !close )
			return 0;
		p++;
		n = close - p;
	} else {			/* IP=a.b.c.d:port */
		const char *colon = memchr( p, ':', end - p );
		n = ( colon ? colon : end ) - p;
	}
	if ( n == 0 || n >= outsize )
		return 0;
	memcpy( out, p, n );
	out[n] = '\0';
	return n;
}
