#!/usr/bin/env python3
"""scripts/train_tone.py - calibrate the tone score from labelled texts.

In:  two TSVs of labelled texts (header `label<TAB>text`):
     ../shared/data/tone/talkdown-train.tsv (Reddit comments, labels
     condescending / not) and ../shared/data/tone/politeness-train.tsv
     (requests, labels impolite / polite), turned into features by
     build/release/tone_features (the tone-group rule hits, capped, and
     the tokens of every sentence as the `tokens` rule kind makes them:
     the same code sendlint runs, nothing re-implemented here); for the
     false-positive measurement, the same features of real email
     templates and legitimate messages (../shared/data/templates,
     ../shared/data/messages/sa_public/*ham*), never fitted on.
Out: a report on stdout (cross-validated ROC-AUC of each stage and of the
     0-100 score on each corpus, the share of templates and ham messages
     that the model scores above 0, the chosen parameters, the weights);
     with --write, the model as data: rules.d/tone/talkdown-words.tsv
     (token weights), the `weight:` (K), `score_min:` (Q) and
     `report_min:` (R) lines of rules.d/tone/talkdown-words.yml, the
     `weight:` line of each fitted tone rule, and the tone group's bias in
     rules.d/scores.yml; with --verify, the AUC of `scores.tone` as the
     real sendlint reports it (--format=json over every training text as
     a .txt file), the share of templates and ham with tone > 0 (and the
     median and 90th percentile of their score) and with a tone
     diagnostic, and the issue's hard negatives as sendlint scores them.

The model.  A sentence's token sum t_s is the summed weight of its
distinct tokens; sendlint's tone score is a monotone function of

    S = sum over tone rules of w_rule * min(hits, cap)  +  K * H
    H = sum over sentences with t_s > R of (t_s - Q)  +  max(0, the largest t_s - Q of the others)

(the rule tone/talkdown-words, `score: excess`, `score_min: Q`,
`report_min: R`, `weight: K`): a sentence counts only by what its words
weigh above Q, so ordinary sentences neither raise the score nor cancel
a rule's finding.  A sentence gets a diagnostic only above the second
threshold R (chosen first, from the templates); of the sentences below
it only the one that leans furthest counts, so that a long friendly
email cannot pile up points no diagnostic explains.
Fitting is in two stages, both L2-regularised logistic regressions:
 1. token weights: label ~ the number of sentences of the text holding
    each token (a text's sum of t_s), on tokens seen in at least
    --min-count texts of EACH corpus, made only of stance and function
    words (STANCE, CORE below; topic words like "article" or "reddit"
    never qualify), the min-count and lambda chosen by cross-validation;
 2. for each candidate Q, label ~ the capped rule counts and
    H as above, weights >= 0, each rule's weight pulled
    towards the value it was written with (PRIOR_WEIGHTS; a prior, not
    towards 0: the rules were written for customer email and the corpora
    test them only a little);
    K is H's weight.  Q is the one with the best mean cross-validated
    AUC of the 0-100 score among those that keep the templates' median
    score at most --max-template-median (a sentence just above 0 counts,
    so a low Q adds a little for every sentence of a long email that
    says "you").  R decides nothing in the score: it is the
    lowest candidate (>= Q) that gives at most --max-template-share of
    the templates a tone diagnostic.
Folds are stratified by label within each corpus and dealt from a
SHA-256 of the text, never at random; sums are math.fsum and lists are
sorted, so two runs give the same bytes.  The bias written is the fitted
one moved from the training mix to --prior (scale 1).

See scripts/README.md for how to rerun it.  Python 3 standard library
only; it reuses the optimiser and helpers of train_subjects.py.
"""

import argparse
import glob
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPTS)
from train_subjects import (auc, fit, fmt_rule_weight, fmt_weight,  # noqa: E402
                            rule_file, top_level, write_if_changed)

ROOT = os.path.abspath(os.path.join(SCRIPTS, ".."))
DATA = os.path.join(ROOT, "..", "shared", "data")
# (name, default path, positive label, negative label)
CORPORA = (
    ("talkdown", os.path.join(DATA, "tone", "talkdown-train.tsv"), "condescending", "not"),
    ("politeness", os.path.join(DATA, "tone", "politeness-train.tsv"), "impolite", "polite"),
)
TOKENS_RULE = "tone/talkdown-words"
WEIGHTS_NAME = "talkdown-words.tsv"
# Ordinary email, for the false-positive share (measured, never fitted).
FP_SETS = (
    ("templates", [os.path.join(DATA, "templates")]),
    ("ham", [os.path.join(DATA, "messages", "sa_public", d)
             for d in ("easy_ham", "easy_ham_2", "hard_ham", "hard_ham_2")]),
)
# Sentences that must stay at 0 (issue 5's hard negatives).
CHECK_TEXTS = (
    "Just reply to this email.",
    "Of course, you can cancel at any time.",
    "Simply click the button below.",
    "As you requested, here is your invoice.",
    "Thanks for your order! It ships on Monday.",
)
# Stage 1: the token model's regularisation grid (prior precision of a
# token weight); the chosen lambda is the strongest whose mean CV AUC is
# within LAMBDA_SLACK of the best.
LAMBDAS = (8.0, 16.0, 32.0, 64.0, 128.0)
LAMBDA_SLACK = 0.003
# Stage 2: the candidate score thresholds Q of a sentence's token sum
# (the hinge), the candidate report thresholds R, and the prior precision pulling a rule's weight towards its hand-set value (sd
# 0.5 in log-odds: the corpora are out of domain for the rules, and their
# labels are noisy, so they move a weight only with clear evidence) and K
# towards 1 (weakly).
SCORE_GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
REPORT_GRID = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
# Q: the largest whose mean CV AUC of the score is within SCORE_SLACK of
# the best (a higher Q adds less to ordinary mail).
SCORE_SLACK = 0.002
RULE_PRIOR = 4.0
# The prior means: the weights the rules were written with (their
# `weight:` lines hold the fitted values once --write has run, so the
# prior lives here, and reruns do not drift).  A rule not listed has
# prior mean 1; one that is not fitted keeps its `weight:` line.
PRIOR_WEIGHTS = {
    "tone/assumed-knowledge": 1.5, "tone/blame-shifting": 2.0,
    "tone/forced-cheer": 1.5, "tone/intensified": 1.0,
    "tone/minimising-cost": 1.0, "tone/non-apology": 1.5,
    "tone/passive-aggressive": 1.0, "tone/per-our-policy": 1.5,
    "tone/repetition-shaming": 1.5, "tone/stonewalling": 1.5,
    "tone/talking-down": 1.5,
}
K_PRIOR = 0.1
# The vocabulary's --min-count candidates (a token must be in at least
# this many texts of EACH corpus); cross-validated in stage 1.
DEFAULT_MIN_COUNTS = "5,10"
# The share of condescending copy the score is calibrated to (--prior):
# the training files are balanced by construction; in real customer mail
# talking down is the exception, if not a rare one (one support reply in
# five is the order of magnitude customer-experience surveys report for
# replies customers rate as rude or dismissive).  The prior only shifts
# the bias: the ranking does not change, but a bias far below 0 would
# round small sums to a score of 0 and tie them with nothing found.
DEFAULT_PRIOR = 0.2
# Tokens the model may weigh: made only of STANCE words, at least one of
# them a CORE word (pronouns of address, negation, questions, stance
# adverbs, hedges, gratitude, greetings, evaluation, modals, "?" and
# "!"): how a text addresses the reader, not what it is about.  Numbers
# never count ("<num> <num>" marks addresses and prices in mail).
STANCE = frozenset("""
i me my mine we us our ours you your yours yourself yourselves he him his
she her they them their it its this that these those a an the and or but
if so because since then than as of to in on at by for from with about
into is are was were be been being am do does did done doing have has
had having will would shall should can could may might must not no never
nothing none nobody don't doesn't didn't isn't aren't wasn't weren't
won't wouldn't can't cannot couldn't shouldn't haven't hasn't hadn't what
why how who whom which where when whatever actually obviously clearly
simply just really literally basically seriously honestly certainly
surely definitely absolutely totally completely even still already again
ever only perhaps maybe possibly probably apparently seems seem think
thought guess suppose believe feel sure wonder please thanks thank thx
appreciate appreciated sorry apologize apologies welcome glad happy hope
hi hello hey dear regards cheers great good nice wonderful fine ok okay
right wrong stupid idiot ridiculous nonsense silly dumb ? ! ?? !! let
let's agree disagree point understand know mean read learn clear idea yes
yeah well oh wow lol here there now
""".split())
CORE = frozenset("""
i me my we us our you your yours yourself yourselves not no never nothing
nobody don't doesn't didn't isn't aren't wasn't weren't won't wouldn't
can't cannot couldn't shouldn't haven't hasn't hadn't what why how who
whatever actually obviously clearly simply just really literally
basically seriously honestly certainly surely definitely absolutely
totally completely even still already again ever only perhaps maybe
possibly probably apparently seems seem think thought guess suppose
believe feel sure wonder please thanks thank appreciate appreciated sorry
apologize apologies welcome glad happy hope hi hello hey dear great good
nice wonderful fine ok okay right wrong stupid idiot ridiculous nonsense
silly dumb ? ! ?? !! should must could would can will may might
understand know mean read learn agree disagree point idea clear yes yeah
well oh wow
""".split())


def min_counts(s):
    """--min-count: positive whole numbers, comma-separated."""
    try:
        v = sorted({int(x) for x in s.split(",")})
    except ValueError:
        v = []
    if not v or v[0] < 1:
        raise argparse.ArgumentTypeError("want whole numbers >= 1, comma-separated: %r" % s)
    return v


def die(msg):
    sys.stderr.write("train_tone: %s\n" % msg)
    sys.exit(2)


def warn(msg):
    sys.stderr.write("train_tone: warning: %s\n" % msg)


def sig(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def logit(p):
    return math.log(p / (1.0 - p))


def sendlint_score(bias, s):
    """The integer 0-100 group score lint/score.c computes from S (scale 1)."""
    if not s > 0:
        return 0
    p0 = sig(bias)
    v = 100.0 * (sig(bias + s) - p0) / (1.0 - p0)
    return max(0, min(100, int(math.floor(v + 0.5))))


def stance_token(tok):
    parts = tok.split(" ")
    return all(p in STANCE for p in parts) and any(p in CORE for p in parts)


# ---------------------------------------------------------------------
# Data and features
# ---------------------------------------------------------------------

def read_tsv(path, pos, neg):
    """Rows (y, text bytes) of a `label<TAB>text` TSV; its sha256."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        die("cannot read %s: %s" % (path, e.strerror))
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines or lines[0].rstrip(b"\r").split(b"\t") != [b"label", b"text"]:
        die("%s: the first line must be 'label<TAB>text'" % path)
    rows = []
    for n, line in enumerate(lines[1:], 2):
        f = line.rstrip(b"\r").split(b"\t")
        if len(f) != 2 or f[0].decode("utf-8", "replace") not in (pos, neg):
            die("%s:%d: want '%s|%s<TAB>text'" % (path, n, pos, neg))
        rows.append((1 if f[0].decode() == pos else 0, f[1]))
    return rows, hashlib.sha256(data).hexdigest()


def build(args, target):
    """make the extractor or sendlint, in the build directory it lies in."""
    if args.no_build:
        return
    rel = os.path.relpath(target, ROOT)
    bdir = os.path.dirname(rel)
    cmd = ["make", "-s", "-C", ROOT, rel]
    if bdir != os.path.join("build", "release") and bdir:
        cmd += ["B=" + bdir, "BIN=" + os.path.join(bdir, "sendlint")]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        die("make %s failed" % rel)


def run_extractor(args, cmd_args):
    cmd = [args.extractor]
    if args.rules_dir_given:
        cmd += ["--rules", args.rules_dir]
    cmd += cmd_args
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        die("cannot run %s: %s" % (args.extractor, e.strerror))
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        die("%s failed with status %d" % (args.extractor, r.returncode))
    feats = []
    for n, line in enumerate(r.stdout.split(b"\n"), 1):
        if line.strip():
            try:
                feats.append(json.loads(line.decode("utf-8", "surrogateescape")))
            except ValueError as e:
                die("extractor output line %d: %s" % (n, e))
    return feats


def fp_files(dirs, exts=(".eml", ".html", ".htm", ".txt")):
    out = []
    for d in dirs:
        for dirpath, _, names in os.walk(d):
            out.extend(os.path.join(dirpath, n) for n in names if n.lower().endswith(exts))
    return sorted(out)


def assign_folds(ys, texts, k):
    """Fold of each row: distinct texts sorted by (label, sha256) and
    dealt out in turn, so folds are stratified, copies of a text share a
    fold, and nothing is random."""
    groups = {}
    for i, t in enumerate(texts):
        groups.setdefault(t, []).append(i)
    keyed = sorted((1 if 2 * sum(ys[i] for i in idx) >= len(idx) else 0,
                    hashlib.sha256(t).hexdigest(), idx) for t, idx in groups.items())
    fold = [0] * len(texts)
    turn = [0, 0]
    for label, _, idx in keyed:
        for i in idx:
            fold[i] = turn[label] % k
        turn[label] += 1
    return fold


class Data:
    """The labelled texts of both corpora: y, corpus index, fold, rule
    counts, tokens per sentence."""

    def __init__(self):
        self.y, self.src, self.fold, self.rules, self.sents, self.text = [], [], [], [], [], []

    def add(self, c, rows, feats, folds):
        for (y, text), fe, f in zip(rows, feats, folds):
            self.y.append(y)
            self.src.append(c)
            self.fold.append(f)
            self.rules.append(fe.get("rules", {}))
            self.sents.append([tuple(s) for s in fe.get("sentences", [])])
            self.text.append(text)


def vocabulary(data, idx, min_count, max_tokens):
    """Stance tokens in at least min_count texts of EACH corpus among
    rows idx: the max_tokens most frequent (ties by token), sorted."""
    df = [{}, {}]
    for i in idx:
        seen = set()
        for s in data.sents[i]:
            seen.update(s)
        d = df[data.src[i]]
        for t in seen:
            d[t] = d.get(t, 0) + 1
    kept = [t for t in df[0] if df[0][t] >= min_count and df[1].get(t, 0) >= min_count
            and stance_token(t) and "\t" not in t]
    kept.sort(key=lambda t: (-(df[0][t] + df[1][t]), t))
    return sorted(kept[:max_tokens])


def token_rows(data, idx, vocab):
    """Stage 1 rows: each token index once per sentence holding it."""
    pos = {t: j for j, t in enumerate(vocab)}
    rows = []
    for i in idx:
        r = []
        for s in data.sents[i]:
            r.extend(pos[t] for t in s if t in pos)
        rows.append(r)
    return rows


def sent_sums(sents, w):
    return [math.fsum(w.get(t, 0.0) for t in s) for s in sents]


def hinge(sents, w, Q, R):
    """What the rule adds, as lint/tokens.c counts it: every sentence
    reported (sum above R) by its excess over Q, and of the sentences
    not reported only the largest excess."""
    sums = sent_sums(sents, w)
    silent = max([t - Q for t in sums if Q < t <= R] or [0.0])
    return math.fsum([t - Q for t in sums if t > R] + [silent])


# ---------------------------------------------------------------------
# Stage 2: a small dense logistic regression with offsets, prior means
# and weights >= 0 (projected Newton)
# ---------------------------------------------------------------------

def fit_dense(X, y, off, mean, prec, iters=100):
    """Minimise sum logloss(b + off_i + x_i.w) + 0.5 sum prec_j (w_j -
    mean_j)^2 with w >= 0; returns (w, b)."""
    n = len(mean)
    w = [max(0.0, m) for m in mean]
    npos = sum(y)
    b = math.log((npos + 0.5) / (len(y) - npos + 0.5))
    for _ in range(iters):
        g = [0.0] * (n + 1)
        H = [[0.0] * (n + 1) for _ in range(n + 1)]
        for xi, yi, oi in zip(X, y, off):
            z = b + oi + math.fsum(a * c for a, c in zip(w, xi))
            p = sig(z)
            r = p - yi
            q = p * (1.0 - p)
            v = list(xi) + [1.0]
            for a in range(n + 1):
                if v[a] == 0.0:
                    continue
                g[a] += r * v[a]
                for c in range(n + 1):
                    if v[c] != 0.0:
                        H[a][c] += q * v[a] * v[c]
        for j in range(n):
            g[j] += prec[j] * (w[j] - mean[j])
            H[j][j] += prec[j]
        H[n][n] += 1e-9
        # free variables: not held at 0 by the bound
        free = [j for j in range(n) if w[j] > 0.0 or g[j] < 0.0] + [n]
        step = solve([[H[a][c] for c in free] for a in free], [g[a] for a in free])
        if step is None:
            break
        new = w + [b]
        for k, a in enumerate(free):
            new[a] -= step[k]
        for j in range(n):
            new[j] = max(0.0, new[j])
        delta = max(abs(x - o) for x, o in zip(new, w + [b]))
        w, b = new[:n], new[n]
        if delta < 1e-7:
            break
    return w, b


def solve(A, bvec):
    """Gaussian elimination with partial pivoting; None if singular."""
    n = len(bvec)
    M = [row[:] + [bvec[i]] for i, row in enumerate(A)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(M[r][c]))
        if abs(M[p][c]) < 1e-12:
            return None
        M[c], M[p] = M[p], M[c]
        for r in range(c + 1, n):
            f = M[r][c] / M[c][c]
            if f:
                for k in range(c, n + 1):
                    M[r][k] -= f * M[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (M[r][n] - math.fsum(M[r][k] * x[k] for k in range(r + 1, n))) / M[r][r]
    return x


class Rules:
    """The tone rules: their weights as their files say (used for rules
    not fitted), the prior means of the fitted ones (PRIOR_WEIGHTS), and
    which are fitted (hit at least --min-rule-hits texts)."""

    def __init__(self, args, data, p):
        self.hand = {}
        self.prior = {}
        hits = {}
        for i, rs in enumerate(data.rules):
            for rid, c in rs.items():
                if rid != TOKENS_RULE and c:
                    hits.setdefault(rid, [0, 0])[data.y[i]] += 1
        self.fitted = []
        p("tone rules that hit (texts condescending or impolite / not):")
        for rid in sorted(hits):
            h = hits[rid]
            path = rule_file(args.rules_dir, rid)
            why = None
            w0 = 1.0
            if not os.path.isfile(path):
                why = "not fitted: no file %s" % os.path.relpath(path, args.rules_dir)
            else:
                with open(path, "rb") as f:
                    text = f.read().decode("utf-8", "surrogateescape")
                try:
                    w0 = float(top_level(text, "weight") or 1.0)
                except ValueError:
                    w0 = 1.0
                if h[0] + h[1] < args.min_rule_hits:
                    why = "not fitted: fewer than %d texts, weight %s kept" % (
                        args.min_rule_hits, fmt_rule_weight(w0))
            self.hand[rid] = w0
            self.prior[rid] = PRIOR_WEIGHTS.get(rid, 1.0)
            p("  %-30s %4d/%-4d %s" % (rid, h[1], h[0], why or "fitted (prior %s)"
                                         % fmt_rule_weight(self.prior[rid])))
            if not why:
                self.fitted.append(rid)
        if not hits:
            p("  (none)")

    def offset(self, rs):
        """What the rules that are not fitted add, at their weights."""
        return math.fsum(self.hand.get(r, 1.0) * c for r, c in rs.items()
                         if r != TOKENS_RULE and r not in self.fitted)

    def design(self, rs, h):
        return [float(rs.get(r, 0)) for r in self.fitted] + [h]


def stage2(rules, data, idx, w_tok, Q, R):
    X = [rules.design(data.rules[i], hinge(data.sents[i], w_tok, Q, R)) for i in idx]
    off = [rules.offset(data.rules[i]) for i in idx]
    mean = [rules.prior[r] for r in rules.fitted] + [1.0]
    prec = [RULE_PRIOR] * len(rules.fitted) + [K_PRIOR]
    w, b = fit_dense(X, [data.y[i] for i in idx], off, mean, prec)
    return w, b


def model_S(rules, w2, w_tok, Q, R, rs, sents):
    """S of one text or file: every rule at its (fitted or hand-set)
    weight, plus K times the token hinge."""
    wr = dict(zip(rules.fitted, w2[:-1]))
    s = math.fsum(wr.get(r, rules.hand.get(r, 1.0)) * c for r, c in rs.items()
                  if r != TOKENS_RULE)
    return s + w2[-1] * hinge(sents, w_tok, Q, R)


# ---------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------

def fit_tokens(data, idx, args, mc, lam):
    vocab = vocabulary(data, idx, mc, args.max_tokens)
    rows = token_rows(data, idx, vocab)
    pen = ([lam] * len(vocab), [lam] * len(vocab))
    v, _ = fit(rows, [data.y[i] for i in idx], len(vocab), pen, set(), tol=1e-2)
    return dict(zip(vocab, v[:-1])), vocab


def per_corpus_auc(data, scores):
    out = []
    for c in range(len(CORPORA)):
        ii = [i for i in range(len(data.y)) if data.src[i] == c]
        out.append(auc([scores[i] for i in ii], [data.y[i] for i in ii]))
    return out


def fmt_auc(a):
    return "  -  " if a is None else "%.3f" % a


def quantile(v, q):
    """The q-quantile of the sorted list v (nearest rank)."""
    return v[max(0, int(math.ceil(q * len(v))) - 1)]


def score_stats(scores):
    """Share above 0, median and 90th percentile of 0-100 scores."""
    v = sorted(scores)
    return (sum(1 for x in v if x > 0) / len(v), quantile(v, 0.5), quantile(v, 0.9))


def fmt_stats(st):
    return "%.1f%% (%d/%d)" % (100 * st[0], st[1], st[2])


def file_scores(rules, w2, w_tok, Q, R, bias, files):
    """The 0-100 score the model gives each file [(rules, sentences)]."""
    return [sendlint_score(bias, model_S(rules, w2, w_tok, Q, R, rs, sents))
            for rs, sents in files]


def has_diag(rs, sents, w_tok, R):
    """Would sendlint report a tone diagnostic (a rule, or a sentence
    whose sum is above R)?"""
    return any(r != TOKENS_RULE and c for r, c in rs.items()) or \
        any(t > R for t in sent_sums(sents, w_tok))


def write_model(args, w_tok, w2, Q, R, bias, rules, summary, shas):
    changed = []
    rd = args.rules_dir
    toks = sorted(((t, w) for t, w in w_tok.items() if fmt_weight(w) != "0.0000"),
                  key=lambda t: (-abs(float(fmt_weight(t[1]))), t[0]))
    lines = [
        "# rules.d/tone/%s - token weights (log-odds) of the rule %s." % (WEIGHTS_NAME, TOKENS_RULE),
        "# Written by scripts/train_tone.py; do not edit by hand, rerun it (scripts/README.md).",
    ]
    for (name, path, _, _), sha in zip(CORPORA, shas):
        lines.append("# data: %s sha256 %s" % (os.path.basename(path), sha))
    lines += [
        "# model: per sentence, the summed weight of its distinct tokens; the",
        "# rule counts max(0, sum - %s) per sentence, times %s, and reports a"
        % (fmt_weight(Q), fmt_rule_weight(w2[-1])),
        "# sentence above %s (lambda %g, tokens in >= %d texts of each corpus,"
        % (fmt_weight(R), summary["lambda"], summary["min_count"]),
        "# stance and function words only)",
        "# %d-fold cross-validated ROC-AUC of the 0-100 score: %s" % (args.folds, summary["auc_line"]),
    ]
    for t, w in toks:
        lines.append("%s\t%s" % (t, fmt_weight(w)))
    path = os.path.join(rd, "tone", WEIGHTS_NAME)
    if write_if_changed(path, "\n".join(lines) + "\n"):
        changed.append(path)
    # K and R in the token rule; each fitted rule's weight
    edits = {TOKENS_RULE: [("weight", fmt_rule_weight(w2[-1])), ("report_min", fmt_weight(R)),
                           ("score_min", fmt_weight(Q))]}
    for rid, w in zip(rules.fitted, w2[:-1]):
        edits[rid] = [("weight", fmt_rule_weight(max(0.0, w)))]
    for rid in sorted(edits):
        path = rule_file(rd, rid)
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
        new = text
        for key, val in edits[rid]:
            m = re.search(r"^%s:[ \t]*([^#\n]*?)[ \t]*$" % key, new, re.M)
            if not m:
                die("%s: no top-level '%s:' line to update" % (path, key))
            if m.group(1) != val:
                new = new[:m.start()] + "%s: %s" % (key, val) + new[m.end():]
        if write_if_changed(path, new):
            changed.append(path)
    path = os.path.join(rd, "scores.yml")
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "surrogateescape")
    new, n = re.subn(r"^([ \t]+tone:[ \t]*)\{[^}\n]*\}",
                     lambda m: "%s{bias: %s, scale: 1}" % (m.group(1), fmt_weight(bias)),
                     text, count=1, flags=re.M)
    if n != 1:
        die("%s: no 'tone: {bias: ..., scale: ...}' line under groups:" % path)
    if write_if_changed(path, new):
        changed.append(path)
    return changed


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
    m = re.search(r'\{\s*"tone",\s*([-0-9.]+),\s*([-0-9.]+)\s*\}', text)
    if m and (float(m.group(1)) != float(fmt_weight(bias)) or float(m.group(2)) != 1.0):
        warn("lint/score.c's built-in tone group is {%s, %s}, rules.d/scores.yml now says "
             "{%s, 1}: update it to match" % (m.group(1), m.group(2), fmt_weight(bias)))


def verify(args, data, p):
    """The real sendlint over every training text (as .txt files), over
    the false-positive sets and over the hard negatives: AUC of
    scores.tone, shares above 0 and with a diagnostic."""
    build(args, args.sendlint)
    tmp = tempfile.mkdtemp(prefix="train_tone-")
    try:
        names = []
        for i, t in enumerate(data.text + [t.encode() for t in CHECK_TEXTS]):
            name = os.path.join(tmp, "%05d.txt" % i)
            with open(name, "wb") as f:
                f.write(t)
            names.append(name)
        tone = run_sendlint(args, [tmp])
        got = [tone.get(n) for n in names]
        if None in got:
            die("sendlint did not report every training text")
        check = got[len(data.text):]
        got = [g[0] for g in got[:len(data.text)]]
        a = per_corpus_auc(data, got)
        p("verified with %s --format=json (scores.tone of each training text as a .txt file;"
          % os.path.relpath(args.sendlint, ROOT))
        p("in-sample: the model was fitted on these texts):")
        for (name, _, _, _), x in zip(CORPORA, a):
            ii = [i for i in range(len(data.y)) if CORPORA[data.src[i]][0] == name]
            zero = sum(1 for i in ii if got[i] == 0)
            p("  %-11s ROC-AUC %s   (%d of %d texts at 0)" % (name, fmt_auc(x), zero, len(ii)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for name, dirs in FP_SETS:
        dirs = [d for d in dirs if os.path.isdir(d)]
        if not dirs:
            continue
        tone = run_sendlint(args, dirs)
        n = len(tone)
        if not n:
            continue
        st = score_stats([v for v, _ in tone.values()])
        anyd = sum(1 for _, d in tone.values() if d)
        p("  %-11s %d files: tone > 0 %.1f%% (median %d, p90 %d), a tone diagnostic %.1f%%"
          % (name, n, 100.0 * st[0], st[1], st[2], 100.0 * anyd / n))
    p("  hard negatives (scores.tone, tone diagnostics):")
    for t, (v, d) in zip(CHECK_TEXTS, check):
        p("    %-44s %d, %d" % (json.dumps(t), v, d))


def run_sendlint(args, paths):
    """{path: (scores.tone, tone diagnostics)} of sendlint --format=json."""
    cmd = [args.sendlint, "--no-config", "-j", str(args.jobs), "--format=json",
           "--fail-level=none"]
    if args.rules_dir_given:
        cmd += ["--no-default-rules", "--rules=" + args.rules_dir]
    r = subprocess.run(cmd + paths, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1):
        sys.stderr.write(r.stderr.decode("utf-8", "replace")[:2000])
        die("%s failed with status %d" % (args.sendlint, r.returncode))
    out = {}
    for fe in json.loads(r.stdout.decode("utf-8", "surrogateescape"))["files"]:
        out[fe["path"]] = (fe["scores"].get("tone", 0),
                           sum(1 for d in fe["diagnostics"] if d.get("group") == "tone"))
    return out


def main():
    ap = argparse.ArgumentParser(description="Fit the tone score (see scripts/README.md).")
    ap.add_argument("--talkdown", default=CORPORA[0][1], help="talkdown TSV (label<TAB>text)")
    ap.add_argument("--politeness", default=CORPORA[1][1], help="politeness TSV (label<TAB>text)")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    ap.add_argument("--min-count", type=min_counts, default=min_counts(DEFAULT_MIN_COUNTS),
                    help="keep tokens seen in at least this many texts of each corpus; a "
                    "comma-separated list is cross-validated (default %s)" % DEFAULT_MIN_COUNTS)
    ap.add_argument("--max-tokens", type=int, default=2000, help="at most this many tokens")
    ap.add_argument("--min-rule-hits", type=int, default=10,
                    help="fit a rule's weight only if it hits this many texts (default 10)")
    ap.add_argument("--max-template-share", type=float, default=0.03,
                    help="R must keep the share of templates with a tone finding at most "
                    "this (default 0.03)")
    ap.add_argument("--max-template-median", type=int, default=5,
                    help="Q must keep the templates' median tone score at most this "
                    "(default 5)")
    ap.add_argument("--prior", type=float, default=DEFAULT_PRIOR,
                    help="share of condescending copy the bias is calibrated to (default %g)"
                    % DEFAULT_PRIOR)
    ap.add_argument("--rules-dir", default=None, help="rules directory to fit and write")
    ap.add_argument("--extractor", default=os.path.join(ROOT, "build", "release", "tone_features"))
    ap.add_argument("--sendlint", default=os.path.join(ROOT, "sendlint"),
                    help="the sendlint binary --verify runs (default ./sendlint)")
    ap.add_argument("--no-build", action="store_true", help="do not run make")
    ap.add_argument("--no-fp", action="store_true",
                    help="skip the false-positive sets (templates, ham)")
    ap.add_argument("-j", "--jobs", type=int, default=0, help="sendlint -j for --verify")
    ap.add_argument("--top", type=int, default=20, help="tokens to list each way (default 20)")
    ap.add_argument("--write", action="store_true", help="write the fitted model into the rules dir")
    ap.add_argument("--verify", action="store_true",
                    help="then run the real sendlint over the texts and report its AUC")
    args = ap.parse_args()
    if args.folds < 2:
        die("--folds must be at least 2")
    if not 0.0 < args.prior < 1.0:
        die("--prior must be a share between 0 and 1")
    args.rules_dir_given = args.rules_dir is not None
    args.rules_dir = os.path.abspath(args.rules_dir or os.path.join(ROOT, "rules.d"))
    args.extractor = os.path.abspath(args.extractor)
    args.sendlint = os.path.abspath(args.sendlint)
    out = []
    p = out.append

    build(args, args.extractor)
    data = Data()
    shas = []
    for c, (name, _, pos, neg) in enumerate(CORPORA):
        path = os.path.abspath(args.talkdown if c == 0 else args.politeness)
        rows, sha = read_tsv(path, pos, neg)
        shas.append(sha)
        feats = run_extractor(args, [path])
        if len(feats) != len(rows):
            die("the extractor gave %d rows for %d texts of %s" % (len(feats), len(rows), path))
        ys = [y for y, _ in rows]
        if sum(ys) < args.folds or len(ys) - sum(ys) < args.folds:
            die("%s: need at least %d texts of each label" % (path, args.folds))
        data.add(c, rows, feats, assign_folds(ys, [t for _, t in rows], args.folds))
        p("data: %s sha256 %s: %d texts (%d %s, %d %s)" % (
            os.path.basename(path), sha, len(rows), sum(ys), pos, len(ys) - sum(ys), neg))
    fp = {}
    if not args.no_fp:
        for name, dirs in FP_SETS:
            files = fp_files([d for d in dirs if os.path.isdir(d)])
            if files:
                fp[name] = [(fe.get("rules", {}), [tuple(s) for s in fe.get("sentences", [])])
                            for fe in run_extractor(args, ["--files"] + files)]
    rules = Rules(args, data, p)
    n = len(data.y)
    allidx = list(range(n))

    # stage 1, cross-validated for each min-count and lambda (warm starts
    # are not needed: the vocabulary differs per fold)
    p("")
    p("%d-fold cross-validation: folds stratified by label within each corpus, dealt by"
      % args.folds)
    p("sha256 of the text; each training part builds its own vocabulary and both stages.")
    grid = [(mc, lam) for mc in args.min_count for lam in LAMBDAS]
    oof = {g: [None] * n for g in grid}
    oof_w = {g: [None] * args.folds for g in grid}
    for f in range(args.folds):
        train = [i for i in allidx if data.fold[i] != f]
        for g in grid:
            w_tok, _ = fit_tokens(data, train, args, *g)
            oof_w[g][f] = w_tok
            for i in allidx:
                if data.fold[i] == f:
                    oof[g][i] = math.fsum(sent_sums(data.sents[i], w_tok))
    by_g = {g: per_corpus_auc(data, oof[g]) for g in grid}
    mean = {g: math.fsum(by_g[g]) / len(CORPORA) for g in grid}
    best = max(mean.values())
    mc, lam = max(g for g in grid if mean[g] >= best - LAMBDA_SLACK)
    p("")
    p("stage 1, the token model (the sum of t_s over sentences, no threshold),")
    p("CV ROC-AUC per lambda:      %s" % " ".join("%9g" % l for l in LAMBDAS))
    for m in args.min_count:
        for c, (name, _, _, _) in enumerate(CORPORA):
            p("  %-26s %s" % ("%s, min-count %d" % (name, m),
                              " ".join("%9s" % fmt_auc(by_g[(m, l)][c]) for l in LAMBDAS)))
    p("  chosen min-count %d, lambda %g (the largest min-count, then the strongest lambda,"
      % (mc, lam))
    p("  within %g of the best mean)" % LAMBDA_SLACK)

    # stage 2 per score threshold Q, cross-validated, and the final models
    w_full, vocab = fit_tokens(data, allidx, args, mc, lam)
    shift = logit(args.prior) - logit(sum(data.y) / n)
    # the report threshold R: what gets a diagnostic, not what counts
    p("")
    p("the report threshold R: share of templates / ham with a tone diagnostic")
    rtable = []
    for R in REPORT_GRID:
        d = {k: sum(1 for rs, sents in v if has_diag(rs, sents, w_full, R)) / len(v)
             for k, v in fp.items() if v}
        rtable.append((R, d))
        p("  %-5s %s" % (fmt_weight(R)[:4], ", ".join("%s %.1f%%" % (k, 100 * x)
                                                      for k, x in sorted(d.items())) or "-"))
    ok = [t for t in rtable if t[1].get("templates", 0.0) <= args.max_template_share]
    if not ok:
        warn("no R keeps the templates under --max-template-share; taking the largest")
        ok = [rtable[-1]]
    R = ok[0][0]
    p("  chosen R %s: the lowest with at most %g%% of the templates given a tone diagnostic"
      % (fmt_weight(R), 100 * args.max_template_share))
    table = []
    for Q in SCORE_GRID:
        if Q > R:
            continue
        score = [0] * n
        S = [0.0] * n
        for f in range(args.folds):
            train = [i for i in allidx if data.fold[i] != f]
            w_tok = oof_w[(mc, lam)][f]
            w2, b = stage2(rules, data, train, w_tok, Q, R)
            for i in allidx:
                if data.fold[i] == f:
                    S[i] = model_S(rules, w2, w_tok, Q, R, data.rules[i], data.sents[i])
                    score[i] = sendlint_score(b + shift, S[i])
        w2, b = stage2(rules, data, allidx, w_full, Q, R)
        stats = {k: score_stats(file_scores(rules, w2, w_full, Q, R, b + shift, v))
                 for k, v in fp.items() if v}
        table.append((Q, per_corpus_auc(data, score), per_corpus_auc(data, S), w2, b,
                      stats, [sum(1 for i in allidx if data.src[i] == c and score[i] == 0)
                              for c in range(len(CORPORA))]))
    p("")
    p("stage 2, rules and the sentence score threshold Q (CV ROC-AUC of S and of the")
    p("0-100 score; texts at score 0; of templates / ham, the share the final model")
    p("scores above 0, with the median and 90th percentile of the score):")
    p("  %-5s %-13s %-13s %-13s %s" % ("Q", "AUC S", "AUC score", "at 0", "above 0 (median/p90)"))
    for Q, a_int, a_s, w2, b, stats, zeros in table:
        sh = ", ".join("%s %s" % (k, fmt_stats(v)) for k, v in sorted(stats.items()))
        p("  %-5s %-13s %-13s %-13s %s" % (fmt_weight(Q)[:4], "/".join(fmt_auc(x) for x in a_s),
                                            "/".join(fmt_auc(x) for x in a_int),
                                            "/".join(str(z) for z in zeros), sh or "-"))
    # ordinary mail may get a few points without a diagnostic, not more:
    # the templates' median score caps Q from below
    qok = [t for t in table if "templates" not in t[5]
           or t[5]["templates"][1] <= args.max_template_median]
    if not qok:
        warn("no Q keeps the templates' median score under --max-template-median; "
             "taking the largest")
        qok = [table[-1]]
    smean = [math.fsum(x for x in t[1] if x is not None) for t in qok]
    sbest = max(smean)
    Q, a_int, a_s, w2, b, stats, zeros = max(
        (t for t, m in zip(qok, smean) if m >= sbest - len(CORPORA) * SCORE_SLACK),
        key=lambda t: t[0])
    bias = b + shift
    p("  chosen Q %s: the largest within %g of the best mean AUC of the score among"
      % (fmt_weight(Q), SCORE_SLACK))
    p("  those that give the templates a median score of at most %d" % args.max_template_median)

    p("")
    p("final model (all texts): K %s, Q %s, R %s; fitted bias %s, written %s (prior %g),"
      % (fmt_rule_weight(w2[-1]), fmt_weight(Q), fmt_weight(R), fmt_weight(b),
         fmt_weight(bias), args.prior))
    p("scale 1")
    for rid, w in zip(rules.fitted, w2[:-1]):
        p("  %-30s weight %s (prior %s)" % (rid, fmt_rule_weight(w),
                                             fmt_rule_weight(rules.prior[rid])))
    nz = sorted(((w, t) for t, w in w_full.items() if fmt_weight(w) != "0.0000"))
    p("  %d tokens" % len(nz))
    p("top talk-down tokens:  " + ", ".join("%s %+.2f" % (json.dumps(t), w)
                                            for w, t in reversed(nz[-args.top:])))
    p("top courteous tokens:  " + ", ".join("%s %+.2f" % (json.dumps(t), w)
                                            for w, t in nz[:args.top]))
    fd, path = tempfile.mkstemp(suffix=".tsv", prefix="train_tone-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(b"label\ttext\n" + b"".join(b"x\t" + t.encode() + b"\n" for t in CHECK_TEXTS))
        check = run_extractor(args, [path])
    finally:
        os.unlink(path)
    p("hard negatives (S, score, diagnostic):")
    for t, fe in zip(CHECK_TEXTS, check):
        sents = [tuple(s) for s in fe.get("sentences", [])]
        rs = fe.get("rules", {})
        s = model_S(rules, w2, w_full, Q, R, rs, sents)
        p("  %-44s S %+.2f score %d %s" % (json.dumps(t), s, sendlint_score(bias, s),
                                           "yes" if has_diag(rs, sents, w_full, R) else "no"))

    if args.write:
        auc_line = ", ".join("%s %s" % (c[0], fmt_auc(x)) for c, x in zip(CORPORA, a_int))
        changed = write_model(args, w_full, w2, Q, R, bias, rules,
                              {"lambda": lam, "min_count": mc, "auc_line": auc_line}, shas)
        p("")
        p("written: %s" % (", ".join(os.path.relpath(c, os.path.dirname(args.rules_dir))
                                     for c in changed) or "nothing changed"))
        builtin_check(args, bias)
    sys.stdout.write("\n".join(out) + "\n")
    out.clear()
    if args.verify:
        sys.stdout.write("\n")
        verify(args, data, p)
        sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
