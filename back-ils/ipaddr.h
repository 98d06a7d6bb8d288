/* ipaddr.h - the ILS encoding of IPv4 addresses (MS-TAIL 2.2.3), and the
 * addresses of the connections that register them
 *
 * sipaddress/ipAddress hold the four network-order address bytes read as a
 * little-endian unsigned 32-bit integer, written in decimal:
 * 10.70.41.96 <-> 1613317642.  Pure functions, unit-tested in tests/unit.
 */
#ifndef ILS_IPADDR_H
#define ILS_IPADDR_H

#include <stddef.h>
#include <stdint.h>

#define ILSIP_DECIMAL_MAX	11	/* "4294967295" or "-2147483648" */
#define ILSIP_DOTTED_MAX	16	/* "255.255.255.255" + NUL */

/* Parse a decimal value as clients send it.  Unsigned 0..4294967295 is the
 * rule; a negative int32 (a client that printed the number signed) is taken
 * as its two's complement.  Returns 0, or -1 when s is not such a number. */
int ilsip_parse( const char *s, size_t len, uint32_t *out );

/* Canonical decimal form (unsigned); buf holds ILSIP_DECIMAL_MAX + 1. */
size_t ilsip_format( uint32_t v, char *buf );

/* a.b.c.d <-> value; dotted buffers hold ILSIP_DOTTED_MAX. */
int ilsip_from_dotted( const char *s, uint32_t *out );
void ilsip_to_dotted( uint32_t v, char *buf );

/* The address of a connection's peer as slapd names it (c_peer_name):
 * "IP=a.b.c.d:port" and "IP=[v6]:port" give the address without the port,
 * "PATH=..." (ldapi://) gives "local".  Writes at most outsize - 1 bytes
 * and a NUL; returns the length, or 0 for a name of no known form. */
#define ILSIP_PEER_MAX	48	/* an IPv6 address, "local", NUL */
size_t ilsip_peer( const char *name, size_t len, char *out, size_t outsize );

#endif
