/*
 * kind.c - what kind of input a file is: a raw message (EML), an HTML
 * template or a plain text template.
 *
 * In: the file name (may be NULL) and its bytes.  Out: SL_KIND_EML when
 * the file opens with a header block that names a known message field (or
 * an mbox "From " line), SL_KIND_HTML when it opens with markup or holds a
 * known HTML tag; otherwise the extension decides, and SL_KIND_TEXT is the
 * default.  Limits: only the first KIND_SCAN bytes and KIND_LINES header
 * lines are looked at; the decision needs no more, so nothing is reported.
 */
#include "internal.h"

/* A header block longer than this is still a header block; the verdict is
 * made on what was seen. */
#define KIND_SCAN  ((size_t)16 << 10)
#define KIND_LINES ((size_t)200)

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Does p[0..n) equal the lower-case lit, ignoring ASCII case? */
static int ieq(const unsigned char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (n != k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (lower(p[i]) != (unsigned char)lit[i])
			return 0;
	return 1;
}

static const char *const known_fields[] = {
	"from", "to", "cc", "bcc", "subject", "date", "message-id",
	"mime-version", "content-type", "content-transfer-encoding",
	"received", "return-path", "delivered-to", "reply-to", "sender",
	"in-reply-to", "references", "dkim-signature", "list-unsubscribe",
	"list-unsubscribe-post", "list-id", "authentication-results",
	"arc-seal", "precedence", "user-agent",
};

static int known_field(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < sizeof known_fields / sizeof *known_fields; i++)
		if (ieq(p, n, known_fields[i]))
			return 1;
	/* X-Mailer, X-Campaign-Id, ... */
	return n > 2 && lower(p[0]) == 'x' && p[1] == '-';
}

/* Length of a field name ending at a colon on the line [p, end): printable
 * ASCII but the colon (RFC 5322 ftext), optional blanks before the colon
 * (obsolete syntax).  0 if the line is not a header field. */
static size_t field_name_len(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *c = memchr(p, ':', (size_t)(end - p));
	if (!c)
		return 0;
	const unsigned char *e = c;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (const unsigned char *q = p; q < e; q++)
		if (*q < 33 || *q > 126)
			return 0;
	return (size_t)(e - p);
}

/* 2: a header block with a known field or an mbox line; 1: a header
 * block of unknown fields; 0: not a header block. */
static int eml_score(const unsigned char *p, size_t len)
{
	const unsigned char *s = p, *end = p + (len < KIND_SCAN ? len : KIND_SCAN);
	size_t fields = 0, lines = 0;
	int known = 0, mbox = 0;
	if (end - s >= 5 && !memcmp(s, "From ", 5)) {
		const unsigned char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			return 0;
		s = nl + 1;
		mbox = 1;
	}
	/* a UTF-8 byte order mark before the header (some exporters write
	 * one) does not make the message a template */
	if (end - s >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		s += 3;
	while (s < end && lines++ < KIND_LINES) {
		const unsigned char *nl = memchr(s, '\n', (size_t)(end - s));
		const unsigned char *e = nl ? nl : end;
		if (e > s && e[-1] == '\r' && nl)
			e--;
		if (e == s)
			break; /* the blank line that ends the header */
		if (*s == ' ' || *s == '\t') {
			if (!fields)
				return 0;
		} else {
			size_t n = field_name_len(s, e);
			if (!n) {
				/* a line that is no field: after known fields, the
				 * header simply ends there (a missing blank line) */
				if (known && fields >= 2)
					break;
				return 0;
			}
			if (known_field(s, n))
				known = 1;
			fields++;
		}
		s = nl ? nl + 1 : end;
	}
	if (!fields)
		return 0;
	return known || mbox ? 2 : 1;
}

static const char *const html_tags[] = {
	"html", "head", "body", "table", "tbody", "tr", "td", "th", "div",
	"span", "p", "br", "a", "img", "style", "meta", "title", "center",
	"font", "strong", "b", "i", "em", "u", "hr", "ul", "ol", "li", "h1",
	"h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "link", "section",
	"header", "footer", "main", "article", "button", "mjml", "mj-body",
};

/* Is a known HTML tag name at p (just after '<' or '</'), followed by
 * a blank, '>' or '/'? */
static int html_tag_at(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q = p;
	while (q < end && (is_alpha(*q) || (*q >= '0' && *q <= '9') || *q == '-'))
		q++;
	if (q == p || q == end)
		return 0;
	if (!(*q == '>' || *q == '/' || *q == ' ' || *q == '\t' || *q == '\r' ||
	      *q == '\n'))
		return 0;
	for (size_t i = 0; i < sizeof html_tags / sizeof *html_tags; i++)
		if (ieq(p, (size_t)(q - p), html_tags[i]))
			return 1;
	return 0;
}

/* 2: opens with markup; 1: holds a known tag early on; 0: neither. */
static int html_score(const unsigned char *p, size_t len)
{
	const unsigned char *s = p, *end = p + (len < KIND_SCAN ? len : KIND_SCAN);
	if (end - s >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		s += 3;
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' ||
	                   *s == '\f'))
		s++;
	if (end - s >= 2 && *s == '<' &&
	    (s[1] == '!' || s[1] == '?' || html_tag_at(s + 1, end)))
		return 2;
	for (const unsigned char *q = s; q < end;) {
		const unsigned char *lt = memchr(q, '<', (size_t)(end - q));
		if (!lt)
			break;
		q = lt + 1;
		if (q < end && *q == '/')
			q++;
		if (html_tag_at(q, end))
			return 1;
	}
	return 0;
}

int kind_opens_with_markup(const unsigned char *p, size_t len)
{
	return html_score(p, len) == 2;
}

/* Does name end in one of the extensions (each with its dot)? */
static int has_ext(const char *name, const char *const *exts, size_t n)
{
	if (!name)
		return 0;
	const char *dot = strrchr(name, '.');
	if (!dot || strchr(dot, '/'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (ieq((const unsigned char *)dot, strlen(dot), exts[i]))
			return 1;
	return 0;
}

static const char *const eml_exts[] = { ".eml", ".msg", ".mbox", ".mime", ".mbx" };
static const char *const html_exts[] = { ".html", ".htm", ".xhtml", ".mjml" };

sl_kind kind_detect(const char *name, const unsigned char *p, size_t len)
{
	int eml_ext = has_ext(name, eml_exts, sizeof eml_exts / sizeof *eml_exts);
	int html_ext = has_ext(name, html_exts, sizeof html_exts / sizeof *html_exts);
	int e = eml_score(p, len);
	if (e == 2)
		return SL_KIND_EML;
	if (html_score(p, len))
		return SL_KIND_HTML;
	if (eml_ext)
		return SL_KIND_EML;
	if (html_ext)
		return SL_KIND_HTML;
	return SL_KIND_TEXT;
}
