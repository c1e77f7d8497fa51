/*
 * header.c - the header kind: predicates over the message's own header
 * fields (the root part's).
 *
 * In: `scope: header:NAME` (or `scope: message` with `header: NAME`),
 * `test:` absent | present | multiple | empty | matches | not-matches |
 * invalid-address | invalid-date | domain-differs | 8bit, with `pattern:`
 * (and `flags:`) for matches/not-matches and `against: NAME` for
 * domain-differs.  Out: hits; a hit spans the field, except absent (a
 * point at the end of the header block: just past the root's last field, 0 for a
 * template) and matches (the first match in the decoded value).
 *
 * Templates have no header fields: these rules run on them only with
 * templates_have_headers.  Syntax checks work on the unfolded raw value
 * (RFC 5322 3.4 address lists with RFC 6532 UTF-8, 3.3 date-time with the
 * obsolete forms of 4.3); comments nest at most CFWS_DEPTH deep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "internal.h"

/* Real comments do not nest; deeper than this is hostile. */
#define CFWS_DEPTH 32

enum {
	HT_ABSENT, HT_PRESENT, HT_MULTIPLE, HT_EMPTY, HT_MATCHES, HT_NOT_MATCHES,
	HT_INVALID_ADDRESS, HT_INVALID_DATE, HT_DOMAIN_DIFFERS, HT_8BIT, HT_N
};

static const char *const test_names[HT_N] = {
	"absent", "present", "multiple", "empty", "matches", "not-matches",
	"invalid-address", "invalid-date", "domain-differs", "8bit",
};

typedef struct hrule {
	int test;
	const char *name;       /* the field name */
	sl_regex *re;
	const char *against;
} hrule;

void header_rule_release(sl_rule *rule)
{
	hrule *hr = rule->data;
	if (hr)
		regex_free(hr->re);
}

static int header_compile(sl_loader *L, sl_rule *rule, sl_ynode *map)
{
	hrule *hr = arena_zalloc(&L->ctx->arena, sizeof *hr);
	int rc = 0;
	rule->data = hr;
	hr->test = -1;
	sl_ynode *n = ynode_get(map, "header");
	if (rule->scope == SL_SC_HEADER) {
		hr->name = rule->header;
		if (n) {
			load_error(L, n, "'header' is given by the scope header:%s already",
			           rule->header ? rule->header : "");
			rc = -1;
		}
	} else if (rule->scope == SL_SC_MESSAGE) {
		if (!n) {
			load_error(L, ynode_get(map, "scope"), "a header rule with scope message needs 'header'");
			rc = -1;
		} else if (ynode_str(L, n, &hr->name) < 0) {
			rc = -1;
		}
	} else {
		load_error(L, ynode_get(map, "scope"),
		           "scope '%s' is not allowed for a header rule (use header:NAME)",
		           scope_name(rule->scope));
		rc = -1;
	}
	n = ynode_get(map, "test");
	const char *t;
	if (!n) {
		load_error(L, NULL, "a header rule needs 'test'");
		return -1;
	}
	if (ynode_str(L, n, &t) < 0)
		return -1;
	for (int i = 0; i < HT_N; i++)
		if (!strcmp(t, test_names[i]))
			hr->test = i;
	if (hr->test < 0) {
		load_error(L, n, "unknown header test '%s'", t);
		return -1;
	}
	sl_ynode *pat = ynode_get(map, "pattern");
	sl_ynode *fl = ynode_get(map, "flags");
	sl_ynode *ag = ynode_get(map, "against");
	if (hr->test == HT_MATCHES || hr->test == HT_NOT_MATCHES) {
		const char *flags = NULL;
		if (fl && ynode_str(L, fl, &flags) < 0)
			rc = -1;
		if (!pat) {
			load_error(L, n, "test '%s' needs 'pattern'", t);
			rc = -1;
		} else if (rc == 0 && !(hr->re = regex_compile(L, pat, flags))) {
			rc = -1;
		}
	} else if (pat || fl) {
		load_error(L, pat ? pat : fl, "'%s' applies to tests matches and not-matches only",
		           pat ? "pattern" : "flags");
		rc = -1;
	}
	if (hr->test == HT_DOMAIN_DIFFERS) {
		if (!ag) {
			load_error(L, n, "test domain-differs needs 'against'");
			rc = -1;
		} else if (ynode_str(L, ag, &hr->against) < 0) {
			rc = -1;
		}
	} else if (ag) {
		load_error(L, ag, "'against' applies to test domain-differs only");
		rc = -1;
	}
	static const char *const dd_names[] = { "domain", "against" };
	if (rule_check_templates(L, rule, map, dd_names,
	                         hr->test == HT_DOMAIN_DIFFERS ? 2 : 0) < 0)
		rc = -1;
	return rc;
}

static int header_link(sl_loader *L, sl_context *ctx)
{
	(void)L;
	(void)ctx;
	return 0;
}

/* --- RFC 5322 lexing ------------------------------------------------------- */

typedef struct lex {
	const unsigned char *p, *end;
	const char *err;        /* first problem, static or arena */
	sl_arena *a;
} lex;

static int is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip folding white space and (nested) comments. */
static void skip_cfws(lex *x)
{
	while (x->p < x->end) {
		if (is_wsp(*x->p)) {
			x->p++;
			continue;
		}
		if (*x->p != '(')
			return;
		int depth = 0;
		while (x->p < x->end) {
			unsigned char c = *x->p++;
			if (c == '\\' && x->p < x->end) {
				x->p++;
			} else if (c == '(') {
				if (++depth > CFWS_DEPTH) {
					x->err = "comments nested too deeply";
					x->p = x->end;
					return;
				}
			} else if (c == ')') {
				if (--depth == 0)
					break;
			}
		}
		if (depth > 0 && !x->err)
			x->err = "unterminated comment";
	}
}

static int is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL || c >= 0x80;
}

/* An atom: its length (0 if none here). */
static size_t atom(lex *x)
{
	const unsigned char *s = x->p;
	while (x->p < x->end && *x->p && is_atext(*x->p))
		x->p++;
	return (size_t)(x->p - s);
}

/* A quoted string starting at '"': 1, or 0 with err set. */
static int quoted(lex *x)
{
	x->p++;
	while (x->p < x->end) {
		unsigned char c = *x->p++;
		if (c == '\\' && x->p < x->end)
			x->p++;
		else if (c == '"')
			return 1;
	}
	x->err = "unterminated quoted string";
	return 0;
}

/* word = atom / quoted-string, after CFWS.  1 if one was read. */
static int word(lex *x)
{
	skip_cfws(x);
	if (x->p < x->end && *x->p == '"')
		return quoted(x);
	return atom(x) > 0;
}

static int peek(lex *x, int c)
{
	skip_cfws(x);
	return x->p < x->end && *x->p == c;
}

/* "<pre> 'c'<post>" about the character at at. */
static void set_err(lex *x, const char *pre, const unsigned char *at, const char *post)
{
	if (x->err)
		return;
	if (at && at < x->end) {
		if (*at >= 0x20 && *at < 0x7f)
			x->err = arena_printf(x->a, "%s '%c'%s", pre, *at, post);
		else
			x->err = arena_printf(x->a, "%s byte 0x%02x%s", pre, *at, post);
	} else {
		x->err = "unexpected end of the field";
	}
}

/* domain = dot-atom / domain-literal; the lower-cased domain into *dom. */
static int domain(lex *x, const char **dom)
{
	skip_cfws(x);
	if (x->p < x->end && *x->p == '[') {
		const unsigned char *s = x->p;
		while (x->p < x->end && *x->p != ']')
			x->p++;
		if (x->p == x->end) {
			x->err = "unterminated domain literal";
			return 0;
		}
		x->p++;
		*dom = str_lower_dup(x->a, (sl_str){ (const char *)s, (size_t)(x->p - s) });
		return 1;
	}
	const unsigned char *s = x->p;
	for (;;) {
		if (!atom(x)) {
			if (x->p == s)
				x->err = "empty domain";
			else
				x->err = "empty label in the domain";
			return 0;
		}
		if (x->p < x->end && *x->p == '.') {
			x->p++;
			continue;
		}
		break;
	}
	*dom = str_lower_dup(x->a, (sl_str){ (const char *)s, (size_t)(x->p - s) });
	return 1;
}

/* After a local part: "@" domain. */
static int at_domain(lex *x, const char **dom)
{
	if (!peek(x, '@')) {
		set_err(x, "missing '@' before", x->p, "");
		if (x->p >= x->end && !x->err)
			x->err = "missing '@'";
		return 0;
	}
	x->p++;
	return domain(x, dom);
}

/* local-part "@" domain, where the first word may already have been read
 * (local runs from s). */
static int addr_rest(lex *x, const char **dom)
{
	while (peek(x, '.')) {
		x->p++;
		if (!word(x)) {
			if (!x->err)
				x->err = "empty part in the local part";
			return 0;
		}
	}
	return at_domain(x, dom);
}

/* mailbox = name-addr / addr-spec.  1 ok; 0 with x->err. */
static int mailbox(lex *x, const char **dom, int *group)
{
	size_t nwords = 0;
	int dots = 0;
	*group = 0;
	for (;;) {
		skip_cfws(x);
		if (x->err)
			return 0;
		if (x->p >= x->end)
			break;
		if (*x->p == '.') {
			dots = 1;
			x->p++;
			continue;
		}
		if (*x->p == '"' || is_atext(*x->p)) {
			if (!word(x))
				return 0;
			nwords++;
			continue;
		}
		break;
	}
	if (x->p < x->end && *x->p == '<') {
		x->p++;
		/* obs-route: "@a,@b:" */
		skip_cfws(x);
		if (x->p < x->end && *x->p == '@') {
			while (x->p < x->end && *x->p != ':' && *x->p != '>')
				x->p++;
			if (x->p < x->end && *x->p == ':')
				x->p++;
		}
		if (!word(x)) {
			if (!x->err)
				x->err = peek(x, '>') ? "empty address '<>'" : "empty local part";
			return 0;
		}
		if (!addr_rest(x, dom))
			return 0;
		if (!peek(x, '>')) {
			set_err(x, "missing '>' before", x->p, "");
			return 0;
		}
		x->p++;
		return 1;
	}
	if (x->p < x->end && *x->p == ':') {
		if (!nwords) {
			x->err = "group without a name";
			return 0;
		}
		*group = 1;
		x->p++;
		return 1;
	}
	if (x->p < x->end && *x->p == '@') {
		if (!nwords) {
			x->err = "empty local part";
			return 0;
		}
		if (nwords > 1 && !dots) {
			x->err = "spaces in the local part (a display name needs <...> around the address)";
			return 0;
		}
		return at_domain(x, dom);
	}
	if (!nwords) {
		set_err(x, "unexpected", x->p, "");
		return 0;
	}
	x->err = "missing '@'";
	return 0;
}

/* address-list (groups allowed).  *dom: the first address's domain. */
static int address_list(lex *x, const char **dom)
{
	int in_group = 0, any = 0;
	*dom = NULL;
	skip_cfws(x);
	if (x->p >= x->end) {
		x->err = "empty address";
		return 0;
	}
	while (x->p < x->end) {
		skip_cfws(x);
		if (x->err)
			return 0;
		if (x->p < x->end && (*x->p == ',' || (in_group && *x->p == ';'))) {
			if (*x->p == ';')
				in_group = 0;
			x->p++;
			continue; /* obs-addr-list: empty elements */
		}
		if (x->p >= x->end)
			break;
		const char *d = NULL;
		int group;
		if (!mailbox(x, &d, &group))
			return 0;
		if (group) {
			if (in_group) {
				x->err = "group inside a group";
				return 0;
			}
			in_group = 1;
			continue;
		}
		any = 1;
		if (!*dom)
			*dom = d;
		skip_cfws(x);
		if (x->p < x->end && *x->p != ',' && !(in_group && *x->p == ';')) {
			set_err(x, "unexpected", x->p, " after an address");
			return 0;
		}
	}
	if (x->err)
		return 0;
	if (in_group) {
		x->err = "group not closed with ';'";
		return 0;
	}
	(void)any;
	return 1;
}

/* --- RFC 5322 date-time ---------------------------------------------------- */

static const char *const days[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
static const char *const months[12] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};

static int digits(lex *x, int min, int max, long *v)
{
	skip_cfws(x);
	int n = 0;
	*v = 0;
	while (x->p < x->end && *x->p >= '0' && *x->p <= '9' && n < max + 1) {
		*v = *v * 10 + (*x->p - '0');
		x->p++;
		n++;
	}
	return n >= min && n <= max;
}

/* A 3-letter name from list (case-insensitive); its index or -1. */
static int name3(lex *x, const char *const *list, int n)
{
	skip_cfws(x);
	if (x->end - x->p < 3)
		return -1;
	char s[4];
	for (int i = 0; i < 3; i++)
		s[i] = (char)(x->p[i] | 0x20);
	s[3] = 0;
	for (int i = 0; i < n; i++) {
		if (!memcmp(s, list[i], 3)) {
			x->p += 3;
			return i;
		}
	}
	return -1;
}

static int leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Day of the week (0 = Sunday) of a Gregorian date (Sakamoto's method). */
static int weekday(long y, int m, long d)
{
	static const int t[12] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	if (m < 3)
		y -= 1;
	return (int)((y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7);
}

static const char *const obs_zones[] = {
	"ut", "gmt", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt",
};

static int date_time(lex *x)
{
	skip_cfws(x);
	int dow = -1;
	if (x->p < x->end && !(*x->p >= '0' && *x->p <= '9')) {
		dow = name3(x, days, 7);
		if (dow < 0) {
			x->err = "unknown day name";
			return 0;
		}
		if (!peek(x, ',')) {
			x->err = "missing ',' after the day name";
			return 0;
		}
		x->p++;
	}
	long d, y, hh, mm, ss = 0;
	if (!digits(x, 1, 2, &d) || d < 1) {
		x->err = "invalid day of the month";
		return 0;
	}
	int mon = name3(x, months, 12);
	if (mon < 0) {
		x->err = "unknown month name";
		return 0;
	}
	skip_cfws(x);
	const unsigned char *ys = x->p;
	if (!digits(x, 2, 9, &y)) {
		x->err = "invalid year";
		return 0;
	}
	size_t ylen = (size_t)(x->p - ys);
	if (ylen == 2)
		y += y < 50 ? 2000 : 1900; /* obs-year, RFC 5322 4.3 */
	else if (ylen == 3)
		y += 1900;
	else if (y < 1900) {
		x->err = "year before 1900";
		return 0;
	}
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (d > mdays[mon] + (mon == 1 && leap(y))) {
		x->err = arena_printf(x->a, "day %ld does not exist in %s", d, months[mon]);
		return 0;
	}
	if (!digits(x, 1, 2, &hh) || hh > 23 || !peek(x, ':')) {
		x->err = "invalid hour";
		return 0;
	}
	x->p++;
	if (!digits(x, 1, 2, &mm) || mm > 59) {
		x->err = "invalid minute";
		return 0;
	}
	if (peek(x, ':')) {
		x->p++;
		if (!digits(x, 1, 2, &ss) || ss > 60) {
			x->err = "invalid second";
			return 0;
		}
	}
	skip_cfws(x);
	if (x->p < x->end && (*x->p == '+' || *x->p == '-')) {
		x->p++;
		long z;
		const unsigned char *zs = x->p;
		if (!digits(x, 4, 4, &z) || x->p - zs != 4 || z % 100 > 59) {
			x->err = "invalid time zone offset";
			return 0;
		}
	} else {
		const unsigned char *zs = x->p;
		while (x->p < x->end && ((*x->p | 0x20) >= 'a' && (*x->p | 0x20) <= 'z'))
			x->p++;
		size_t zl = (size_t)(x->p - zs);
		int ok = 0;
		for (size_t i = 0; i < sizeof obs_zones / sizeof *obs_zones && !ok; i++)
			ok = zl == strlen(obs_zones[i]) && !strncasecmp((const char *)zs, obs_zones[i], zl);
		if (zl == 1 && (*zs | 0x20) != 'j')
			ok = 1; /* military zones */
		if (!ok) {
			x->err = zl ? "unknown time zone" : "missing time zone";
			return 0;
		}
	}
	skip_cfws(x);
	if (x->err)
		return 0;
	if (x->p < x->end) {
		set_err(x, "unexpected", x->p, " after the date");
		return 0;
	}
	if (dow >= 0 && weekday(y, mon + 1, d) != dow) {
		x->err = arena_printf(x->a, "the %ld %s %ld is not a %s", d, months[mon], y, days[dow]);
		return 0;
	}
	return 1;
}

/* --- registrable domains ---------------------------------------------------- */

/* Second-level labels under which registrations sit one level lower. */
static const char *const short_slds[] = {
	"co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk",
	"sch.uk", "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "org.nz",
	"net.nz", "co.jp", "ne.jp", "or.jp", "ac.jp", "co.za", "org.za", "com.br",
	"net.br", "org.br", "com.mx", "com.ar", "com.cn", "net.cn", "org.cn", "com.tw",
	"com.hk", "co.in", "net.in", "org.in", "co.il", "com.sg", "com.my", "co.kr",
	"com.tr", "co.id", "com.ph", "com.vn", "com.ua", "com.pl", "co.th",
};

/* The last two labels of d, or three under a short second level. */
static const char *registrable(const char *d)
{
	size_t n = strlen(d);
	while (n && d[n - 1] == '.')
		n--; /* a trailing root dot */
	const char *dots[3] = { NULL, NULL, NULL };
	int k = 0;
	for (size_t i = n; i-- > 0 && k < 3;)
		if (d[i] == '.')
			dots[k++] = d + i;
	if (k < 1)
		return d;
	const char *two = k >= 2 ? dots[1] + 1 : d;
	for (size_t i = 0; i < sizeof short_slds / sizeof *short_slds; i++) {
		size_t sl = strlen(short_slds[i]);
		if ((size_t)(d + n - two) == sl && !strncmp(two, short_slds[i], sl))
			return k >= 3 ? dots[2] + 1 : d;
	}
	return two;
}

static int same_registrable(const char *a, const char *b)
{
	const char *x = registrable(a), *y = registrable(b);
	size_t nx = strlen(x), ny = strlen(y);
	while (nx && x[nx - 1] == '.')
		nx--;
	while (ny && y[ny - 1] == '.')
		ny--;
	return nx == ny && !strncmp(x, y, nx);
}

/* --- running ----------------------------------------------------------------- */

static const sl_text *field_text(sl_result *r, const sl_header *h)
{
	sl_text *t = arena_zalloc(&r->arena, sizeof *t);
	size_t end = h->end <= r->len ? h->end : r->len;
	size_t off = h->off <= end ? h->off : end;
	text_identity(t, &r->arena, (const char *)r->src, off, end - off);
	return t;
}

static sl_hit *field_hit(sl_run *run, const sl_rule *rule, const sl_header *h)
{
	const sl_text *t = field_text(run->r, h);
	return run_hit(run, rule, t, 0, t->len, -1, -1);
}

static const char *first_domain(sl_result *r, const sl_header *h)
{
	lex x = { (const unsigned char *)h->raw.p,
	          (const unsigned char *)h->raw.p + h->raw.len, NULL, &r->arena };
	const char *dom = NULL;
	if (!address_list(&x, &dom))
		return NULL;
	return dom;
}

static void header_rule_run(sl_run *run, const sl_rule *rule)
{
	sl_result *r = run->r;
	const hrule *hr = rule->data;
	const sl_part *root = r->doc.root;
	if (!root || !hr->name || hr->test < 0)
		return;
	size_t count = part_header_count(root, hr->name);
	if (hr->test == HT_ABSENT) {
		if (count)
			return;
		/* just past the last field: where the missing one would go */
		size_t at = r->doc.kind == SL_KIND_EML && root->nhdr ? root->hdr[root->nhdr - 1].end : 0;
		sl_text *t = arena_zalloc(&r->arena, sizeof *t);
		text_identity(t, &r->arena, (const char *)r->src, at, 0);
		sl_hit *h = run_hit(run, rule, t, 0, 0, -1, -1);
		h->value = 0;
		h->match = hr->name;
		return;
	}
	if (hr->test == HT_MULTIPLE) {
		if (count < 2)
			return;
		const sl_header *first = NULL;
		for (size_t i = 0; i < root->nhdr; i++) {
			const sl_header *f = &root->hdr[i];
			if (!str_ieq(f->name, hr->name))
				continue;
			if (!first) {
				first = f;
				continue;
			}
			sl_hit *h = field_hit(run, rule, f);
			h->value = (double)count;
			size_t line, col;
			source_linecol(r, first->off, &line, &col);
			h->note = arena_printf(&r->arena, "the first '%.*s' field is on line %zu",
			                       (int)first->name.len, first->name.p, line);
			return;
		}
		return;
	}
	const sl_header *against = NULL;
	const char *against_dom = NULL;
	if (hr->test == HT_DOMAIN_DIFFERS) {
		against = part_header(root, hr->against);
		if (!against || !(against_dom = first_domain(r, against)))
			return;
	}
	void *md = hr->re ? regex_md_new(hr->re, &r->arena) : NULL;
	int limited = 0;
	for (size_t i = 0; i < root->nhdr && !run_full(run, rule); i++) {
		const sl_header *f = &root->hdr[i];
		if (!str_ieq(f->name, hr->name))
			continue;
		switch (hr->test) {
		case HT_PRESENT: {
			sl_hit *h = field_hit(run, rule, f);
			h->value = (double)count;
			break;
		}
		case HT_EMPTY:
			if (str_trim((sl_str){ f->raw.p, f->raw.len }).len == 0)
				field_hit(run, rule, f);
			break;
		case HT_MATCHES:
		case HT_NOT_MATCHES: {
			size_t start = 0, m0, m1;
			int rc = regex_next(hr->re, md, f->value.p, f->value.len, &start, &m0, &m1);
			if (rc < 0) {
				if (!limited)
					diag_input(r, "input/limit-regex", SL_WARNING,
					           text_whole(&f->value),
					           "pattern of rule '%s' reached the regex limit (match limit %zu); this field is not checked",
					           rule->id, r->lim.regex_match);
				limited = 1;
			} else if (rc == 1 && hr->test == HT_MATCHES) {
				run_hit(run, rule, &f->value, m0, m1, -1, -1);
			} else if (rc == 0 && hr->test == HT_NOT_MATCHES) {
				field_hit(run, rule, f);
			}
			break;
		}
		case HT_INVALID_ADDRESS: {
			lex x = { (const unsigned char *)f->raw.p,
			          (const unsigned char *)f->raw.p + f->raw.len, NULL, &r->arena };
			const char *dom;
			if (!address_list(&x, &dom)) {
				sl_hit *h = field_hit(run, rule, f);
				h->note = arena_printf(&r->arena, "%s", x.err ? x.err : "invalid address");
			}
			break;
		}
		case HT_INVALID_DATE: {
			lex x = { (const unsigned char *)f->raw.p,
			          (const unsigned char *)f->raw.p + f->raw.len, NULL, &r->arena };
			if (!date_time(&x)) {
				sl_hit *h = field_hit(run, rule, f);
				h->note = arena_printf(&r->arena, "%s", x.err ? x.err : "invalid date");
			}
			break;
		}
		case HT_DOMAIN_DIFFERS: {
			const char *dom = first_domain(r, f);
			if (dom && !same_registrable(dom, against_dom)) {
				sl_hit *h = field_hit(run, rule, f);
				const char **v = arena_array(&r->arena, 4, sizeof *v);
				v[0] = "domain";
				v[1] = registrable(dom);
				v[2] = "against";
				v[3] = registrable(against_dom);
				h->var = v;
				h->nvar = 2;
				h->note = arena_printf(&r->arena, "'%s' here, '%s' in %s",
				                       registrable(dom), registrable(against_dom),
				                       hr->against);
			}
			break;
		}
		case HT_8BIT: {
			size_t end = f->end <= r->len ? f->end : r->len;
			for (size_t k = f->off; k < end; k++) {
				if (r->src[k] >= 0x80) {
					sl_hit *h = field_hit(run, rule, f);
					h->note = "raw 8-bit bytes in a header field need RFC 2047 encoding (or SMTPUTF8, RFC 6532)";
					break;
				}
			}
			break;
		}
		default:
			break;
		}
	}
}

static void header_run(sl_run *run)
{
	const sl_context *ctx = run->ctx;
	sl_result *r = run->r;
	if (r->doc.kind != SL_KIND_EML && !ctx->opts.templates_have_headers)
		return;
	for (size_t i = 0; i < ctx->nrule; i++) {
		const sl_rule *rule = ctx->rule[i];
		if (rule->kind == SL_RK_HEADER && rule_on(ctx, rule) && rule->data)
			header_rule_run(run, rule);
	}
}

const sl_kind_ops header_ops = { "header", header_compile, header_link, header_run };
