/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest-internal.h - what the parts of the YAML codec share, and no one
 * else: the node tree the reader builds (yamlread.c), the field tables that
 * describe every API type (schema.c), read by the walker (decode.c) and the
 * writer (encode.c).  Only those four files include it; everyone else goes
 * through manifest.h.
 *
 * Decoding is in two stages.  libyaml's events are turned into a small node
 * tree per document (arena-allocated, line numbers kept), refusing anchors,
 * aliases, non-core tags, deep nesting and too many documents while the
 * events arrive, so hostile input never reaches the API types.  Then one
 * walker maps the tree onto the structs through per-struct field tables
 * (JSON name, kind, offset, sub-table, Go type for messages): unknown
 * fields, duplicate keys, type errors and nulls are handled once, in the
 * walker, with the API server's wording (sigs.k8s.io/yaml + strict json
 * semantics).  The same tables drive the encoder, so a field added to a
 * table is read and written.
 *
 * None of these parts validates semantics or applies defaults
 * (core/apiserver/validate.c does).
 */
#ifndef PODFS_MANIFEST_INTERNAL_H
#define PODFS_MANIFEST_INTERNAL_H

#include "manifest.h"

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

/* ------------------------------------------------------------------------ */
/* The reader (yamlread.c).                                                   */

/* Arena: one document's nodes and strings, released at once. */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

enum yn_type { YN_SCALAR, YN_MAP, YN_SEQ };
/* What a scalar is once YAML 1.1 resolution (go-yaml v2) has run. */
enum yn_scalar { SK_NULL, SK_BOOL, SK_NUM, SK_STR };

struct ynode {
	uint8_t type;
	uint8_t sk;
	bool bval;
	bool dup; /* a map key already present earlier in its map */
	int line;
	const char *s; /* scalar text, NUL-terminated */
	size_t len;
	struct ynode *child, *tail, *next; /* map children: key, value, key... */
	size_t n;
};

struct yreader {
	yaml_parser_t parser;
	struct arena arena;
	const char *src; /* NULL: storage mode (no "error parsing" prefix) */
	int ndocs;
	bool done;
};

/* Resolve a plain scalar as go-yaml v2 (YAML 1.1) does (*bval for SK_BOOL). */
enum yn_scalar pf_yaml_resolve(const char *s, bool *bval);
/* Go's strconv.ParseInt(s, 0, 64) and ParseFloat after go-yaml removed the
 * underscores: the whole text must be consumed. */
bool pf_go_parse_int(const char *s, int64_t *out);
bool pf_go_parse_float(const char *s, double *out);

/* src names the input in messages; NULL is storage mode (no "error parsing"
 * prefix). */
void pf_yr_init(struct yreader *r, const char *data, size_t len, const char *src);
/* Read the next document into a tree (in r's arena, valid until the next
 * call).  Returns 1 with *root (NULL for an empty document), 0 at the end of
 * the stream, -EINVAL with err set. */
int pf_yr_next(struct yreader *r, struct ynode **root, struct pf_err *err);
void pf_yr_done(struct yreader *r);

/* ------------------------------------------------------------------------ */
/* The field tables (schema.c).                                               */

enum fkind {
	F_STR,	   /* char * */
	F_INT32,   /* int32_t */
	F_INT64,   /* int64_t */
	F_BOOL,	   /* bool */
	F_TRI,	   /* enum pf_tri */
	F_TIME,	   /* int64_t wall ms, RFC 3339 string */
	F_RV,	   /* int64_t written as a quoted decimal string */
	F_STRLIST, /* struct pf_strlist */
	F_STRMAP,  /* struct pf_strmap */
	F_I64LIST, /* int64_t *, count at aux */
	F_QTY,	   /* struct pf_quantity */
	F_RESLIST, /* struct pf_reslist */
	F_INTSTR,  /* struct pf_intstr */
	F_OBJ,	   /* nested object: sub-table at base + off */
	F_LIST,	   /* list of structs: pointer at off, size_t count at aux */
	F_CONST,   /* apiVersion/kind: checked by the caller, written from extra */
	F_IGNORE,  /* accepted and dropped; written as the literal extra if set */
	F_UNSUP,   /* a Kubernetes field podfs does not run: refused when non-empty */
	F_IPLIST,  /* [{ip: X}] derived from the char * at off */
	F_STRFROM, /* [X] derived from the char * at off */
};

#define FL_ALWAYS  0x01	 /* written even when empty: "", 0, false, {} */
#define FL_HAS	   0x02	 /* aux: bool has_ flag of an optional scalar */
#define FL_TAGI	   0x04	 /* aux: enum set to .tag when the key is present */
#define FL_TAGB	   0x08	 /* aux: bool set when the key is present */
#define FL_NULL	   0x10	 /* F_TIME: written as null when unset */
#define FL_KEEP	   0x20	 /* F_STR: written as "" when set but empty */
#define FL_NUMONLY 0x40	 /* F_INTSTR: an int32 only */
#define FL_MICRO   0x80	 /* F_TIME: a MicroTime, written with microseconds */
#define FL_QUOTE   0x100 /* F_STR: always written double-quoted */

struct table;

struct field {
	const char *name;
	enum fkind kind;
	unsigned flags;
	size_t off;
	size_t aux;
	int tag;
	const struct table *sub;
	size_t esize;
	const char *gotype; /* for "of type ..." in messages */
	const char *extra;
};

struct table {
	const char *go; /* the Go struct, for "Go struct field X.path" */
	const struct field *f;
	size_t n;
};

/* The top-level tables: the objects podfs stores, and a List of Pods (each
 * item is decoded as a Pod document of its own). */
extern const struct table pf_schema_pod;
extern const struct table pf_schema_node;
extern const struct table pf_schema_event;
extern const struct table pf_schema_list;
extern const struct table pf_schema_lease;

#endif
