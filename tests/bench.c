/*
 * bench.c - throughput of the whole pipeline, in memory.
 *
 * usage: bench [--no-rules] [--rules DIR] [--min-seconds S] FILE|DIR...
 * Reads every file into memory first (so disk speed is not measured),
 * then lints them all, repeatedly until at least S seconds (default 2)
 * have passed, and prints MB/s, files/s and the peak resident memory.
 * MB/s is given by wall time and by the process's CPU time (user + system),
 * which other load on the machine disturbs less.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "sendlint.h"

typedef struct file {
	char *name;
	unsigned char *data;
	size_t len;
} file;

static file *files;
static size_t nfiles, afiles, total_bytes, largest;

static void add_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	struct stat st;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
		fclose(f);
		return;
	}
	size_t n = (size_t)st.st_size;
	unsigned char *p = malloc(n ? n : 1);
	if (!p || fread(p, 1, n, f) != n) {
		free(p);
		fclose(f);
		return;
	}
	fclose(f);
	if (nfiles == afiles) {
		afiles = afiles ? afiles * 2 : 256;
		files = realloc(files, afiles * sizeof *files);
		if (!files)
			exit(2);
	}
	files[nfiles].name = strdup(path);
	files[nfiles].data = p;
	files[nfiles].len = n;
	nfiles++;
	total_bytes += n;
	if (n > largest)
		largest = n;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(const char *path, int depth)
{
	struct stat st;
	if (depth > 16 || stat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		add_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (!d)
		return;
	char **names = NULL;
	size_t n = 0, a = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == a) {
			a = a ? a * 2 : 64;
			names = realloc(names, a * sizeof *names);
			if (!names)
				exit(2);
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(names[i]) + 2;
		char *p = malloc(len);
		snprintf(p, len, "%s/%s", path, names[i]);
		add_path(p, depth + 1);
		free(p);
		free(names[i]);
	}
	free(names);
}

static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	sl_options o = { 0 };
	double min_s = 2.0;
	o.default_rules = "rules.d";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--no-rules"))
			o.default_rules = NULL;
		else if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			o.default_rules = argv[++i];
		else if (!strcmp(argv[i], "--min-seconds") && i + 1 < argc)
			min_s = atof(argv[++i]);
	}
	for (; i < argc; i++)
		add_path(argv[i], 0);
	if (!nfiles) {
		fprintf(stderr, "bench: no files\n");
		return 2;
	}
	sl_context *ctx;
	if (sl_context_new(&ctx, &o) != SL_OK) {
		fprintf(stderr, "bench: %s\n", ctx ? sl_context_errmsg(ctx) : "out of memory");
		return 2;
	}
	size_t rounds = 0, diags = 0;
	double c0 = cpu_now(), t0 = now(), t;
	do {
		for (size_t k = 0; k < nfiles; k++) {
			sl_result *r;
			if (sl_lint(&r, ctx, files[k].name, files[k].data, files[k].len) != SL_OK)
				return 2;
			diags += sl_result_count(r);
			sl_result_free(r);
		}
		rounds++;
		t = now() - t0;
	} while (t < min_s);
	double cpu = cpu_now() - c0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double mb = (double)total_bytes * (double)rounds / 1e6;
	printf("%zu files, %.2f MB, %zu rounds in %.2f s: %.1f MB/s (%.1f MB/s of CPU "
	       "time), %.0f files/s, %.1f diagnostics/file; largest input %.2f MB, "
	       "peak RSS %.1f MB (inputs held in memory: %.1f MB)\n",
	       nfiles, (double)total_bytes / 1e6, rounds, t, mb / t, cpu > 0 ? mb / cpu : 0.0,
	       (double)nfiles * (double)rounds / t,
	       (double)diags / ((double)nfiles * (double)rounds),
	       (double)largest / 1e6, (double)ru.ru_maxrss / 1024.0,
	       (double)total_bytes / 1e6);
	sl_context_free(ctx);
	return 0;
}
