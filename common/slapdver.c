/* slapdver.c - refuse to load into a slapd of another version
 *
 * A module is compiled against one slapd's headers: the layout of
 * Operation, Connection, BackendDB and slap_overinst is that release's.
 * Loaded into another release it would read and write the wrong fields,
 * so init_module compares the version slapd reports in Versionstr
 * ("@(#) $OpenLDAP: slapd 2.5.13+dfsg-5 (date) $") with the headers'
 * LDAP_VENDOR_VERSION and refuses a mismatch with a message, before it
 * registers anything.  The package dependency (debian/control) keeps the
 * Debian revision too; this check is the upstream release.
 */
#include "portable.h"
#include <stdio.h>
#include <stdlib.h>
#include <ac/string.h>
#include "slap.h"
#include "slapdver.h"

/* major.minor.patch after "slapd " in Versionstr; 0 when not found */
static int
running_version( int v[3] )
{
	const char *p = strstr( Versionstr, "slapd " );
	char *end;
	int i;

	if ( p == NULL )
		return 0;
	p += sizeof( "slapd " ) - 1;
	for ( i = 0; i < 3; i++ ) {
		if ( *p < '0' || *p > '9' )
			return 0;
		v[i] = (int)strtol( p, &end, 10 );
		p = end;
		if ( i < 2 && *p++ != '.' )
			return 0;
	}
	return 1;
}

int
ils_slapd_version_check( const char *module )
{
	int v[3];

	if ( !running_version( v ) ) {
		Debug( LDAP_DEBUG_ANY, "%s: cannot read slapd's version from \"%s\"; "
			"built for slapd %d.%d.%d\n", module, Versionstr,
			LDAP_VENDOR_VERSION_MAJOR, LDAP_VENDOR_VERSION_MINOR,
			LDAP_VENDOR_VERSION_PATCH );
		return -1;
	}
	if ( v[0] != LDAP_VENDOR_VERSION_MAJOR || v[1] != LDAP_VENDOR_VERSION_MINOR ||
		v[2] != LDAP_VENDOR_VERSION_PATCH )
	{
		Debug( LDAP_DEBUG_ANY, "%s: built for slapd %d.%d.%d, not for this "
			"slapd %d.%d.%d: rebuild it against this slapd's headers\n", module,
			LDAP_VENDOR_VERSION_MAJOR, LDAP_VENDOR_VERSION_MINOR,
			LDAP_VENDOR_VERSION_PATCH, v[0], v[1], v[2] );
		return -1;
	}
	return 0;
}
