/* mstail-t1.h - the Add of MS-TAIL T1: NetMeeting 3.01's registration,
 * 15 attributes in this order, no objectClass.  Shared by the wire-level
 * test client (tests/ilswire.c) and the load generator (bench/ilsload.c)
 * so that both send exactly the same registration.
 */
#ifndef MSTAIL_T1_H
#define MSTAIL_T1_H

static const char *const reg_add[][2] = {
	{ "cn", NULL },			/* NULL: the e-mail address */
	{ "givenname", "Eric" },
	{ "surname", "Gruber" },
	{ "rfc822mailbox", NULL },
	{ "location", "Seattle" },
	{ "comment", "Participant" },
	{ "c", "-" },
	{ "sipaddress", "3758139584" },
	{ "sflags", "1" },
	{ "ssecurity", "21912384" },
	{ "ilsA26214430", "0" },
	{ "ilsA26279966", "84020942" },
	{ "ilsA32833566", "1" },
	{ "ilsA32964638", "1" },
	{ "ilsA39321630", "2" },
};

#endif
