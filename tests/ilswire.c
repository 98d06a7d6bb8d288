/* ilswire.c - speak LDAP to an ILS server exactly like its clients do */
/*
 * ilswire is the wire-level test client of back-ils.  It builds every
 * request PDU by hand with liblber and writes it to a plain TCP socket,
 * so the server sees the bytes a NetMeeting 3.01 client sends (MS-TAIL
 * 4.1-4.4, clients.md 1.1): one connection per action, an LDAPv2
 * anonymous simple Bind, one or two operations, an Unbind.  The odd DN
 * forms, the "%" wildcard and the Add without objectClass go out
 * verbatim, which libldap would not guarantee.  Replies are decoded
 * strictly and checked byte for byte where NetMeeting cares: attribute
 * names and order in search results, Latin-1 values for LDAPv2 clients.
 * Further scenarios replay the other clients (clients.md 1.2-1.5): the
 * TAPI 3.0 Phone Dialer (LDAPv3, Sicily first, standard DNs, EntryTTL
 * refreshes, binary ntSecurityDescriptor), NetMeeting 2.x, GnomeMeeting,
 * Ekiga's address book and PTLib's PILSSession.
 *
 * Usage: ilswire [-L] [-v] [-b source] -H host -p port SCENARIO [args]
 *   -L  send every length in the 4-byte long form (0x84 b3 b2 b1 b0),
 *       as the Windows LDAP client does
 *   -v  hex dump the PDUs sent and received on stderr
 *   -b  bind the socket to this local address first: another client
 *       host, such as 127.0.0.2 (all of 127.0.0.0/8 is loopback)
 *
 * Scenarios (EMAIL defaults to egruber@contoso.com):
 *   register [EMAIL]          T1: Add, Modify(add) of the application data
 *   register-replace [EMAIL]  T1 with Modify(replace)
 *   keepalive [EMAIL]         T2: the (sttl=10) search finds the user
 *   keepalive-absent [EMAIL]  T2-neg: the same search finds nothing
 *   browse [EMAIL]            T3: (cn=%) listing; names, order, values
 *   order [EMAIL]             D4: attributes come back as requested
 *   lookup [EMAIL]            GnomeMeeting-style lookup of one user
 *   unregister [EMAIL]        T4: Delete, then Delete again -> 32
 *   latin1 [EMAIL]            D5: ISO-8859-1 names, LDAPv2/v3 readers
 *   raw HEX...                one hand-made PDU after the Bind, sent
 *                             verbatim even with -L; prints the result
 *   hangup N HEX...           N connections that send the PDU, no Bind,
 *                             and close at once
 *   add-expect CODE DN [ATTR[=VALUE]...]
 *   mod-expect CODE DN [add|delete|replace:ATTR[=VALUE]...]
 *   search-expect CODE BASE base|one|sub FILTER [ATTR...]
 *       FILTER: eq:A=V | and:A=V,A=V,... | present:A
 *   modrdn-expect CODE DN NEWRDN
 *
 *   tapi [USER]               T5+T6: Sicily bind -> 7, then anonymous v3;
 *                             rtApplicationUser and rtPerson Adds, EntryTTL
 *                             refreshes; cn and entryTTL read back
 *                             (USER: egruber]w2kils.testdomain.int)
 *   tapi-conf [UID]           T7+T8: access check, conference with binary
 *                             SD and SDP; (uid=*) returns them byte for
 *                             byte (UID: Demo Conference)
 *   tapi-find NAME...         T9: (cn=*) lists each NAME with ipAddress
 *   tapi-find-prefix PREFIX NAME   T9 with (cn=PREFIX*)
 *   nm-find NAME IP           T3 lists NAME with sipaddress IP
 *   nm-hidden NAME            T3 does not list NAME; (cn=NAME) finds it
 *   nm2 [EMAIL]               NetMeeting 2.x: upper-case DN, sttl=5 in the
 *                             Add, (sttl=5) search, Delete
 *                             (EMAIL: nm2@example.org)
 *   nm2-register, nm2-keepalive, nm2-unregister [EMAIL]
 *                             each of the three alone
 *   modop [EMAIL]             smodop=1 drops the application data,
 *                             smodop=0 brings it back; Delete
 *   gnome [EMAIL]             GnomeMeeting 1.x XDAP register and update,
 *                             0.9x re-Add, lookup; no Delete
 *                             (EMAIL: gm@example.org)
 *   ekiga NAME EMAIL          Ekiga 2.0: base "", (&(cn=%)(sn=%NAME%)),
 *                             (&(cn=%)(mail=%PART%)); sn/surname and
 *                             mail/rfc822mailbox both returned
 *   ptlib [EMAIL]             PTLib AddPerson, ModifyPerson, SearchPerson
 *                             (EMAIL: pt@example.org); sport "1503 1720"
 *                             and sprotid "t120h323", one value each
 *   ptlib-listed [EMAIL]      the same with sflags 1
 *   ptlib-lookup EMAIL IP     PTLib SearchPerson finds one entry with IP
 *   ptlib-update EMAIL        PTLib reads EMAIL's record (first objectClass
 *                             rtPerson, sttl, two ports and protocols),
 *                             modifies and deletes it under the DN built
 *                             from its first objectClass value
 *   ptlib-update-other EMAIL  the same for another client's registration
 *                             (no sttl; PTLib's lists after its Modify)
 *   nm-lists NAME PORTS PROTOCOLS
 *                             T3 lists NAME with exactly these sport and
 *                             sprotid values (comma-separated, in order)
 *
 * In values "\xNN" is one byte and "\\" a backslash.  Consecutive
 * arguments with the same (operation and) name form one multi-valued
 * attribute; a name without "=" is an attribute with no values at all,
 * a deliberately bad request.
 *
 * Output is TAP-like: one "ok - ..." or "not ok - ...: seen" line per
 * check, "#" lines for information.  Exit status: 0 all checks passed,
 * 1 a check failed, 2 usage or connection error.
 *
 * Build: gcc -Wall -Wextra -O2 -o /tmp/ilswire tests/ilswire.c -llber
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <lber.h>

/* Protocol op tags (RFC 4511), spelled out so that only liblber is needed */
#define OP_BIND_REQ	0x60
#define OP_BIND_RES	0x61
#define OP_UNBIND_REQ	0x42
#define OP_SEARCH_REQ	0x63
#define OP_SEARCH_ENTRY	0x64
#define OP_SEARCH_DONE	0x65
#define OP_MODIFY_REQ	0x66
#define OP_MODIFY_RES	0x67
#define OP_ADD_REQ	0x68
#define OP_ADD_RES	0x69
#define OP_DELETE_REQ	0x4a
#define OP_DELETE_RES	0x6b
#define OP_MODDN_REQ	0x6c
#define OP_MODDN_RES	0x6d
#define OP_SEARCH_REF	0x73

#define AUTH_SIMPLE	0x80
#define AUTH_SICILY_PKG	0x89		/* [9] sicilyPackageDiscovery */
#define FILTER_AND	0xa0
#define FILTER_EQ	0xa3
#define FILTER_SUB	0xa4
#define FILTER_PRESENT	0x87
#define SUB_INITIAL	0x80

#define MOD_ADD		0
#define MOD_DELETE	1
#define MOD_REPLACE	2

#define TIMEOUT_MS	5000		/* per reply PDU, and for connect */
#define MAX_PDU		(16 * 1024 * 1024)
#define MAX_ENTRIES	100000
#define MAX_ELEMS	100000		/* attributes per entry, values per attr */
#define MAX_DEPTH	32		/* BER nesting; LDAP needs less than 10 */

#define NELEM(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define V(...)		((const char *const []){ __VA_ARGS__ })

static int opt_long, opt_verbose;
static const char *host, *port, *source;	/* -b: the local address */
static const char *email = "egruber@contoso.com";
static char nmdn[512], moddn[512], canon[512];
static int variant, sargc;		/* the scenario's variant and arguments */
static char **sargv;
static int nchecks, nfail;
static int sent_any;			/* -L self-check: first PDU only */
static char errbuf[512];		/* why the last exchange failed */

/* ---- small utilities ---- */

static void
die(const char *msg)
{
	fprintf(stderr, "ilswire: %s\n", msg);
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		die("out of memory");
	return p;
}

/* Note why an exchange failed; the caller reports it in a check */
static int
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return -1;
}

/* One check line; `seen` tells what was observed when it failed */
static int
check(int ok, const char *seen, const char *fmt, ...)
{
	va_list ap;

	nchecks++;
	nfail += !ok;
	fputs(ok ? "ok - " : "not ok - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok && seen != NULL)
		printf(": %s", seen);
	putchar('\n');
	return ok;
}

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void
buf_put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	if (d != NULL && n > 0)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

/* A byte string, NUL-terminated for convenience; it may hold NULs */
struct val {
	char *p;
	size_t len;
};

static void
val_set(struct val *v, const void *p, size_t len)
{
	v->p = xrealloc(NULL, len + 1);
	memcpy(v->p, p, len);
	v->p[len] = '\0';
	v->len = len;
}

static int
val_is(const struct val *v, const char *s)
{
	return v->len == strlen(s) && memcmp(v->p, s, v->len) == 0;
}

/* Bytes for a report line: printable ASCII as is, the rest as \xNN */
static const char *
esc(const char *p, size_t len)
{
	static char bufs[4][1024];
	static int k;
	char *o = bufs[k++ & 3];
	size_t i, j = 0;

	for (i = 0; i < len && j < sizeof(bufs[0]) - 8; i++) {
		unsigned char ch = p[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			o[j++] = ch;
		else
			j += sprintf(o + j, "\\x%02x", ch);
	}
	strcpy(o + j, i < len ? "..." : "");
	return o;
}

#define ESC(v)	esc((v)->p, (v)->len)

/* Command-line values: "\xNN" is one byte, "\\" a backslash */
static void
unescape(const char *s, size_t len, struct val *out)
{
	struct buf b = { NULL, 0, 0 };
	unsigned int x;
	unsigned char ch;
	size_t i;

	for (i = 0; i < len; i++) {
		ch = s[i];
		if (ch == '\\' && len - i >= 4 && s[i + 1] == 'x' &&
		    strspn(s + i + 2, "0123456789abcdefABCDEF") >= 2 &&
		    sscanf(s + i + 2, "%2x", &x) == 1) {
			ch = x;
			i += 3;
		} else if (ch == '\\' && i + 1 < len && s[i + 1] == '\\') {
			i++;
		}
		buf_put(&b, &ch, 1);
	}
	val_set(out, b.len ? (char *)b.p : "", b.len);
	free(b.p);
}

/* ---- attribute lists: Add, Modify, filters and returned entries ---- */

struct attr {
	int op;			/* Modify operation; 0 elsewhere */
	struct val name;
	struct val *vals;
	int nvals;
};

struct attrlist {
	struct attr *a;
	int n;
};

static struct attr *
al_attr(struct attrlist *l, int op, const char *name, size_t nlen)
{
	struct attr *a;

	l->a = xrealloc(l->a, (l->n + 1) * sizeof(*l->a));
	a = memset(&l->a[l->n++], 0, sizeof(*a));
	a->op = op;
	val_set(&a->name, name, nlen);
	return a;
}

static void
attr_val(struct attr *a, const char *v, size_t len)
{
	a->vals = xrealloc(a->vals, (a->nvals + 1) * sizeof(*a->vals));
	val_set(&a->vals[a->nvals++], v, len);
}

/*
 * Append name=value.  Consecutive calls with the same op and name build
 * one multi-valued attribute (sprotid={T120,H323}); a NULL value only
 * makes sure the attribute exists, possibly with no values.
 */
static void
al_add(struct attrlist *l, int op, const char *name, const char *v, size_t len)
{
	struct attr *a = l->n ? &l->a[l->n - 1] : NULL;

	if (a == NULL || a->op != op || !val_is(&a->name, name))
		a = al_attr(l, op, name, strlen(name));
	if (v != NULL)
		attr_val(a, v, len);
}

static void
al_free(struct attrlist *l)
{
	int i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->a[i].nvals; j++)
			free(l->a[i].vals[j].p);
		free(l->a[i].vals);
		free(l->a[i].name.p);
	}
	free(l->a);
	l->a = NULL;
	l->n = 0;
}

struct filter {
	int type;		/* FILTER_AND, _EQ, _SUB (initial), _PRESENT */
	struct attrlist items;	/* one value each; PRESENT: a bare name */
};

struct result {
	int code;
	struct val matched, text;
};

struct entry {
	struct val dn;
	struct attrlist al;
};

struct search {
	struct entry *e;
	int n, refs;
	struct result done;
};

static void
result_free(struct result *r)
{
	free(r->matched.p);
	free(r->text.p);
	memset(r, 0, sizeof(*r));
}

static void
search_free(struct search *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		free(s->e[i].dn.p);
		al_free(&s->e[i].al);
	}
	free(s->e);
	result_free(&s->done);
	memset(s, 0, sizeof(*s));
}

/* ---- BER tree walk: -L re-encoding and reply validation ---- */

/*
 * Walk the TLV at p[0..len).  Constructed-ness is bit 0x20 of the first
 * tag byte and nothing else, so context tags such as 0xa0 (and), 0xa3
 * (equalityMatch) or 0x87 (present) need no LDAP knowledge.  Children
 * must fill their parent exactly.  With out != NULL the TLV is emitted
 * again with every length as 0x84 + 4 bytes, as wldap32 encodes; else
 * the walk only validates.  Returns the TLV's size, 0 if malformed.
 */
static size_t
tlv_walk(const unsigned char *p, size_t len, struct buf *out, int depth)
{
	size_t i = 1, hdr, clen = 0, n, off, at = 0;

	if (depth > MAX_DEPTH || len < 2)
		return 0;
	if ((p[0] & 0x1f) == 0x1f) {		/* high tag number form */
		while (i < len && (p[i] & 0x80))
			i++;
		if (++i >= len)
			return 0;
	}
	if (out != NULL) {
		buf_put(out, p, i);
		at = out->len;
		buf_put(out, "\x84\0\0\0\0", 5);
	}
	if (p[i] < 0x80) {
		clen = p[i++];
	} else {
		/* 0x80 alone is the indefinite form, which LDAP forbids */
		n = p[i++] & 0x7f;
		if (n == 0 || n > 4 || n > len - i)
			return 0;
		while (n-- > 0)
			clen = clen << 8 | p[i++];
	}
	hdr = i;
	if (clen > len - hdr)
		return 0;
	if (p[0] & 0x20) {
		for (off = 0; off < clen; off += n)
			if ((n = tlv_walk(p + hdr + off, clen - off, out,
			    depth + 1)) == 0)
				return 0;
	} else if (out != NULL) {
		buf_put(out, p + hdr, clen);
	}
	if (out != NULL) {
		n = out->len - at - 5;
		out->p[at + 1] = n >> 24;
		out->p[at + 2] = n >> 16;
		out->p[at + 3] = n >> 8;
		out->p[at + 4] = n;
	}
	return hdr + clen;
}

/* ---- transport ---- */

struct conn {
	int fd;
	ber_int_t msgid;	/* the last messageID used on it */
};

static void
dump(const char *dir, const unsigned char *p, size_t len)
{
	size_t i, j;

	if (!opt_verbose)
		return;
	fprintf(stderr, "%s %zu bytes\n", dir, len);
	for (i = 0; i < len; i += 16) {
		fprintf(stderr, "  %04zx ", i);
		for (j = i; j < i + 16; j++)
			if (j < len)
				fprintf(stderr, " %02x", p[j]);
			else
				fputs("   ", stderr);
		fputs("  ", stderr);
		for (j = i; j < i + 16 && j < len; j++)
			fputc(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.', stderr);
		fputc('\n', stderr);
	}
}

/* -b ADDR: play another client host (all of 127.0.0.0/8 is loopback) */
static int
bind_source(int fd, int family)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(source, NULL, &hints, &res) != 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	rc = bind(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return rc;
}

/* A connection failure ends the run with exit 2; the suite expects that */
static void
conn_open(struct conn *c)
{
	struct timeval tv = { TIMEOUT_MS / 1000, 0 };
	struct addrinfo hints, *res, *ai;
	int rc, err = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		printf("not ok - connect %s:%s: %s\n", host, port, gai_strerror(rc));
		exit(2);
	}
	for (c->fd = -1, ai = res; ai != NULL && c->fd < 0; ai = ai->ai_next) {
		if ((c->fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) < 0) {
			err = errno;
			continue;
		}
		/* on Linux SO_SNDTIMEO bounds connect() too */
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (source != NULL && bind_source(c->fd, ai->ai_family) < 0) {
			err = errno;
			close(c->fd);
			c->fd = -1;
			continue;
		}
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno == EINPROGRESS ? ETIMEDOUT : errno;
			close(c->fd);
			c->fd = -1;
		}
	}
	freeaddrinfo(res);
	if (c->fd < 0) {
		printf("not ok - connect %s:%s: %s\n", host, port, strerror(err));
		exit(2);
	}
	c->msgid = 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int
send_raw(struct conn *c, const unsigned char *p, size_t len)
{
	size_t off;
	ssize_t n;

	dump(">> sent", p, len);
	for (off = 0; off < len; off += n)
		if ((n = write(c->fd, p + off, len - off)) < 0) {
			if (errno != EINTR)
				return fail("send: %s", strerror(errno));
			n = 0;
		}
	return 0;
}

/* Flatten a request built with ber_printf (status rc), -L it, send it */
static int
send_ber(struct conn *c, BerElement *ber, int rc)
{
	struct buf lf = { NULL, 0, 0 };
	struct berval bv;
	char seen[32];

	if (c->fd < 0)
		rc = fail("connection already lost");
	else if (rc < 0 || ber_flatten2(ber, &bv, 0) < 0)
		rc = fail("cannot encode the request");
	else if (opt_long && tlv_walk((unsigned char *)bv.bv_val, bv.bv_len,
	    &lf, 0) != bv.bv_len)
		rc = fail("cannot re-encode the request");
	else if (opt_long) {
		if (!sent_any) {
			snprintf(seen, sizeof(seen), "second byte 0x%02x", lf.p[1]);
			check(lf.p[1] == 0x84, seen, "-L: the first PDU sent has "
			    "a 4-byte long-form length (30 84 ...)");
		}
		rc = send_raw(c, lf.p, lf.len);
	} else {
		rc = send_raw(c, (unsigned char *)bv.bv_val, bv.bv_len);
	}
	sent_any = 1;
	if (rc < 0)
		conn_close(c);
	ber_free(ber, 1);
	free(lf.p);
	return rc;
}

/* Read exactly n bytes before the deadline (CLOCK_MONOTONIC, in ms) */
static int
read_full(int fd, unsigned char *p, size_t n, long deadline)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct timespec ts;
	ssize_t r;

	while (n > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = deadline - (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
		if (r <= 0 || (r = poll(&pfd, 1, (int)r)) == 0)
			return fail("no reply within %d ms", TIMEOUT_MS);
		if (r > 0)
			r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail("receive: %s", strerror(errno));
		if (r == 0)
			return fail("connection closed by the server");
		p += r;
		n -= r;
	}
	return 0;
}

/* Read one LDAPMessage: the tag and length first, then the body */
static int
recv_pdu(struct conn *c, struct buf *pdu)
{
	unsigned char hdr[6];
	struct timespec ts;
	size_t n = 0, len, i;
	long deadline;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = ts.tv_sec * 1000L + ts.tv_nsec / 1000000L + TIMEOUT_MS;
	if (read_full(c->fd, hdr, 2, deadline) < 0)
		return -1;
	if (hdr[0] != LBER_SEQUENCE)
		return fail("reply starts with tag 0x%02x, not SEQUENCE", hdr[0]);
	len = hdr[1];
	if (hdr[1] & 0x80) {
		n = hdr[1] & 0x7f;
		if (n == 0 || n > 4)
			return fail("reply length byte 0x%02x", hdr[1]);
		if (read_full(c->fd, hdr + 2, n, deadline) < 0)
			return -1;
		for (len = 0, i = 0; i < n; i++)
			len = len << 8 | hdr[2 + i];
	}
	if (len > MAX_PDU)
		return fail("reply of %zu bytes is too big", len);
	buf_put(pdu, hdr, 2 + n);
	buf_put(pdu, NULL, len);
	if (read_full(c->fd, pdu->p + 2 + n, len, deadline) < 0)
		return -1;
	dump("<< received", pdu->p, pdu->len);
	return 0;
}

/* ---- reply decoding ---- */

struct msg {
	BerElement *ber;
	ber_int_t msgid;
	ber_tag_t op;
	ber_len_t opend;	/* bytes remaining once the protocolOp is read */
};

static ber_len_t
remaining(BerElement *ber)
{
	ber_len_t n = 0;

	ber_get_option(ber, LBER_OPT_REMAINING_BYTES, &n);
	return n;
}

/* Enter a constructed element with the given tag; *end marks its end */
static int
enter(BerElement *ber, ber_tag_t want, ber_len_t *end)
{
	ber_len_t len;

	if (ber_skip_tag(ber, &len) != want || len > remaining(ber))
		return -1;
	*end = remaining(ber) - len;
	return 0;
}

static int
get_str(BerElement *ber, struct val *v)
{
	struct berval bv;
	ber_len_t len;

	if (ber_peek_tag(ber, &len) != LBER_OCTETSTRING ||
	    ber_get_stringbv(ber, &bv, LBER_BV_NOTERM) == LBER_DEFAULT)
		return -1;
	val_set(v, bv.bv_val, bv.bv_len);
	return 0;
}

/* Receive, validate and open an LDAPMessage up to its protocolOp */
static int
recv_msg(struct conn *c, struct msg *m)
{
	struct buf pdu = { NULL, 0, 0 };
	struct berval bv;
	ber_len_t len, end;
	int rc = -1;

	m->ber = NULL;
	if (recv_pdu(c, &pdu) < 0)
		goto out;
	if (tlv_walk(pdu.p, pdu.len, NULL, 0) != pdu.len) {
		fail("reply is not well-formed BER");
		goto out;
	}
	bv.bv_val = (char *)pdu.p;
	bv.bv_len = pdu.len;
	if ((m->ber = ber_init(&bv)) == NULL)
		die("out of memory");
	if (enter(m->ber, LBER_SEQUENCE, &end) < 0 ||
	    ber_peek_tag(m->ber, &len) != LBER_INTEGER ||
	    ber_get_int(m->ber, &m->msgid) == LBER_DEFAULT ||
	    (m->op = ber_skip_tag(m->ber, &len)) == LBER_DEFAULT ||
	    len > remaining(m->ber))
		fail("reply is not an LDAPMessage");
	else if ((m->opend = remaining(m->ber) - len) > 0 &&
	    pdu.p[pdu.len - m->opend] != 0xa0)
		/* after the protocolOp only controls [0] may follow */
		fail("unexpected data after the protocolOp");
	else
		rc = 0;
out:
	if (rc < 0 && m->ber != NULL) {
		ber_free(m->ber, 1);
		m->ber = NULL;
	}
	free(pdu.p);
	return rc;
}

/* LDAPResult: resultCode, matchedDN, diagnosticMessage [, referral] */
static int
get_result(struct msg *m, struct result *r)
{
	ber_len_t len;
	ber_int_t code;

	if (ber_peek_tag(m->ber, &len) != LBER_ENUMERATED ||
	    ber_get_enum(m->ber, &code) == LBER_DEFAULT ||
	    get_str(m->ber, &r->matched) < 0 || get_str(m->ber, &r->text) < 0 ||
	    remaining(m->ber) < m->opend)
		return fail("malformed LDAPResult in op 0x%02lx",
		    (unsigned long)m->op);
	r->code = code;
	return 0;
}

/* SearchResultEntry: objectName, then the attributes in their order */
static int
get_entry(struct msg *m, struct entry *e)
{
	BerElement *ber = m->ber;
	ber_len_t end, aend, vend;
	struct attr *a;
	struct val v;

	if (get_str(ber, &e->dn) < 0 || enter(ber, LBER_SEQUENCE, &end) < 0)
		goto bad;
	while (remaining(ber) > end) {
		if (e->al.n >= MAX_ELEMS || enter(ber, LBER_SEQUENCE, &aend) < 0 ||
		    get_str(ber, &v) < 0)
			goto bad;
		a = al_attr(&e->al, 0, v.p, v.len);
		free(v.p);
		if (enter(ber, LBER_SET, &vend) < 0)
			goto bad;
		while (remaining(ber) > vend) {
			if (a->nvals >= MAX_ELEMS || get_str(ber, &v) < 0)
				goto bad;
			attr_val(a, v.p, v.len);
			free(v.p);
		}
		if (remaining(ber) != vend || vend != aend)
			goto bad;
	}
	if (remaining(ber) == end && end == m->opend)
		return 0;
bad:
	return fail("malformed SearchResultEntry");
}

/* Describe a reply that is not the one expected, with its text if any */
static void
unexpected(struct msg *m, ber_int_t want_id, ber_tag_t want_op)
{
	struct result r;
	char text[300] = "";

	memset(&r, 0, sizeof(r));
	if (m->op != OP_SEARCH_ENTRY && get_result(m, &r) == 0)
		snprintf(text, sizeof(text), " (resultCode %d, text \"%s\")",
		    r.code, ESC(&r.text));
	result_free(&r);
	fail("reply messageID %d op 0x%02lx%s, expected messageID %d op 0x%02lx",
	    m->msgid, (unsigned long)m->op, text, want_id,
	    (unsigned long)want_op);
}

/* ---- requests ---- */

static BerElement *
req_start(struct conn *c)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	if (ber == NULL)
		die("out of memory");
	c->msgid++;
	return ber;
}

/*
 * Send the request and wait for the LDAPResult answering it, which must
 * carry op tag `want`.  Returns the resultCode, or -1 with errbuf set;
 * after -1 the conversation is out of step, so the connection is closed.
 */
static int
exchange(struct conn *c, BerElement *ber, int rc, ber_tag_t want,
    struct result *r)
{
	struct msg m;

	memset(r, 0, sizeof(*r));
	if (send_ber(c, ber, rc) < 0)
		return -1;
	rc = -1;
	if (recv_msg(c, &m) == 0) {
		if (m.msgid != c->msgid || m.op != want)
			unexpected(&m, c->msgid, want);
		else if (get_result(&m, r) == 0)
			rc = r->code;
		ber_free(m.ber, 1);
	}
	if (rc < 0)
		conn_close(c);
	return rc;
}

static int
do_bind(struct conn *c, int version, ber_tag_t auth, struct result *r)
{
	BerElement *ber = req_start(c);

	/*
	 * Empty name, empty credentials.  Simple [0] with a zero-length
	 * password is what NetMeeting sends; Dialer first tries Sicily
	 * package discovery, [9] with an empty octet string.
	 */
	return exchange(c, ber, ber_printf(ber, "{it{ioto}}", c->msgid,
	    (ber_tag_t)OP_BIND_REQ, (ber_int_t)version, "", (ber_len_t)0,
	    auth, "", (ber_len_t)0), OP_BIND_RES, r);
}

static void
do_unbind(struct conn *c)
{
	BerElement *ber;

	if (c->fd < 0)
		return;
	/* [APPLICATION 2] NULL, no reply; then hang up like NetMeeting */
	ber = req_start(c);
	send_ber(c, ber, ber_printf(ber, "{itn}", c->msgid,
	    (ber_tag_t)OP_UNBIND_REQ));
	conn_close(c);
}

/* AddRequest or ModifyRequest: the attribute lists look alike */
static int
do_update(struct conn *c, ber_tag_t op, const char *dn,
    const struct attrlist *l, struct result *r)
{
	BerElement *ber = req_start(c);
	const struct attr *a;
	int i, j, rc, mod = op == OP_MODIFY_REQ;

	rc = ber_printf(ber, "{it{o{", c->msgid, op, dn, (ber_len_t)strlen(dn));
	for (i = 0; i < l->n; i++) {
		a = &l->a[i];
		if (mod && ber_printf(ber, "{e", (ber_int_t)a->op) < 0)
			rc = -1;
		if (ber_printf(ber, "{o[", a->name.p, (ber_len_t)a->name.len) < 0)
			rc = -1;
		for (j = 0; j < a->nvals; j++)
			if (ber_printf(ber, "o", a->vals[j].p,
			    (ber_len_t)a->vals[j].len) < 0)
				rc = -1;
		if (ber_printf(ber, mod ? "]}}" : "]}") < 0)
			rc = -1;
	}
	if (ber_printf(ber, "}}}") < 0)
		rc = -1;
	return exchange(c, ber, rc, mod ? OP_MODIFY_RES : OP_ADD_RES, r);
}

static int
do_delete(struct conn *c, const char *dn, struct result *r)
{
	BerElement *ber = req_start(c);

	/* DelRequest is primitive: [APPLICATION 10] with the DN bytes */
	return exchange(c, ber, ber_printf(ber, "{ito}", c->msgid,
	    (ber_tag_t)OP_DELETE_REQ, dn, (ber_len_t)strlen(dn)),
	    OP_DELETE_RES, r);
}

static int
do_moddn(struct conn *c, const char *dn, const char *rdn, struct result *r)
{
	BerElement *ber = req_start(c);

	return exchange(c, ber, ber_printf(ber, "{it{oob}}", c->msgid,
	    (ber_tag_t)OP_MODDN_REQ, dn, (ber_len_t)strlen(dn), rdn,
	    (ber_len_t)strlen(rdn), (ber_int_t)1), OP_MODDN_RES, r);
}

static int
put_ava(BerElement *ber, const struct attr *a)
{
	return ber_printf(ber, "t{oo}", (ber_tag_t)FILTER_EQ, a->name.p,
	    (ber_len_t)a->name.len, a->vals[0].p, (ber_len_t)a->vals[0].len);
}

static int
put_filter(BerElement *ber, const struct filter *f)
{
	const struct attr *a = &f->items.a[0];
	int i, rc;

	if (f->type == FILTER_PRESENT)
		return ber_printf(ber, "to", (ber_tag_t)FILTER_PRESENT, a->name.p,
		    (ber_len_t)a->name.len);
	if (f->type == FILTER_EQ)
		return put_ava(ber, a);
	if (f->type == FILTER_SUB)	/* substrings: type, { [0] initial } */
		return ber_printf(ber, "t{o{to}}", (ber_tag_t)FILTER_SUB,
		    a->name.p, (ber_len_t)a->name.len, (ber_tag_t)SUB_INITIAL,
		    a->vals[0].p, (ber_len_t)a->vals[0].len);
	/* and [0] SET OF Filter: liblber keeps the items in our order */
	rc = ber_printf(ber, "t[", (ber_tag_t)FILTER_AND);
	for (i = 0; i < f->items.n; i++)
		if (put_ava(ber, &f->items.a[i]) < 0)
			rc = -1;
	return ber_printf(ber, "]") < 0 ? -1 : rc;
}

/*
 * Search and collect the entries up to SearchResultDone.  Returns Done's
 * resultCode, or -1 with errbuf set and the connection closed.
 */
static int
do_search(struct conn *c, const char *base, int scope, const struct filter *f,
    const char *const *attrs, int nattrs, struct search *s)
{
	BerElement *ber = req_start(c);
	struct msg m;
	int i, rc;

	memset(s, 0, sizeof(*s));
	/* derefAliases never, no size or time limit, typesOnly FALSE */
	rc = ber_printf(ber, "{it{oeeiib", c->msgid, (ber_tag_t)OP_SEARCH_REQ,
	    base, (ber_len_t)strlen(base), (ber_int_t)scope, (ber_int_t)0,
	    (ber_int_t)0, (ber_int_t)0, (ber_int_t)0);
	if (put_filter(ber, f) < 0 || ber_printf(ber, "{") < 0)
		rc = -1;
	for (i = 0; i < nattrs; i++)
		if (ber_printf(ber, "o", attrs[i], (ber_len_t)strlen(attrs[i])) < 0)
			rc = -1;
	if (ber_printf(ber, "}}}") < 0)
		rc = -1;
	if (send_ber(c, ber, rc) < 0)
		return -1;

	for (i = 0, rc = -2; rc == -2; i++) {
		if (i > MAX_ENTRIES || recv_msg(c, &m) < 0) {
			if (i > MAX_ENTRIES)
				fail("more than %d replies", MAX_ENTRIES);
			rc = -1;
			break;
		}
		if (m.msgid != c->msgid) {
			unexpected(&m, c->msgid, OP_SEARCH_DONE);
			rc = -1;
		} else if (m.op == OP_SEARCH_ENTRY) {
			s->e = xrealloc(s->e, (s->n + 1) * sizeof(*s->e));
			memset(&s->e[s->n], 0, sizeof(*s->e));
			if (get_entry(&m, &s->e[s->n++]) < 0)
				rc = -1;
		} else if (m.op == OP_SEARCH_REF) {
			s->refs++;
		} else if (m.op == OP_SEARCH_DONE) {
			rc = get_result(&m, &s->done) < 0 ? -1 : s->done.code;
		} else {
			unexpected(&m, c->msgid, OP_SEARCH_DONE);
			rc = -1;
		}
		ber_free(m.ber, 1);
	}
	if (rc < 0)
		conn_close(c);
	return rc;
}

/* ---- checks on results ---- */

/* Check an LDAPResult code; rc < 0 means no usable reply (see errbuf) */
static int
expect(int rc, int want, const struct result *r, const char *fmt, ...)
{
	char desc[600], seen[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return check(0, errbuf, "%s", desc);
	snprintf(seen, sizeof(seen), "resultCode %d, text \"%s\"", rc,
	    ESC(&r->text));
	return check(rc == want, seen, "%s", desc);
}

static const struct entry *
find_entry(const struct search *s, const char *dn)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].dn.len == strlen(dn) &&
		    strncasecmp(s->e[i].dn.p, dn, s->e[i].dn.len) == 0)
			return &s->e[i];
	return NULL;
}

/* Append one item to a comma-separated list in a report buffer */
static void
join(char *buf, size_t size, const char *item)
{
	size_t l = strlen(buf);

	snprintf(buf + l, size - l, "%s%s", l ? "," : "", item);
}

/* The entry carries exactly `names`, in that order, spelled as sent */
static void
check_names(const char *what, const struct entry *e, const char *const *names,
    int n)
{
	char seen[1024] = "";
	int i, ok = e->al.n == n;

	for (i = 0; i < e->al.n; i++) {
		ok &= i < n && val_is(&e->al.a[i].name, names[i]);
		join(seen, sizeof(seen), ESC(&e->al.a[i].name));
	}
	check(ok, seen, "%s: attribute names and order exactly as requested",
	    what);
}

/* Attribute `name` (exact spelling) has the values want[0..n), in order */
static void
check_vals(const char *what, const struct entry *e, const char *name,
    const char *const *want, int n)
{
	const struct attr *a = NULL;
	char seen[1024] = "", desc[512] = "";
	int i, ok;

	for (i = 0; i < n; i++)
		join(desc, sizeof(desc), esc(want[i], strlen(want[i])));
	for (i = 0; i < e->al.n && a == NULL; i++)
		if (val_is(&e->al.a[i].name, name))
			a = &e->al.a[i];
	if (a == NULL) {
		check(0, "attribute missing", "%s: %s = {%s}", what, name, desc);
		return;
	}
	ok = a->nvals == n;
	for (i = 0; i < a->nvals; i++) {
		ok &= i < n && val_is(&a->vals[i], want[i]);
		join(seen, sizeof(seen), ESC(&a->vals[i]));
	}
	check(ok, seen, "%s: %s = {%s}", what, name, desc);
}

/* Connect and Bind anonymously; -1 (connection closed) if that failed */
static int
session(struct conn *c, int version, const char *what)
{
	struct result r;
	int rc;

	conn_open(c);
	rc = do_bind(c, version, AUTH_SIMPLE, &r);
	expect(rc, 0, &r, "%s: bind (LDAPv%d, simple, anonymous) resultCode 0",
	    what, version);
	result_free(&r);
	if (rc != 0)
		conn_close(c);
	return rc == 0 ? 0 : -1;
}

/* The user the scenario is about, and the DNs NetMeeting derives from it */
static void
set_email(const char *e)
{
	if (strlen(e) > 400)
		die("EMAIL is too long");
	email = e;
	snprintf(nmdn, sizeof(nmdn), "c=-,o=Microsoft, cn=%s, objectClass=rtPerson",
	    email);
	snprintf(moddn, sizeof(moddn), "c=-, o=Microsoft, cn=%s, "
	    "objectClass=rtPerson", email);
	snprintf(canon, sizeof(canon), "cn=%s,ou=Dynamic,o=Intranet", email);
}

/* ---- NetMeeting scenarios ---- */

#include "mstail-t1.h"

/* repeated names become one multi-valued modification */
static const char *const reg_mod[][2] = {
	{ "smodop", "0" },
	{ "sappid", "ms-netmeeting" },
	{ "smimetype", "text/iuls" },
	{ "sappguid", "008aff194794cf118796444553540000" },
	{ "sprotid", "T120" },
	{ "sprotid", "H323" },
	{ "sprotmimetype", "text/t120" },
	{ "sprotmimetype", "text/h323" },
	{ "sport", "1503" },
	{ "sport", "1720" },
};

static const char *const browse_attrs[] = {
	"cn", "givenname", "surname", "rfc822mailbox", "location", "comment",
	"sipaddress", "sport", "sprotid", "sappid", "ilsa26214430",
	"ilsa32833566", "ilsa32964638",
};

static void
al_adds(struct attrlist *l, int op, const char *name, const char *v)
{
	al_add(l, op, name, v, strlen(v));
}

/* T1 over one connection; op is MOD_ADD or MOD_REPLACE for the Modify */
static void
register_user(const char *what, int op)
{
	struct attrlist l = { NULL, 0 };
	struct result r;
	struct conn c;
	int i, rc;

	if (session(&c, 2, what) < 0)
		return;
	for (i = 0; i < NELEM(reg_add); i++)
		al_adds(&l, 0, reg_add[i][0], reg_add[i][1] ? reg_add[i][1] : email);
	rc = do_update(&c, OP_ADD_REQ, nmdn, &l, &r);
	expect(rc, 0, &r, "%s: add \"%s\" (15 attributes, no objectClass) "
	    "resultCode 0", what, nmdn);
	result_free(&r);
	al_free(&l);
	if (rc >= 0) {
		for (i = 0; i < NELEM(reg_mod); i++)
			al_adds(&l, op, reg_mod[i][0], reg_mod[i][1]);
		rc = do_update(&c, OP_MODIFY_REQ, moddn, &l, &r);
		expect(rc, 0, &r, "%s: modify \"%s\" (%s application data) "
		    "resultCode 0", what, moddn,
		    op == MOD_REPLACE ? "replace" : "add");
		result_free(&r);
		al_free(&l);
	}
	do_unbind(&c);
}

static void
sc_register(void)
{
	if (variant)
		register_user("register-replace", MOD_REPLACE);
	else
		register_user("register", MOD_ADD);
}

/*
 * Search with filter f (freed here) and check Done == 0.  Returns the
 * number of entries, -1 if the search failed.  Once the connection is
 * lost (reported already) nothing is sent and nothing checked.
 */
static int
search0(struct conn *c, const char *what, const char *base, int scope,
    struct filter *f, const char *const *attrs, int nattrs, struct search *s)
{
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (c->fd >= 0) {
		rc = do_search(c, base, scope, f, attrs, nattrs, s);
		expect(rc, 0, &s->done, "%s: search SearchResultDone "
		    "resultCode 0", what);
	}
	al_free(&f->items);
	return rc < 0 ? -1 : s->n;
}

/* An AND of the equality terms (name, value; a NULL value is the e-mail) */
static int
search_terms(struct conn *c, const char *what, const char *base, int scope,
    const char *const *terms, int nterms, const char *const *attrs,
    int nattrs, struct search *s)
{
	struct filter f = { FILTER_AND, { NULL, 0 } };
	const char *v;
	int i;

	for (i = 0; i + 1 < nterms; i += 2) {
		v = terms[i + 1] ? terms[i + 1] : email;
		attr_val(al_attr(&f.items, 0, terms[i], strlen(terms[i])), v,
		    strlen(v));
	}
	return search0(c, what, base, scope, &f, attrs, nattrs, s);
}

/*
 * Search base "objectClass=rtPerson", scope base, with an AND of the
 * equality terms, as NetMeeting does: it never sends a real DN.
 */
static int
search_user(struct conn *c, const char *what, const char *const *terms,
    int nterms, const char *const *attrs, int nattrs, struct search *s)
{
	return search_terms(c, what, "objectClass=rtPerson", 0, terms, nterms,
	    attrs, nattrs, s);
}

/* The search found exactly one entry; return it */
static const struct entry *
one_entry(const char *what, int n, const struct search *s)
{
	char seen[64];

	snprintf(seen, sizeof(seen), "%d entries", n);
	if (n < 0 || !check(n == 1, seen, "%s: exactly one entry", what))
		return NULL;
	return &s->e[0];
}

/* The search found exactly one entry, the user's; return it */
static const struct entry *
the_user(const char *what, int n, const struct search *s)
{
	const struct entry *e = one_entry(what, n, s);

	if (e != NULL)
		check(find_entry(s, canon) != NULL, ESC(&e->dn),
		    "%s: entry DN is %s", what, canon);
	return e;
}

static void
sc_keepalive(void)
{
	const char *what = variant ? "keepalive-absent" : "keepalive";
	struct search s;
	struct conn c;
	char seen[64];
	int n;

	if (session(&c, 2, what) < 0)
		return;
	/* (sttl=10) is an instruction to the server, not a predicate */
	n = search_user(&c, what, V("objectClass", "rtPerson", "cn", NULL,
	    "sttl", "10"), 6, NULL, 0, &s);
	snprintf(seen, sizeof(seen), "%d entries", n);
	if (variant && n >= 0)
		check(n == 0, seen, "%s: no entry returned", what);
	else if (!variant)
		the_user(what, n, &s);
	search_free(&s);
	do_unbind(&c);
}

static void
sc_browse(void)
{
	const char *w = "browse";
	const struct entry *e;
	struct search s;
	struct conn c;
	char seen[64];
	int n;

	if (session(&c, 2, w) < 0)
		return;
	/* "%" is the ILS wildcard, sent as a plain equality value */
	n = search_user(&c, "browse (cn=%)", V("objectClass", "rtPerson",
	    "cn", "%", "sappid", "ms-netmeeting", "sprotid", "h323"), 8,
	    browse_attrs, NELEM(browse_attrs), &s);
	if (n >= 0) {
		printf("# entries: %d\n", n);
		snprintf(seen, sizeof(seen), "%d entries", n);
		check(n >= 1, seen, "browse: at least one entry");
		e = find_entry(&s, canon);
		if (check(e != NULL, "not among the entries",
		    "browse: entry %s found", canon)) {
			check_names(w, e, browse_attrs, NELEM(browse_attrs));
			check_vals(w, e, "cn", V(email), 1);
			check_vals(w, e, "givenname", V("Eric"), 1);
			check_vals(w, e, "surname", V("Gruber"), 1);
			check_vals(w, e, "rfc822mailbox", V(email), 1);
			check_vals(w, e, "location", V("Seattle"), 1);
			check_vals(w, e, "comment", V("Participant"), 1);
			check_vals(w, e, "sipaddress", V("3758139584"), 1);
			check_vals(w, e, "sport", V("1503", "1720"), 2);
			check_vals(w, e, "sprotid", V("T120", "H323"), 2);
			check_vals(w, e, "sappid", V("ms-netmeeting"), 1);
			check_vals(w, e, "ilsa26214430", V("0"), 1);
			check_vals(w, e, "ilsa32833566", V("1"), 1);
			check_vals(w, e, "ilsa32964638", V("1"), 1);
		}
	}
	search_free(&s);
	do_unbind(&c);
}

static void
sc_order(void)
{
	static const char *const a1[] = { "sipaddress", "cn", "givenname" };
	static const char *const a2[] = { "GIVENNAME", "SipAddress" };
	const char *const *terms = V("objectClass", "rtPerson", "cn", NULL);
	const struct entry *e;
	struct search s;
	struct conn c;

	if (session(&c, 2, "order") < 0)
		return;
	e = the_user("order 1", search_user(&c, "order 1", terms, 4, a1,
	    NELEM(a1), &s), &s);
	if (e != NULL) {
		check_names("order 1", e, a1, NELEM(a1));
		check_vals("order 1", e, "sipaddress", V("3758139584"), 1);
		check_vals("order 1", e, "cn", V(email), 1);
		check_vals("order 1", e, "givenname", V("Eric"), 1);
	}
	search_free(&s);
	/* same connection: the server must not reuse the first list */
	if (c.fd >= 0) {
		e = the_user("order 2", search_user(&c, "order 2", terms, 4, a2,
		    NELEM(a2), &s), &s);
		if (e != NULL) {
			check_names("order 2", e, a2, NELEM(a2));
			check_vals("order 2", e, "GIVENNAME", V("Eric"), 1);
			check_vals("order 2", e, "SipAddress", V("3758139584"), 1);
		}
		search_free(&s);
	}
	do_unbind(&c);
}

static void
sc_lookup(void)
{
	static const char *const a[] = { "rfc822mailbox", "sipaddress" };
	const struct entry *e;
	struct search s;
	struct conn c;

	if (session(&c, 2, "lookup") < 0)
		return;
	/* GnomeMeeting: (&(cn=EMAIL)), an AND with a single term */
	e = the_user("lookup", search_user(&c, "lookup", V("cn", NULL), 2, a,
	    NELEM(a), &s), &s);
	if (e != NULL) {
		check_names("lookup", e, a, NELEM(a));
		check_vals("lookup", e, "rfc822mailbox", V(email), 1);
		check_vals("lookup", e, "sipaddress", V("3758139584"), 1);
	}
	search_free(&s);
	do_unbind(&c);
}

static void
sc_unregister(void)
{
	struct result r;
	struct conn c;
	int rc;

	if (session(&c, 2, "unregister") < 0)
		return;
	rc = do_delete(&c, moddn, &r);
	expect(rc, 0, &r, "unregister: delete \"%s\" resultCode 0", moddn);
	result_free(&r);
	if (rc >= 0) {
		rc = do_delete(&c, moddn, &r);
		expect(rc, 32, &r, "unregister: second delete resultCode 32 "
		    "(noSuchObject)");
		result_free(&r);
	}
	do_unbind(&c);
}

/* Read the names back over a fresh LDAPv`version` connection */
static void
latin1_read(int version, const char *given, const char *sur)
{
	static const char *const a[] = { "givenname", "surname" };
	const struct entry *e;
	struct search s;
	struct conn c;
	char w[32];

	snprintf(w, sizeof(w), "latin1 v%d", version);
	if (session(&c, version, w) < 0)
		return;
	e = the_user(w, search_user(&c, w, V("objectClass", "rtPerson", "cn",
	    NULL), 4, a, NELEM(a), &s), &s);
	if (e != NULL) {
		check_vals(w, e, "givenname", V(given), 1);
		check_vals(w, e, "surname", V(sur), 1);
	}
	search_free(&s);
	do_unbind(&c);
}

static void
sc_latin1(void)
{
	struct attrlist l = { NULL, 0 };
	struct result r;
	struct conn c;
	int rc;

	if (session(&c, 2, "latin1") < 0)
		return;
	al_adds(&l, 0, "cn", email);
	al_adds(&l, 0, "givenname", "Ren\xe9");		/* ISO-8859-1 */
	al_adds(&l, 0, "surname", "M\xfcller");
	al_adds(&l, 0, "sipaddress", "16777343");
	al_adds(&l, 0, "sflags", "1");
	rc = do_update(&c, OP_ADD_REQ, nmdn, &l, &r);
	expect(rc, 0, &r, "latin1: add with ISO-8859-1 names resultCode 0");
	result_free(&r);
	al_free(&l);
	do_unbind(&c);
	if (rc < 0)
		return;

	/* an LDAPv2 client gets its bytes back, an LDAPv3 one gets UTF-8 */
	latin1_read(2, "Ren\xe9", "M\xfcller");
	latin1_read(3, "Ren\xc3\xa9", "M\xc3\xbcller");

	if (session(&c, 2, "latin1 cleanup") < 0)
		return;
	rc = do_delete(&c, moddn, &r);
	expect(rc, 0, &r, "latin1: delete resultCode 0");
	result_free(&r);
	do_unbind(&c);
}

/* ---- ad-hoc scenarios for the test suite ---- */

static int
parse_code(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 0x7fffffff)
		die("CODE must be a non-negative integer");
	return (int)v;
}

/* the bytes that the scenario arguments from FIRST on spell in hex */
static void
parse_hex(int first, struct buf *pdu)
{
	unsigned int x;
	unsigned char ch;
	const char *p;
	int i;

	for (i = first; i < sargc; i++)
		for (p = sargv[i]; *p != '\0'; p++) {
			if (strchr(" \t\n:", *p) != NULL)
				continue;
			if (strspn(p, "0123456789abcdefABCDEF") < 2 ||
			    sscanf(p++, "%2x", &x) != 1)
				die("HEX must be pairs of hex digits");
			ch = x;
			buf_put(pdu, &ch, 1);
		}
}

static void
sc_raw(void)
{
	struct buf pdu = { NULL, 0, 0 };
	struct result r;
	struct msg m;
	struct conn c;
	int i, more = 1;

	parse_hex(0, &pdu);
	if (session(&c, 2, "raw") < 0)
		goto out;
	/* verbatim even with -L: malformed PDUs are what raw is for */
	if (send_raw(&c, pdu.p, pdu.len) < 0 || recv_msg(&c, &m) < 0) {
		check(0, errbuf, "raw: got a reply");
		goto out;
	}
	check(1, NULL, "raw: got a reply");
	for (i = 0; more && i <= MAX_ENTRIES; i++) {
		if (i > 0 && recv_msg(&c, &m) < 0) {
			printf("# %s\n", errbuf);
			break;
		}
		printf("# reply: messageID %d op 0x%02lx\n", m.msgid,
		    (unsigned long)m.op);
		more = m.op == OP_SEARCH_ENTRY || m.op == OP_SEARCH_REF;
		memset(&r, 0, sizeof(r));
		if (!more && get_result(&m, &r) == 0)
			printf("result: %d\ntext: %s\n", r.code, ESC(&r.text));
		result_free(&r);
		ber_free(m.ber, 1);
	}
	do_unbind(&c);
out:
	free(pdu.p);
	conn_close(&c);
}

/* hangup N HEX...: N connections, each sends the PDU and closes at once
 * without a bind or a wait for the reply, as a client that dies does.
 * The server's side of a request still running when its connection goes
 * is what this exercises. */
static void
sc_hangup(void)
{
	struct buf pdu = { NULL, 0, 0 };
	struct conn c;
	int i, n = parse_code(sargv[0]), sent = 0;

	parse_hex(1, &pdu);
	for (i = 0; i < n; i++) {
		conn_open(&c);
		if (send_raw(&c, pdu.p, pdu.len) == 0)
			sent++;
		conn_close(&c);
	}
	check(sent == n, errbuf, "hangup: %d of %d connections sent the PDU",
	    sent, n);
	free(pdu.p);
}

/* add-expect CODE DN ATTR[=VALUE]... and mod-expect CODE DN OP:ATTR... */
static void
sc_update(void)
{
	static const char *const ops[] = { "add:", "delete:", "replace:" };
	const char *what = variant ? "mod-expect" : "add-expect";
	struct attrlist l = { NULL, 0 };
	struct result r;
	struct conn c;
	struct val v = { NULL, 0 };
	char *arg, *eq, *name;
	int i, op = 0, code = parse_code(sargv[0]), rc;

	for (i = 2; i < sargc; i++) {
		name = arg = strdup(sargv[i]);
		for (op = 0; variant && op < NELEM(ops); op++)
			if (!strncmp(arg, ops[op], strlen(ops[op])))
				break;
		if (op == NELEM(ops))
			die("mod-expect: OP must be add:, delete: or replace:");
		if (variant)
			name += strlen(ops[op]);
		if ((eq = strchr(name, '=')) != NULL) {
			*eq++ = '\0';
			unescape(eq, strlen(eq), &v);
		}
		al_add(&l, variant ? op : 0, name, eq ? v.p : NULL, v.len);
		free(eq ? v.p : NULL);
		free(arg);
	}
	if (session(&c, 2, what) == 0) {
		rc = do_update(&c, variant ? OP_MODIFY_REQ : OP_ADD_REQ, sargv[1],
		    &l, &r);
		expect(rc, code, &r, "%s: %s \"%s\" resultCode %d", what,
		    variant ? "modify" : "add", sargv[1], code);
		if (rc >= 0)
			printf("# text: %s\n", ESC(&r.text));
		result_free(&r);
		do_unbind(&c);
	}
	al_free(&l);
}

static void
sc_modrdn(void)
{
	struct result r;
	struct conn c;
	int code = parse_code(sargv[0]), rc;

	if (session(&c, 2, "modrdn-expect") < 0)
		return;
	rc = do_moddn(&c, sargv[1], sargv[2], &r);
	expect(rc, code, &r, "modrdn-expect: modrdn \"%s\" to \"%s\" "
	    "resultCode %d", sargv[1], sargv[2], code);
	if (rc >= 0)
		printf("# text: %s\n", ESC(&r.text));
	result_free(&r);
	do_unbind(&c);
}

/* One "ATTR=VALUE" of a filter spec */
static void
parse_ava(struct filter *f, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	struct attr *a;
	struct val v;

	if (eq == NULL || eq == s)
		die("search-expect: filter items are ATTR=VALUE");
	a = al_attr(&f->items, 0, s, eq - s);
	unescape(eq + 1, len - (eq + 1 - s), &v);
	attr_val(a, v.p, v.len);
	free(v.p);
}

static void
parse_filter(const char *spec, struct filter *f)
{
	const char *p, *q;

	if (!strncmp(spec, "eq:", 3)) {
		f->type = FILTER_EQ;
		parse_ava(f, spec + 3, strlen(spec + 3));
	} else if (!strncmp(spec, "and:", 4)) {
		f->type = FILTER_AND;
		for (p = spec + 4; p != NULL; p = q ? q + 1 : NULL) {
			q = strchr(p, ',');
			parse_ava(f, p, q ? (size_t)(q - p) : strlen(p));
		}
	} else if (!strncmp(spec, "present:", 8) && spec[8] != '\0') {
		f->type = FILTER_PRESENT;
		al_attr(&f->items, 0, spec + 8, strlen(spec + 8));
	} else {
		die("search-expect: FILTER is eq:A=V, and:A=V,... or present:A");
	}
}

static void
sc_search(void)
{
	static const char *const scopes[] = { "base", "one", "sub" };
	struct filter f = { 0, { NULL, 0 } };
	const struct attr *a;
	struct search s;
	struct conn c;
	int code = parse_code(sargv[0]), scope, rc, i, j, k;

	for (scope = 0; scope < NELEM(scopes); scope++)
		if (!strcmp(sargv[2], scopes[scope]))
			break;
	if (scope == NELEM(scopes))
		die("search-expect: scope is base, one or sub");
	parse_filter(sargv[3], &f);
	if (session(&c, 2, "search-expect") < 0)
		goto out;
	rc = do_search(&c, sargv[1], scope, &f, (const char *const *)sargv + 4,
	    sargc - 4, &s);
	expect(rc, code, &s.done, "search-expect: search \"%s\" %s %s "
	    "SearchResultDone resultCode %d", sargv[1], sargv[2], sargv[3],
	    code);
	if (rc >= 0) {
		printf("# text: %s\n# entries: %d\n", ESC(&s.done.text), s.n);
		for (i = 0; i < s.n; i++) {
			printf("# dn: %s\n", ESC(&s.e[i].dn));
			for (j = 0; j < s.e[i].al.n; j++) {
				a = &s.e[i].al.a[j];
				if (a->nvals == 0)
					printf("# attr: %s (no values)\n", ESC(&a->name));
				for (k = 0; k < a->nvals; k++)
					printf("# attr: %s=%s\n", ESC(&a->name),
					    ESC(&a->vals[k]));
			}
		}
		if (s.refs > 0)
			printf("# references: %d\n", s.refs);
	}
	search_free(&s);
	do_unbind(&c);
out:
	al_free(&f.items);
}

/* ---- helpers for the client scenarios ---- */

/* Add the (name, value) rows of a table; a NULL value is `dflt` */
static void
al_table(struct attrlist *l, int op, const char *const (*t)[2], int n,
    const char *dflt)
{
	int i;

	for (i = 0; i < n; i++)
		al_adds(l, op, t[i][0], t[i][1] ? t[i][1] : dflt);
}

/*
 * An Add or Modify that must succeed; frees the list.  Once the
 * connection is lost (reported already) nothing is sent or checked.
 */
static int
update_ok(struct conn *c, const char *what, ber_tag_t op, const char *dn,
    struct attrlist *l, const char *note)
{
	struct result r;
	int rc = -1;

	if (c->fd >= 0) {
		rc = do_update(c, op, dn, l, &r);
		expect(rc, 0, &r, "%s: %s \"%s\"%s resultCode 0", what,
		    op == OP_ADD_REQ ? "add" : "modify", dn, note);
		result_free(&r);
	}
	al_free(l);
	return rc;
}

/* Modify with a single replace of name=value, which must succeed */
static int
replace_ok(struct conn *c, const char *what, const char *dn,
    const char *name, const char *value)
{
	struct attrlist l = { NULL, 0 };
	char note[160];

	snprintf(note, sizeof(note), " (replace %s=%s)", name, value);
	al_adds(&l, MOD_REPLACE, name, value);
	return update_ok(c, what, OP_MODIFY_REQ, dn, &l, note);
}

static int
delete_ok(struct conn *c, const char *what, const char *dn)
{
	struct result r;
	int rc = -1;

	if (c->fd >= 0) {
		rc = do_delete(c, dn, &r);
		expect(rc, 0, &r, "%s: delete \"%s\" resultCode 0", what, dn);
		result_free(&r);
	}
	return rc;
}

/* A filter with one item: EQ and SUB take a value, PRESENT none */
static void
filter_set(struct filter *f, int type, const char *name, const char *v)
{
	struct attr *a;

	f->type = type;
	f->items.a = NULL;
	f->items.n = 0;
	a = al_attr(&f->items, 0, name, strlen(name));
	if (v != NULL)
		attr_val(a, v, strlen(v));
}

/* The attribute spelled `name`, in any case (ci) or exactly */
static const struct attr *
get_attr(const struct entry *e, const char *name, int ci)
{
	size_t len = strlen(name);
	int i;

	for (i = 0; i < e->al.n; i++)
		if (e->al.a[i].name.len == len && (ci ?
		    strncasecmp(e->al.a[i].name.p, name, len) == 0 :
		    memcmp(e->al.a[i].name.p, name, len) == 0))
			return &e->al.a[i];
	return NULL;
}

static int
has_val_ci(const struct attr *a, const char *v)
{
	size_t len = strlen(v);
	int i;

	for (i = 0; a != NULL && i < a->nvals; i++)
		if (a->vals[i].len == len &&
		    strncasecmp(a->vals[i].p, v, len) == 0)
			return 1;
	return 0;
}

/* The first entry whose attribute `name` (any case) holds v (any case) */
static const struct entry *
find_by_val(const struct search *s, const char *name, const char *v)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (has_val_ci(get_attr(&s->e[i], name, 1), v))
			return &s->e[i];
	return NULL;
}

static int
is_decimal(const struct val *v)
{
	return v->len > 0 && v->len <= 10 &&
	    strspn(v->p, "0123456789") == v->len;
}

/* Attribute `name` (exact spelling) has the one value p[0..len) */
static void
check_bin(const char *what, const struct entry *e, const char *name,
    const void *p, size_t len)
{
	const struct attr *a = get_attr(e, name, 0);
	char seen[1200];

	if (a == NULL) {
		check(0, "attribute missing", "%s: %s = the %zu bytes sent",
		    what, name, len);
		return;
	}
	snprintf(seen, sizeof(seen), "%d values, first %zu bytes %s",
	    a->nvals, a->nvals ? a->vals[0].len : 0,
	    a->nvals ? ESC(&a->vals[0]) : "");
	check(a->nvals == 1 && a->vals[0].len == len &&
	    memcmp(a->vals[0].p, p, len) == 0, seen,
	    "%s: %s = the %zu bytes sent, byte for byte", what, name, len);
}

/* Attributes n1 and n2 (exact spellings) are both there, equal values */
static void
check_same(const char *what, const struct entry *e, const char *n1,
    const char *n2)
{
	const struct attr *a = get_attr(e, n1, 0), *b = get_attr(e, n2, 0);
	char seen[1200];
	int i, ok = a != NULL && b != NULL && a->nvals > 0 &&
	    a->nvals == b->nvals;

	for (i = 0; ok && i < a->nvals; i++)
		ok = a->vals[i].len == b->vals[i].len &&
		    memcmp(a->vals[i].p, b->vals[i].p, a->vals[i].len) == 0;
	snprintf(seen, sizeof(seen), "%s %s, %s %s", n1, a == NULL ?
	    "missing" : a->nvals ? ESC(&a->vals[0]) : "(no values)", n2,
	    b == NULL ? "missing" : b->nvals ? ESC(&b->vals[0]) :
	    "(no values)");
	check(ok, seen, "%s: %s and %s both returned with the same values",
	    what, n1, n2);
}

/* Case-insensitive: v contains the bytes of needle */
static int
val_contains_ci(const struct val *v, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= v->len; i++)
		if (strncasecmp(v->p + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Every entry has a `name` value containing needle: the filter filtered */
static void
check_all_contain(const char *what, const struct search *s, const char *name,
    const char *needle, int prefix)
{
	const struct attr *a;
	int i, j, ok;

	for (i = 0; i < s->n; i++) {
		a = get_attr(&s->e[i], name, 1);
		for (ok = 0, j = 0; a != NULL && j < a->nvals && !ok; j++)
			ok = prefix ? a->vals[j].len >= strlen(needle) &&
			    strncasecmp(a->vals[j].p, needle,
			    strlen(needle)) == 0 :
			    val_contains_ci(&a->vals[j], needle);
		if (!ok)
			break;
	}
	check(i == s->n, i < s->n ? ESC(&s->e[i].dn) : NULL,
	    "%s: every entry's %s %s \"%s\"", what, name,
	    prefix ? "begins with" : "contains", needle);
}

/* "# dn: name=value ..." for the given attributes of every entry */
static void
print_entries(const struct search *s, const char *const *names, int n)
{
	const struct attr *a;
	int i, j;

	printf("# entries: %d\n", s->n);
	for (i = 0; i < s->n; i++) {
		printf("# %s:", ESC(&s->e[i].dn));
		for (j = 0; j < n; j++) {
			a = get_attr(&s->e[i], names[j], 1);
			printf(" %s=%s", names[j], a == NULL ? "(none)" :
			    a->nvals ? ESC(&a->vals[0]) : "(no values)");
		}
		putchar('\n');
	}
}

/* ---- TAPI 3.0 Phone Dialer (MS-TAIL T5-T9, clients.md 1.3) ---- */

static const char ils_guid[] = "008aff194794cf118796444553540000";

/* T5 step 2, 12 attributes and no cn; NULL is "cn=USER" */
static const char *const tapi_app[][2] = {
	{ "ObjectClass", "rtApplicationUser" },
	{ "ObjectClass", "DynamicObject" },
	{ "UserObject", NULL },
	{ "applicationId", "ms-netmeeting" },
	{ "mimetype", "text/iuls" },
	{ "GUID", ils_guid },
	{ "protocolID", "H323" },
	{ "protocolMimeType", "text/h323" },
	{ "port", "1720" },
	{ "ILSA39321630", "4" },
	{ "ILSA26214430", "0" },
	{ "ILSA32964638", "1" },
	{ "ILSA32833566", "1" },
};

/* T5 step 4, 19 attributes and no cn */
static const char *const tapi_person[][2] = {
	{ "ObjectClass", "rtPerson" },
	{ "ObjectClass", "DynamicObject" },
	{ "ipAddress", "3808471232" },
	{ "rfc822mailbox", "egruber" },
	{ "givenName", "eric" },
	{ "surname", "gruber" },
	{ "location", "N/A" },
	{ "sflags", "1" },
	{ "c", "US" },
	{ "comment", "Generated by TAPI3" },
	{ "ssecurity", "1508109" },
	{ "smodop", "0" },
	{ "mimetype", "text/iuls" },
	{ "GUID", ils_guid },
	{ "ProtocolMimeType", "H323" },
	{ "port", "1720" },
	{ "ILSA39321630", "4" },
	{ "ILSA26214430", "0" },
	{ "ILSA32964638", "1" },
	{ "ILSA32833566", "1" },
};

/*
 * Made up, 40 bytes: a self-relative security descriptor (revision 1,
 * control SE_SELF_RELATIVE | SE_DACL_PRESENT), owner S-1-1-0 at 20 and
 * an empty DACL at 32.  NUL bytes and 0x80 on purpose: the value is
 * binary and must survive byte for byte, for LDAPv3 readers too.
 */
static const unsigned char tapi_sd[40] = {
	0x01, 0x00, 0x04, 0x80, 0x14, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* T7 step 3; NULL is "s=UID" */
static const char *const tapi_sdp[] = {
	"v=0",
	"o=administrator 3456462469 1 IN IP4 w2kils.testdomain.int",
	NULL,
	"i=A description goes here",
	"c=IN IP4 224.0.0.0/15",
	"t=3456462448 3456464248",
	"m=audio 22716 RTP/AVP 0",
	"c=IN IP4 224.2.152.239/15/1",
	"m=video 51232 RTP/AVP 34",
	"c=IN IP4 224.2.188.1/15/1",
};

static const char *const conf_attrs[] = {
	"uid", "protocolId", "conferenceBlob", "ntSecurityDescriptor",
};

static const char *const people_attrs[] = {
	"cn", "ipAddress", "ntSecurityDescriptor",
};

/*
 * Dialer offers Sicily first; the server must refuse the method with
 * authMethodNotSupported and keep the connection for an anonymous v3
 * Bind.  Returns 0 with c bound, -1 with c closed.
 */
static int
tapi_sicily(struct conn *c)
{
	struct result r;
	int rc;

	conn_open(c);
	rc = do_bind(c, 3, AUTH_SICILY_PKG, &r);
	expect(rc, 7, &r, "tapi: bind (LDAPv3, sicilyPackageDiscovery [9]) "
	    "resultCode 7 (authMethodNotSupported)");
	result_free(&r);
	if (c->fd < 0)
		return -1;
	rc = do_bind(c, 3, AUTH_SIMPLE, &r);
	expect(rc, 0, &r, "tapi: then bind (LDAPv3, simple, anonymous) on the "
	    "same connection resultCode 0");
	result_free(&r);
	if (rc != 0)
		conn_close(c);
	return rc == 0 ? 0 : -1;
}

/* T6 aftermath: cn comes from the RDN, entryTTL is a positive integer */
static void
tapi_read(struct conn *c, const char *dn)
{
	static const char *const a[] = { "cn", "entryTTL" };
	const char *w = "tapi read";
	const struct entry *e;
	const struct attr *t;
	struct filter f;
	struct search s;
	char seen[300] = "attribute missing";

	filter_set(&f, FILTER_PRESENT, "objectClass", NULL);
	e = one_entry(w, search0(c, w, dn, 0, &f, a, NELEM(a), &s), &s);
	if (e != NULL) {
		check_vals(w, e, "cn", V(email), 1);
		if ((t = get_attr(e, "entryTTL", 1)) != NULL)
			snprintf(seen, sizeof(seen), "%s with %d values, first "
			    "\"%s\"", ESC(&t->name), t->nvals,
			    t->nvals ? ESC(&t->vals[0]) : "");
		if (check(t != NULL && t->nvals == 1 && is_decimal(&t->vals[0])
		    && strtoul(t->vals[0].p, NULL, 10) > 0, seen,
		    "%s: entryTTL is one positive integer", w))
			printf("# %s: %s\n", ESC(&t->name), ESC(&t->vals[0]));
	}
	search_free(&s);
}

/* tapi [USER]: T5 registration after a refused Sicily bind, T6 refresh */
static void
sc_tapi(void)
{
	struct attrlist l = { NULL, 0 };
	char appdn[512], pdn[512], uobj[512];
	struct conn c;

	snprintf(appdn, sizeof(appdn), "cn=%s,appName=MS-NetMeeting,"
	    "ou=applications,o=Intranet", email);
	snprintf(pdn, sizeof(pdn), "cn=%s,ou=dynamic,o=Intranet", email);
	snprintf(uobj, sizeof(uobj), "cn=%s", email);

	if (tapi_sicily(&c) < 0 && session(&c, 3, "tapi") < 0)
		return;
	al_table(&l, 0, tapi_app, NELEM(tapi_app), uobj);
	update_ok(&c, "tapi", OP_ADD_REQ, appdn, &l,
	    " (rtApplicationUser, 12 attributes, no cn)");
	replace_ok(&c, "tapi", appdn, "EntryTTL", "1800");
	al_table(&l, 0, tapi_person, NELEM(tapi_person), NULL);
	update_ok(&c, "tapi", OP_ADD_REQ, pdn, &l,
	    " (rtPerson, 19 attributes, no cn)");
	replace_ok(&c, "tapi", pdn, "EntryTTL", "1800");
	do_unbind(&c);

	/* T6: a later connection refreshes both; 180000 is clamped */
	if (session(&c, 3, "tapi T6") < 0)
		return;
	replace_ok(&c, "tapi T6", appdn, "EntryTTL", "1800");
	replace_ok(&c, "tapi T6", pdn, "EntryTTL", "180000");
	tapi_read(&c, pdn);
	do_unbind(&c);
}

/* The conference entry of T7: protocolId, the SD and the SDP blob */
static void
conf_attrlist(struct attrlist *l, const char *sdp)
{
	al_adds(l, 0, "ObjectClass", "RTConference");
	al_adds(l, 0, "ObjectClass", "DynamicObject");
	al_adds(l, 0, "protocolId", "IP Conference");
	al_add(l, 0, "ntSecurityDescriptor", (const char *)tapi_sd,
	    sizeof(tapi_sd));
	al_adds(l, 0, "conferenceBlob", sdp);
}

/* T8: the conference comes back exactly; no person is listed */
static void
conf_find(const char *sdp, const char *tmpdn)
{
	const char *w = "tapi-conf T8";
	const struct entry *e;
	struct filter f;
	struct search s;
	struct conn c;
	int i;

	if (session(&c, 3, w) < 0)
		return;
	filter_set(&f, FILTER_PRESENT, "uid", NULL);
	if (search0(&c, w, "ou=dynamic, o=Intranet", 1, &f, conf_attrs,
	    NELEM(conf_attrs), &s) >= 0) {
		printf("# entries: %d\n", s.n);
		e = find_by_val(&s, "uid", email);
		if (check(e != NULL, "not among the entries",
		    "%s: conference uid=%s found", w, email)) {
			check_names(w, e, conf_attrs, NELEM(conf_attrs));
			check_vals(w, e, "uid", V(email), 1);
			check_vals(w, e, "protocolId", V("IP Conference"), 1);
			check_bin(w, e, "conferenceBlob", sdp, strlen(sdp));
			check_bin(w, e, "ntSecurityDescriptor", tapi_sd,
			    sizeof(tapi_sd));
		}
		for (i = 0; i < s.n && get_attr(&s.e[i], "uid", 1); i++)
			;
		check(i == s.n, i < s.n ? ESC(&s.e[i].dn) : NULL,
		    "%s: every entry has a uid (no person listed)", w);
		check(find_entry(&s, tmpdn) == NULL, "still listed",
		    "%s: the access-check entry %s is gone", w, tmpdn);
	}
	search_free(&s);
	do_unbind(&c);
}

/* tapi-conf [UID]: T7 access check and conference, T8 listing */
static void
sc_tapi_conf(void)
{
	struct attrlist l = { NULL, 0 };
	struct buf sdp = { NULL, 0, 0 };
	const char *w = "tapi-conf", *line;
	char tmpdn[64], dn[512], mdn[512];
	struct conn c;
	int i;

	for (i = 0; i < NELEM(tapi_sdp); i++) {
		line = tapi_sdp[i];
		if (i > 0)
			buf_put(&sdp, "\r\n", 2);
		if (line == NULL) {
			buf_put(&sdp, "s=", 2);
			line = email;
		}
		buf_put(&sdp, line, strlen(line));
	}
	buf_put(&sdp, "", 1);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	snprintf(tmpdn, sizeof(tmpdn), "uid=%d,ou=dynamic,o=Intranet",
	    10000 + rand() % 90000);
	snprintf(dn, sizeof(dn), "Uid=%s,ou=dynamic,o=Intranet", email);
	snprintf(mdn, sizeof(mdn), "uid=%s,ou=dynamic,o=Intranet", email);

	if (session(&c, 3, w) < 0)
		goto out;
	/* the access check: a throw-away conference */
	al_adds(&l, 0, "ObjectClass", "RTConference");
	al_adds(&l, 0, "ObjectClass", "DynamicObject");
	al_add(&l, 0, "ntSecurityDescriptor", (const char *)tapi_sd,
	    sizeof(tapi_sd));
	update_ok(&c, w, OP_ADD_REQ, tmpdn, &l, " (access check, binary SD)");
	replace_ok(&c, w, tmpdn, "entryTTL", "300");
	delete_ok(&c, w, tmpdn);
	conf_attrlist(&l, (char *)sdp.p);
	update_ok(&c, w, OP_ADD_REQ, dn, &l, " (no uid or cn attribute)");
	replace_ok(&c, w, mdn, "EntryTTL", "600");
	do_unbind(&c);
	conf_find((char *)sdp.p, tmpdn);
out:
	free(sdp.p);
}

/* People with the attribute checks Dialer relies on */
static void
tapi_person_check(const char *what, const struct search *s, const char *name)
{
	const struct entry *e = find_by_val(s, "cn", name);
	const struct attr *a;
	char seen[300] = "attribute missing";

	if (!check(e != NULL, "not among the entries", "%s: entry cn=%s found",
	    what, name))
		return;
	if ((a = get_attr(e, "ipAddress", 0)) != NULL)
		snprintf(seen, sizeof(seen), "%d values, first \"%s\"",
		    a->nvals, a->nvals ? ESC(&a->vals[0]) : "");
	check(a != NULL && a->nvals == 1 && is_decimal(&a->vals[0]), seen,
	    "%s: cn=%s has ipAddress, one decimal value", what, name);
}

/* tapi-find NAME... (cn=*) and tapi-find-prefix PREFIX NAME (cn=PREFIX*) */
static void
sc_tapi_find(void)
{
	const char *w = variant ? "tapi-find-prefix" : "tapi-find";
	struct filter f;
	struct search s;
	struct conn c;
	int i;

	if (session(&c, 3, w) < 0)
		return;
	if (variant)
		filter_set(&f, FILTER_SUB, "cn", sargv[0]);
	else
		filter_set(&f, FILTER_PRESENT, "cn", NULL);
	if (search0(&c, w, "ou=dynamic,o=Intranet", 1, &f, people_attrs,
	    NELEM(people_attrs), &s) >= 0) {
		print_entries(&s, people_attrs, 2);
		for (i = variant; i < sargc; i++)
			tapi_person_check(w, &s, sargv[i]);
		if (variant)
			check_all_contain(w, &s, "cn", sargv[0], 1);
	}
	search_free(&s);
	do_unbind(&c);
}

/* ---- NetMeeting: listing, hidden users, 2.x, smodop ---- */

/* nm-find NAME IP: T3 lists NAME; nm-hidden NAME: only a lookup finds it */
static void
sc_nm_find(void)
{
	static const char *const a[] = { "cn", "sipaddress" };
	const char *w = variant ? "nm-hidden" : "nm-find", *name = sargv[0];
	const struct entry *e;
	struct search s;
	struct conn c;
	char lw[64];

	if (session(&c, 2, w) < 0)
		return;
	if (search_user(&c, w, V("objectClass", "rtPerson", "cn", "%",
	    "sappid", "ms-netmeeting", "sprotid", "h323"), 8, a, NELEM(a),
	    &s) >= 0) {
		print_entries(&s, a, NELEM(a));
		e = find_by_val(&s, "cn", name);
		if (variant)
			check(e == NULL, e ? ESC(&e->dn) : NULL,
			    "%s: browse does not list %s", w, name);
		else if (check(e != NULL, "not among the entries",
		    "%s: browse lists %s", w, name))
			check_vals(w, e, "sipaddress", V(sargv[1]), 1);
	}
	search_free(&s);
	do_unbind(&c);
	if (!variant)
		return;
	snprintf(lw, sizeof(lw), "%s lookup", w);
	if (session(&c, 2, lw) < 0)
		return;
	e = one_entry(lw, search_user(&c, lw, V("objectClass", "rtPerson",
	    "cn", name), 4, a, NELEM(a), &s), &s);
	if (e != NULL)
		check(has_val_ci(get_attr(e, "cn", 0), name), ESC(&e->dn),
		    "%s: the entry has cn %s", lw, name);
	search_free(&s);
	do_unbind(&c);
}

static const char *const nm2_add[][2] = {
	{ "cn", NULL },
	{ "givenname", "Old" },
	{ "surname", "Timer" },
	{ "rfc822mailbox", NULL },
	{ "c", "US" },
	{ "sipaddress", "16777343" },
	{ "sflags", "1" },
	{ "sttl", "5" },
	{ "sappid", "ms-netmeeting" },
	{ "sprotid", "h323" },
	{ "sport", "1720" },
};

/* NetMeeting 2.x's keep-alive: (sttl=5) finds the user, sttl read back */
static void
nm2_keepalive(struct conn *c)
{
	static const char *const a[] = { "cn", "sttl" };
	const struct entry *e;
	struct search s;

	e = the_user("nm2 keepalive", search_user(c, "nm2 keepalive",
	    V("objectClass", "rtPerson", "cn", NULL, "sttl", "5"), 6, a,
	    NELEM(a), &s), &s);
	if (e != NULL) {
		check_names("nm2 keepalive", e, a, NELEM(a));
		check_vals("nm2 keepalive", e, "sttl", V("5"), 1);
	}
	search_free(&s);
	do_unbind(c);
}

/* nm2 [EMAIL]: NetMeeting 2.x DN form, sttl in the Add; its three
 * connections (register, keep-alive, unregister) one by one as
 * nm2-register, nm2-keepalive and nm2-unregister (variant 1, 2, 4), so
 * that a replica can be shown each step's result */
static void
sc_nm2(void)
{
	const char *w = "nm2";
	struct attrlist l = { NULL, 0 };
	struct conn c;
	char dn[512];
	int steps = variant ? variant : 7;

	snprintf(dn, sizeof(dn), "C=US, O=Microsoft, CN=%s, "
	    "OBJECTCLASS=rtperson", email);
	if ((steps & 1) && session(&c, 2, w) == 0) {
		al_table(&l, 0, nm2_add, NELEM(nm2_add), email);
		update_ok(&c, w, OP_ADD_REQ, dn, &l, " (11 attributes, sttl=5)");
		do_unbind(&c);
	}
	if ((steps & 2) && session(&c, 2, "nm2 keepalive") == 0)
		nm2_keepalive(&c);
	if ((steps & 4) && session(&c, 2, "nm2 unregister") == 0) {
		delete_ok(&c, "nm2 unregister", dn);
		do_unbind(&c);
	}
}

/* lookup by cn: the application data is there (sappid...) or not */
static void
modop_lookup(const char *what, int present)
{
	static const char *const a[] = { "sappid", "sprotid", "sport", "cn" };
	const struct entry *e;
	struct search s;
	struct conn c;
	int i;

	if (session(&c, 2, what) < 0)
		return;
	e = the_user(what, search_user(&c, what, V("objectClass", "rtPerson",
	    "cn", NULL), 4, a, NELEM(a), &s), &s);
	if (e != NULL) {
		check_vals(what, e, "cn", V(email), 1);
		if (present) {
			check_vals(what, e, "sappid", V("ms-netmeeting"), 1);
			check_vals(what, e, "sprotid", V("H323"), 1);
			check_vals(what, e, "sport", V("1720"), 1);
		}
		for (i = 0; !present && i < 3; i++)
			check(get_attr(e, a[i], 1) == NULL, "returned",
			    "%s: no %s", what, a[i]);
	}
	search_free(&s);
	do_unbind(&c);
}

/* modop [EMAIL]: smodop=1 removes the application data, smodop=0 adds */
static void
sc_modop(void)
{
	struct attrlist l = { NULL, 0 };
	struct conn c;

	register_user("modop register", MOD_ADD);
	if (session(&c, 2, "modop 1") < 0)
		return;
	replace_ok(&c, "modop 1", moddn, "smodop", "1");
	do_unbind(&c);
	modop_lookup("modop 1 lookup", 0);

	if (session(&c, 2, "modop 0") < 0)
		return;
	al_adds(&l, MOD_REPLACE, "smodop", "0");
	al_adds(&l, MOD_ADD, "sappid", "ms-netmeeting");
	al_adds(&l, MOD_ADD, "sprotid", "H323");
	al_adds(&l, MOD_ADD, "sport", "1720");
	update_ok(&c, "modop 0", OP_MODIFY_REQ, moddn, &l,
	    " (smodop=0, add sappid, sprotid, sport)");
	do_unbind(&c);
	modop_lookup("modop 0 lookup", 1);

	if (session(&c, 2, "modop unregister") < 0)
		return;
	delete_ok(&c, "modop unregister", moddn);
	do_unbind(&c);
}

/* ---- GnomeMeeting / Ekiga (clients.md 1.4) ---- */

/* ils_nm_reg.xml step 2; NULL is the e-mail address */
static const char *const gm_add[][2] = {
	{ "objectclass", "rtperson" },
	{ "cn", NULL },
	{ "sipaddress", "3232235786" },
	{ "givenname", "Gnome" },
	{ "surname", "Meeting" },
	{ "rfc822mailbox", NULL },
	{ "location", "-" },
	{ "comment", "-" },
	{ "ilsa32833566", "1" },
	{ "ilsa32964638", "1" },
	{ "ilsa26214430", "0" },
	{ "sappid", "GnomeMeeting" },
	{ "sflags", "1" },
};

/* ils_nm_reg.xml step 3, every item a replace */
static const char *const gm_mod[][2] = {
	{ "sappid", "GnomeMeeting" },
	{ "ilsa26279966", "16908288" },
	{ "sappguid", ils_guid },
	{ "sprotid", "h323" },
	{ "sprotmimetype", "text/h323" },
	{ "sport", "1720" },
};

/* ils_nm_mod.xml: everything, cn and objectclass included; busy now */
static const char *const gm_upd[][2] = {
	{ "objectclass", "rtperson" },
	{ "cn", NULL },
	{ "sipaddress", "3232235786" },
	{ "givenname", "Gnome" },
	{ "surname", "Meeting" },
	{ "rfc822mailbox", NULL },
	{ "location", "-" },
	{ "comment", "-" },
	{ "ilsa32833566", "1" },
	{ "ilsa32964638", "1" },
	{ "ilsa26214430", "1" },
	{ "sappid", "GnomeMeeting" },
	{ "sflags", "1" },
	{ "ilsa26279966", "16908288" },
	{ "sappguid", ils_guid },
	{ "sprotid", "h323" },
	{ "sprotmimetype", "text/h323" },
	{ "sport", "1720" },
};

/* GnomeMeeting 0.9x: one Add carries everything, re-sent every 20 min */
static const char *const gm09_add[][2] = {
	{ "cn", NULL },
	{ "objectclass", "rtperson" },
	{ "sappid", "GnomeMeeting" },
	{ "sprotid", "h323" },
	{ "sipaddress", "3232235786" },
	{ "givenname", "Gnome" },
	{ "surname", "Meeting" },
	{ "rfc822mailbox", NULL },
	{ "comment", "-" },
	{ "location", "-" },
	{ "ilsa32833566", "1" },
	{ "ilsa26214430", "0" },
	{ "ilsa32964638", "1" },
	{ "sport", "1720" },
	{ "sflags", "1" },
	{ "ilsa26279966", "16908288" },
};

/* gnome [EMAIL]: the XDAP register, update and 0.9x re-Add; no Delete */
static void
sc_gnome(void)
{
	static const char *const a[] = {
		"rfc822mailbox", "sipaddress", "ilsa26214430",
	};
	const char *w = "gnome";
	struct attrlist l = { NULL, 0 };
	const struct entry *e;
	struct search s;
	struct result r;
	struct conn c;
	char dn[512], seen[300];
	int rc;

	snprintf(dn, sizeof(dn), "c=-,o=Gnome,cn=%s,objectclass=RTPerson",
	    email);
	if (session(&c, 2, w) < 0)
		return;
	/* ils_nm_reg.xml: Delete (whatever the result), Add, Modify */
	rc = do_delete(&c, dn, &r);
	snprintf(seen, sizeof(seen), "resultCode %d, text \"%s\"", rc,
	    ESC(&r.text));
	check(rc == 0 || rc == 32, rc < 0 ? errbuf : seen, "%s: delete \"%s\" "
	    "resultCode 0 or 32", w, dn);
	if (rc >= 0)
		printf("# delete: resultCode %d\n", rc);
	result_free(&r);
	al_table(&l, 0, gm_add, NELEM(gm_add), email);
	update_ok(&c, w, OP_ADD_REQ, dn, &l, " (13 attributes)");
	al_table(&l, MOD_REPLACE, gm_mod, NELEM(gm_mod), email);
	update_ok(&c, w, OP_MODIFY_REQ, dn, &l, " (replace application data)");
	do_unbind(&c);

	if (session(&c, 2, "gnome update") < 0)
		return;
	al_table(&l, MOD_REPLACE, gm_upd, NELEM(gm_upd), email);
	update_ok(&c, "gnome update", OP_MODIFY_REQ, dn, &l,
	    " (replace all, cn and objectclass too)");
	do_unbind(&c);

	/* GnomeMeeting 0.9x refresh: the same Add again, no Delete */
	if (session(&c, 2, "gnome re-add") < 0)
		return;
	al_table(&l, 0, gm09_add, NELEM(gm09_add), email);
	update_ok(&c, "gnome re-add", OP_ADD_REQ, dn, &l,
	    " (existing registration)");
	do_unbind(&c);

	if (session(&c, 2, "gnome lookup") < 0)
		return;
	e = the_user("gnome lookup", search_terms(&c, "gnome lookup",
	    "objectClass=RTPerson", 0, V("cn", NULL), 2, a, NELEM(a), &s), &s);
	if (e != NULL) {
		check_names("gnome lookup", e, a, NELEM(a));
		check_vals("gnome lookup", e, "rfc822mailbox", V(email), 1);
		check_vals("gnome lookup", e, "sipaddress", V("3232235786"), 1);
		/* the re-Add replaced the update's ilsa26214430=1 */
		check_vals("gnome lookup", e, "ilsa26214430", V("0"), 1);
	}
	search_free(&s);
	do_unbind(&c);
}

static const char *const ekiga_attrs[] = {
	"cn", "sappid", "info", "rfc822mailbox", "mail", "surname", "sn",
	"givenname", "location", "comment", "description", "l",
	"localityname", "ilsa26214430", "ilsa26279966", "sipaddress", "sport",
	"xstatus",
};

/* One Ekiga address-book search; the user must be among the entries */
static void
ekiga_find(const char *what, const char *base, int scope,
    const char *const *terms, int nterms, const char *attr, const char *part)
{
	const struct entry *e;
	struct search s;
	struct conn c;

	if (session(&c, 2, what) < 0)
		return;
	if (search_terms(&c, what, base, scope, terms, nterms, ekiga_attrs,
	    NELEM(ekiga_attrs), &s) >= 0) {
		print_entries(&s, V("sn", "mail"), 2);
		e = find_by_val(&s, "cn", email);
		if (check(e != NULL, "not among the entries",
		    "%s: entry cn=%s found", what, email)) {
			check_same(what, e, "surname", "sn");
			check_same(what, e, "rfc822mailbox", "mail");
		}
		if (attr != NULL)
			check_all_contain(what, &s, attr, part, 0);
	}
	search_free(&s);
	do_unbind(&c);
}

/* ekiga NAME EMAIL: the (sn=%NAME%) and (mail=%PART%) searches, base "" */
static void
sc_ekiga(void)
{
	const char *name = sargv[0], *part;
	char sn[512], mail[512];

	set_email(sargv[1]);
	part = strchr(email, '@') ? strchr(email, '@') + 1 : email;
	snprintf(sn, sizeof(sn), "%%%s%%", name);
	snprintf(mail, sizeof(mail), "%%%s%%", part);
	ekiga_find("ekiga sn", "", 2, V("cn", "%", "sn", sn), 4, "sn", name);
	ekiga_find("ekiga mail", "", 2, V("cn", "%", "mail", mail), 4, "mail",
	    part);
	ekiga_find("ekiga base", "objectClass=rtPerson", 0, V("cn", "%"), 2,
	    NULL, NULL);
}

/* ---- PTLib PILSSession (clients.md 1.5) ---- */

/* RTPerson as AddPerson sends it; NULL is the e-mail address */
static const char *const pt_person[][2] = {
	{ "objectClass", "RTPerson" },
	{ "cn", NULL },
	{ "surname", "Lib" },
	{ "givenName", "Pt" },
	{ "rfc822Mailbox", NULL },
	{ "location", "Here" },
	{ "comment", "PTLib" },
	{ "sipAddress", "167880896" },
	{ "sport", "1503 1720" },	/* PTLib writes a list as one value */
	{ "sflags", "0" },
	{ "ssecurity", "0" },
	{ "smodop", "0" },
	{ "sttl", "3600" },
	{ "sprotid", "t120h323" },
	{ "sappid", "ptlib-test" },
	{ "sappguid", "none" },
	{ "timestamp", "1700000000" },
};

/*
 * SearchPerson: (cn=EMAIL), subtree, all attributes; PTLib gives up on
 * more than one entry.  It reads sipAddress (or, with any, ipAddress)
 * and sport by name, in any case.
 */
static void
pt_search(struct conn *c, const char *what, const char *ip, int any)
{
	const struct entry *e;
	const struct attr *a;
	struct filter f;
	struct search s;
	char seen[300] = "attribute missing";
	int n;

	filter_set(&f, FILTER_EQ, "cn", email);
	n = search0(c, what, "objectClass=RTPerson", 2, &f, NULL, 0, &s);
	e = any ? one_entry(what, n, &s) : the_user(what, n, &s);
	if (e != NULL) {
		if ((a = get_attr(e, "sipAddress", 1)) == NULL && any)
			a = get_attr(e, "ipAddress", 1);
		if (a != NULL)
			snprintf(seen, sizeof(seen), "%s with %d values, first "
			    "\"%s\"", ESC(&a->name), a->nvals,
			    a->nvals ? ESC(&a->vals[0]) : "");
		check(a != NULL && a->nvals == 1 && val_is(&a->vals[0], ip),
		    seen, "%s: %s = %s", what, any ? "sipAddress or ipAddress" :
		    "sipAddress", ip);
		/* OPAL's callto: takes the first sport that is not 1503 */
		if (!any)
			check(has_val_ci(get_attr(e, "sport", 1), "1720"),
			    "no sport 1720", "%s: sport has 1720", what);
	}
	search_free(&s);
}

/* pt_person with sflags 1 (listed) when listed, comment as given */
static void
pt_table(const char *(*t)[2], int listed, const char *comment)
{
	int i;

	for (i = 0; i < NELEM(pt_person); i++) {
		t[i][0] = pt_person[i][0];
		t[i][1] = pt_person[i][1];
		if (listed && !strcmp(t[i][0], "sflags"))
			t[i][1] = "1";
		if (comment != NULL && !strcmp(t[i][0], "comment"))
			t[i][1] = comment;
	}
}

/* ptlib [EMAIL]: AddPerson, ModifyPerson, SearchPerson on one session;
 * ptlib-listed [EMAIL] the same with sflags 1 */
static void
sc_ptlib(void)
{
	const char *w = variant ? "ptlib-listed" : "ptlib";
	const char *t[NELEM(pt_person)][2];
	struct attrlist l = { NULL, 0 };
	struct conn c;
	char dn[512];

	snprintf(dn, sizeof(dn), "cn=%s, objectClass=RTPerson", email);
	pt_table(t, variant, NULL);
	if (session(&c, 2, w) < 0)
		return;
	al_table(&l, 0, (const char *const (*)[2])t, NELEM(pt_person), email);
	update_ok(&c, w, OP_ADD_REQ, dn, &l, " (AddPerson, 17 attributes)");
	al_table(&l, MOD_REPLACE, (const char *const (*)[2])t, NELEM(pt_person), email);
	update_ok(&c, w, OP_MODIFY_REQ, dn, &l,
	    " (ModifyPerson, replace all 17)");
	if (c.fd >= 0)
		pt_search(&c, "ptlib SearchPerson", "167880896", 0);
	do_unbind(&c);
}

/* ptlib-lookup EMAIL IP: SearchPerson alone, as OPAL's callto: does */
static void
sc_ptlib_lookup(void)
{
	struct conn c;

	set_email(sargv[0]);
	if (session(&c, 2, "ptlib-lookup") < 0)
		return;
	pt_search(&c, "ptlib-lookup", sargv[1], 1);
	do_unbind(&c);
}

/*
 * PTLib's record of the one entry SearchPerson found, as PTLib reads it:
 * the DN it names the person by is built from the record's first
 * objectClass value ("cn=EMAIL, objectClass=<it>").  What PTLib wrote
 * itself reads back too: sttl (PT_STTL, written in the Add) and the two
 * ports and protocols of its lists (PT_LISTS).
 */
#define PT_STTL		1
#define PT_LISTS	2

static int
pt_record(struct conn *c, const char *what, char *dn, size_t dnlen, int own)
{
	const struct entry *e;
	const struct attr *a;
	struct filter f;
	struct search s;
	char seen[300];
	long ttl = -1;
	int n, ok = 0;

	filter_set(&f, FILTER_EQ, "cn", email);
	n = search0(c, what, "objectClass=RTPerson", 2, &f, NULL, 0, &s);
	if ((e = the_user(what, n, &s)) != NULL) {
		a = get_attr(e, "objectClass", 1);
		snprintf(seen, sizeof(seen), "%s", a == NULL ? "no objectClass" :
		    a->nvals ? ESC(&a->vals[0]) : "no values");
		ok = check(a != NULL && a->nvals > 0 && a->vals[0].len == 8 &&
		    !strncasecmp(a->vals[0].p, "rtPerson", 8), seen,
		    "%s: the first objectClass value is rtPerson", what);
		if (ok)
			snprintf(dn, dnlen, "cn=%s, objectClass=%s", email,
			    ESC(&a->vals[0]));
		a = get_attr(e, "sttl", 1);
		if (a != NULL && a->nvals == 1 && is_decimal(&a->vals[0]))
			ttl = strtol(a->vals[0].p, NULL, 10);
		snprintf(seen, sizeof(seen), "%s", a == NULL ? "no sttl" :
		    a->nvals ? ESC(&a->vals[0]) : "no values");
		if (own & PT_STTL)
			check(ttl >= 1 && ttl <= 3600, seen, "%s: sttl reads "
			    "back in minutes, from 1 to the 3600 written", what);
		if (own & PT_LISTS) {
			check_vals(what, e, "sport", V("1503", "1720"), 2);
			check_vals(what, e, "sprotid", V("t120", "h323"), 2);
		}
	}
	search_free(&s);
	return ok ? 0 : -1;
}

/* ptlib-update EMAIL: PTLib changes and then deletes a person it read
 * and had registered, naming it as its record says (pt_record);
 * ptlib-update-other EMAIL: the same for another client's registration,
 * which has PTLib's values only after the Modify */
static void
sc_ptlib_update(void)
{
	const char *w = variant ? "ptlib-update-other" : "ptlib-update";
	int own = variant ? 0 : PT_STTL | PT_LISTS;
	const char *t[NELEM(pt_person)][2];
	struct attrlist l = { NULL, 0 };
	struct search s;
	struct filter f;
	struct conn c;
	char dn[512], seen[64], rw[64];
	int n;

	set_email(sargv[0]);
	if (session(&c, 2, w) < 0)
		return;
	if (pt_record(&c, w, dn, sizeof(dn), own) == 0) {
		pt_table(t, 1, "PTLib modified");
		al_table(&l, MOD_REPLACE, (const char *const (*)[2])t, NELEM(pt_person), email);
		update_ok(&c, w, OP_MODIFY_REQ, dn, &l,
		    " (ModifyPerson of the record read, replace all 17)");
		snprintf(rw, sizeof(rw), "%s reread", w);
		if (pt_record(&c, rw, dn, sizeof(dn), own | PT_LISTS) == 0)
			delete_ok(&c, w, dn);
		filter_set(&f, FILTER_EQ, "cn", email);
		n = search0(&c, w, "objectClass=RTPerson", 2, &f, NULL, 0, &s);
		snprintf(seen, sizeof(seen), "%d entries", n);
		if (n >= 0)
			check(n == 0, seen, "%s: SearchPerson finds nothing "
			    "after DeletePerson", w);
		search_free(&s);
	}
	do_unbind(&c);
}

/* a comma-separated list as vals (at most max); their number */
static int
split_commas(char *list, const char **vals, int max)
{
	int n = 0;
	char *p;

	for (p = strtok(list, ","); p != NULL && n < max; p = strtok(NULL, ","))
		vals[n++] = p;
	return n;
}

/* nm-lists NAME PORTS PROTOCOLS: NetMeeting's T3 browse lists NAME with
 * exactly these sport and sprotid values (comma-separated), in order */
static void
sc_nm_lists(void)
{
	const char *w = "nm-lists", *ports[16], *protos[16];
	const struct entry *e;
	struct search s;
	struct conn c;
	int nports = split_commas(sargv[1], ports, NELEM(ports));
	int nprotos = split_commas(sargv[2], protos, NELEM(protos));

	if (session(&c, 2, w) < 0)
		return;
	if (search_user(&c, w, V("objectClass", "rtPerson", "cn", "%",
	    "sappid", "ms-netmeeting", "sprotid", "h323"), 8, browse_attrs,
	    NELEM(browse_attrs), &s) >= 0) {
		e = find_by_val(&s, "cn", sargv[0]);
		if (check(e != NULL, "not among the entries",
		    "%s: browse lists %s", w, sargv[0])) {
			check_vals(w, e, "sport", ports, nports);
			check_vals(w, e, "sprotid", protos, nprotos);
		}
	}
	search_free(&s);
	do_unbind(&c);
}

/* ---- main ---- */

static const struct scenario {
	const char *name;
	void (*fn)(void);
	int variant, min, max;		/* argument counts; max < 0: no limit */
	const char *dflt;		/* the EMAIL/ID when none is given */
} scenarios[] = {
	{ "register", sc_register, 0, 0, 1, NULL },
	{ "register-replace", sc_register, 1, 0, 1, NULL },
	{ "keepalive", sc_keepalive, 0, 0, 1, NULL },
	{ "keepalive-absent", sc_keepalive, 1, 0, 1, NULL },
	{ "browse", sc_browse, 0, 0, 1, NULL },
	{ "order", sc_order, 0, 0, 1, NULL },
	{ "lookup", sc_lookup, 0, 0, 1, NULL },
	{ "unregister", sc_unregister, 0, 0, 1, NULL },
	{ "latin1", sc_latin1, 0, 0, 1, NULL },
	{ "raw", sc_raw, 0, 1, -1, NULL },
	{ "hangup", sc_hangup, 0, 2, -1, NULL },
	{ "add-expect", sc_update, 0, 2, -1, NULL },
	{ "mod-expect", sc_update, 1, 2, -1, NULL },
	{ "search-expect", sc_search, 0, 4, -1, NULL },
	{ "modrdn-expect", sc_modrdn, 0, 3, 3, NULL },
	{ "tapi", sc_tapi, 0, 0, 1, "egruber]w2kils.testdomain.int" },
	{ "tapi-conf", sc_tapi_conf, 0, 0, 1, "Demo Conference" },
	{ "tapi-find", sc_tapi_find, 0, 1, -1, NULL },
	{ "tapi-find-prefix", sc_tapi_find, 1, 2, 2, NULL },
	{ "nm-find", sc_nm_find, 0, 2, 2, NULL },
	{ "nm-hidden", sc_nm_find, 1, 1, 1, NULL },
	{ "nm2", sc_nm2, 0, 0, 1, "nm2@example.org" },
	{ "nm2-register", sc_nm2, 1, 0, 1, "nm2@example.org" },
	{ "nm2-keepalive", sc_nm2, 2, 0, 1, "nm2@example.org" },
	{ "nm2-unregister", sc_nm2, 4, 0, 1, "nm2@example.org" },
	{ "modop", sc_modop, 0, 0, 1, NULL },
	{ "gnome", sc_gnome, 0, 0, 1, "gm@example.org" },
	{ "ekiga", sc_ekiga, 0, 2, 2, NULL },
	{ "ptlib", sc_ptlib, 0, 0, 1, "pt@example.org" },
	{ "ptlib-listed", sc_ptlib, 1, 0, 1, "pt@example.org" },
	{ "ptlib-lookup", sc_ptlib_lookup, 0, 2, 2, NULL },
	{ "ptlib-update", sc_ptlib_update, 0, 1, 1, NULL },
	{ "ptlib-update-other", sc_ptlib_update, 1, 1, 1, NULL },
	{ "nm-lists", sc_nm_lists, 0, 3, 3, NULL },
	{ NULL, NULL, 0, 0, 0, NULL }
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ilswire [-L] [-v] [-b source] -H host -p port SCENARIO [args]\n"
	    "  register|register-replace|keepalive|keepalive-absent|browse|\n"
	    "      order|lookup|unregister|latin1 [EMAIL]\n"
	    "  raw HEX... | hangup N HEX...\n"
	    "  add-expect CODE DN [ATTR[=VALUE]...]\n"
	    "  mod-expect CODE DN [add|delete|replace:ATTR[=VALUE]...]\n"
	    "  search-expect CODE BASE base|one|sub FILTER [ATTR...]\n"
	    "      FILTER: eq:A=V | and:A=V,A=V,... | present:A\n"
	    "  modrdn-expect CODE DN NEWRDN\n"
	    "  tapi [USER] | tapi-conf [UID] | tapi-find NAME... |\n"
	    "      tapi-find-prefix PREFIX NAME\n"
	    "  nm-find NAME IP | nm-hidden NAME | nm-lists NAME PORTS PROTOCOLS\n"
	    "  nm2|modop|gnome|ptlib|ptlib-listed [EMAIL]\n"
	    "  ekiga NAME EMAIL | ptlib-lookup EMAIL IP |\n"
	    "      ptlib-update|ptlib-update-other EMAIL\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct scenario *s;
	int ch;

	/* "+": stop at the scenario name; its arguments are not options */
	while ((ch = getopt(argc, argv, "+LvH:p:b:")) != -1) {
		switch (ch) {
		case 'b': source = optarg; break;
		case 'L': opt_long = 1; break;
		case 'v': opt_verbose = 1; break;
		case 'H': host = optarg; break;
		case 'p': port = optarg; break;
		default: usage();
		}
	}
	if (host == NULL || port == NULL || optind >= argc)
		usage();
	for (s = scenarios; s->name != NULL; s++)
		if (!strcmp(s->name, argv[optind]))
			break;
	sargc = argc - optind - 1;
	sargv = argv + optind + 1;
	if (s->name == NULL || sargc < s->min || (s->max >= 0 && sargc > s->max))
		usage();
	if (s->max == 1 && sargc == 1)
		set_email(sargv[0]);
	else
		set_email(s->dflt != NULL ? s->dflt : email);

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	variant = s->variant;
	s->fn();
	printf("# %d checks, %d failed\n", nchecks, nfail);
	/* a scenario that checked nothing proved nothing */
	if (nchecks == 0)
		printf("not ok - %s: no check ran\n", s->name);
	return nfail || nchecks == 0 ? 1 : 0;
}
