/*
 * scripts/features_io.h - what the feature extractors (subject_features.c,
 * tone_features.c) share: where the bundled rules are, and reading a
 * whole data file (at most FEATURES_FILE_MAX bytes; errno set on failure).
 * Included by one .c file each, so its functions are static.
 */
#ifndef SL_FEATURES_IO_H
#define SL_FEATURES_IO_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FEATURES_FILE_MAX ((size_t)1 << 30)

/* rules.d in the binary's directory or up to four above it, else
 * "rules.d". */
static const char *default_rules(void)
{
	static char buf[PATH_MAX + 16];
	char exe[PATH_MAX];
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		for (int up = 0; up < 4; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = 0;
			snprintf(buf, sizeof buf, "%s/rules.d", exe);
			if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
				return buf;
		}
	}
	return "rules.d";
}

static int read_all(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			if (cap >= FEATURES_FILE_MAX) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return -1;
			}
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	int err = !buf || ferror(f);
	fclose(f);
	if (err) {
		free(buf);
		if (!errno)
			errno = EIO;
		return -1;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

#endif
