/* webtext.c - unit tests of ils-web's text.c: what it makes of the bytes
 * an ILS server hands back, and the escaping of everything it prints.
 * Any other ILS server than back-ils may return NetMeeting's ISO-8859-1
 * bytes as they were written; back-ils converts them itself, so only
 * this test sees ils-web's own conversion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ils-web.h"

static int failed;

static void
check(int cond, const char *what)
{
	printf("%s - webtext: %s\n", cond ? "ok" : "not ok", what);
	failed += !cond;
}

static void
utf8_is(const char *in, size_t n, const char *want, const char *what)
{
	char *got = text_utf8(in, n);

	check(got != NULL && !strcmp(got, want), what);
	free(got);
}

static void
esc_is(void (*f)(struct buf *, const char *), const char *in,
	const char *want, const char *what)
{
	struct buf b = { NULL, 0, 0 };

	buf_add(&b, "", 0);
	f(&b, in);
	check(!strcmp(b.s, want), what);
	buf_free(&b);
}

static void
uri(struct buf *b, const char *s)
{
	uri_esc(b, s, "@");
}

int
main(void)
{
	struct buf b = { NULL, 0, 0 };

	utf8_is("Ren\xe9 M\xfcller", 11, "Ren\xc3\xa9 M\xc3\xbcller",
	    "ISO-8859-1 is converted to UTF-8");
	utf8_is("Ren\xc3\xa9", 6, "Ren\xc3\xa9", "UTF-8 stays as it is");
	utf8_is("\xc0\xaf", 2, "\xc3\x80\xc2\xaf",
	    "an overlong form is not UTF-8: read as ISO-8859-1");
	utf8_is("\xed\xa0\x80", 3, "\xc3\xad\xc2\xa0\xc2\x80",
	    "a surrogate is not UTF-8: read as ISO-8859-1");
	utf8_is("\xc3", 1, "\xc3\x83", "a cut sequence is read as ISO-8859-1");
	utf8_is("ab\0cd", 5, "ab", "a NUL ends the value");
	esc_is(html_esc, "<script>&\"'", "&lt;script&gt;&amp;&quot;&#39;",
	    "HTML special characters are escaped");
	esc_is(html_esc, "a\x1b[2Jb", "a\xef\xbf\xbd[2Jb",
	    "a control character shows as U+FFFD");
	esc_is(uri, "a b\"<>]%@x", "a%20b%22%3C%3E%5D%25@x",
	    "URIs are percent-encoded but for unreserved and kept characters");
	buf_add(&b, "", 0);
	html_esc_cut(&b, "\xc3\xa9\xc3\xa9\xc3\xa9", 2);
	check(!strcmp(b.s, "\xc3\xa9\xc3\xa9\xe2\x80\xa6"),
	    "a cut counts characters, not bytes, and ends in an ellipsis");
	buf_free(&b);
	return failed != 0;
}
