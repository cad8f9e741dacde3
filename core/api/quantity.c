/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantity.c - Kubernetes resource quantities (resource.Quantity) parsed into
 * milli-units and printed back in the API server's canonical form.
 *
 * The grammar and the two error sentences are apimachinery's
 * (ParseQuantity: ErrFormatWrong, ErrSuffix).  Values are kept as an int64
 * count of milli-units, so anything at or beyond 2^63 milli-units (about
 * 9.2P of a unit) is -ERANGE, and sub-milli precision is rounded up (away
 * from zero) as Quantity.MilliValue() does.  This file knows nothing of
 * YAML or pods.
 */
#include "quantity.h"

#include <errno.h>

#define QTY_FORMAT_MSG                                                                             \
	"quantities must match the regular expression "                                            \
	"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
#define QTY_SUFFIX_MSG "unable to parse quantity's suffix"

/* The three suffix families of apimachinery's Format. */
enum qty_family { QF_DECIMAL_SI, QF_BINARY_SI, QF_DECIMAL_EXP };

/* A suffix as interpreted by apimachinery's suffixer: value = 2^bin * 10^dec. */
struct qty_suffix {
	enum qty_family family;
	int bin;
	int dec;
};

static int suffix_interpret(const char *s, size_t n, struct qty_suffix *out)
{
	static const struct {
		const char *s;
		int bin, dec;
		enum qty_family fam;
	} table[] = {
	    {"", 0, 0, QF_DECIMAL_SI},	 {"n", 0, -9, QF_DECIMAL_SI}, {"u", 0, -6, QF_DECIMAL_SI},
	    {"m", 0, -3, QF_DECIMAL_SI}, {"k", 0, 3, QF_DECIMAL_SI},  {"M", 0, 6, QF_DECIMAL_SI},
	    {"G", 0, 9, QF_DECIMAL_SI},	 {"T", 0, 12, QF_DECIMAL_SI}, {"P", 0, 15, QF_DECIMAL_SI},
	    {"E", 0, 18, QF_DECIMAL_SI}, {"Ki", 10, 0, QF_BINARY_SI}, {"Mi", 20, 0, QF_BINARY_SI},
	    {"Gi", 30, 0, QF_BINARY_SI}, {"Ti", 40, 0, QF_BINARY_SI}, {"Pi", 50, 0, QF_BINARY_SI},
	    {"Ei", 60, 0, QF_BINARY_SI},
	};

	for (size_t i = 0; i < PF_ARRAY_SIZE(table); i++) {
		if (strlen(table[i].s) == n && memcmp(table[i].s, s, n) == 0) {
			out->family = table[i].fam;
			out->bin = table[i].bin;
			out->dec = table[i].dec;
			return 0;
		}
	}
	/* "e3", "E-2": a decimal exponent (a lone "E" is exa, handled above). */
	if (n > 1 && (s[0] == 'e' || s[0] == 'E')) {
		size_t i = 1;
		bool neg = false;
		long v = 0;

		if (s[i] == '+' || s[i] == '-')
			neg = s[i++] == '-';
		if (i == n)
			return -EINVAL;
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -EINVAL;
			if (v < 100000)
				v = v * 10 + (s[i] - '0');
		}
		out->family = QF_DECIMAL_EXP;
		out->bin = 0;
		out->dec = (int)(neg ? -v : v);
		return 0;
	}
	return -EINVAL;
}

/*
 * Split s as apimachinery's parseQuantityString does: sign, digits with at
 * most one '.', then a suffix of [eEinumkKMGTP]* optionally followed by a
 * signed integer.  Returns the bounds of the number and of the suffix.
 */
static int qty_split(const char *s, bool *neg, const char **num, size_t *num_n, const char **sfx,
		     size_t *sfx_n)
{
	size_t i = 0, start, end = strlen(s), digits = 0;

	*neg = false;
	if (end == 0)
		return -EINVAL;
	if (s[i] == '+' || s[i] == '-')
		*neg = s[i++] == '-';
	start = i;
	while (i < end && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < end && s[i] == '.') {
		i++;
		while (i < end && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return -EINVAL;
	*num = s + start;
	*num_n = i - start;
	*sfx = s + i;
	while (i < end && strchr("eEinumkKMGTP", s[i]))
		i++;
	if (i < end && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < end && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i != end)
		return -EINVAL;
	*sfx_n = (size_t)(s + end - *sfx);
	return 0;
}

static int qty_parse(const char *s, int64_t *milli, enum qty_family *fam, struct pf_err *err)
{
	const char *num, *sfx;
	size_t num_n, sfx_n;
	struct qty_suffix suf;
	bool neg, dropped = false, seen_dot = false;
	uint64_t m = 0;
	int sig = 0, e10;
	long frac = 0, drop = 0;
	unsigned __int128 v;

	if (qty_split(s, &neg, &num, &num_n, &sfx, &sfx_n) < 0)
		return pf_err_set(err, EINVAL, "%s", QTY_FORMAT_MSG);
	if (suffix_interpret(sfx, sfx_n, &suf) < 0)
		return pf_err_set(err, EINVAL, "%s", QTY_SUFFIX_MSG);

	/* Keep 19 significant digits; anything dropped only matters for the
	 * round-up (or means the value overflows anyway). */
	for (size_t i = 0; i < num_n; i++) {
		char c = num[i];

		if (c == '.') {
			seen_dot = true;
			continue;
		}
		if (seen_dot)
			frac++;
		if (sig == 0 && c == '0')
			continue;
		if (sig < 19) {
			m = m * 10 + (uint64_t)(c - '0');
			sig++;
		} else {
			drop++;
			if (c != '0')
				dropped = true;
		}
	}
	if (suf.dec > 100000 || suf.dec < -100000)
		return pf_err_set(err, ERANGE, "quantity \"%s\" is out of range", s);
	e10 = (int)(suf.dec - frac + drop + 3);
	v = m;
	v <<= suf.bin; /* m < 2^64, bin <= 60: fits */

	if (m == 0 && !dropped) {
		v = 0;
	} else if (e10 >= 0) {
		/* Stop once past int64: v stays far below 2^128. */
		for (int i = 0; i < e10 && v <= INT64_MAX; i++)
			v *= 10;
		if (dropped)
			v += 1;
	} else if (-e10 > 38) {
		v = 1;
	} else {
		unsigned __int128 d = 1;

		for (int i = 0; i < -e10; i++)
			d *= 10;
		bool rem = (v % d) != 0 || dropped;
		v = v / d + (rem ? 1 : 0);
	}
	if (v > INT64_MAX)
		return pf_err_set(err, ERANGE, "quantity \"%s\" is out of range", s);
	*milli = neg ? -(int64_t)v : (int64_t)v;
	if (fam)
		*fam = suf.family;
	return 0;
}

int pf_quantity_parse(const char *s, int64_t *milli, struct pf_err *err)
{
	return qty_parse(s, milli, NULL, err);
}

/* Decimal canonical form (AsCanonicalBytes): mantissa and an exponent that is
 * a multiple of 3, trailing zero groups moved into the exponent. */
static char *canon_decimal(int64_t milli, bool exp_form)
{
	static const char *const si[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
	uint64_t a = milli < 0 ? (uint64_t)0 - (uint64_t)milli : (uint64_t)milli;
	int e = -3, times = 0;

	if (a == 0)
		return pf_xstrdup("0");
	while (a % 10 == 0) {
		a /= 10;
		times++;
	}
	e += times;
	int extra = ((e % 3) + 3) % 3;
	e -= extra;
	for (; extra > 0; extra--)
		a *= 10;
	if (exp_form)
		return e ? pf_xasprintf("%s%llue%d", milli < 0 ? "-" : "", (unsigned long long)a, e)
			 : pf_xasprintf("%s%llu", milli < 0 ? "-" : "", (unsigned long long)a);
	return pf_xasprintf("%s%llu%s", milli < 0 ? "-" : "", (unsigned long long)a,
			    si[(e + 9) / 3]);
}

/* Binary canonical form (AsCanonicalBase1024Bytes); values under 1024 in
 * magnitude and non-integral values fall back to decimal, as apimachinery's
 * CanonicalizeBytes does "to avoid rounding and confusion". */
static char *canon_binary(int64_t milli)
{
	static const char *const bi[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	uint64_t a = milli < 0 ? (uint64_t)0 - (uint64_t)milli : (uint64_t)milli;
	int k = 0;

	if (a % 1000 != 0 || a < 1024 * 1000)
		return canon_decimal(milli, false);
	a /= 1000;
	while (k < 6 && a % 1024 == 0) {
		a /= 1024;
		k++;
	}
	return pf_xasprintf("%s%llu%s", milli < 0 ? "-" : "", (unsigned long long)a, bi[k]);
}

char *pf_quantity_canonical(const char *original, int64_t milli)
{
	enum qty_family fam = QF_DECIMAL_SI;
	int64_t ignored;

	if (original)
		qty_parse(original, &ignored, &fam, NULL);
	switch (fam) {
	case QF_BINARY_SI:
		return canon_binary(milli);
	case QF_DECIMAL_EXP:
		return canon_decimal(milli, true);
	default:
		return canon_decimal(milli, false);
	}
}

int pf_quantity_set(struct pf_quantity *q, const char *s, struct pf_err *err)
{
	enum qty_family fam;
	int64_t milli;
	int r = qty_parse(s, &milli, &fam, err);

	if (r < 0)
		return r;
	free(q->str);
	q->milli = milli;
	q->str = pf_quantity_canonical(s, milli);
	return 0;
}

char *pf_quantity_format_bytes(int64_t bytes)
{
	static const char *const bi[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	uint64_t a = bytes < 0 ? (uint64_t)0 - (uint64_t)bytes : (uint64_t)bytes;
	int k = 0;

	while (a && k < 6 && a % 1024 == 0) {
		a /= 1024;
		k++;
	}
	return pf_xasprintf("%s%llu%s", bytes < 0 ? "-" : "", (unsigned long long)a, bi[k]);
}

char *pf_quantity_format_milli(int64_t milli)
{
	if (milli % 1000 == 0)
		return pf_xasprintf("%lld", (long long)(milli / 1000));
	return pf_xasprintf("%lldm", (long long)milli);
}
