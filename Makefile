# sendlint - build, test, install.
#
#   make            build ./sendlint
#   make setup      install missing Debian packages, build, lint corpus/
#   make check      every test (unit, rule examples, goldens, CLI, fuzz)
#   make check SANITIZE=1   the same under ASan + UBSan (build/asan/)
#   make bench      throughput figures
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/sendlint
MANDIR  ?= $(PREFIX)/share/man

CC      ?= cc
PKGS    := libxml-2.0 libpcre2-8 yaml-0.1 hunspell
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# glibc has iconv built in; macOS and the BSDs keep it in -liconv
UNAME := $(shell uname -s)
ifneq ($(filter Darwin FreeBSD OpenBSD NetBSD,$(UNAME)),)
ICONV_LIBS := -liconv
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) \
	-DSL_DATADIR='"$(DATADIR)"'
LIBS    = $(PKG_LIBS) $(ICONV_LIBS) -lpthread -lm

ifeq ($(SANITIZE),1)
B       := build/asan
CFLAGS  := -O1 -g -fno-omit-frame-pointer
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
BIN     := $(B)/sendlint
else
B       := build/release
LDSAN   :=
BIN     := sendlint
endif

LIB_SRC := $(filter-out lint/main.c,$(wildcard lint/*.c))
LIB_OBJ := $(LIB_SRC:lint/%.c=$(B)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)

.PHONY: all setup deps check unit bench install uninstall clean fuzz corpus

all: $(BIN)

$(B)/%.o: lint/%.c $(wildcard lint/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libsendlint.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(B)/main.o $(B)/libsendlint.a
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/unit/%: tests/unit/%.c tests/unit/t.h tests/unit/t_result.h tests/unit/t_lint.h $(B)/libsendlint.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ilint $(LDSAN) -o $@ $< $(B)/libsendlint.a $(LIBS)

unit: $(UNIT_BIN)

deps:
	@sh scripts/deps.sh

setup: deps
	$(MAKE) all
	./sendlint corpus/ || test $$? -eq 1

check: $(BIN) $(UNIT_BIN)
	@SENDLINT=$(abspath $(BIN)) UNIT_DIR=$(B)/unit SANITIZE=$(SANITIZE) sh tests/run.sh

fuzz:
	@sh tests/fuzz/run.sh

bench: $(BIN) $(B)/bench $(B)/bench_phrases
	@SENDLINT=$(abspath $(BIN)) BENCH=$(B)/bench BENCH_PHRASES=$(B)/bench_phrases sh scripts/bench.sh

$(B)/bench: tests/bench.c $(B)/libsendlint.a
	$(CC) $(ALL_CFLAGS) -Ilint $(LDSAN) -o $@ $< $(B)/libsendlint.a $(LIBS)

$(B)/bench_phrases: tests/bench_phrases.c $(B)/libsendlint.a
	$(CC) $(ALL_CFLAGS) -Ilint $(LDSAN) -o $@ $< $(B)/libsendlint.a $(LIBS)

# the subject score's features, for scripts/train_subjects.py
$(B)/subject_features: scripts/subject_features.c scripts/features_io.h lint/internal.h $(B)/libsendlint.a
	$(CC) $(ALL_CFLAGS) -Ilint $(LDSAN) -o $@ $< $(B)/libsendlint.a $(LIBS)

# the tone score's features, for scripts/train_tone.py
$(B)/tone_features: scripts/tone_features.c scripts/features_io.h lint/internal.h $(B)/libsendlint.a
	$(CC) $(ALL_CFLAGS) -Ilint $(LDSAN) -o $@ $< $(B)/libsendlint.a $(LIBS)

install: sendlint
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 sendlint $(DESTDIR)$(BINDIR)/sendlint
	cp -R rules.d $(DESTDIR)$(DATADIR)/
	install -m 644 doc/sendlint.1 $(DESTDIR)$(MANDIR)/man1/sendlint.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sendlint $(DESTDIR)$(MANDIR)/man1/sendlint.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build sendlint
