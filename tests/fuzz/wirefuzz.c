/* wirefuzz.c - a BER-aware mutation fuzzer for an ILS server on loopback
 *
 * usage: wirefuzz [-v] [-H 127.0.0.1] -p PORT [-P PID] [-s SEED]
 *                 [-i FIRST] [-n SESSIONS] [-N PDUS] [-t SECONDS]
 *                 [-b BATCH] [-c CONNS] [-o DIR] SEED_FILE|DIR...
 *        wirefuzz -r [-H ..] -p PORT [-P PID] SESSION_FILE...
 *
 * A seed file is one client session as it went over the wire: LDAP
 * messages, one after another (tests/fuzz/corpus/wire, written by
 * tests/fuzz/mkcorpus from every ilswire scenario).  Session number i of
 * a run is made from the seed files by a generator seeded with (SEED, i)
 * alone, so "-s SEED -i I -n 1" sends exactly the session I sent before.
 * Each session parses its PDUs into BER trees and changes up to four
 * things in them (or nothing, now and then): a value (ILS wildcards '%',
 * NUL bytes, huge and negative numbers, Latin-1, broken UTF-8, long
 * strings), an attribute name (ILS and unknown ones), a tag (filter
 * choices, protocol ops), a length (4-byte long form as Windows clients
 * send, lies, indefinite), the structure (drop, duplicate, swap, splice
 * an element from another session, wrap a filter in NOT/AND/OR), or the
 * session (drop, repeat or reorder a PDU, add a request no seed has: an
 * extended operation, a compare, an abandon; cut the stream anywhere).
 * Up to CONNS sessions are in flight; a session ends when every request
 * got its final response, the server closes, or nothing came for a
 * moment.
 *
 * After every BATCH sessions a fresh connection must get an answer to a
 * root DSE search (and with -P the process must exist); otherwise the
 * batch is written to DIR (-o) as session files that -r sends again, and
 * wirefuzz exits 1.  The run ends after SESSIONS sessions, PDUS PDUs or
 * SECONDS seconds, whichever comes first (defaults 1000, unbounded, 60),
 * with a last check and one "ok"/"not ok" line.
 *
 * Only 127.0.0.0/8 addresses are accepted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEDS	512
#define MAX_SEED_LEN	(64 * 1024)
#define MAX_PDUS	16		/* per session */
#define MAX_DEPTH	24
#define OUT_MAX		(256 * 1024)	/* one session's bytes at most */
#define MAX_CONNS	32
#define IDLE_MS		250		/* a session with nothing to read ends */
#define SESSION_MS	3000		/* and any session ends after this */

/* ---- random numbers: splitmix64, one stream per session ---- */

static uint64_t rng;

static uint64_t
rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
rnd(unsigned n)
{
	return n ? (unsigned)(rnd64() % n) : 0;
}

/* ---- BER trees ---- */

enum lenmode { LEN_NATURAL, LEN_LONG4, LEN_LIE, LEN_INDEF, LEN_HUGE };

struct node {
	unsigned char tag;
	int cons;			/* constructed: kids, else val */
	struct node *kid, *next;
	unsigned char *val;
	size_t len;
	enum lenmode lm;
	long lie;			/* LEN_LIE: added to the true length */
};

static struct node *
node_new(void)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL)
		abort();
	return n;
}

static void
node_free(struct node *n)
{
	struct node *next;

	for (; n != NULL; n = next) {
		next = n->next;
		node_free(n->kid);
		free(n->val);
		free(n);
	}
}

static struct node *
node_dup(const struct node *n)
{
	struct node *d = node_new(), **tail = &d->kid;
	const struct node *k;

	*d = *n;
	d->next = NULL;
	d->kid = NULL;
	if (n->val != NULL) {
		d->val = malloc(n->len ? n->len : 1);
		memcpy(d->val, n->val, n->len);
	}
	for (k = n->kid; k != NULL; k = k->next) {
		*tail = node_dup(k);
		tail = &(*tail)->next;
	}
	return d;
}

/* one TLV at p (definite lengths, one-byte tags); NULL when malformed */
static struct node *
ber_parse(const unsigned char *p, size_t avail, size_t *used, int depth)
{
	size_t len, hdr = 2, off;
	struct node *n, **tail;
	int i, nl;

	if (avail < 2 || depth > MAX_DEPTH || (p[0] & 0x1f) == 0x1f)
		return NULL;
	len = p[1];
	if (len & 0x80) {
		nl = len & 0x7f;
		if (nl == 0 || nl > 4 || avail < 2 + (size_t)nl)
			return NULL;
		for (len = 0, i = 0; i < nl; i++)
			len = len << 8 | p[2 + i];
		hdr += nl;
	}
	if (len > avail - hdr)
		return NULL;
	n = node_new();
	n->tag = p[0];
	n->cons = (p[0] & 0x20) != 0;
	n->lm = (p[1] & 0x80) && (p[1] & 0x7f) == 4 ? LEN_LONG4 : LEN_NATURAL;
	if (n->cons) {
		tail = &n->kid;
		for (off = 0; off < len; off += *used) {
			if ((*tail = ber_parse(p + hdr + off, len - off, used, depth + 1)) == NULL) {
				node_free(n);
				return NULL;
			}
			tail = &(*tail)->next;
		}
	} else {
		n->len = len;
		n->val = malloc(len ? len : 1);
		memcpy(n->val, p + hdr, len);
	}
	*used = hdr + len;
	return n;
}

static size_t
put_len(unsigned char *out, size_t room, size_t len, const struct node *n)
{
	size_t l = len;

	if (room < 6)
		return 0;
	switch (n->lm) {
	case LEN_INDEF:
		out[0] = 0x80;
		return 1;
	case LEN_HUGE:
		out[0] = 0x84;
		memset(out + 1, 0xff, 4);
		return 5;
	case LEN_LIE:
		l = (long)len + n->lie < 0 ? 0 : (size_t)((long)len + n->lie);
		/* fall through */
	case LEN_LONG4:
		out[0] = 0x84;
		out[1] = l >> 24; out[2] = l >> 16; out[3] = l >> 8; out[4] = l;
		return 5;
	case LEN_NATURAL:
		break;
	}
	if (l < 0x80) {
		out[0] = l;
		return 1;
	}
	if (l < 0x100) {
		out[0] = 0x81; out[1] = l;
		return 2;
	}
	if (l < 0x10000) {
		out[0] = 0x82; out[1] = l >> 8; out[2] = l;
		return 3;
	}
	out[0] = 0x83; out[1] = l >> 16; out[2] = l >> 8; out[3] = l;
	return 4;
}

/* the content of n's kids, or its value */
static size_t ber_write(const struct node *n, unsigned char *out, size_t room);

static size_t
content_write(const struct node *n, unsigned char *out, size_t room)
{
	const struct node *k;
	size_t off = 0, w;

	if (!n->cons) {
		if (n->len > room)
			return (size_t)-1;
		memcpy(out, n->val, n->len);
		return n->len;
	}
	for (k = n->kid; k != NULL; k = k->next) {
		if ((w = ber_write(k, out + off, room - off)) == (size_t)-1)
			return w;
		off += w;
	}
	return off;
}

static size_t
ber_write(const struct node *n, unsigned char *out, size_t room)
{
	unsigned char tmp[8];
	size_t clen, hl, pos;

	/* content first, at an offset leaving room for the header */
	if (room < 8)
		return (size_t)-1;
	if ((clen = content_write(n, out + 6, room - 8)) == (size_t)-1)
		return clen;
	hl = put_len(tmp, sizeof(tmp), clen, n);
	out[0] = n->tag;
	memmove(out + 1 + hl, out + 6, clen);
	memcpy(out + 1, tmp, hl);
	pos = 1 + hl + clen;
	if (n->lm == LEN_INDEF && room - pos >= 2) {
		out[pos++] = 0;
		out[pos++] = 0;
	}
	return pos;
}

/* ---- what to put in ---- */

static const char *const attr_names[] = {
	"cn", "sn", "givenName", "surname", "rfc822mailbox", "mail", "location",
	"comment", "c", "o", "ou", "objectClass", "sipaddress", "ipAddress",
	"sport", "sflags", "sFlags", "ssecurity", "sttl", "sTTL", "stTTL",
	"smodop", "sModOp", "sappid", "applicationID", "sprotid", "protocolID",
	"sprotmimetype", "protocolMimeType", "sappguid", "sprotport",
	"ilsA26214430", "ilsA26279966", "ilsA32833566", "ilsA32964638",
	"ilsA39321630", "uid", "entryTtl", "entryExpireTimestamp",
	"dynttlExpireTime", "timestamp", "xstatus", "conferenceBlob",
	"ntSecurityDescriptor", "xyzzy", "2.5.4.3", "cn;binary",
	"cn;lang-en", "sn;x-1", "1.2.3.4.5", "*", "+", "1.1", "", "-", "9abc",
	"objectClass;binary", "a\x00" "b",
};
#define N_ATTRS (sizeof(attr_names) / sizeof(attr_names[0]))

/* the lengths count: "a\0b" is three bytes */
static const struct { const char *s; size_t len; } values[] = {
#define V(s) { s, sizeof(s) - 1 }
	V("%"), V("%%"), V("%%%%%%%%"), V("%a%"), V("a%"), V("%a"), V("%\\%"),
	V("\0"), V("a\0b"), V("%\0%"), V("99999999999999999999999999"),
	V("-1"), V("-2147483649"), V("4294967295"), V("4294967296"),
	V("18446744073709551616"), V("0"), V("00000000001"), V("+5"),
	V("1e9"), V("0x10"), V(" 1"), V("G\xfcnther"), V("\xc3\x28"),
	V("\xff\xfe\xfd"), V("\xed\xa0\x80"), V("\xf4\x90\x80\x80"),
	V("c=-,o=Microsoft, cn=x@y, objectClass=rtPerson"),
	V("objectClass=rtPerson"), V("cn=\\00,ou=Dynamic,o=Intranet"),
	V("ou=Dynamic,o=Intranet"), V("cn=a,cn=b,ou=Dynamic,o=Intranet"),
	V("appName=MS-NetMeeting,ou=Applications,o=Intranet"), V("rtPerson"),
	V("ms-netmeeting"), V("h323"), V("text/h323"), V("1.2.3"), V(""),
	V("\t"), V(" "), V("#00"), V("\\"), V("\\5c"), V(","), V("*"),
	V("20260101000000Z"), V("99991231235959Z"),
	V("1.3.6.1.4.1.1466.101.119.1"), V("1.3.6.1.4.1.1466.20037"),
#undef V
};
#define N_VALUES (sizeof(values) / sizeof(values[0]))

/* Start Transaction: slapd 2.5.13 aborted on it (F5 in doc/fuzzing.md) */
static const char txn_oid[] = "1.3.6.1.1.21.1";

static const unsigned char tags[] = {
	0x02, 0x04, 0x0a, 0x01, 0x30, 0x31, 0x80, 0x81, 0x82, 0x83, 0x84,
	0x85, 0x86, 0x87, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0x60, 0x42, 0x63, 0x66, 0x68, 0x4a, 0x6c, 0x6e, 0x50,
	0x77, 0x00, 0xff, 0x1f,
};

static const long ints[] = { 0, 1, -1, 2, 3, 127, 128, 255, 256, 0x7fffffff,
	-0x7fffffffL - 1, 0x80000000L, 0xffffffffL, 65536 };

static void
set_val(struct node *n, const void *p, size_t len)
{
	free(n->val);
	n->val = malloc(len ? len : 1);
	memcpy(n->val, p, len);
	n->len = len;
}

static void
set_int(struct node *n, long v)
{
	unsigned char b[9];
	int i, k;

	/* minimal two's complement, big-endian */
	for (k = 8; k > 1; k--) {
		long top = v >> (8 * (k - 1) - 1);
		if (top != 0 && top != -1)
			break;
	}
	for (i = 0; i < k; i++)
		b[i] = (unsigned char)(v >> (8 * (k - 1 - i)));
	set_val(n, b, k);
}

/* ---- choosing nodes ---- */

static struct node *flat[4096];
static struct node *flat_parent[4096];
static int nflat;

static void
flatten(struct node *n, struct node *parent)
{
	for (; n != NULL && nflat < 4096; n = n->next) {
		flat[nflat] = n;
		flat_parent[nflat++] = parent;
		if (n->cons)
			flatten(n->kid, n);
	}
}

/* a random node of the session's PDUs and its parent (NULL at the top) */
static struct node *
pick(struct node **pdus, int npdu, struct node **parent, int want_prim)
{
	int i, tries;

	nflat = 0;
	for (i = 0; i < npdu; i++)
		flatten(pdus[i], NULL);
	if (nflat == 0)
		return NULL;
	for (tries = 0; tries < 8; tries++) {
		i = rnd(nflat);
		if (!want_prim || !flat[i]->cons)
			break;
	}
	if (parent)
		*parent = flat_parent[i];
	return flat[i];
}

static void
unlink_kid(struct node *parent, struct node *n)
{
	struct node **pp;

	for (pp = &parent->kid; *pp != NULL; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			return;
		}
}

/* ---- the mutations ---- */

static struct node *splice_src[MAX_SEEDS];
static int nsplice;

static void
mutate_value(struct node *n)
{
	unsigned char *b;
	size_t len, i, k;

	switch (rnd(8)) {
	case 0: case 1: case 2:
		k = rnd(N_VALUES);
		if (rnd(4))
			set_val(n, values[k].s, values[k].len);
		else
			set_val(n, txn_oid, sizeof(txn_oid) - 1);
		break;
	case 3:
		k = rnd(N_ATTRS);
		set_val(n, attr_names[k], strlen(attr_names[k]));
		break;
	case 4:		/* a long run of one byte */
		len = 1 + rnd(rnd(2) ? 600 : 70000);
		b = malloc(len);
		memset(b, "A%\0\xe9" "9"[rnd(5)], len);
		set_val(n, b, len);
		free(b);
		break;
	case 5:
		set_int(n, rnd(2) ? ints[rnd(sizeof(ints) / sizeof(ints[0]))] :
		    (long)rnd64());
		break;
	case 6:		/* flip, insert or delete bytes */
		for (k = 1 + rnd(4); k > 0; k--) {
			if (n->len && rnd(2)) {
				n->val[rnd(n->len)] ^= 1 << rnd(8);
			} else if (rnd(2) || !n->len) {
				b = malloc(n->len + 1);
				i = rnd(n->len + 1);
				memcpy(b, n->val, i);
				b[i] = "%\0\\,=*()"[rnd(8)];
				memcpy(b + i + 1, n->val + i, n->len - i);
				free(n->val);
				n->val = b;
				n->len++;
			} else {
				i = rnd(n->len);
				memmove(n->val + i, n->val + i + 1, n->len - i - 1);
				n->len--;
			}
		}
		break;
	default:	/* keep a prefix */
		n->len = rnd(n->len + 1);
		break;
	}
}

static void
mutate_once(struct node **pdus, int npdu)
{
	struct node *n, *parent, *d;

	if ((n = pick(pdus, npdu, &parent, rnd(2))) == NULL)
		return;
	switch (rnd(12)) {
	case 0: case 1: case 2: case 3:
		if (!n->cons)
			mutate_value(n);
		else if (n->kid != NULL)
			mutate_value(pick(&n->kid, 1, NULL, 1) ?: n);
		break;
	case 4:
		n->tag = tags[rnd(sizeof(tags))];
		if (rnd(4) == 0)
			n->tag = rnd(256);
		/* a primitive made constructed keeps its bytes as they are */
		if ((n->tag & 0x20) && !n->cons && rnd(2))
			n->tag &= ~0x20;
		break;
	case 5:
		switch (rnd(4)) {
		case 0: n->lm = LEN_LONG4; break;
		case 1: n->lm = LEN_LIE; n->lie = (long)rnd(9) - 4; break;
		case 2: n->lm = LEN_INDEF; break;
		default: n->lm = LEN_HUGE; break;
		}
		break;
	case 6:		/* drop */
		if (parent != NULL) {
			unlink_kid(parent, n);
			node_free(n);
		}
		break;
	case 7:		/* duplicate, maybe many times */
		if (parent != NULL) {
			int k = rnd(4) ? 1 : 1 + rnd(200);
			while (k-- > 0) {
				d = node_dup(n);
				d->next = n->next;
				n->next = d;
			}
		}
		break;
	case 8:		/* swap with the next sibling */
		if (n->next != NULL) {
			unsigned char t = n->tag;
			struct node tmp = *n;
			d = n->next;
			n->tag = d->tag; n->cons = d->cons; n->kid = d->kid;
			n->val = d->val; n->len = d->len; n->lm = d->lm;
			d->tag = t; d->cons = tmp.cons; d->kid = tmp.kid;
			d->val = tmp.val; d->len = tmp.len; d->lm = tmp.lm;
		}
		break;
	case 9:		/* an element from another session in its place */
		if (nsplice > 0 && parent != NULL) {
			struct node *src = splice_src[rnd(nsplice)], *sp = NULL;
			nflat = 0;
			flatten(src, NULL);
			if (nflat > 0) {
				sp = flat[rnd(nflat)];
				d = node_dup(sp);
				d->next = n->next;
				n->next = d;
				unlink_kid(parent, n);
				node_free(n);
			}
		}
		break;
	case 10:	/* wrap in NOT, AND or OR: nested filters */
		if (parent != NULL) {
			int k = 1 + (rnd(4) ? 0 : rnd(60));
			struct node *inner = node_dup(n);
			while (k-- > 0) {
				d = node_new();
				d->tag = "\xa2\xa0\xa1"[rnd(3)];
				d->cons = 1;
				d->kid = inner;
				inner = d;
			}
			/* the wrapper takes n's place */
			node_free(n->kid);
			free(n->val);
			n->kid = inner->kid;
			n->tag = inner->tag;
			n->cons = 1;
			n->val = NULL;
			n->len = 0;
			n->lm = LEN_NATURAL;
			free(inner);
		}
		break;
	default:	/* a whole new primitive inside a constructed node */
		if (n->cons) {
			d = node_new();
			d->tag = tags[rnd(sizeof(tags))] & ~0x20;
			mutate_value(d);
			d->next = n->kid;
			n->kid = d;
		}
		break;
	}
}

/* ---- requests no seed has: extended operations, compare, abandon ---- */

static struct node *
prim(unsigned char tag, const void *p, size_t len, struct node *next)
{
	struct node *n = node_new();

	n->tag = tag;
	set_val(n, p, len);
	n->next = next;
	return n;
}

static struct node *
cons(unsigned char tag, struct node *kid, struct node *next)
{
	struct node *n = node_new();

	n->tag = tag;
	n->cons = 1;
	n->kid = kid;
	n->next = next;
	return n;
}

#define S(s) s, strlen(s)
static const char *const ext_oids[] = {
	"1.3.6.1.4.1.1466.101.119.1",	/* RFC 2589 refresh */
	"1.3.6.1.4.1.1466.20037",	/* StartTLS */
	"1.3.6.1.4.1.4203.1.11.3",	/* Who am I? */
	"1.3.6.1.4.1.4203.1.11.1",	/* password modify */
	"1.3.6.1.1.8",			/* cancel */
	"1.2.3",
};

static struct node *
template_pdu(void)
{
	const char *dn = rnd(2) ? "cn=egruber@contoso.com,ou=Dynamic,o=Intranet" :
	    "c=-,o=Microsoft, cn=egruber@contoso.com, objectClass=rtPerson";
	struct node *id = prim(0x02, "\x07", 1, NULL), *op;
	unsigned char ttl[] = { 0x02, 0x58 };
	const char *oid;

	switch (rnd(4)) {
	case 0:		/* compare */
		op = cons(0x6e, prim(0x04, S(dn), cons(0x30, prim(0x04, S("sttl"),
		    prim(0x04, S("%"), NULL)), NULL)), NULL);
		break;
	case 1:		/* abandon */
		op = prim(0x50, "\x01", 1, NULL);
		break;
	default:
		oid = rnd(3) ? ext_oids[rnd(sizeof(ext_oids) / sizeof(ext_oids[0]))] :
		    txn_oid;
		op = cons(0x77, prim(0x80, S(oid), rnd(2) ? NULL :
		    prim(0x81, NULL, 0, NULL)), NULL);
		if (op->kid->next != NULL) {
			/* the refresh request's value: entryName, requestTtl */
			struct node *v = cons(0x30, prim(0x80, S(dn), prim(0x81, ttl, 2, NULL)), NULL);
			unsigned char buf[512];
			size_t w = ber_write(v, buf, sizeof(buf));
			if (w != (size_t)-1)
				set_val(op->kid->next, buf, w);
			node_free(v);
		}
		break;
	}
	id->next = op;
	return cons(0x30, id, NULL);
}
#undef S

/* ---- sessions ---- */

struct seed {
	unsigned char *p;
	size_t len;
	const char *name;
};
static struct seed seeds[MAX_SEEDS];
static int nseeds;

static struct node *seed_pdus[MAX_SEEDS][MAX_PDUS];
static int seed_npdu[MAX_SEEDS];

/* split a seed into PDU trees; the PDUs that do not parse are left out */
static void
seed_parse(int s)
{
	size_t off, used;
	struct node *n;

	for (off = 0; off < seeds[s].len && seed_npdu[s] < MAX_PDUS; off += used) {
		n = ber_parse(seeds[s].p + off, seeds[s].len - off, &used, 0);
		if (n == NULL)
			break;
		seed_pdus[s][seed_npdu[s]++] = n;
	}
}

struct session {
	unsigned char *buf;
	size_t len;
	int npdu;		/* PDUs in it (as sent, whatever they became) */
	int expect;		/* final responses to wait for */
	long index;
};

/* responses that end a request: bind, search done, modify, add, delete,
 * modrdn, compare, extended */
static int
is_final(unsigned char op)
{
	return op == 0x61 || op == 0x65 || op == 0x67 || op == 0x69 ||
	    op == 0x6b || op == 0x6d || op == 0x6f || op == 0x78;
}

/* how many responses a PDU asks for: none for unbind and abandon */
static int
wants_reply(struct node *pdu)
{
	struct node *op = pdu->cons && pdu->kid ? pdu->kid->next : NULL;

	if (op == NULL)
		return 1;	/* malformed: maybe a notice of disconnection */
	return op->tag != 0x42 && op->tag != 0x50;
}

static uint64_t base_seed;

static void
make_session(long index, struct session *ss)
{
	struct node *pdus[MAX_PDUS * 2], *t;
	int npdu = 0, i, k, s;
	size_t off = 0, w;

	rng = base_seed ^ ((uint64_t)index * 0xd1342543de82ef95ULL);
	(void)rnd64();
	s = rnd(nseeds);
	for (i = 0; i < seed_npdu[s]; i++)
		pdus[npdu++] = node_dup(seed_pdus[s][i]);
	/* session-level changes: repeat, drop or reorder a PDU */
	if (npdu > 0 && rnd(4) == 0) {
		i = rnd(npdu);
		switch (rnd(3)) {
		case 0:
			if (npdu < MAX_PDUS * 2)
				pdus[npdu++] = node_dup(pdus[i]);
			break;
		case 1:
			node_free(pdus[i]);
			pdus[i] = pdus[--npdu];
			break;
		default:
			k = rnd(npdu);
			t = pdus[i]; pdus[i] = pdus[k]; pdus[k] = t;
			break;
		}
	}
	/* a request of a kind the seeds lack, somewhere */
	if (rnd(6) == 0 && npdu < MAX_PDUS * 2) {
		i = rnd(npdu + 1);
		memmove(pdus + i + 1, pdus + i, (npdu - i) * sizeof(pdus[0]));
		pdus[i] = template_pdu();
		npdu++;
	}
	for (k = rnd(5); k > 0 && npdu > 0; k--)
		mutate_once(pdus, npdu);
	ss->buf = malloc(OUT_MAX);
	ss->npdu = 0;
	ss->expect = 0;
	for (i = 0; i < npdu; i++) {
		w = ber_write(pdus[i], ss->buf + off, OUT_MAX - off);
		if (w == (size_t)-1)
			break;
		off += w;
		ss->npdu++;
		ss->expect += wants_reply(pdus[i]);
	}
	for (i = 0; i < npdu; i++)
		node_free(pdus[i]);
	/* sometimes the stream stops in the middle of a PDU */
	if (off > 0 && rnd(16) == 0)
		off = rnd(off);
	ss->len = off;
	ss->index = index;
}

/* ---- the wire ---- */

static struct sockaddr_in addr;
static int verbose;

static int
conn_open(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct slot {
	int fd;
	struct session ss;
	size_t sent;
	unsigned char in[8192];
	size_t inlen;
	int finals;
	double start, last;
};

/* count the final responses in what has come in; keeps a partial PDU */
static void
scan_replies(struct slot *sl)
{
	size_t off = 0, len, hdr;
	struct node *n;

	for (;;) {
		unsigned char *p = sl->in + off;
		size_t avail = sl->inlen - off;
		if (avail < 2)
			break;
		len = p[1];
		hdr = 2;
		if (len & 0x80) {
			int nl = len & 0x7f, i;
			if (nl == 0 || nl > 4) {
				sl->inlen = 0;	/* garbage: stop looking */
				return;
			}
			if (avail < 2 + (size_t)nl)
				break;
			for (len = 0, i = 0; i < nl; i++)
				len = len << 8 | p[2 + i];
			hdr += nl;
		}
		if (hdr + len > sizeof(sl->in)) {
			/* a large entry: the op tag is what matters, skip it */
			sl->inlen = 0;
			return;
		}
		if (avail < hdr + len)
			break;
		n = ber_parse(p, hdr + len, &len, 0);
		if (n != NULL && n->kid && n->kid->next && is_final(n->kid->next->tag))
			sl->finals++;
		node_free(n);
		off += len ? len : hdr;
	}
	memmove(sl->in, sl->in + off, sl->inlen - off);
	sl->inlen -= off;
}

/* 1 while the session goes on */
static int
slot_step(struct slot *sl, short revents, double t)
{
	ssize_t n;

	if (sl->sent < sl->ss.len && (revents & POLLOUT)) {
		n = write(sl->fd, sl->ss.buf + sl->sent, sl->ss.len - sl->sent);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return 0;
		if (n > 0)
			sl->sent += n;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		n = read(sl->fd, sl->in + sl->inlen, sizeof(sl->in) - sl->inlen);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 0;
		if (n > 0) {
			sl->inlen += n;
			sl->last = t;
			scan_replies(sl);
		}
	}
	if (sl->sent == sl->ss.len && sl->finals >= sl->ss.expect)
		return 0;
	if (t - sl->last > IDLE_MS && sl->sent == sl->ss.len)
		return 0;
	return t - sl->start < SESSION_MS;
}

static void
slot_end(struct slot *sl)
{
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
	free(sl->ss.buf);
	sl->ss.buf = NULL;
}

/* a root DSE search: a server that answers it is alive */
static const unsigned char probe[] = {
	0x30, 0x25, 0x02, 0x01, 0x01, 0x63, 0x20, 0x04, 0x00, 0x0a, 0x01, 0x00,
	0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00,
	0x87, 0x0b, 'o', 'b', 'j', 'e', 'c', 't', 'C', 'l', 'a', 's', 's',
	0x30, 0x00,
};

static long pid_watch;

static int
alive(void)
{
	struct slot sl;
	struct pollfd pfd;
	int tries, ok = 0;
	double t;

	if (pid_watch > 0 && kill((pid_t)pid_watch, 0) < 0)
		return 0;
	for (tries = 0; tries < 3 && !ok; tries++) {
		if (tries)
			usleep(500000);
		memset(&sl, 0, sizeof(sl));
		if ((sl.fd = conn_open()) < 0)
			continue;
		sl.ss.buf = malloc(sizeof(probe));
		memcpy(sl.ss.buf, probe, sizeof(probe));
		sl.ss.len = sizeof(probe);
		sl.ss.expect = 1;
		sl.start = sl.last = now_ms();
		for (;;) {
			pfd.fd = sl.fd;
			pfd.events = POLLIN | (sl.sent < sl.ss.len ? POLLOUT : 0);
			if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
				break;
			t = now_ms();
			/* a busy server gets five seconds */
			sl.last = t;
			if (!slot_step(&sl, pfd.revents, t) || t - sl.start > 5000)
				break;
		}
		ok = sl.finals >= 1;
		slot_end(&sl);
	}
	if (pid_watch > 0 && kill((pid_t)pid_watch, 0) < 0)
		return 0;
	return ok;
}

/* ---- seeds from files and folders ---- */

static void
add_seed(const char *path)
{
	FILE *f;
	struct stat st;

	if (nseeds >= MAX_SEEDS || stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size == 0 || st.st_size > MAX_SEED_LEN)
		return;
	if ((f = fopen(path, "rb")) == NULL)
		return;
	seeds[nseeds].p = malloc(st.st_size);
	seeds[nseeds].len = fread(seeds[nseeds].p, 1, st.st_size, f);
	seeds[nseeds].name = strdup(path);
	fclose(f);
	nseeds++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a folder's files in name order, so that a run does not depend on
 * the order readdir() gives */
static void
add_path(const char *path)
{
	char *names[MAX_SEEDS], buf[4096];
	struct dirent *de;
	struct stat st;
	int n = 0, i;
	DIR *d;

	if (stat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		add_seed(path);
		return;
	}
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < MAX_SEEDS)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", path, names[i]);
		add_seed(buf);
		free(names[i]);
	}
}

static void
save_batch(const char *dir, long first, long last)
{
	struct session ss;
	char path[4096];
	FILE *f;
	long i;

	if (dir == NULL)
		return;
	mkdir(dir, 0755);
	for (i = first; i <= last; i++) {
		make_session(i, &ss);
		snprintf(path, sizeof(path), "%s/session-%ld", dir, i);
		if ((f = fopen(path, "wb")) != NULL) {
			fwrite(ss.buf, 1, ss.len, f);
			fclose(f);
		}
		free(ss.buf);
	}
	fprintf(stderr, "wirefuzz: sessions %ld..%ld written to %s\n", first, last, dir);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: wirefuzz [-v] [-H 127.0.0.1] -p PORT [-P PID] [-s SEED] [-i FIRST]\n"
	    "                [-n SESSIONS] [-N PDUS] [-t SECONDS] [-b BATCH] [-c CONNS]\n"
	    "                [-o DIR] SEED_FILE|DIR...\n"
	    "       wirefuzz -r [-H 127.0.0.1] -p PORT [-P PID] SESSION_FILE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *outdir = NULL;
	long first = 0, nsess = 1000, maxpdu = -1, batch = 50, done = 0, pdus = 0;
	long next, batch_first, i;
	double secs = 60, t0, t;
	int ch, conns = 8, replay = 0, port = 0, active, s;
	struct slot slots[MAX_CONNS];
	struct pollfd pfd[MAX_CONNS];

	base_seed = 1;
	while ((ch = getopt(argc, argv, "vrH:p:P:s:i:n:N:t:b:c:o:")) != -1) {
		switch (ch) {
		case 'v': verbose = 1; break;
		case 'r': replay = 1; break;
		case 'H': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'P': pid_watch = atol(optarg); break;
		case 's': base_seed = strtoull(optarg, NULL, 0); break;
		case 'i': first = atol(optarg); break;
		case 'n': nsess = atol(optarg); break;
		case 'N': maxpdu = atol(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'b': batch = atol(optarg); break;
		case 'c': conns = atoi(optarg); break;
		case 'o': outdir = optarg; break;
		default: usage();
		}
	}
	if (port <= 0 || port > 65535 || optind >= argc || batch < 1 ||
	    conns < 1 || conns > MAX_CONNS || nsess < 0)
		usage();
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
	    (ntohl(addr.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "wirefuzz: %s is not a loopback address\n", host);
		exit(2);
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = optind; i < argc; i++)
		add_path(argv[i]);
	if (nseeds == 0) {
		fprintf(stderr, "wirefuzz: no seed files\n");
		exit(2);
	}
	if (!alive()) {
		printf("not ok - wirefuzz: no server answers on %s:%d\n", host, port);
		return 1;
	}

	if (replay) {
		/* each file once, as it is, then the check */
		for (s = 0; s < nseeds; s++) {
			struct slot *sl = &slots[0];
			memset(sl, 0, sizeof(*sl));
			if ((sl->fd = conn_open()) < 0)
				break;
			sl->ss.buf = malloc(seeds[s].len);
			memcpy(sl->ss.buf, seeds[s].p, seeds[s].len);
			sl->ss.len = seeds[s].len;
			sl->ss.expect = MAX_PDUS;
			sl->start = sl->last = now_ms();
			for (;;) {
				pfd[0].fd = sl->fd;
				pfd[0].events = POLLIN | (sl->sent < sl->ss.len ? POLLOUT : 0);
				poll(pfd, 1, 50);
				if (!slot_step(sl, pfd[0].revents, now_ms()))
					break;
			}
			slot_end(sl);
			pdus++;
		}
		if (!alive()) {
			printf("not ok - wirefuzz: the server died after replaying %d sessions\n", nseeds);
			return 1;
		}
		printf("ok - wirefuzz: %d sessions replayed, the server answers\n", nseeds);
		return 0;
	}

	for (s = 0; s < nseeds; s++) {
		seed_parse(s);
		if (seed_npdu[s] > 0 && nsplice < MAX_SEEDS)
			splice_src[nsplice++] = seed_pdus[s][0];
	}
	for (i = 0; i < conns; i++)
		slots[i].fd = -1;
	t0 = now_ms();
	next = first;
	batch_first = first;
	active = 0;
	for (;;) {
		int stop = next - first >= nsess || (maxpdu >= 0 && pdus >= maxpdu) ||
		    now_ms() - t0 > secs * 1000;
		int batch_full = next - batch_first >= batch;

		/* fill free slots, unless the batch is complete or time is up */
		for (i = 0; i < conns && !stop && !batch_full; i++) {
			struct slot *sl = &slots[i];
			if (sl->fd >= 0)
				continue;
			memset(sl, 0, sizeof(*sl));
			make_session(next, &sl->ss);
			if ((sl->fd = conn_open()) < 0) {
				free(sl->ss.buf);
				sl->ss.buf = NULL;
				sl->fd = -1;
				break;	/* the check below tells */
			}
			sl->start = sl->last = now_ms();
			pdus += sl->ss.npdu;
			next++;
			active++;
			batch_full = next - batch_first >= batch;
			if (maxpdu >= 0 && pdus >= maxpdu)
				break;
		}
		if (active == 0) {
			/* a batch is over: is the server still there? */
			if (next > batch_first) {
				done = next - first;
				if (!alive()) {
					printf("not ok - wirefuzz: the server stopped answering in sessions %ld..%ld (seed %llu; wirefuzz -s %llu -i %ld -n %ld sends them again)\n",
					    batch_first, next - 1, (unsigned long long)base_seed,
					    (unsigned long long)base_seed, batch_first, next - batch_first);
					save_batch(outdir, batch_first, next - 1);
					return 1;
				}
				if (verbose)
					fprintf(stderr, "wirefuzz: %ld sessions, %ld PDUs, %.0f s\n",
					    done, pdus, (now_ms() - t0) / 1e3);
				batch_first = next;
				continue;
			}
			if (stop)
				break;
			/* no connection at all: the check decides */
			if (!alive()) {
				printf("not ok - wirefuzz: cannot connect after session %ld (seed %llu)\n",
				    next - 1, (unsigned long long)base_seed);
				save_batch(outdir, batch_first > first ? batch_first - batch : first, next - 1);
				return 1;
			}
			continue;
		}
		for (i = 0; i < conns; i++) {
			pfd[i].fd = slots[i].fd;
			pfd[i].events = slots[i].fd < 0 ? 0 :
			    POLLIN | (slots[i].sent < slots[i].ss.len ? POLLOUT : 0);
			pfd[i].revents = 0;
		}
		if (poll(pfd, conns, 50) < 0 && errno != EINTR)
			break;
		t = now_ms();
		for (i = 0; i < conns; i++) {
			if (slots[i].fd < 0)
				continue;
			if (!slot_step(&slots[i], pfd[i].revents, t)) {
				slot_end(&slots[i]);
				active--;
			}
		}
	}
	done = next - first;
	t = (now_ms() - t0) / 1e3;
	printf("ok - wirefuzz: %ld sessions, %ld PDUs in %.1f s (seed %llu, first %ld), the server still answers\n",
	    done, pdus, t, (unsigned long long)base_seed, first);
	return 0;
}
