/* slapd-versions.h - the differences between the slapd series back-ils
 * and slapo-dynttl build against (doc/slapd-versions.md)
 *
 * Each module is built with the headers of the one slapd it loads into
 * (configure refuses any other version), so every difference is settled
 * at compile time by LDAP_VENDOR_VERSION, never at run time.  Include it
 * after slap.h.
 */
#ifndef SLAPD_VERSIONS_H
#define SLAPD_VERSIONS_H

#include "ldap_features.h"

/* 2.6 hands a dynamic ACL's parser the ConfigArgs of its line (slapd's
 * own error reporting, and cn=config's ConfigArgs for an online change)
 * where 2.5 handed it the file name and line number.  A parser is
 * declared with ILS_DYNACL_PARSE_ARGS and names its place in a message
 * with ILS_DYNACL_WHERE ("%s: line %d"). */
#if LDAP_VENDOR_VERSION >= 20600
#include "slap-config.h"
#define ILS_DYNACL_PARSE_ARGS	ConfigArgs *ca
#define ILS_DYNACL_WHERE	ca->fname, ca->lineno
#else
#define ILS_DYNACL_PARSE_ARGS	const char *fname, int lineno
#define ILS_DYNACL_WHERE	fname, lineno
#endif

/* A pooled task's check for a pool pause (cn=config pauses the pool to
 * change the configuration): when one is asked for, the task goes idle,
 * waits until it is over and returns 1; 0 at once when there is none.
 * 2.6 renamed 2.5's ldap_pvt_thread_pool_pausecheck to
 * ldap_pvt_thread_pool_pausewait (the same handle_pause(CHECK_PAUSE) in
 * tpool.c) and gave pausequery the plain question; slapo-dynttl's
 * expiry task calls ILS_POOL_PAUSECHECK between its Deletes. */
#if LDAP_VENDOR_VERSION >= 20600
#define ILS_POOL_PAUSECHECK( pool )	ldap_pvt_thread_pool_pausewait( pool )
#else
#define ILS_POOL_PAUSECHECK( pool )	ldap_pvt_thread_pool_pausecheck( pool )
#endif

/* back-monitor's register_overlay answers with the database's entry on
 * 2.6 where 2.5 answered with the overlay's: no macro here, since
 * common/monreg.c names the overlay's entry itself, alike on both
 * (doc/slapd-versions.md). */

#endif /* SLAPD_VERSIONS_H */
