#!/usr/bin/env python3
"""mimetree.py - Python's view of a message's MIME tree, and the comparison
with sendlint's (tests/diff/mimetree.c) for the differential test run.sh.

Usage:
  mimetree.py FILE
      Print one line per part, depth-first, tab-separated, exactly as
      mimetree.c does:  DEPTH  TYPE/SUBTYPE  CHARSET  [TEXT as JSON]
  mimetree.py --compare KNOWN LIST
      LIST holds lines "LABEL<TAB>PATH<TAB>C_OUTPUT<TAB>C_STATUS" (what
      run.sh made by running mimetree.c); KNOWN holds "LABEL<TAB>reason"
      lines for justified divergences.  Prints one line per divergence,
      "known: LABEL: reason" for the known ones, then "N passed, N failed";
      exits 1 if anything failed.

Parser and policy: the message is read with
email.message_from_bytes(data, policy=email.policy.default).  That is the
parser of message_from_binary_file without the universal-newline
TextIOWrapper message_from_binary_file reads through, which turns every
lone CR of a 7bit/8bit body into a LF before parsing (the bytes of a
binary body would differ for that reason alone).

Why default, not compat32: the parser (feedparser) and
get_payload(decode=True) are the same under both policies; what differs is
how a header value is fetched.  compat32 keeps the folding line breaks
inside the value, so a folded parameter such as
  Content-Type: multipart/mixed; boundary="simple
   boundary"
yields the boundary "simple<CR><LF> boundary", which never matches, and the
multipart is read as one opaque body (mime4j's multi-simple.eml and three
others).  RFC 5322 2.2.3 says a field is unfolded before it is
interpreted; the default policy does that, as sendlint does, so the
comparison is about MIME structure and decoding rather than about a
compat32 quirk.  (On the data sets here the default policy's re-parsing
of header values changes nothing else.)

Text of a text/* leaf part: get_payload(decode=True) (base64,
quoted-printable, uuencode; anything else as is), decoded with the
declared charset, errors="replace".  No charset parameter means us-ascii
(RFC 2045 5.2: what Python's own get_content() assumes too); a charset
Python does not know (or a non-text codec such as "base64") means
windows-1252, sendlint's fallback.

Walk: Python's parser makes every message/* part hold a sub-message
(feedparser._parsegen), message/delivery-status a list of header blocks.
RFC 2046 5.2 defines an enclosed message only for message/rfc822 (RFC 6532
adds message/global), which is what sendlint descends into; so below any
other message/* subtype the walk stops (the part itself is compared as a
leaf).  message/rfc822 and message/global are walked like Python does:
the enclosed message is the one child of the part.

Normalisation before comparing texts (the same on both sides): CRLF -> LF,
trailing blanks (space, tab, CR, FF, VT) of each line removed, trailing
line breaks of the text removed.  Nothing else: a U+FFFD on one side
against anything else on the other is reported as a divergence, labelled
"replacement differs" so that it is not mistaken for a parsing error.

Charset policy: sendlint decodes some texts differently from Python on
purpose (lint/charset.c): undeclared or us-ascii text with 8-bit bytes as
UTF-8 if valid, else windows-1252; ISO-8859-1 as windows-1252; GB2312/GBK
as GB18030 and the like (as mail clients do); a UTF-8 BOM dropped; NUL as
U+FFFD.  When a text divergence disappears once Python's bytes are decoded
with those rules (sendlint_decode below), its line says "explained by
sendlint's charset policy".  A known.txt entry whose reason starts with
"charset policy" passes only while that stays true, so the texts of those
files are still checked byte for byte.
"""
import codecs
import difflib
import email
import email.policy
import json
import sys

ENCLOSING = ("message/rfc822", "message/global")
BLANKS = " \t\r\f\v"
FFFD = "\ufffd"
# A known.txt reason starting with this must be explained by the policy.
POLICY_TAG = "charset policy"


def codec_for(charset):
    """The Python codec name for a declared charset, windows-1252 if Python
    has no text codec by that name."""
    if charset is None:
        return "us-ascii"
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return "windows-1252"
    if not getattr(info, "_is_text_encoding", True):
        return "windows-1252"
    return info.name


def python_decode(payload, charset):
    return payload.decode(codec_for(charset), "replace")


# --- sendlint's charset policy, emulated (lint/charset.c) -------------------
# Used only to explain a text divergence: when the texts become identical
# with these rules, the divergence is a difference of charset policy, not
# of parsing or transfer decoding.  Known entries whose reason starts with
# "charset policy" must be fully explained this way.

# WHATWG windows-1252: Python's cp1252 leaves five bytes undefined, WHATWG
# (and sendlint) map them to the C1 controls.
WIN1252 = [bytes([b]).decode("cp1252", "replace") for b in range(256)]
for _b in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
    WIN1252[_b] = chr(_b)

ASCII_NAMES = {"usascii", "ascii", "ansix341968", "ansix341986", "iso646us",
               "iso646irv1991", "csascii", "us", "cp367", "ibm367"}
LATIN1_NAMES = {"windows1252", "cp1252", "xcp1252", "latin1", "l1", "isoir100",
                "csisolatin1", "cp819", "ibm819", "iso88591", "iso885911987"}
SUPERSETS = {  # label -> the codec sendlint decodes it with (as mail clients)
    "gb2312": "gb18030", "gb231280": "gb18030", "csgb2312": "gb18030",
    "euccn": "gb18030", "xeuccn": "gb18030", "gbk": "gb18030",
    "xgbk": "gb18030", "cp936": "gb18030", "ms936": "gb18030",
    "windows936": "gb18030", "chinese": "gb18030",
    "big5": "big5hkscs", "xbig5": "big5hkscs", "cnbig5": "big5hkscs",
    "csbig5": "big5hkscs", "cp950": "big5hkscs",
    "shiftjis": "cp932", "sjis": "cp932", "xsjis": "cp932", "mskanji": "cp932",
    "csshiftjis": "cp932", "windows31j": "cp932",
    "euckr": "cp949", "cseuckr": "cp949", "ksc56011987": "cp949",
    "ksc5601": "cp949", "csksc56011987": "cp949", "uhc": "cp949",
    "windows949": "cp949",
}


def win1252(b):
    return "".join(WIN1252[c] for c in b)


def sendlint_decode(payload, charset):
    """payload decoded as lint/charset.c would decode it."""
    key = "".join(c for c in (charset or "").lower() if c.isalnum())
    eight = any(c >= 0x80 for c in payload)
    guess = charset is None or key in ASCII_NAMES or key in ("utf8", "utf8mb4")
    if guess and eight:
        try:
            payload.decode("utf-8")
            text = payload.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            if key in ("utf8", "utf8mb4"):
                text = payload.decode("utf-8", "replace")
            else:
                text = win1252(payload.removeprefix(b"\xef\xbb\xbf"))
    elif key in LATIN1_NAMES:
        text = win1252(payload)
    elif key in SUPERSETS:
        text = payload.decode(SUPERSETS[key], "replace")
    elif codec_for(charset) == "windows-1252":
        text = win1252(payload)
    else:
        text = python_decode(payload, charset)
    return text.replace("\0", FFFD)


# --- the walk -----------------------------------------------------------------

def walk(msg):
    """(depth, content type, charset or None, body bytes or None) per part,
    depth-first, iteratively (a deep message must not hit the recursion
    limit).  Body bytes are given for text/* leaves only."""
    out = []
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        ctype = part.get_content_type()
        body = None
        if part.get_content_maintype() == "text" and not part.is_multipart():
            body = part.get_payload(decode=True) or b""
        out.append((depth, ctype, part.get_content_charset(), body))
        if not part.is_multipart():
            continue
        if part.get_content_maintype() == "message" and ctype not in ENCLOSING:
            continue
        kids = part.get_payload()
        for kid in reversed(kids):
            stack.append((kid, depth + 1))
    return out


def tree_of(path):
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    return walk(msg)


def charset_field(cs):
    if cs is None:
        return "-"
    if cs and cs != "-" and all(0x20 < ord(c) < 0x7F and c != '"' for c in cs):
        return cs
    return json.dumps(cs, ensure_ascii=False)


def format_tree(tree):
    lines = []
    for depth, ctype, cs, body in tree:
        fields = [str(depth), ctype, charset_field(cs)]
        if body is not None:
            fields.append(json.dumps(python_decode(body, cs), ensure_ascii=False))
        lines.append("\t".join(fields))
    return lines


def parse_c_output(lines):
    """mimetree.c's lines back into (head, text) pairs: head is the tree
    line without the text ("# kind: ..." lines are heads too)."""
    out = []
    for line in lines:
        if line.startswith("#"):
            out.append((line, None))
            continue
        fields = line.split("\t", 3)
        text = None
        if len(fields) == 4:
            text = json.loads(fields[3])
        head = "\t".join(fields[:3]) + ("\ttext" if text is not None else "")
        out.append((head, text))
    return out


def py_entries(tree, decode=python_decode):
    out = []
    for depth, ctype, cs, body in tree:
        head = "\t".join([str(depth), ctype, charset_field(cs)])
        text = None
        if body is not None:
            head += "\ttext"
            text = decode(body, cs)
        out.append((head, text))
    return out


def normalise(text):
    text = text.replace("\r\n", "\n")
    lines = [line.rstrip(BLANKS) for line in text.split("\n")]
    return "\n".join(lines).rstrip("\n")


def show(s, limit=70):
    r = json.dumps(s, ensure_ascii=False)
    return r if len(r) <= limit else r[: limit - 4] + '..."'


def text_divergence(c, p):
    """None if the normalised texts are equal, else a description of their
    first differing line."""
    c, p = normalise(c), normalise(p)
    if c == p:
        return None
    cl, pl = c.split("\n"), p.split("\n")
    for i in range(max(len(cl), len(pl))):
        a = cl[i] if i < len(cl) else None
        b = pl[i] if i < len(pl) else None
        if a == b:
            continue
        if a is None or b is None:
            which = "sendlint" if a is None else "python"
            return "text line %d: %s ends first (sendlint %d lines, python %d)" % (
                i + 1, which, len(cl), len(pl))
        label = ""
        if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in a):
            label = " [sendlint text is not valid UTF-8]"
        elif FFFD in a or FFFD in b:
            ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
            diffs = [(a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in ops if tag != "equal"]
            if diffs and all(FFFD in x or FFFD in y for x, y in diffs):
                label = " [replacement differs: U+FFFD on one side]"
            else:
                label = " [U+FFFD involved]"
        start = 0
        while start < min(len(a), len(b)) and a[start] == b[start]:
            start += 1
        start = max(0, start - 20)
        return "text line %d col %d%s: sendlint %s, python %s" % (
            i + 1, start + 1, label, show(a[start:]), show(b[start:]))
    return "texts differ"  # not reached


def divergence(c_entries, py):
    """The first divergence between the two views of one file, or None."""
    for i in range(max(len(c_entries), len(py))):
        a = c_entries[i] if i < len(c_entries) else None
        b = py[i] if i < len(py) else None
        if a is None or b is None or a[0] != b[0]:
            return "part %d: sendlint %s, python %s" % (
                i, show(a[0]) if a else "(no part)", show(b[0]) if b else "(no part)")
        if a[1] is not None:
            d = text_divergence(a[1], b[1])
            if d:
                return "part %d (%s): %s" % (i, b[0].split("\t")[1], d)
    return None


def load_known(path):
    known = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                name, _, reason = line.partition("\t")
                known[name] = reason.strip() or "(no reason given)"
    except FileNotFoundError:
        pass
    return known


def compare(known_path, list_path):
    known = load_known(known_path)
    passed = failed = 0
    seen = set()
    with open(list_path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t", 3) for line in f if line.strip()]
    for label, path, c_out, status in rows:
        seen.add(label)
        explained = False
        try:
            if status != "0":
                raise RuntimeError("mimetree exited with status %s" % status)
            with open(c_out, encoding="utf-8", errors="surrogateescape") as f:
                # not splitlines(): U+0085, U+2028 and U+2029 are raw in texts
                c_entries = parse_c_output(f.read().split("\n")[:-1])
            tree = tree_of(path)
            d = divergence(c_entries, py_entries(tree))
            if d is not None:
                pd = divergence(c_entries, py_entries(tree, sendlint_decode))
                explained = pd is None
                if explained:
                    d += " [explained by sendlint's charset policy]"
        except Exception as e:  # a crash on either side is a divergence
            d = "%s: %s" % (type(e).__name__, e)
            pd = d
        reason = known.get(label)
        if d is None:
            passed += 1
            if reason:
                print("stale known entry (now identical): %s" % label)
        elif reason and reason.startswith(POLICY_TAG) and not explained:
            failed += 1
            print("%s: known as a charset-policy divergence, but sendlint's "
                  "policy does not explain it: %s" % (label, pd))
        elif reason:
            passed += 1
            print("known: %s: %s" % (label, reason))
        else:
            failed += 1
            print("%s: %s" % (label, d))
    sets = {label.split("/", 1)[0] for label in seen}
    for label in sorted(set(known) - seen):
        if label.split("/", 1)[0] in sets:  # else that data set is absent
            print("stale known entry (no such file): %s" % label)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main(argv):
    if len(argv) == 2 and not argv[1].startswith("-"):
        for line in format_tree(tree_of(argv[1])):
            sys.stdout.write(line + "\n")
        return 0
    if len(argv) == 4 and argv[1] == "--compare":
        return compare(argv[2], argv[3])
    sys.stderr.write("usage: mimetree.py FILE | --compare KNOWN LIST\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
