/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_quantity.c - resource quantities: parsing into milli-units, the API
 * server's canonical form, the errors, and the capacity formatters.
 */
#include "quantity.h"
#include "tap.h"

#include <errno.h>

struct qcase {
	const char *in;
	int rc;
	int64_t milli;
	const char *canon;
};

static const struct qcase cases[] = {
    {"0", 0, 0, "0"},
    {"1", 0, 1000, "1"},
    {"100m", 0, 100, "100m"},
    {"1000m", 0, 1000, "1"},
    {"1500m", 0, 1500, "1500m"},
    {"0.1", 0, 100, "100m"},
    {"0.5", 0, 500, "500m"},
    {".5", 0, 500, "500m"},
    {"1.", 0, 1000, "1"},
    {"2.5", 0, 2500, "2500m"},
    {"1000", 0, 1000000, "1k"},
    {"1500", 0, 1500000, "1500"},
    {"1k", 0, 1000000, "1k"},
    {"1000M", 0, 1000000000000LL, "1G"},
    {"1G", 0, 1000000000000LL, "1G"},
    {"64Mi", 0, 64LL * 1024 * 1024 * 1000, "64Mi"},
    {"1024Mi", 0, 1024LL * 1024 * 1024 * 1000, "1Gi"},
    {"1.5Gi", 0, 1536LL * 1024 * 1024 * 1000, "1536Mi"},
    {"0.5Gi", 0, 512LL * 1024 * 1024 * 1000, "512Mi"},
    {"2Ki", 0, 2048000, "2Ki"},
    {"1Ki", 0, 1024000, "1Ki"},
    {"0.5Ki", 0, 512000, "512"},
    {"1e3", 0, 1000000, "1e3"},
    {"1E3", 0, 1000000, "1e3"},
    {"1.5e3", 0, 1500000, "1500"},
    {"5e-3", 0, 5, "5e-3"},
    {"+1", 0, 1000, "1"},
    {"-1", 0, -1000, "-1"},
    {"-100m", 0, -100, "-100m"},
    {"1u", 0, 1, "1m"}, /* sub-milli rounds up */
    {"100n", 0, 1, "1m"},
    {"0.0001", 0, 1, "1m"},
    {"1001u", 0, 2, "2m"},
    {"1Ti", 0, 1099511627776000LL, "1Ti"},
    {"1P", 0, 1000000000000000000LL, "1P"},
    {"9P", 0, 9000000000000000000LL, "9P"},
    {"00100m", 0, 100, "100m"},
    {"0.000000000000000000000001", 0, 1, "1m"},
    {"10E", -ERANGE, 0, NULL}, /* beyond int64 milli-units */
    {"1Ei", -ERANGE, 0, NULL},
    {"99999999999999999999", -ERANGE, 0, NULL},
    {"", -EINVAL, 0, NULL},
    {"abc", -EINVAL, 0, NULL},
    {"1Mb", -EINVAL, 0, NULL},
    {"1.2.3", -EINVAL, 0, NULL},
    {"--1", -EINVAL, 0, NULL},
    {"1 ", -EINVAL, 0, NULL},
    {" 1", -EINVAL, 0, NULL},
    {"m", -EINVAL, 0, NULL},
    {".", -EINVAL, 0, NULL},
    {"1kK", -EINVAL, 0, NULL},
    {"1e", -EINVAL, 0, NULL},
    {"1Gi3", -EINVAL, 0, NULL},
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct qcase *c = &cases[i];
		struct pf_err err = PF_ERR_INIT;
		struct pf_quantity q = {0, NULL};
		int rc = pf_quantity_set(&q, c->in, &err);

		is_int(rc, c->rc, "parse \"%s\" -> %d", c->in, c->rc);
		if (c->rc == 0) {
			is_int(q.milli, c->milli, "\"%s\" milli", c->in);
			is_str(q.str, c->canon, "\"%s\" canonical", c->in);
		} else {
			ok(err.msg[0] != '\0', "\"%s\" has a message: %s", c->in, err.msg);
		}
		free(q.str);
	}
}

static void test_messages(void)
{
	struct pf_err err = PF_ERR_INIT;
	int64_t m;

	is_int(pf_quantity_parse("1Mb", &m, &err), -EINVAL, "1Mb refused");
	is_str(err.msg,
	       "quantities must match the regular expression "
	       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
	       "format message is apimachinery's");
	pf_err_clear(&err);
	is_int(pf_quantity_parse("1kK", &m, &err), -EINVAL, "1kK refused");
	is_str(err.msg, "unable to parse quantity's suffix", "suffix message is apimachinery's");
	pf_err_clear(&err);
	is_int(pf_quantity_parse("1Ei", &m, &err), -ERANGE, "1Ei overflows");
	ok(strstr(err.msg, "out of range") != NULL, "overflow message: %s", err.msg);
}

static void test_canonical_family(void)
{
	char *s;

	s = pf_quantity_canonical("1Gi", 2048LL * 1024 * 1024 * 1000);
	is_str(s, "2Gi", "binary family kept");
	free(s);
	s = pf_quantity_canonical("1e3", 2000000);
	is_str(s, "2e3", "exponent family kept");
	free(s);
	s = pf_quantity_canonical(NULL, 2000000);
	is_str(s, "2k", "decimal by default");
	free(s);
}

static void test_format(void)
{
	static const struct {
		int64_t in;
		const char *want;
	} bytes[] = {
	    {8LL << 30, "8Gi"},	      {512LL << 20, "512Mi"},
	    {1536LL << 20, "1536Mi"}, {16318712LL << 10, "16318712Ki"},
	    {1000, "1000"},	      {0, "0"},
	};
	static const struct {
		int64_t in;
		const char *want;
	} milli[] = {{1500, "1500m"}, {2000, "2"}, {0, "0"}, {250, "250m"}};

	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		char *s = pf_quantity_format_bytes(bytes[i].in);
		is_str(s, bytes[i].want, "format_bytes %lld", (long long)bytes[i].in);
		free(s);
	}
	for (size_t i = 0; i < sizeof(milli) / sizeof(milli[0]); i++) {
		char *s = pf_quantity_format_milli(milli[i].in);
		is_str(s, milli[i].want, "format_milli %lld", (long long)milli[i].in);
		free(s);
	}
}

int main(void)
{
	test_table();
	test_messages();
	test_canonical_family();
	test_format();
	return tap_done();
}
