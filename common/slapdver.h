/* slapdver.h - refuse to load into a slapd of another version */
#ifndef ILS_SLAPDVER_H
#define ILS_SLAPDVER_H

int ils_slapd_version_check( const char *module );

#endif
