/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c - allocation, string buffers, clocks and reading a small file.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

static void oom(size_t n)
{
	fprintf(stderr, "podfs: out of memory allocating %zu bytes\n", n);
	abort();
}

void *pf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *pf_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *pf_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *pf_xstrdup(const char *s)
{
	return pf_xstrndup(s, strlen(s));
}

char *pf_xstrndup(const char *s, size_t n)
{
	char *p = pf_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pf_xasprintf(const char *fmt, ...)
{
	struct pf_buf b = PF_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pf_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return pf_buf_detach(&b, NULL);
}

void pf_grow(void **arr, size_t *cap, size_t need, size_t elsize)
{
	size_t c = *cap;

	if (need <= c)
		return;
	c = c ? c : 4;
	while (c < need)
		c *= 2;
	*arr = pf_xrealloc(*arr, c * elsize);
	*cap = c;
}

static void buf_reserve(struct pf_buf *b, size_t extra)
{
	PF_GROW(b->buf, b->cap, b->len + extra + 1);
}

void pf_buf_add(struct pf_buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void pf_buf_adds(struct pf_buf *b, const char *s)
{
	pf_buf_add(b, s, strlen(s));
}

void pf_buf_addc(struct pf_buf *b, char c)
{
	pf_buf_add(b, &c, 1);
}

void pf_buf_vaddf(struct pf_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	buf_reserve(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void pf_buf_addf(struct pf_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pf_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void pf_buf_reset(struct pf_buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void pf_buf_release(struct pf_buf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

char *pf_buf_detach(struct pf_buf *b, size_t *len)
{
	char *s;

	if (!b->buf)
		pf_buf_add(b, "", 0);
	s = b->buf;
	if (len)
		*len = b->len;
	b->buf = NULL;
	b->len = b->cap = 0;
	return s;
}

void pf_random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* Only a bad buffer makes getrandom fail. */
			abort();
		}
		p += r;
		n -= (size_t)r;
	}
}

char *pf_random_id64(void)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[32];
	char *id = pf_xmalloc(65);

	pf_random_bytes(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++) {
		id[2 * i] = hex[b[i] >> 4];
		id[2 * i + 1] = hex[b[i] & 15];
	}
	id[64] = '\0';
	return id;
}

int pf_read_file(const char *path, size_t max, char **out, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct pf_buf b = PF_BUF_INIT;
	char chunk[65536];
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			pf_buf_release(&b);
			return -e;
		}
		if (b.len + (size_t)n > max) {
			pf_buf_release(&b);
			return -EFBIG;
		}
		pf_buf_add(&b, chunk, (size_t)n);
	}
	*out = pf_buf_detach(&b, len);
	return 0;
}
