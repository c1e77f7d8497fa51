#!/usr/bin/env python3
"""scripts/train_subjects.py - calibrate the subject score from labelled subjects.

In:  a TSV of labelled subjects (header `label<TAB>subject<TAB>source`,
     default ../shared/data/subjects-train.tsv), turned into features by
     build/release/subject_features (the subject-group rule hits, capped,
     and the tokens of the `tokens` rule kind: the same code sendlint runs,
     so nothing here re-implements tokenisation).
Out: a report on stdout (cross-validated ROC-AUC overall and per source for
     the rules-only, tokens-only and combined models, the chosen
     regularisation, the fitted weights); with --write, the model as data:
     rules.d/subject/spam-words.tsv (token weights), the `weight:` line of
     each fitted subject rule, and the subject group's bias/scale in
     rules.d/scores.yml.

The model is P(spam) = sig(b + S), S = sum w_rule*x_rule + sum w_tok*x_tok,
an L2-regularised logistic regression fitted by L-BFGS on sparse features.
sendlint's subject score is a monotone function of S (scores.yml: the
bias, scale 1), so it ranks subjects as the model does.  Rule weights stay
>= 0 (a rule never lowers the score: one that would come out negative is
held at 0, with a warning); function-word tokens get a strong prior
towards 0 and ham-like token weights a stronger penalty than spam-like
ones (robustness, see the constants below).  The regularisation strength
is chosen by k-fold cross-validation of the 0-100 score itself; folds are
stratified by label and dealt from a SHA-256 of the subject text
(identical subjects share a fold), never at random.  The bias written is
the fitted one moved from the training file's share of spam to --prior.
Sums are math.fsum and every list is sorted, so two runs give the same
bytes.

See scripts/README.md for how to rerun it.

Limits: Python 3 standard library only; tokens must be seen in at least
--min-count subjects; at most --max-tokens tokens (the most frequent) enter
the model, so the file written is exactly the model evaluated.
"""

import argparse
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from operator import mul

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT_DATA = os.path.join(ROOT, "..", "shared", "data", "subjects-train.tsv")
TOKENS_RULE = "subject/spam-words"
WEIGHTS_NAME = "spam-words.tsv"
# Legitimate subjects that must stay low (issue 4): their scores are shown.
CHECK_SUBJECTS = (
    "Your March statement is ready",
    "Thanks for your order #4417",
    "New in May: three features you asked for",
    "Reminder: your appointment tomorrow at 10:00",
)
# Regularisation grid (prior precision of each weight; the loss is a sum
# over subjects, so a larger data set needs no change of scale).
LAMBDAS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
# The chosen lambda: the strongest whose pooled CV AUC of the 0-100 score
# (what sendlint shows, not the model's raw sum) is within this of the
# best (the simpler model, when the data cannot tell them apart).
LAMBDA_SLACK = 0.002
# Rules are curated, general signals: a lighter penalty than tokens.
RULE_LAMBDA_FACTOR = 0.25
# Function words (and numbers) carry the genre of the training mail more
# than spam: the ham here is mailing-list and company mail, so "your" or
# "order <num>" looks like spam in it, though every receipt and reminder
# says so.  Tokens made only of these get a fixed, strong prior towards 0
# (precision FUNCTION_LAMBDA: a prior sd of 0.1 in log-odds) that only
# overwhelming evidence moves ("your", in 516 spam and 33 ham subjects,
# keeps about +0.6).
FUNCTION_WORDS = frozenset("""
a an the and or but if of to in on at by for from with about as into over
under up down out off than then so not no nor too very can could will would
shall should may might must do does did done doing be is are was were been
being am have has had having i me my mine we us our ours you your yours he
him his she her hers it its they them their theirs this that these those
there here what which who whom whose when where why how all any both each
few more most other some such only own same just now again also <num>
""".split())
FUNCTION_LAMBDA = 100.0
# Tokens never weighted: shapes that rules judge.  "<allcaps>" (a word in
# capitals): casing exists only in the SpamAssassin rows (Enron's are
# lower-cased), whose share of spam is lower, so the token learns "this is
# a SpamAssassin row" (a negative weight) more than anything about
# capitals; subject/all-caps and subject/shouting-word judge capitals.
# "<url>", "<email>": subject/url and subject/recipient judge them, and a
# token weight of the other sign would contradict the rule on screen.
EXCLUDED_TOKENS = frozenset(["<allcaps>", "<url>", "<email>"])
# A ham-like (negative) token weight is penalised HAM_FACTOR times more
# than a spam-like one: ham words name the training ham's own topics
# (Enron's desks, SpamAssassin's mailing lists) and carry over to other
# mail far less than spam words do (see the cross-source AUC), and below 0
# the score cannot rank subjects anyway.
HAM_FACTOR = 4.0
# The share of spam the score is calibrated to (--prior): the training
# file's mix (60% spam) is an artefact of how it was assembled.  One in ten
# is about the share of legitimate bulk mail that filters divert.
DEFAULT_PRIOR = 0.1
# Gradient tolerance of the cross-validation fits (the final fit: 1e-5).
CV_TOL = 1e-2


def die(msg):
    sys.stderr.write("train_subjects: %s\n" % msg)
    sys.exit(2)


def warn(msg):
    sys.stderr.write("train_subjects: warning: %s\n" % msg)


# ---------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------

def read_tsv(path):
    """Rows (label, subject bytes, source) of the labelled TSV."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        die("cannot read %s: %s" % (path, e.strerror))
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines or lines[0].rstrip(b"\r").split(b"\t") != [b"label", b"subject", b"source"]:
        die("%s: the first line must be 'label<TAB>subject<TAB>source'" % path)
    rows = []
    for n, line in enumerate(lines[1:], 2):
        f = line.rstrip(b"\r").split(b"\t")
        if len(f) != 3 or f[0] not in (b"spam", b"ham"):
            die("%s:%d: want 'spam|ham<TAB>subject<TAB>source'" % (path, n))
        rows.append((f[0].decode(), f[1], f[2].decode("utf-8", "replace")))
    return rows, hashlib.sha256(data).hexdigest()


def source_name(source):
    """The corpus a row comes from: spamassassin, enron or the first path part."""
    top = source.split("/", 1)[0].lower()
    for name in ("spamassassin", "enron"):
        if name in top:
            return name
    return top or "unknown"


def run_extractor(args, path):
    """The extractor's output (bytes) for the TSV at path."""
    exe = args.extractor
    if not args.no_build and not args.built:
        rel = os.path.relpath(exe, ROOT)
        r = subprocess.run(["make", "-s", "-C", ROOT, rel],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode != 0:
            sys.stderr.write(r.stderr.decode("utf-8", "replace"))
            die("make %s failed" % rel)
        args.built = True
    cmd = [exe]
    if args.rules_dir_given:
        cmd += ["--rules", args.rules_dir]
    cmd.append(path)
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        die("cannot run %s: %s" % (exe, e.strerror))
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        die("%s failed with status %d" % (" ".join(cmd), r.returncode))
    return r.stdout


def parse_features(out, rows):
    feats = []
    for n, line in enumerate(out.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            feats.append(json.loads(line.decode("utf-8", "surrogateescape")))
        except ValueError as e:
            die("extractor output line %d: %s" % (n, e))
    if len(feats) != len(rows):
        die("the extractor gave %d rows for %d subjects" % (len(feats), len(rows)))
    for n, (fe, row) in enumerate(zip(feats, rows), 2):
        if fe.get("label") != row[0]:
            die("extractor row for line %d has label %r, the TSV %r" % (n, fe.get("label"), row[0]))
        fe.setdefault("rules", {})
        fe.setdefault("tokens", [])
    return feats


def extract(args, rows):
    """Per row: {"label", "source", "rules": {id: capped hits}, "tokens": [...]}."""
    if args.features:
        with open(args.features, "rb") as f:
            return parse_features(f.read(), rows)
    return parse_features(run_extractor(args, args.data), rows)


def extract_subjects(args, subjects):
    """Features of a few subjects (through a temporary TSV), or None when
    the extractor is not at hand (with --features)."""
    if args.features and not os.access(args.extractor, os.X_OK):
        return None
    fd, path = tempfile.mkstemp(suffix=".tsv", prefix="train_subjects-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(b"label\tsubject\tsource\n")
            for subj in subjects:
                f.write(b"ham\t" + subj.encode("utf-8") + b"\tcheck\n")
        out = run_extractor(args, path)
    finally:
        os.unlink(path)
    return parse_features(out, [("ham", s, "check") for s in subjects])


def rule_file(rules_dir, rid):
    return os.path.join(rules_dir, *rid.split("/")) + ".yml"


def top_level(text, key):
    """The value of a top-level `key:` line of a rule file, or None."""
    m = re.search(r"^%s:[ \t]*([^#\n]*)" % re.escape(key), text, re.M)
    return m.group(1).strip() if m else None


# ---------------------------------------------------------------------
# Folds and AUC
# ---------------------------------------------------------------------

def assign_folds(rows, k):
    """Fold of each row: distinct subjects sorted by SHA-256 within their
    (majority) label and dealt out in turn, so folds are stratified, every
    copy of a subject lands in one fold, and nothing is random."""
    groups = {}
    for i, (label, subj, _) in enumerate(rows):
        groups.setdefault(subj, []).append(i)
    keyed = []
    for subj, idx in groups.items():
        spam = sum(1 for i in idx if rows[i][0] == "spam")
        label = 1 if 2 * spam >= len(idx) else 0
        keyed.append((label, hashlib.sha256(subj).hexdigest(), idx))
    keyed.sort(key=lambda t: (t[0], t[1]))
    fold = [0] * len(rows)
    turn = [0, 0]
    for label, _, idx in keyed:
        for i in idx:
            fold[i] = turn[label] % k
        turn[label] += 1
    return fold


def auc(scores, labels):
    """ROC-AUC (Mann-Whitney, ties count half); None without both labels."""
    pairs = sorted(zip(scores, labels))
    npos = sum(labels)
    nneg = len(labels) - npos
    if npos == 0 or nneg == 0:
        return None
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg = (i + 1 + j) / 2.0
        rank_sum += avg * sum(1 for t in range(i, j) if pairs[t][1])
        i = j
    return (rank_sum - npos * (npos + 1) / 2.0) / (npos * nneg)


# ---------------------------------------------------------------------
# Logistic regression (L-BFGS, sparse rows of feature indices)
# ---------------------------------------------------------------------

class Problem:
    """Rows as lists of feature indices (an index repeated x times for a
    count x), labels 0/1, per-feature penalties; `fixed` features are held
    at 0.  Identical rows are merged (with their counts of spam and ham)."""

    def __init__(self, rows, y, nfeat, pen):
        merged = {}
        for r, yi in zip(rows, y):
            c = merged.setdefault(tuple(sorted(r)), [0, 0])
            c[yi] += 1
        keys = sorted(merged)
        self.rows = keys
        self.pos = [merged[k][1] for k in keys]
        self.tot = [merged[k][0] + merged[k][1] for k in keys]
        self.nfeat = nfeat
        self.lam, self.lamneg = pen
        cols = [[] for _ in range(nfeat)]
        for i, r in enumerate(keys):
            for j in r:
                cols[j].append(i)
        self.cols = cols
        self.fixed = set()

    def fg(self, v):
        """Loss and gradient at v = weights + [bias]."""
        nf = self.nfeat
        b = v[nf]
        getw = v.__getitem__
        fsum = math.fsum
        exp = math.exp
        log1p = math.log1p
        terms = []
        resid = []
        for r, npos, ntot in zip(self.rows, self.pos, self.tot):
            z = b + fsum(map(getw, r)) if r else b
            # loss = ntot*log(1+e^z) - npos*z
            if z >= 0:
                e = exp(-z)
                p = 1.0 / (1.0 + e)
                terms.append(ntot * (z + log1p(e)) - npos * z)
            else:
                e = exp(z)
                p = e / (1.0 + e)
                terms.append(ntot * log1p(e) - npos * z)
            resid.append(ntot * p - npos)
        lam = self.lam
        if self.lamneg is not None:  # a weight below 0 has its own penalty
            lam = [ln if vj < 0 else lp for lp, ln, vj in zip(lam, self.lamneg, v)]
        loss = fsum(terms) + 0.5 * fsum(map(mul, lam, map(mul, v[:nf], v[:nf])))
        getr = resid.__getitem__
        g = [fsum(map(getr, c)) + lj * vj for c, lj, vj in zip(self.cols, lam, v)]
        for j in self.fixed:
            g[j] = 0.0
        g.append(fsum(resid))
        return loss, g


def dot(a, b):
    return math.fsum(map(mul, a, b))


def axpy(a, x, y):
    """a*x + y"""
    return [a * xi + yi for xi, yi in zip(x, y)]


def lbfgs(prob, v, tol, max_iter=500, m=8):
    """Minimise prob's loss from v until the largest gradient component is
    below tol; deterministic (fixed arithmetic order, math.fsum)."""
    f, g = prob.fg(v)
    hist = []
    for _ in range(max_iter):
        if max(map(abs, g)) < tol:
            break
        # two-loop recursion: d = -H g
        q = g
        alphas = []
        for s, yv, rho in reversed(hist):
            a = rho * dot(s, q)
            alphas.append(a)
            q = axpy(-a, yv, q)
        if hist:
            s, yv, rho = hist[-1]
            gamma = dot(s, yv) / dot(yv, yv)
        else:
            gamma = 1.0 / max(1.0, math.sqrt(dot(g, g)))
        r = [gamma * qi for qi in q]
        for (s, yv, rho), a in zip(hist, reversed(alphas)):
            r = axpy(a - rho * dot(yv, r), s, r)
        d = [-ri for ri in r]
        for j in prob.fixed:
            d[j] = 0.0
        slope = dot(g, d)
        step = 1.0
        if slope >= 0:  # not a descent direction: restart along -g
            hist = []
            d = [-gi for gi in g]
            slope = -dot(g, g)
            step = 1.0 / max(1.0, math.sqrt(-slope))
        # backtracking (Armijo)
        for _ in range(40):
            nv = axpy(step, d, v)
            nf, ng = prob.fg(nv)
            if nf <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            break
        s = [a - b for a, b in zip(nv, v)]
        yv = [a - b for a, b in zip(ng, g)]
        sy = dot(s, yv)
        if sy > 1e-12:
            hist.append((s, yv, 1.0 / sy))
            if len(hist) > m:
                hist.pop(0)
        done = f - nf <= 1e-13 * max(1.0, abs(f))
        v, f, g = nv, nf, ng
        if done:
            break
    return v, g


def fit(rows, y, nfeat, pen, nonneg, v0=None, tol=1e-3):
    """Fit, with the weights of the features in nonneg kept >= 0 (an
    active set: those that come out negative are held at 0 and the fit
    repeated; one whose gradient then pulls it up is let go again).
    Returns (weights + [bias], the set held at 0)."""
    prob = Problem(rows, y, nfeat, pen)
    if v0 is None:
        npos = sum(y)
        v0 = [0.0] * nfeat + [math.log((npos + 0.5) / (len(y) - npos + 0.5))]
    v = list(v0)
    for j in nonneg:
        if v[j] < 0:
            v[j] = 0.0
    for _ in range(50):
        v, _ = lbfgs(prob, v, tol)
        held, prob.fixed = prob.fixed, set()
        g = prob.fg(v)[1]
        prob.fixed = held
        neg = [j for j in sorted(nonneg) if j not in prob.fixed and v[j] < 0]
        back = [j for j in sorted(prob.fixed) if g[j] < -tol]
        if not neg and not back:
            break
        for j in neg:
            prob.fixed.add(j)
            v[j] = 0.0
        for j in back:
            prob.fixed.discard(j)
    return v, prob.fixed


def predict(v, r):
    return v[-1] + (math.fsum(v[j] for j in r) if r else 0.0)


# ---------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------

class Features:
    """Feature indices: the fitted rules first, then the kept tokens."""

    def __init__(self, rules, tokens):
        self.rules = list(rules)
        self.tokens = list(tokens)
        self.index = {}
        for j, name in enumerate(self.rules):
            self.index[("r", name)] = j
        for j, tok in enumerate(self.tokens):
            self.index[("t", tok)] = len(self.rules) + j
        self.n = len(self.rules) + len(self.tokens)

    def row(self, fe):
        r = []
        for rid in self.rules:
            c = fe["rules"].get(rid, 0)
            if c:
                r.extend([self.index[("r", rid)]] * int(c))
        for tok in fe["tokens"]:
            j = self.index.get(("t", tok))
            if j is not None:
                r.append(j)
        return r

    def nonneg(self, args):
        """Features whose weight must stay >= 0: the rules (a rule never
        lowers the score), and with --spam-tokens-only every token."""
        return set(range(self.n if args.spam_tokens_only else len(self.rules)))

    def penalties(self, lam):
        """The L2 penalty of each weight above 0, and below 0."""
        pos = [lam * RULE_LAMBDA_FACTOR] * len(self.rules) + [
            max(lam, FUNCTION_LAMBDA) if is_function(t) else lam for t in self.tokens]
        neg = pos[:len(self.rules)] + [l * HAM_FACTOR for l in pos[len(self.rules):]]
        return pos, neg


def is_function(tok):
    """A token made only of function words and numbers ("for your")."""
    return all(part in FUNCTION_WORDS for part in tok.split(" "))


def vocabulary(feats, idx, min_count, max_tokens):
    """Tokens in at least min_count of the rows idx; the max_tokens most
    frequent (ties by token), sorted."""
    df = {}
    for i in idx:
        for tok in set(feats[i]["tokens"]):
            df[tok] = df.get(tok, 0) + 1
    kept = [t for t, c in df.items() if c >= min_count and t not in EXCLUDED_TOKENS
            and "\t" not in t and "\n" not in t]
    kept.sort(key=lambda t: (-df[t], t))
    return sorted(kept[:max_tokens]), df


def model_features(kind, rules, feats, idx, args):
    if kind == "rules":
        return Features(rules, [])
    toks, _ = vocabulary(feats, idx, args.min_count, args.max_tokens)
    return Features(rules if kind == "both" else [], toks)


# ---------------------------------------------------------------------
# Cross-validation
# ---------------------------------------------------------------------

def sendlint_score(bias, s):
    """The integer 0-100 group score lint/score.c computes from S (scale 1)."""
    def sig(x):
        return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
    p0 = sig(bias)
    v = 100.0 * (sig(bias + s) - p0) / (1.0 - p0)
    return max(0, min(100, int(math.floor(v + 0.5))))


def cross_validate(kind, rules, feats, y, fold, k, lambdas, args):
    """Out-of-fold logits for each lambda: {lam: [(logit, bias, S)]}."""
    out = {lam: [None] * len(y) for lam in lambdas}
    for f in range(k):
        train = [i for i in range(len(y)) if fold[i] != f]
        test = [i for i in range(len(y)) if fold[i] == f]
        F = model_features(kind, rules, feats, train, args)
        rows_tr = [F.row(feats[i]) for i in train]
        y_tr = [y[i] for i in train]
        v = None
        for lam in sorted(lambdas, reverse=True):  # warm start, strong to weak
            v, _ = fit(rows_tr, y_tr, F.n, F.penalties(lam), F.nonneg(args), v0=v, tol=CV_TOL)
            for i in test:
                z = predict(v, F.row(feats[i]))
                out[lam][i] = (z, v[-1], z - v[-1])
    return out


def auc_report(pred, y, src, sources, score_of=None):
    vals = [score_of(p) if score_of else p[0] for p in pred]
    res = [auc(vals, y)]
    for s in sources:
        idx = [i for i in range(len(y)) if src[i] == s]
        res.append(auc([vals[i] for i in idx], [y[i] for i in idx]))
    return res


def fmt_auc(a):
    return "  -  " if a is None else "%.3f" % a


# ---------------------------------------------------------------------
# Writing the model
# ---------------------------------------------------------------------

def fmt_weight(w):
    s = "%.4f" % w
    return "0.0000" if s == "-0.0000" else s


def fmt_rule_weight(w):
    s = ("%.3f" % w).rstrip("0")
    return s + "0" if s.endswith(".") else s


def write_if_changed(path, text):
    data = text.encode("utf-8", "surrogateescape")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def write_model(args, F, v, summary, data_sha, nrows):
    rules_dir = args.rules_dir
    changed = []
    # token weights, by descending |weight| then token
    toks = []
    for j, tok in enumerate(F.tokens):
        w = v[len(F.rules) + j]
        if fmt_weight(w) != "0.0000":
            toks.append((tok, w))
    toks.sort(key=lambda t: (-abs(float(fmt_weight(t[1]))), t[0]))
    lines = [
        "# rules.d/subject/%s - token weights (log-odds) of the rule %s." % (WEIGHTS_NAME, TOKENS_RULE),
        "# Written by scripts/train_subjects.py; do not edit by hand, rerun it (scripts/README.md).",
        "# data: %s sha256 %s (%d subjects)" % (os.path.basename(args.data), data_sha, nrows),
        "# model: L2 logistic regression, lambda %g (rules x%g, function words %g, "
        "ham-like x%g), tokens in >= %d subjects" % (
            summary["lambda"], RULE_LAMBDA_FACTOR, FUNCTION_LAMBDA, HAM_FACTOR, args.min_count),
        "# bias: fitted %s, written to scores.yml %s (%s)" % (
            fmt_weight(summary["fitted_bias"]), fmt_weight(summary["bias"]),
            "training mix" if summary["prior"] == "train" else "prior %g" % summary["prior"]),
        "# %d-fold cross-validated ROC-AUC: %s" % (args.folds, summary["auc_line"]),
    ]
    for tok, w in toks:
        lines.append("%s\t%s" % (tok, fmt_weight(w)))
    path = os.path.join(rules_dir, "subject", WEIGHTS_NAME)
    if write_if_changed(path, "\n".join(lines) + "\n"):
        changed.append(path)
    # the weight: line of each fitted rule
    for j, rid in enumerate(F.rules):
        w = max(0.0, v[j])
        path = rule_file(rules_dir, rid)
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
        line = "weight: %s" % fmt_rule_weight(w)
        m = re.search(r"^weight:[ \t]*([^#\n]*?)[ \t]*$", text, re.M)
        if m:
            try:
                same = float(m.group(1)) == float(fmt_rule_weight(w))
            except ValueError:
                same = False
            new = text if same else text[:m.start()] + line + text[m.end():]
        else:
            # after the last of the leading kind/scope/severity/group lines
            m = None
            for m in re.finditer(r"^(kind|scope|severity|group):.*\n", text, re.M):
                pass
            at = m.end() if m else 0
            new = text[:at] + line + "\n" + text[at:]
        if write_if_changed(path, new):
            changed.append(path)
    # the subject group's bias and scale
    path = os.path.join(rules_dir, "scores.yml")
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "surrogateescape")
    new, n = re.subn(r"^([ \t]+subject:[ \t]*)\{[^}\n]*\}",
                     lambda m: "%s{bias: %s, scale: 1}" % (m.group(1), fmt_weight(summary["bias"])),
                     text, count=1, flags=re.M)
    if n != 1:
        die("%s: no 'subject: {bias: ..., scale: ...}' line under groups:" % path)
    if write_if_changed(path, new):
        changed.append(path)
    return changed


# ---------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------

def logit(p):
    return math.log(p / (1.0 - p))


def choose_rules(args, feats, y, p):
    """The subject rules to fit: reported rules with a file in the rules
    dir that hit at least --min-rule-hits subjects."""
    hits = {}
    for fe, yi in zip(feats, y):
        for rid, c in fe["rules"].items():
            if rid == TOKENS_RULE or not c:
                continue
            hits.setdefault(rid, [0, 0])[yi] += 1
    rules = []
    p("subject rules that hit (subjects spam/ham):")
    for rid in sorted(hits):
        h = hits[rid]
        path = rule_file(args.rules_dir, rid)
        why = None
        if not os.path.isfile(path):
            why = "not fitted: no file %s" % os.path.relpath(path, args.rules_dir)
        else:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "surrogateescape")
            if top_level(text, "report") == "false":
                why = "not fitted: report: false (counts through its meta rules)"
            elif top_level(text, "score") == "value":
                why = "not fitted: score: value"
            elif h[0] + h[1] < args.min_rule_hits:
                why = "not fitted: fewer than %d subjects, weight kept" % args.min_rule_hits
        p("  %-34s %4d/%-4d %s" % (rid, h[1], h[0], why or "fitted"))
        if not why:
            rules.append(rid)
    if not hits:
        p("  (none)")
    return rules


def auc_row(p, name, a):
    p(("  %-34s %-7s %s" % (name, fmt_auc(a[0]), " ".join("%-13s" % fmt_auc(x) for x in a[1:]))).rstrip())


def builtin_check(args, bias):
    """lint/score.c carries built-in defaults equal to the bundled
    scores.yml (tests/unit/test_score.c checks it): say when they differ."""
    if args.rules_dir != os.path.join(ROOT, "rules.d"):
        return
    try:
        with open(os.path.join(ROOT, "lint", "score.c"), "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return
    m = re.search(r'\{\s*"subject",\s*([-0-9.]+),\s*([-0-9.]+)\s*\}', text)
    if m and (float(m.group(1)) != float(fmt_weight(bias)) or float(m.group(2)) != 1.0):
        warn("lint/score.c's built-in subject group is {%s, %s}, rules.d/scores.yml now says "
             "{%s, 1}: update it (and tests/unit/test_score.c) to match"
             % (m.group(1), m.group(2), fmt_weight(bias)))


def main():
    ap = argparse.ArgumentParser(description="Fit the subject score (see scripts/README.md).")
    ap.add_argument("--data", default=DEFAULT_DATA, help="labelled subjects TSV")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    ap.add_argument("--min-count", type=int, default=5,
                    help="keep tokens seen in at least this many subjects (default 5)")
    ap.add_argument("--max-tokens", type=int, default=2000, help="at most this many tokens (default 2000)")
    ap.add_argument("--min-rule-hits", type=int, default=10,
                    help="fit a rule's weight only if it hits this many subjects (default 10)")
    ap.add_argument("--prior", default=str(DEFAULT_PRIOR),
                    help="share of spam the score is calibrated to, or 'train' for the "
                    "training file's (default %g)" % DEFAULT_PRIOR)
    ap.add_argument("--spam-tokens-only", action="store_true",
                    help="keep token weights >= 0 too (no ham-like words)")
    ap.add_argument("--rules-dir", default=None, help="rules directory to fit and write (default rules.d)")
    ap.add_argument("--extractor", default=os.path.join(ROOT, "build", "release", "subject_features"))
    ap.add_argument("--no-build", action="store_true", help="do not run make for the extractor")
    ap.add_argument("--features", help="read the extractor's JSON lines from this file instead")
    ap.add_argument("--top", type=int, default=20, help="spam and ham tokens to list (default 20)")
    ap.add_argument("--write", action="store_true", help="write the fitted model into the rules dir")
    args = ap.parse_args()
    if args.folds < 2:
        die("--folds must be at least 2")
    if args.prior != "train":
        try:
            args.prior = float(args.prior)
        except ValueError:
            args.prior = -1.0
        if not 0.0 < args.prior < 1.0:
            die("--prior must be a share between 0 and 1, or 'train'")
    args.rules_dir_given = args.rules_dir is not None
    args.rules_dir = os.path.abspath(args.rules_dir or os.path.join(ROOT, "rules.d"))
    args.data = os.path.abspath(args.data)
    args.built = False

    rows, data_sha = read_tsv(args.data)
    feats = extract(args, rows)
    y = [1 if r[0] == "spam" else 0 for r in rows]
    if sum(y) < args.folds or len(y) - sum(y) < args.folds:
        die("need at least %d spam and %d ham subjects" % (args.folds, args.folds))
    src = [source_name(r[2]) for r in rows]
    sources = sorted(set(src))
    # the bias written is the fitted one moved from the training file's
    # share of spam to --prior (Bayes: only the prior odds change)
    shift = 0.0 if args.prior == "train" else logit(args.prior) - logit(sum(y) / len(y))
    out = []
    p = out.append

    p("data: %s sha256 %s" % (os.path.basename(args.data), data_sha))
    p("subjects: %d (%d spam, %d ham)" % (len(y), sum(y), len(y) - sum(y)))
    for s in sources:
        idx = [i for i in range(len(y)) if src[i] == s]
        ns = sum(y[i] for i in idx)
        p("  %-13s %5d (%d spam, %d ham)" % (s, len(idx), ns, len(idx) - ns))
    rules = choose_rules(args, feats, y, p)

    fold = assign_folds(rows, args.folds)
    p("")
    p("%d-fold cross-validation: folds stratified by label, dealt by sha256 of the"
      % args.folds)
    p("subject (copies of a subject share a fold); each training part builds its")
    p("own vocabulary (tokens in >= %d of its subjects, at most %d)."
      % (args.min_count, args.max_tokens))

    # the combined model and the rules alone choose their lambda; the
    # tokens alone (for comparison) use the combined model's
    results = {}
    best = {}
    for kind in ("both", "rules", "tokens"):
        if kind == "rules" and not rules:
            continue
        grid = (best["both"],) if kind == "tokens" else LAMBDAS
        cv = cross_validate(kind, rules, feats, y, fold, args.folds, grid, args)
        by_lam = {lam: auc([sendlint_score(t[1] + shift, t[2]) for t in cv[lam]], y)
                  for lam in grid}
        top = max(by_lam.values())
        best[kind] = max(l for l in grid if by_lam[l] >= top - LAMBDA_SLACK)
        results[kind] = (cv[best[kind]], by_lam)

    p("")
    p("lambda (L2 prior precision of a token weight; rules %gx; function-word tokens at"
      % RULE_LAMBDA_FACTOR)
    p("least %g; ham-like token weights %gx), chosen: the largest within %g of the best"
      % (FUNCTION_LAMBDA, HAM_FACTOR, LAMBDA_SLACK))
    p("pooled CV AUC of the 0-100 score:")
    p("  %-12s %s" % ("lambda", " ".join("%7g" % l for l in LAMBDAS)))
    for kind in ("rules", "both"):
        if kind in results:
            p("  %-12s %s" % (kind, " ".join("%7s" % fmt_auc(results[kind][1][l]) for l in LAMBDAS)))

    names = {"rules": "rules only", "tokens": "tokens only", "both": "rules + tokens"}
    p("")
    p("cross-validated ROC-AUC (out-of-fold predictions):")
    p(("  %-34s %-7s %s" % ("model", "all", " ".join("%-13s" % s for s in sources))).rstrip())
    for kind in ("rules", "tokens", "both"):
        if kind in results:
            auc_row(p, "%s (lambda %g)" % (names[kind], best[kind]),
                    auc_report(results[kind][0], y, src, sources))
    both = results["both"][0]
    int_auc = auc_report(both, y, src, sources,
                         score_of=lambda t: sendlint_score(t[1] + shift, t[2]))
    auc_row(p, "rules + tokens, as the 0-100 score", int_auc)
    cv_auc = auc_report(both, y, src, sources)
    auc_line = "; ".join("%s: %s" % (what, ", ".join(["all %s" % fmt_auc(a[0])] + [
        "%s %s" % (s, fmt_auc(x)) for s, x in zip(sources, a[1:])]))
        for what, a in (("model", cv_auc), ("0-100 score", int_auc)))

    # cross-source: fit on one corpus, test on the others (how far the
    # model carries to subjects unlike those it was fitted on)
    if len(sources) > 1:
        p("")
        p("cross-source ROC-AUC (fit on one source, test on the others):")
        for s in sources:
            train = [i for i in range(len(y)) if src[i] == s]
            if len(set(y[i] for i in train)) < 2:
                continue
            for kind in ("rules", "tokens", "both"):
                if kind not in results:
                    continue
                F = model_features(kind, rules, feats, train, args)
                v, _ = fit([F.row(feats[i]) for i in train], [y[i] for i in train], F.n,
                           F.penalties(best[kind]), F.nonneg(args), tol=CV_TOL)
                parts = []
                for t in sources:
                    idx = [i for i in range(len(y)) if src[i] == t]
                    if t != s:
                        parts.append("%s %s" % (t, fmt_auc(auc(
                            [predict(v, F.row(feats[i])) for i in idx], [y[i] for i in idx]))))
                p("  %-34s -> %s" % ("%s, fit on %s" % (names[kind], s), ", ".join(parts)))

    # the final model, on every subject
    lam = best["both"]
    allidx = list(range(len(y)))
    F = model_features("both", rules, feats, allidx, args)
    v, clamped = fit([F.row(fe) for fe in feats], y, F.n, F.penalties(lam), F.nonneg(args),
                     tol=1e-5)
    bias = v[-1] + shift
    p("")
    p("final model (all subjects, lambda %g): fitted bias %s; written bias %s (%s), scale 1"
      % (lam, fmt_weight(v[-1]), fmt_weight(bias),
         "the training mix" if args.prior == "train" else "prior %g spam" % args.prior))
    nr = len(F.rules)
    for j, rid in enumerate(F.rules):
        p("  %-34s weight %s%s" % (rid, fmt_rule_weight(max(0.0, v[j])),
                                   "  (held at 0: fitted negative)" if j in clamped else ""))
        if j in clamped:
            warn("%s: its fitted weight is negative; held at 0 (a rule never lowers the score)" % rid)
    written = sum(1 for j in range(len(F.tokens)) if fmt_weight(v[nr + j]) != "0.0000")
    p("  %d tokens (%d function-word tokens)" % (written, sum(
        1 for j, t in enumerate(F.tokens) if is_function(t) and fmt_weight(v[nr + j]) != "0.0000")))
    _, df = vocabulary(feats, allidx, args.min_count, args.max_tokens)
    spam_df = {}
    for fe, yi in zip(feats, y):
        if yi:
            for tok in set(fe["tokens"]):
                spam_df[tok] = spam_df.get(tok, 0) + 1
    tw = [(tok, v[nr + j]) for j, tok in enumerate(F.tokens)]
    for title, sign in (("spam", -1), ("ham", 1)):
        p("top %s tokens (weight, subjects spam/ham):" % title)
        for tok, w in sorted(tw, key=lambda t: (sign * t[1], t[0]))[:args.top]:
            if sign * w >= 0:
                break
            p("  %-26s %8s  %d/%d" % (json.dumps(tok, ensure_ascii=False), fmt_weight(w),
                                      spam_df.get(tok, 0), df[tok] - spam_df.get(tok, 0)))

    check = extract_subjects(args, CHECK_SUBJECTS)
    if check is not None:
        p("legitimate subjects (S: the summed weights; score: the subject score):")
        for subj, fe in zip(CHECK_SUBJECTS, check):
            r = F.row(fe)
            s_ = predict(v, r) - v[-1]
            parts = sorted(((F.tokens[j - nr] if j >= nr else F.rules[j], v[j] * r.count(j))
                            for j in set(r)), key=lambda t: (-abs(t[1]), t[0]))
            p("  %-46s S %+.2f score %3d" % (json.dumps(subj), s_, sendlint_score(bias, s_)))
            p("      %s" % (", ".join("%s %+.2f" % (t, w) for t, w in parts[:8]) or "(no weighted token)"))

    if args.write:
        summary = {"lambda": lam, "auc_line": auc_line, "bias": bias, "fitted_bias": v[-1],
                   "prior": args.prior}
        changed = write_model(args, F, v, summary, data_sha, len(y))
        p("")
        p("written: %s" % (", ".join(os.path.relpath(c, os.path.dirname(args.rules_dir))
                                     for c in changed) or "nothing changed"))
        builtin_check(args, bias)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
