/* latin1.h - ISO-8859-1 <-> UTF-8 for the text NetMeeting sends
 *
 * NetMeeting and GnomeMeeting send names in ISO-8859-1 over LDAPv2.  back-ils
 * stores UTF-8 and gives LDAPv2 clients their Latin-1 bytes back.  Pure
 * functions, unit-tested in tests/unit.
 */
#ifndef ILS_LATIN1_H
#define ILS_LATIN1_H

#include <stddef.h>

/* 1 when s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF) */
int latin1_is_utf8( const char *s, size_t len );

/* Every byte is one Latin-1 character; out must hold 2 * len bytes.
 * Returns the number of bytes written. */
size_t latin1_to_utf8( const char *in, size_t len, char *out );

/* UTF-8 to Latin-1; out must hold len bytes.  Returns the length, or -1
 * when in is not UTF-8 or holds a character above U+00FF. */
long latin1_from_utf8( const char *in, size_t len, char *out );

#endif
