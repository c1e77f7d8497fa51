/*
 * header.c - the header kind: predicates over the message's own header
 * fields (the root part's), and over its parts' Content-Type.
 *
 * In: `scope: header:NAME` (or `scope: message` with `header: NAME`, where
 * NAME may be `*`: every field but those listed in `except:`), `test:`
 * absent | present | multiple | empty | matches | not-matches |
 * invalid-address | invalid-date | invalid-msg-id | domain-differs | 8bit |
 * no-display-name | person-name | multiple-addresses | charset-missing |
 * unsigned-fields, with `pattern:` (and `flags:`) for matches/not-matches,
 * `against: NAME` for domain-differs, `words:` (organisation words) for
 * person-name and `fields:` for unsigned-fields.  Out: hits; a hit spans
 * the field, except absent (a point at the end of the header block: just
 * past the root's last field, 0 for a template), matches (the first match
 * in the decoded value), the address tests (the mailbox or display name
 * concerned), charset-missing (the part's Content-Type field) and
 * unsigned-fields (the value of the DKIM-Signature's h= tag).
 *
 * Templates have no header fields: these rules run on them only with
 * templates_have_headers (charset-missing never: a template has no
 * Content-Type).  Syntax checks work on the unfolded raw value (RFC 5322
 * 3.4 address lists with RFC 6532 UTF-8, 3.3 date-time with the obsolete
 * forms of 4.3, 3.6.4 msg-id; RFC 6376 3.2 tag lists); display names are
 * read from the RFC 2047-decoded value through the source map, never
 * decoded twice.  Comments nest at most CFWS_DEPTH deep; every loop is
 * bounded by the value's length, which mime.c bounds by header_line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "internal.h"

/* Real comments do not nest; deeper than this is hostile. */
#define CFWS_DEPTH 32
/* A display name a reader takes for a person's: at most this many words
 * (given names, family names), initials not counted. */
#define PERSON_WORDS_MAX 3
/* A display name word or domain label longer than this is no name. */
#define NAME_WORD_MAX 64

enum {
	HT_ABSENT, HT_PRESENT, HT_MULTIPLE, HT_EMPTY, HT_MATCHES, HT_NOT_MATCHES,
	HT_INVALID_ADDRESS, HT_INVALID_DATE, HT_DOMAIN_DIFFERS, HT_8BIT,
	HT_INVALID_MSG_ID, HT_NO_DISPLAY_NAME, HT_PERSON_NAME,
	HT_MULTIPLE_ADDRESSES, HT_CHARSET_MISSING, HT_UNSIGNED_FIELDS, HT_N
};

static const char *const test_names[HT_N] = {
	"absent", "present", "multiple", "empty", "matches", "not-matches",
	"invalid-address", "invalid-date", "domain-differs", "8bit",
	"invalid-msg-id", "no-display-name", "person-name",
	"multiple-addresses", "charset-missing", "unsigned-fields",
};

/* Tests that look at one field at a time, so `header: '*'` makes sense. */
static int per_field(int test)
{
	return test != HT_ABSENT && test != HT_MULTIPLE && test != HT_DOMAIN_DIFFERS &&
	       test != HT_CHARSET_MISSING && test != HT_UNSIGNED_FIELDS;
}

/* The placeholders each test fills besides the common ones. */
static size_t test_vars(int test, const char *const **out)
{
	static const char *const dd[] = { "domain", "against" };
	static const char *const nd[] = { "address" };
	static const char *const pn[] = { "name", "domain" };
	static const char *const cm[] = { "type" };
	static const char *const uf[] = { "missing" };
	switch (test) {
	case HT_DOMAIN_DIFFERS: *out = dd; return 2;
	case HT_NO_DISPLAY_NAME: *out = nd; return 1;
	case HT_PERSON_NAME: *out = pn; return 2;
	case HT_CHARSET_MISSING: *out = cm; return 1;
	case HT_UNSIGNED_FIELDS: *out = uf; return 1;
	default: *out = NULL; return 0;
	}
}

typedef struct hrule {
	int test;
	const char *name;       /* the field name; "*" for every field */
	int any;                /* name is "*" */
	const char **except;    /* with "*": fields skipped */
	size_t nexcept;
	sl_regex *re;
	const char *against;
	const sl_wordset *words; /* person-name: organisation words, or NULL */
	const char **fields;    /* unsigned-fields: what the signature must cover */
	size_t nfields;
} hrule;

void header_rule_release(sl_rule *rule)
{
	hrule *hr = rule->data;
	if (hr)
		regex_free(hr->re);
}

static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == ':')
			return 0;
	return 1;
}

/* `header`: from the scope, or the key (scope message). */
static int read_name(sl_loader *L, sl_rule *rule, hrule *hr, sl_ynode *map)
{
	sl_ynode *n = ynode_get(map, "header");
	if (rule->scope == SL_SC_HEADER) {
		hr->name = rule->header;
		if (n) {
			load_error(L, n, "'header' is given by the scope header:%s already",
			           rule->header ? rule->header : "");
			return -1;
		}
		return 0;
	}
	if (rule->scope != SL_SC_MESSAGE) {
		load_error(L, ynode_get(map, "scope"),
		           "scope '%s' is not allowed for a header rule (use header:NAME)",
		           scope_name(rule->scope));
		return -1;
	}
	if (!n) {
		load_error(L, ynode_get(map, "scope"), "a header rule with scope message needs 'header'");
		return -1;
	}
	if (ynode_str(L, n, &hr->name) < 0)
		return -1;
	if (!strcmp(hr->name, "*")) {
		hr->any = 1;
		return 0;
	}
	if (!name_ok(hr->name)) {
		load_error(L, n, "invalid header field name '%s'", hr->name);
		return -1;
	}
	rule->header = hr->name; /* for {header} */
	return 0;
}

static int read_test(sl_loader *L, hrule *hr, sl_ynode *map, const char **t)
{
	sl_ynode *n = ynode_get(map, "test");
	if (!n) {
		load_error(L, NULL, "a header rule needs 'test'");
		return -1;
	}
	if (ynode_str(L, n, t) < 0)
		return -1;
	for (int i = 0; i < HT_N; i++)
		if (!strcmp(*t, test_names[i]))
			hr->test = i;
	if (hr->test < 0) {
		load_error(L, n, "unknown header test '%s'", *t);
		return -1;
	}
	return 0;
}

/* A key that applies to some tests only: an error elsewhere. */
static int only_for(sl_loader *L, sl_ynode *k, const char *key, int ok, const char *which)
{
	if (k && !ok) {
		load_error(L, k, "'%s' applies to %s only", key, which);
		return -1;
	}
	return 0;
}

static int read_pattern(sl_loader *L, hrule *hr, sl_ynode *map, const char *t)
{
	sl_ynode *pat = ynode_get(map, "pattern");
	sl_ynode *fl = ynode_get(map, "flags");
	if (hr->test != HT_MATCHES && hr->test != HT_NOT_MATCHES)
		return only_for(L, pat ? pat : fl, pat ? "pattern" : "flags", 0,
		                "tests matches and not-matches");
	const char *flags = NULL;
	if (fl && ynode_str(L, fl, &flags) < 0)
		return -1;
	if (!pat) {
		load_error(L, ynode_get(map, "test"), "test '%s' needs 'pattern'", t);
		return -1;
	}
	return (hr->re = regex_compile(L, pat, flags)) ? 0 : -1;
}

/* The test's own keys: against, words, fields, except. */
static int read_keys(sl_loader *L, sl_context *ctx, hrule *hr, sl_ynode *map, const char *t)
{
	int rc = 0;
	sl_ynode *ag = ynode_get(map, "against");
	sl_ynode *wd = ynode_get(map, "words");
	sl_ynode *fd = ynode_get(map, "fields");
	sl_ynode *ex = ynode_get(map, "except");
	sl_ynode *tn = ynode_get(map, "test");
	if (only_for(L, ag, "against", hr->test == HT_DOMAIN_DIFFERS, "test domain-differs") ||
	    only_for(L, wd, "words", hr->test == HT_PERSON_NAME, "test person-name") ||
	    only_for(L, fd, "fields", hr->test == HT_UNSIGNED_FIELDS, "test unsigned-fields") ||
	    only_for(L, ex, "except", hr->any, "header '*'"))
		return -1;
	if (hr->test == HT_DOMAIN_DIFFERS) {
		if (!ag) {
			load_error(L, tn, "test domain-differs needs 'against'");
			rc = -1;
		} else if (ynode_str(L, ag, &hr->against) < 0) {
			rc = -1;
		}
	}
	if (wd) {
		const char **w;
		size_t nw;
		if (ynode_strs(L, wd, &w, &nw) < 0)
			return -1;
		hr->words = wordset_new(&ctx->arena, w, nw);
	}
	if (hr->test == HT_UNSIGNED_FIELDS) {
		if (!fd) {
			load_error(L, tn, "test unsigned-fields needs 'fields'");
			return -1;
		}
		if (ynode_strs(L, fd, &hr->fields, &hr->nfields) < 0)
			return -1;
		for (size_t i = 0; i < hr->nfields; i++) {
			if (!name_ok(hr->fields[i])) {
				load_error(L, fd, "invalid header field name '%s' in 'fields'", hr->fields[i]);
				return -1;
			}
		}
	}
	if (ex && ynode_strs(L, ex, &hr->except, &hr->nexcept) < 0)
		rc = -1;
	if (hr->any && !per_field(hr->test)) {
		load_error(L, tn, "test '%s' needs one field name, not '*'", t);
		rc = -1;
	}
	if (hr->test == HT_CHARSET_MISSING && hr->name && !hr->any &&
	    strcasecmp(hr->name, "Content-Type") != 0) {
		load_error(L, tn, "test charset-missing reads Content-Type, not '%s'", hr->name);
		rc = -1;
	}
	return rc;
}

static int header_compile(sl_loader *L, sl_rule *rule, sl_ynode *map)
{
	hrule *hr = arena_zalloc(&L->ctx->arena, sizeof *hr);
	rule->data = hr;
	hr->test = -1;
	int rc = read_name(L, rule, hr, map);
	const char *t;
	if (read_test(L, hr, map, &t) < 0)
		return -1;
	if (read_pattern(L, hr, map, t) < 0)
		rc = -1;
	if (read_keys(L, L->ctx, hr, map, t) < 0)
		rc = -1;
	const char *const *vars;
	size_t nvars = test_vars(hr->test, &vars);
	if (rule_check_templates(L, rule, map, vars, nvars) < 0)
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

/* One mailbox of an address list, as offsets into the value lexed. */
typedef struct mbox {
	size_t off, end;            /* the mailbox, display name included */
	size_t name_off, name_end;  /* its display name (phrase); empty if none */
	size_t cmt_off, cmt_end;    /* a comment after a bare address, the old
	                               "a@b.example (Name)" form; empty if none */
	size_t addr_off, addr_end;  /* the addr-spec */
	const char *dom;            /* lower-cased */
} mbox;

typedef struct lex {
	const unsigned char *p, *end;
	const char *err;        /* first problem, static or arena */
	sl_arena *a;
	const unsigned char *base; /* when set, mailboxes are kept (offsets from base) */
	mbox *mb;
	size_t nmb, mballoc;
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

/* Keep a mailbox when the caller asked for them (x->base set). */
static void keep_mbox(lex *x, const mbox *m)
{
	if (!x->base)
		return;
	if (x->nmb == x->mballoc) {
		size_t n = x->mballoc ? 2 * x->mballoc : 4;
		x->mb = arena_grow(x->a, x->mb, x->nmb, n, sizeof *x->mb);
		x->mballoc = n;
	}
	x->mb[x->nmb++] = *m;
}

static size_t off_of(const lex *x, const unsigned char *p)
{
	return x->base ? (size_t)(p - x->base) : 0;
}

/* A comment right after a bare addr-spec: its range into m (trailing
 * white space excluded); x->p is left past it. */
static void trailing_comment(lex *x, mbox *m)
{
	const unsigned char *q = x->p;
	while (q < x->end && is_wsp(*q))
		q++;
	if (q >= x->end || *q != '(')
		return;
	x->p = q;
	skip_cfws(x);
	const unsigned char *e = x->p;
	while (e > q && is_wsp(e[-1]))
		e--;
	m->cmt_off = off_of(x, q);
	m->cmt_end = off_of(x, e);
}

/* name-addr after its display name: "<" [obs-route] addr-spec ">". */
static int angle_addr(lex *x, mbox *m, const char **dom)
{
	x->p++;
	/* obs-route: "@a,@b:" */
	skip_cfws(x);
	if (x->p < x->end && *x->p == '@') {
		while (x->p < x->end && *x->p != ':' && *x->p != '>')
			x->p++;
		if (x->p < x->end && *x->p == ':')
			x->p++;
	}
	skip_cfws(x);
	m->addr_off = off_of(x, x->p);
	if (!word(x)) {
		if (!x->err)
			x->err = peek(x, '>') ? "empty address '<>'" : "empty local part";
		return 0;
	}
	if (!addr_rest(x, dom))
		return 0;
	m->addr_end = off_of(x, x->p);
	if (!peek(x, '>')) {
		set_err(x, "missing '>' before", x->p, "");
		return 0;
	}
	x->p++;
	m->end = off_of(x, x->p);
	m->dom = *dom;
	keep_mbox(x, m);
	return 1;
}

/* mailbox = name-addr / addr-spec.  1 ok; 0 with x->err. */
static int mailbox(lex *x, const char **dom, int *group)
{
	size_t nwords = 0;
	int last_word = 0, spaced = 0; /* a word right after a word: no dot between */
	const unsigned char *w0 = NULL, *w1 = NULL; /* the words read */
	mbox m;
	memset(&m, 0, sizeof m);
	*group = 0;
	for (;;) {
		skip_cfws(x);
		if (x->err)
			return 0;
		if (x->p >= x->end)
			break;
		const unsigned char *ws = x->p;
		if (*x->p == '.') {
			last_word = 0;
			x->p++;
		} else if (*x->p == '"' || is_atext(*x->p)) {
			if (!word(x))
				return 0;
			spaced |= last_word;
			last_word = 1;
			nwords++;
		} else {
			break;
		}
		if (!w0)
			w0 = ws;
		w1 = x->p;
	}
	if (x->p < x->end && *x->p == '<') {
		m.off = off_of(x, w0 ? w0 : x->p);
		if (nwords) {
			m.name_off = off_of(x, w0);
			m.name_end = off_of(x, w1);
		}
		return angle_addr(x, &m, dom);
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
		if (spaced) {
			x->err = "spaces in the local part (a display name needs <...> around the address)";
			return 0;
		}
		if (!at_domain(x, dom))
			return 0;
		m.off = m.addr_off = off_of(x, w0);
		m.end = m.addr_end = off_of(x, x->p);
		m.dom = *dom;
		trailing_comment(x, &m);
		keep_mbox(x, &m);
		return 1;
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
	int in_group = 0;
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
	return 1;
}

/* --- RFC 5322 msg-id -------------------------------------------------------- */

/* dot-atom-text: atoms joined by single dots, no white space. */
static int dot_atom_text(lex *x)
{
	if (!atom(x))
		return 0;
	while (x->p < x->end && *x->p == '.') {
		x->p++;
		if (!atom(x))
			return 0;
	}
	return 1;
}

/* What is wrong at x->p inside the angle brackets, where want was due. */
static void msgid_err(lex *x, const char *want)
{
	if (x->p < x->end && is_wsp(*x->p))
		x->err = "white space inside '<...>'";
	else if (x->p < x->end && *x->p == '.')
		x->err = "an empty part between dots";
	else
		set_err(x, want, x->p, "");
}

/* msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS] (RFC 5322 3.6.4):
 * id-left a dot-atom-text (or the obsolete quoted string), id-right a
 * dot-atom-text or a no-fold-literal "[...]".  1 when the value is
 * exactly one msg-id; 0 with x->err. */
static int msg_id(lex *x)
{
	skip_cfws(x);
	if (x->err)
		return 0;
	if (x->p >= x->end) {
		x->err = "empty Message-ID";
		return 0;
	}
	if (*x->p != '<') {
		x->err = "the id is not enclosed in '<...>'";
		return 0;
	}
	x->p++;
	if (x->p < x->end && *x->p == '"') {
		if (!quoted(x))
			return 0;
	} else if (!dot_atom_text(x)) {
		msgid_err(x, x->p < x->end && *x->p == '@' ? "nothing before" : "unexpected");
		return 0;
	}
	if (x->p >= x->end || *x->p != '@') {
		msgid_err(x, x->p < x->end && *x->p == '>' ? "no '@' before" : "expected '@', found");
		return 0;
	}
	x->p++;
	if (x->p < x->end && *x->p == '[') {
		x->p++;
		while (x->p < x->end && *x->p != ']' && !is_wsp(*x->p) && *x->p != '[' &&
		       *x->p != '\\')
			x->p++;
		if (x->p >= x->end || *x->p != ']') {
			msgid_err(x, "unexpected");
			return 0;
		}
		x->p++;
	} else if (!dot_atom_text(x)) {
		msgid_err(x, x->p < x->end && *x->p == '>' ? "nothing after '@' before" : "unexpected");
		return 0;
	}
	if (x->p >= x->end || *x->p != '>') {
		msgid_err(x, "expected '>', found");
		return 0;
	}
	x->p++;
	skip_cfws(x);
	if (x->err)
		return 0;
	if (x->p < x->end) {
		set_err(x, "unexpected", x->p, " after the id (one Message-ID holds one id)");
		return 0;
	}
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


/* --- display names ------------------------------------------------------------ */

/* The range [*oa, *ob) of t whose bytes came from the original bytes
 * [sa, sb): exact segments are cut to it, replacements taken whole.  0 if
 * no byte of t came from there. */
static int text_from_src(const sl_text *t, size_t sa, size_t sb, size_t *oa, size_t *ob)
{
	int found = 0;
	for (size_t i = 0; i < t->nseg; i++) {
		const sl_seg *s = &t->seg[i];
		size_t s0 = s->src, s1 = s->src + s->src_len;
		if (s1 <= sa || s0 >= sb)
			continue;
		size_t a = s->out, b = s->out + s->out_len;
		if (s->exact) {
			if (s0 < sa)
				a += sa - s0;
			if (s1 > sb)
				b -= s1 - sb;
		}
		if (!found)
			*oa = a;
		*ob = b;
		found = 1;
	}
	return found && *oa < *ob;
}

/* s[*a, *b) without white space and one enclosing pair of quotes c. */
static void unquote(const char *s, size_t *a, size_t *b, char c)
{
	while (*a < *b && is_wsp((unsigned char)s[*a]))
		(*a)++;
	while (*b > *a && is_wsp((unsigned char)s[*b - 1]))
		(*b)--;
	if (*b - *a >= 2 && s[*a] == c && s[*b - 1] == c) {
		(*a)++;
		(*b)--;
		while (*a < *b && is_wsp((unsigned char)s[*a]))
			(*a)++;
		while (*b > *a && is_wsp((unsigned char)s[*b - 1]))
			(*b)--;
	}
}

/* A display name's token s[0, n): 2 for a name word (a capital letter,
 * then letters with at least one small one, ' or - only between
 * letters; a final abbreviation dot allowed), 1 for an initial ("J",
 * "J."), 0 for anything else (digits, symbols, ALL CAPS, lower case). */
static int name_token(const char *s, size_t n)
{
	if (n && s[n - 1] == '.')
		n--;
	size_t i = 0, letters = 0, lower = 0;
	int after_letter = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = uc_utf8_next(s + i, n - i, &cp);
		int c = cp == UC_INVALID ? 0 : cp_case(cp);
		if (c) {
			if (!letters && c != 1)
				return 0;
			lower += c < 0;
			letters++;
			after_letter = 1;
		} else if ((cp == '\'' || cp == 0x2019 || cp == '-') && after_letter) {
			after_letter = 0;
		} else {
			return 0;
		}
		i += k;
	}
	if (!after_letter)
		return 0;
	return letters == 1 ? 1 : lower ? 2 : 0;
}

/* Does a domain label share a word with the name's folded words w[0..n)
 * (a word of 4+ letters inside a label, a shorter one equal to a label,
 * or a label of 4+ letters inside the words run together)?  The last
 * label (the top-level domain) is not compared. */
static int shares_label(const char *dom, char w[][NAME_WORD_MAX * 4 + 1], size_t n)
{
	char all[PERSON_WORDS_MAX * (NAME_WORD_MAX * 4) + 1];
	size_t alen = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(w[i]);
		memcpy(all + alen, w[i], l);
		alen += l;
	}
	all[alen] = 0;
	const char *last = strrchr(dom, '.');
	const char *p = dom;
	while (last && p < last) {
		const char *e = strchr(p, '.');
		size_t ll = (size_t)(e - p);
		char label[NAME_WORD_MAX + 1];
		if (ll > 0 && ll <= NAME_WORD_MAX) {
			memcpy(label, p, ll);
			label[ll] = 0;
			for (size_t i = 0; i < n; i++) {
				size_t l = strlen(w[i]);
				if (l >= 4 ? strstr(label, w[i]) != NULL : !strcmp(label, w[i]))
					return 1;
			}
			if (ll >= 4 && strstr(all, label))
				return 1;
		}
		p = e + 1;
	}
	return 0;
}

/* s without its non-letters (ASCII letters only: folded name words and
 * local parts compared), into out of size NAME_WORD_MAX * 4 + 1. */
static size_t letters_of(const char *s, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < NAME_WORD_MAX * 4; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c >= 'a' && c <= 'z')
			out[k++] = c;
	}
	out[k] = 0;
	return k;
}

/* Is the local part lp[0, n) the person's own mailbox: does it hold one
 * of the folded name words w[0..nw) (3+ letters) or the first four
 * letters of one, is it the start of one ("phil" for Philip), or is it a
 * short run of letters holding the first and last initials in order
 * ("cj", "blf")?  Then the mail is personal: "Robert Elz" <robert@...>. */
static int own_mailbox(const char *lp, size_t n, char w[][NAME_WORD_MAX * 4 + 1], size_t nw)
{
	char l[NAME_WORD_MAX * 4 + 1], wl[NAME_WORD_MAX * 4 + 1];
	size_t ln = letters_of(lp, n, l);
	if (ln < 2)
		return 0;
	for (size_t i = 0; i < nw; i++) {
		size_t k = letters_of(w[i], strlen(w[i]), wl);
		if (k >= 3 && ((k < 4 && strstr(l, wl)) || (ln >= 3 && !strncmp(wl, l, ln))))
			return 1;
		if (k >= 4) {
			wl[4] = 0;
			if (strstr(l, wl))
				return 1;
		}
	}
	if (ln > 4)
		return 0;
	const char *f = strchr(l, w[0][0]);
	return f && strchr(f + 1, w[nw - 1][0]) != NULL;
}

/* Is name s[0, n) only a person's name on a mailbox that is not the
 * person's own: 2-3 name words (initials aside, none of them an
 * organisation word), sharing no word with the sender's domain dom, none
 * part of the local part lp[0, lpn)? */
static int person_name(const hrule *hr, const char *s, size_t n, const char *dom,
                       const char *lp, size_t lpn)
{
	char w[PERSON_WORDS_MAX][NAME_WORD_MAX * 4 + 1];
	size_t nw = 0, ntok = 0, i = 0;
	while (i < n) {
		while (i < n && (is_wsp((unsigned char)s[i]) || s[i] == ','))
			i++;
		size_t a = i;
		while (i < n && !is_wsp((unsigned char)s[i]) && s[i] != ',')
			i++;
		if (a == i)
			break;
		size_t len = i - a;
		int t = name_token(s + a, len);
		if (!t || len > NAME_WORD_MAX || ++ntok > PERSON_WORDS_MAX + 2)
			return 0;
		if (t == 1)
			continue;
		if (s[a + len - 1] == '.')
			len--;
		if (nw == PERSON_WORDS_MAX || (hr->words && wordset_has(hr->words, s + a, len)))
			return 0;
		if (word_fold(s + a, len, w[nw], sizeof w[nw]) == (size_t)-1)
			return 0;
		nw++;
	}
	return nw >= 2 && !shares_label(dom, w, nw) && !own_mailbox(lp, lpn, w, nw);
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

/* A point at the end of a part's header block (where a missing field
 * would go); 0 in a template. */
static sl_hit *point_hit(sl_run *run, const sl_rule *rule, const sl_part *p)
{
	sl_result *r = run->r;
	size_t at = r->doc.kind == SL_KIND_EML ?
	            (p->nhdr ? p->hdr[p->nhdr - 1].end : p->off) : 0;
	if (at > r->len)
		at = r->len;
	sl_text *t = arena_zalloc(&r->arena, sizeof *t);
	text_identity(t, &r->arena, (const char *)r->src, at, 0);
	return run_hit(run, rule, t, 0, 0, -1, -1);
}

/* Template values: the field's name first when the rule reads every
 * field (header '*'), then the pairs kv[0..2n). */
static void set_vars(sl_result *r, sl_hit *h, const hrule *hr, const sl_header *f,
                     const char *const *kv, size_t n)
{
	size_t k = 0, total = n + (hr->any && f ? 1 : 0);
	if (!total)
		return;
	const char **v = arena_array(&r->arena, 2 * total, sizeof *v);
	if (hr->any && f) {
		v[k++] = "header";
		v[k++] = arena_strndup(&r->arena, f->name.p, f->name.len);
	}
	for (size_t i = 0; i < 2 * n; i++)
		v[k++] = kv[i];
	h->var = v;
	h->nvar = total;
}

static const char *first_domain(sl_result *r, const sl_header *h)
{
	lex x = { (const unsigned char *)h->raw.p,
	          (const unsigned char *)h->raw.p + h->raw.len, NULL, &r->arena, NULL, NULL, 0, 0 };
	const char *dom = NULL;
	if (!address_list(&x, &dom))
		return NULL;
	return dom;
}

static int field_matches(const hrule *hr, const sl_header *f)
{
	if (!hr->any)
		return str_ieq(f->name, hr->name);
	for (size_t i = 0; i < hr->nexcept; i++)
		if (str_ieq(f->name, hr->except[i]))
			return 0;
	return 1;
}

static void run_absent(sl_run *run, const sl_rule *rule, const hrule *hr)
{
	if (part_header_count(run->r->doc.root, hr->name))
		return;
	sl_hit *h = point_hit(run, rule, run->r->doc.root);
	h->value = 0;
	h->match = hr->name;
}

static void run_multiple(sl_run *run, const sl_rule *rule, const hrule *hr)
{
	sl_result *r = run->r;
	const sl_part *root = r->doc.root;
	size_t count = part_header_count(root, hr->name);
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
}

/* The display name of mailbox m of field f, in f's decoded value: its
 * range there (quotes included) into *oa and *ob, the name itself (quotes
 * and white space off) into *na and *nb.  The old "a@b (Name)" comment counts
 * as a name.  0 when the mailbox has none. */
static int display_name(const sl_header *f, const mbox *m, size_t *oa, size_t *ob,
                        size_t *na, size_t *nb)
{
	size_t a = m->name_off, b = m->name_end;
	if (a == b && m->cmt_end > m->cmt_off + 1) {
		a = m->cmt_off + 1; /* inside the parentheses */
		b = m->cmt_end - 1;
	}
	if (a >= b)
		return 0;
	sl_span sp = text_span(&f->raw, a, b);
	if (!text_from_src(&f->value, sp.off, sp.end, oa, ob))
		return 0;
	*na = *oa;
	*nb = *ob;
	unquote(f->value.p, na, nb, '"');
	unquote(f->value.p, na, nb, '\'');
	return *na < *nb;
}

/* No display name, or one that only repeats the address. */
static int nameless(const sl_header *f, const mbox *m)
{
	size_t oa, ob, na, nb;
	if (!display_name(f, m, &oa, &ob, &na, &nb))
		return 1;
	size_t al = m->addr_end - m->addr_off;
	return nb - na == al && !strncasecmp(f->value.p + na, f->raw.p + m->addr_off, al);
}

/* no-display-name, person-name, multiple-addresses: over the mailboxes
 * of a field that parses (an invalid one is invalid-address's finding). */
static void address_tests(sl_run *run, const sl_rule *rule, const hrule *hr,
                          const sl_header *f)
{
	sl_result *r = run->r;
	const unsigned char *p = (const unsigned char *)f->raw.p;
	lex x = { p, p + f->raw.len, NULL, &r->arena, p, NULL, 0, 0 };
	const char *dom;
	if (!address_list(&x, &dom) || !x.nmb)
		return;
	if (hr->test == HT_MULTIPLE_ADDRESSES) {
		if (x.nmb < 2)
			return;
		sl_hit *h = run_hit(run, rule, &f->raw, x.mb[1].off, x.mb[x.nmb - 1].end, -1, -1);
		h->value = (double)x.nmb;
		set_vars(r, h, hr, f, NULL, 0);
		return;
	}
	for (size_t i = 0; i < x.nmb && !run_full(run, rule); i++) {
		const mbox *m = &x.mb[i];
		if (hr->test == HT_NO_DISPLAY_NAME) {
			if (!nameless(f, m))
				continue;
			sl_hit *h = run_hit(run, rule, &f->raw, m->off, m->end, -1, -1);
			const char *kv[] = { "address", arena_strndup(&r->arena, f->raw.p + m->addr_off,
			                                               m->addr_end - m->addr_off) };
			set_vars(r, h, hr, f, kv, 1);
			continue;
		}
		size_t oa, ob, na, nb, at = m->addr_end;
		while (at > m->addr_off && f->raw.p[at - 1] != '@')
			at--;
		if (!m->dom || at <= m->addr_off || !display_name(f, m, &oa, &ob, &na, &nb) ||
		    !person_name(hr, f->value.p + na, nb - na, m->dom, f->raw.p + m->addr_off,
		                 at - 1 - m->addr_off))
			continue;
		sl_hit *h = run_hit(run, rule, &f->value, na, nb, -1, -1);
		const char *name = arena_strndup(&r->arena, f->value.p + na, nb - na);
		const char *kv[] = { "name", name, "domain", registrable(m->dom) };
		set_vars(r, h, hr, f, kv, 2);
		h->note = arena_printf(&r->arena, "no word of '%s' appears in the sender's domain '%s'",
		                       name, m->dom);
	}
}

/* charset-missing: every text leaf part (attachments aside) without a
 * charset parameter whose text holds non-ASCII characters, unless it is
 * HTML that declares its charset in a <meta>. */
static void charset_missing(sl_run *run, const sl_rule *rule, const hrule *hr)
{
	sl_result *r = run->r;
	if (r->doc.kind != SL_KIND_EML)
		return;
	for (size_t i = 0; i < r->doc.nparts && !run_full(run, rule); i++) {
		const sl_part *p = r->doc.parts[i];
		if (p->nchild || !p->type || strcmp(p->type, "text") != 0 || p->charset ||
		    !p->has_text || p->attachment)
			continue;
		size_t k = 0;
		while (k < p->text.len && (unsigned char)p->text.p[k] < 0x80)
			k++;
		if (k == p->text.len)
			continue;
		sl_span decl;
		if (p->subtype && !strcmp(p->subtype, "html") && charset_sniff_html(r, &p->text, &decl))
			continue;
		const sl_header *ct = part_header(p, "Content-Type");
		sl_hit *h = ct ? field_hit(run, rule, ct) : point_hit(run, rule, p);
		const char *kv[] = { "type", arena_printf(&r->arena, "text/%s",
		                                          p->subtype ? p->subtype : "plain") };
		set_vars(r, h, hr, NULL, kv, 1);
		size_t line, col;
		source_linecol(r, text_span(&p->text, k, k + 1).off, &line, &col);
		h->note = arena_printf(&r->arena, "the first non-ASCII character is on line %zu; "
		                       "without a charset the text is US-ASCII (RFC 2046 4.1.2)", line);
	}
}

/* A DKIM-Signature's h= tag (RFC 6376 3.2 tag list): its value's range
 * in s[0, n), white space trimmed.  0 if there is none. */
static int dkim_h_tag(const char *s, size_t n, size_t *va, size_t *vb)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && is_wsp((unsigned char)s[i]))
			i++;
		size_t t0 = i;
		while (i < n && s[i] != '=' && s[i] != ';' && !is_wsp((unsigned char)s[i]))
			i++;
		size_t t1 = i;
		while (i < n && is_wsp((unsigned char)s[i]))
			i++;
		if (i >= n || s[i] != '=') {
			while (i < n && s[i] != ';')
				i++;
			i += i < n;
			continue;
		}
		i++;
		while (i < n && is_wsp((unsigned char)s[i]))
			i++;
		size_t v0 = i;
		while (i < n && s[i] != ';')
			i++;
		size_t v1 = i;
		while (v1 > v0 && is_wsp((unsigned char)s[v1 - 1]))
			v1--;
		i += i < n;
		if (t1 - t0 == 1 && s[t0] == 'h') {
			*va = v0;
			*vb = v1;
			return 1;
		}
	}
	return 0;
}

/* Does the colon-separated list s[a, b) name field (case-insensitive,
 * white space around names ignored)? */
static int h_lists(const char *s, size_t a, size_t b, const char *field)
{
	size_t fl = strlen(field);
	while (a < b) {
		size_t e = a;
		while (e < b && s[e] != ':')
			e++;
		size_t x = a, y = e;
		while (x < y && is_wsp((unsigned char)s[x]))
			x++;
		while (y > x && is_wsp((unsigned char)s[y - 1]))
			y--;
		if (y - x == fl && !strncasecmp(s + x, field, fl))
			return 1;
		a = e + 1;
	}
	return 0;
}

/* unsigned-fields: a DKIM-Signature whose h= tag does not list each of
 * hr->fields that the message carries. */
static void unsigned_fields(sl_run *run, const sl_rule *rule, const hrule *hr,
                            const sl_header *f)
{
	sl_result *r = run->r;
	const char *s = f->raw.p;
	size_t va = 0, vb = 0;
	int has_h = dkim_h_tag(s, f->raw.len, &va, &vb);
	sl_buf miss;
	buf_init(&miss, &r->arena, (size_t)1 << 16);
	for (size_t i = 0; i < hr->nfields; i++) {
		if (!part_header_count(r->doc.root, hr->fields[i]) ||
		    (has_h && h_lists(s, va, vb, hr->fields[i])))
			continue;
		buf_addf(&miss, "%s%s", miss.len ? ", " : "", hr->fields[i]);
	}
	if (!miss.len)
		return;
	sl_hit *h = has_h && vb > va ? run_hit(run, rule, &f->raw, va, vb, -1, -1)
	                            : field_hit(run, rule, f);
	const char *kv[] = { "missing", buf_cstr(&miss) };
	set_vars(r, h, hr, f, kv, 1);
	if (!has_h)
		h->note = "the signature has no 'h=' tag, which RFC 6376 requires";
}

/* The tests that look at one field f. */
static void field_test(sl_run *run, const sl_rule *rule, const hrule *hr,
                       const sl_header *f, const char *against_dom, void *md, int *limited)
{
	sl_result *r = run->r;
	lex x = { (const unsigned char *)f->raw.p,
	          (const unsigned char *)f->raw.p + f->raw.len, NULL, &r->arena, NULL, NULL, 0, 0 };
	switch (hr->test) {
	case HT_PRESENT: {
		sl_hit *h = field_hit(run, rule, f);
		size_t count = 0;
		for (size_t i = 0; i < r->doc.root->nhdr; i++)
			count += field_matches(hr, &r->doc.root->hdr[i]);
		h->value = (double)count; /* {count}: the fields read */
		set_vars(r, h, hr, f, NULL, 0);
		break;
	}
	case HT_EMPTY:
		if (str_trim((sl_str){ f->raw.p, f->raw.len }).len == 0)
			set_vars(r, field_hit(run, rule, f), hr, f, NULL, 0);
		break;
	case HT_MATCHES:
	case HT_NOT_MATCHES: {
		size_t start = 0, m0, m1;
		int rc = regex_next(hr->re, md, f->value.p, f->value.len, &start, &m0, &m1);
		if (rc < 0) {
			if (!*limited)
				diag_input(r, "input/limit-regex", SL_WARNING, text_whole(&f->value),
				           "pattern of rule '%s' reached the regex limit (match limit %zu); this field is not checked",
				           rule->id, r->lim.regex_match);
			*limited = 1;
		} else if (rc == 1 && hr->test == HT_MATCHES) {
			set_vars(r, run_hit(run, rule, &f->value, m0, m1, -1, -1), hr, f, NULL, 0);
		} else if (rc == 0 && hr->test == HT_NOT_MATCHES) {
			set_vars(r, field_hit(run, rule, f), hr, f, NULL, 0);
		}
		break;
	}
	case HT_INVALID_ADDRESS: {
		const char *dom;
		if (!address_list(&x, &dom)) {
			sl_hit *h = field_hit(run, rule, f);
			h->note = arena_printf(&r->arena, "%s", x.err ? x.err : "invalid address");
			set_vars(r, h, hr, f, NULL, 0);
		}
		break;
	}
	case HT_INVALID_DATE:
		if (!date_time(&x)) {
			sl_hit *h = field_hit(run, rule, f);
			h->note = arena_printf(&r->arena, "%s", x.err ? x.err : "invalid date");
			set_vars(r, h, hr, f, NULL, 0);
		}
		break;
	case HT_INVALID_MSG_ID:
		if (!msg_id(&x)) {
			sl_hit *h = field_hit(run, rule, f);
			h->note = arena_printf(&r->arena, "%s", x.err ? x.err : "invalid id");
			set_vars(r, h, hr, f, NULL, 0);
		}
		break;
	case HT_DOMAIN_DIFFERS: {
		const char *dom = first_domain(r, f);
		if (dom && !same_registrable(dom, against_dom)) {
			sl_hit *h = field_hit(run, rule, f);
			const char *kv[] = { "domain", registrable(dom), "against", registrable(against_dom) };
			set_vars(r, h, hr, f, kv, 2);
			h->note = arena_printf(&r->arena, "'%s' here, '%s' in %s", registrable(dom),
			                       registrable(against_dom), hr->against);
		}
		break;
	}
	case HT_8BIT: {
		size_t end = f->end <= r->len ? f->end : r->len;
		for (size_t k = f->off; k < end; k++) {
			if (r->src[k] >= 0x80) {
				sl_hit *h = field_hit(run, rule, f);
				h->note = "raw 8-bit bytes in a header field need RFC 2047 encoding (or SMTPUTF8, RFC 6532)";
				set_vars(r, h, hr, f, NULL, 0);
				break;
			}
		}
		break;
	}
	case HT_NO_DISPLAY_NAME:
	case HT_PERSON_NAME:
	case HT_MULTIPLE_ADDRESSES:
		address_tests(run, rule, hr, f);
		break;
	case HT_UNSIGNED_FIELDS:
		unsigned_fields(run, rule, hr, f);
		break;
	default:
		break;
	}
}

static void header_rule_run(sl_run *run, const sl_rule *rule)
{
	sl_result *r = run->r;
	const hrule *hr = rule->data;
	const sl_part *root = r->doc.root;
	if (!root || !hr->name || hr->test < 0)
		return;
	switch (hr->test) {
	case HT_ABSENT:
		run_absent(run, rule, hr);
		return;
	case HT_MULTIPLE:
		run_multiple(run, rule, hr);
		return;
	case HT_CHARSET_MISSING:
		charset_missing(run, rule, hr);
		return;
	default:
		break;
	}
	const char *against_dom = NULL;
	if (hr->test == HT_DOMAIN_DIFFERS) {
		const sl_header *against = part_header(root, hr->against);
		if (!against || !(against_dom = first_domain(r, against)))
			return;
	}
	void *md = hr->re ? regex_md_new(hr->re, &r->arena) : NULL;
	int limited = 0;
	for (size_t i = 0; i < root->nhdr && !run_full(run, rule); i++)
		if (field_matches(hr, &root->hdr[i]))
			field_test(run, rule, hr, &root->hdr[i], against_dom, md, &limited);
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
