/* ilsdn.h - what an ILS DN names
 *
 * One registration has many spellings: NetMeeting's reversed pseudo-DN
 * "c=-,o=Microsoft, cn=<email>, objectClass=rtPerson" (with or without c
 * and o, in any case), and the canonical MS-TAIL tree
 * "cn=<email>,ou=Dynamic,o=Intranet".  ilsdn_parse() classifies a DN that
 * slapd has already normalised and pulls out the cn value that keys the
 * registration.  Pure (libldap only), unit-tested in tests/unit.
 */
#ifndef ILS_ILSDN_H
#define ILS_ILSDN_H

#include <stddef.h>
#include <lber.h>

enum ilsdn_kind {
	ILSDN_OTHER = 0,	/* not an ILS name: noSuchObject */
	ILSDN_PSEUDO,		/* objectClass=rtPerson: "every person" */
	ILSDN_ROOT,		/* o=Intranet */
	ILSDN_DYNAMIC,		/* ou=Dynamic,o=Intranet */
	ILSDN_APPS,		/* ou=Applications,o=Intranet */
	ILSDN_APPCONT,		/* appName=MS-NetMeeting,ou=Applications,o=Intranet */
	ILSDN_PERSON,		/* one registration (rtPerson); cn holds its key */
	ILSDN_APPUSER,		/* the Dialer's rtApplicationUser, keyed by cn */
	ILSDN_CONF,		/* a conference (rtConference), keyed by uid */
	ILSDN_BAD		/* an ILS name that cannot be: err says why */
};

/* kinds that are stored entries rather than containers */
#define ILSDN_IS_ENTRY( k ) \
	( (k) == ILSDN_PERSON || (k) == ILSDN_APPUSER || (k) == ILSDN_CONF )

struct ilsdn {
	enum ilsdn_kind kind;
	struct berval cn;	/* unescaped naming value (cn, or uid for a
				 * conference), in the caller's buffer */
	const char *err;	/* ILSDN_BAD: a diagnostic for the client */
};

/* Classify dn.  buf (buflen bytes) receives the cn value.  Attribute types
 * and the pseudo-class are compared case-insensitively, so the function also
 * works on DNs that are not normalised. */
void ilsdn_parse( struct berval *dn, struct ilsdn *out, char *buf, size_t buflen );

/* 1 when a naming value is free of control characters (C0 and DEL): a
 * client that stops at a NUL, or a terminal that obeys an escape, would
 * show another name than the one stored. */
int ilsdn_name_ok( const struct berval *cn );

/* RFC 4514 escaping of one attribute value; out must hold 3 * len + 1.
 * Returns the length written (without the NUL). */
size_t ilsdn_escape( const char *in, size_t len, char *out );

#endif
