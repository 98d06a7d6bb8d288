/* regload.c - registrations, each one printed once the server acknowledged it
 *
 * usage: regload -p PORT -x PREFIX [-n MAX] [-t SECONDS] [-T TTL]
 * Registers PREFIX-0@example.org, PREFIX-1@... as NetMeeting does (the
 * MS-TAIL T1 Add of tests/mstail-t1.h over LDAPv2, anonymous), one after
 * another on one connection to 127.0.0.1, and prints "ack DN" on stdout,
 * unbuffered, as soon as a success result has arrived: what the server has
 * promised to keep.  With -T it then sets each one's TTL to TTL seconds
 * with the RFC 2589 refresh and prints "ack DN TTL" only after that.
 * Stops at MAX registrations, after SECONDS, or at the first error (the
 * server was killed: that is what tests/long/crashloop does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <lber.h>
#include <ldap.h>
#include "../mstail-t1.h"

#define NREG ( sizeof( reg_add ) / sizeof( reg_add[0] ) )

int
main( int argc, char **argv )
{
	const char *prefix = NULL;
	long max = 1000000, i, ttl = 0;
	double secs = 60;
	int port = 0, ch, rc, v = LDAP_VERSION2;
	char uri[64];
	time_t end;
	LDAP *ld;

	while ( ( ch = getopt( argc, argv, "p:x:n:t:T:" ) ) != -1 ) {
		switch ( ch ) {
		case 'p': port = atoi( optarg ); break;
		case 'x': prefix = optarg; break;
		case 'n': max = atol( optarg ); break;
		case 't': secs = atof( optarg ); break;
		case 'T': ttl = atol( optarg ); break;
		default: goto usage;
		}
	}
	if ( port <= 0 || !prefix ) {
usage:
		fprintf( stderr, "usage: regload -p PORT -x PREFIX [-n MAX] [-t SECONDS] [-T TTL]\n" );
		return 2;
	}
	setvbuf( stdout, NULL, _IONBF, 0 );
	snprintf( uri, sizeof( uri ), "ldap://127.0.0.1:%d", port );
	if ( ldap_initialize( &ld, uri ) != LDAP_SUCCESS )
		return 1;
	/* the refresh is LDAPv3; NetMeeting's Add is LDAPv2 */
	if ( ttl )
		v = LDAP_VERSION3;
	ldap_set_option( ld, LDAP_OPT_PROTOCOL_VERSION, &v );
	end = time( NULL ) + (time_t)secs;
	for ( i = 0; i < max && time( NULL ) < end; i++ ) {
		char mail[128], dn[192];
		LDAPMod mods[NREG], *mp[NREG + 1];
		char *vals[NREG][2];
		size_t k;

		snprintf( mail, sizeof( mail ), "%s-%ld@example.org", prefix, i );
		snprintf( dn, sizeof( dn ), "cn=%s,ou=Dynamic,o=Intranet", mail );
		for ( k = 0; k < NREG; k++ ) {
			vals[k][0] = (char *)( reg_add[k][1] ? reg_add[k][1] : mail );
			vals[k][1] = NULL;
			mods[k].mod_op = LDAP_MOD_ADD;
			mods[k].mod_type = (char *)reg_add[k][0];
			mods[k].mod_values = vals[k];
			mp[k] = &mods[k];
		}
		mp[NREG] = NULL;
		if ( ( rc = ldap_add_ext_s( ld, dn, mp, NULL, NULL ) ) != LDAP_SUCCESS ) {
			fprintf( stderr, "regload: add %s: %s\n", dn, ldap_err2string( rc ) );
			break;
		}
		if ( ttl ) {
			struct berval bdn = { strlen( dn ), dn };
			ber_int_t newttl;

			if ( ( rc = ldap_refresh_s( ld, &bdn, ttl, &newttl, NULL, NULL ) ) != LDAP_SUCCESS ) {
				fprintf( stderr, "regload: refresh %s: %s\n", dn, ldap_err2string( rc ) );
				break;
			}
			printf( "ack %s %d\n", dn, (int)newttl );
		} else {
			printf( "ack %s\n", dn );
		}
	}
	ldap_unbind_ext_s( ld, NULL, NULL );
	return 0;
}
