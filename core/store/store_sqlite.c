/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_sqlite.c - the embedded store backend: one sqlite file in WAL mode,
 * laid out as kine lays out etcd's model for k3s.
 *
 *   kv(key, create_rev, mod_rev, value)      the current state
 *   log(id, rev, type, key, create_rev, value)  every change, for watch;
 *                                            trimmed past PF_STORE_HISTORY
 *   meta(rev, compact_rev)                   one row: the global revision
 *                                            and how far the log is trimmed
 *
 * A txn is one BEGIN IMMEDIATE ... COMMIT that bumps meta.rev once, so all
 * its ops share a revision and several processes can share the file; with
 * synchronous=FULL a txn that returned 0 is on disk (the WAL is fsynced at
 * every commit).  SQLITE_BUSY is waited out here and never returned; sqlite
 * result codes become errnos in exactly one place (sql_fail).
 *
 * Connections: one write connection behind a mutex (sqlite has one writer
 * at a time anyway, and the mutex keeps our own threads off its busy
 * handler), and a pool of read connections.  In WAL mode a reader on its
 * own connection reads the last committed snapshot without waiting for the
 * writer's fsync, so a FUSE read never stalls behind a commit.  A pool
 * rather than thread-local connections because threads come and go (FUSE
 * workers) and handles can be closed while they live.
 *
 * Watchers wait on a condition variable.  Commits through any handle of this
 * process to the same file signal it at once (a registry of open handles by
 * inode); commits by other processes are noticed by a monitor thread that
 * listens with inotify on the -wal and the db file and confirms with PRAGMA
 * data_version, polling briefly after each event because sqlite writes the
 * WAL frames before it publishes the commit, and once a second in any case.
 *
 * This file must not print: every failure goes to the caller through err.
 */
#include "fileio.h"
#include "store-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

/*
 * sqlite is not built with ThreadSanitizer, so TSan cannot see two threads
 * on one connection or statement: the crash of the bind transaction was
 * that, and TSan was blind to it.  Under TSan every use of a connection
 * and statement here is announced as a write to the first word of the
 * object (the access is only announced, nothing is written), which turns
 * such sharing into a race it reports.  A no-op in other builds.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PF_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define PF_TSAN 1
#endif
#ifdef PF_TSAN
void __tsan_write8(void *addr);
static void tsan_use(const void *p)
{
	if (p)
		__tsan_write8((void *)p);
}
#else
#define tsan_use(p) ((void)0)
#endif

/* How long a txn waits for another process to release the file before it
 * gives up with -EIO: long enough for any sane transaction, short enough
 * that a stopped process does not hang every FUSE worker forever. */
#define LOCK_WAIT_MS 30000
/* Idle read connections kept open; more are opened when many threads read
 * at once and closed again afterwards. */
#define POOL_MAX 8
/* Monitor: the safety-net poll, the poll without inotify, and how long to
 * keep checking after a WAL write before its commit becomes visible. */
#define MONITOR_IDLE_MS	    1000
#define MONITOR_NOTIFY_MS   20
#define MONITOR_HOT_MS	    250
#define MONITOR_HOT_TICK_MS 1
/* Trim the log on one write in this many. */
#define TRIM_EVERY 1024

/* 2: log ids encode (rev, op), so the log needs no index on rev: a write
 * dirties one b-tree page fewer.  (kv stays a rowid table: WITHOUT ROWID
 * puts the ~1.5 KB pods in the key b-tree itself, two to a page, which
 * cost the scheduler's batched binds a third of their speed.) */
#define SCHEMA_VERSION 2
/* A log row's id is rev << LOG_OP_BITS | the op's index in its txn. */
#define LOG_OP_BITS 20

enum stmt_id {
	ST_BEGIN,
	ST_BEGIN_WRITE,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_META,
	ST_SET_REV,
	ST_SET_COMPACT,
	ST_GET,
	ST_LIST_FROM,
	ST_LIST_RANGE,
	ST_INSERT,
	ST_UPDATE,
	ST_DELETE,
	ST_LOG,
	ST_WATCH_FROM,
	ST_WATCH_RANGE,
	ST_TRIM,
	ST_DATA_VERSION,
	ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN",
    [ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_META] = "SELECT rev, compact_rev FROM meta WHERE id = 1",
    [ST_SET_REV] = "UPDATE meta SET rev = ?1 WHERE id = 1",
    [ST_SET_COMPACT] = "UPDATE meta SET compact_rev = ?1 WHERE id = 1",
    [ST_GET] = "SELECT create_rev, mod_rev, value FROM kv WHERE key = ?1",
    [ST_LIST_FROM] = "SELECT key, create_rev, mod_rev, value FROM kv WHERE key >= ?1 "
		     "ORDER BY key",
    [ST_LIST_RANGE] = "SELECT key, create_rev, mod_rev, value FROM kv "
		      "WHERE key >= ?1 AND key < ?2 ORDER BY key",
    [ST_INSERT] = "INSERT INTO kv(key, create_rev, mod_rev, value) VALUES (?1, ?2, ?3, ?4)",
    [ST_UPDATE] = "UPDATE kv SET mod_rev = ?2, value = ?3 WHERE key = ?1",
    [ST_DELETE] = "DELETE FROM kv WHERE key = ?1",
    [ST_LOG] = "INSERT INTO log(id, rev, type, key, create_rev, value) "
	       "VALUES (?6, ?1, ?2, ?3, ?4, ?5)",
    [ST_WATCH_FROM] = "SELECT rev, type, key, create_rev, value FROM log "
		      "WHERE id >= (?1 << 20) AND key >= ?2 ORDER BY id",
    [ST_WATCH_RANGE] = "SELECT rev, type, key, create_rev, value FROM log "
		       "WHERE id >= (?1 << 20) AND key >= ?2 AND key < ?3 ORDER BY id",
    [ST_TRIM] = "DELETE FROM log WHERE id < ((?1 + 1) << 20)",
    [ST_DATA_VERSION] = "PRAGMA data_version",
};

static const char schema_sql[] =
    "CREATE TABLE kv (key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL,"
    " mod_rev INTEGER NOT NULL, value BLOB NOT NULL);"
    "CREATE TABLE log (id INTEGER PRIMARY KEY, rev INTEGER NOT NULL, type INTEGER NOT NULL,"
    " key TEXT NOT NULL, create_rev INTEGER NOT NULL, value BLOB);"
    "CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 1), rev INTEGER NOT NULL,"
    " compact_rev INTEGER NOT NULL);"
    "INSERT INTO meta (id, rev, compact_rev) VALUES (1, 0, 0);"
    "PRAGMA user_version = 2;";

/* Version 1 -> 2, in the schema transaction: same rows, new layout. */
static const char migrate_1_2_sql[] =
    "CREATE TABLE kv2 (key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL,"
    " mod_rev INTEGER NOT NULL, value BLOB NOT NULL);"
    "INSERT INTO kv2 SELECT key, create_rev, mod_rev, value FROM kv;"
    "DROP TABLE kv; ALTER TABLE kv2 RENAME TO kv;"
    "CREATE TABLE log2 (id INTEGER PRIMARY KEY, rev INTEGER NOT NULL, type INTEGER NOT NULL,"
    " key TEXT NOT NULL, create_rev INTEGER NOT NULL, value BLOB);"
    "INSERT INTO log2 SELECT (rev << 20) + row_number() OVER (PARTITION BY rev ORDER BY id) - 1,"
    " rev, type, key, create_rev, value FROM log;"
    "DROP TABLE log; ALTER TABLE log2 RENAME TO log;"
    "PRAGMA user_version = 2;";

struct sq_store;

struct conn {
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT]; /* prepared on first use */
	struct sq_store *s;
	int64_t busy_since_ns;
	struct conn *next; /* in the idle pool */
};

struct sq_store {
	struct pf_store base;
	char *path; /* absolute: threads open connections long after a chdir */
	char *wal_path;
	dev_t dev;
	ino_t ino;
	struct sq_store *next_local; /* in local_stores */

	pthread_mutex_t write_mu;
	struct conn *writer;
	unsigned writes;
	int64_t history; /* revisions kept for watches */

	pthread_mutex_t pool_mu;
	struct conn *idle;
	unsigned n_idle;

	/* Watch wakeups: bumped on every change anyone may have made. */
	struct pf_watch_hub hub;
	pthread_mutex_t monitor_mu; /* held while starting the monitor */
	bool monitor_running;
	pthread_t monitor;
	/* The monitor's own; set up before the first watch returns, so that
	 * no commit after it can go unnoticed. */
	struct conn *monitor_conn;
	int64_t monitor_seen; /* data_version last seen */
	/* The newest revision committed through this process (any handle on
	 * the file): the monitor need not announce what notify_local did. */
	int64_t local_rev;
	int inotify_fd;
	int db_wd, wal_wd;
	int stop_fd;
};

struct sq_watch {
	struct pf_watch base;
	struct sq_store *s;
	char *prefix;
	char *end; /* NULL: no upper bound */
	int64_t next_rev;
};

/* Every open handle of this process, so that a commit through one wakes the
 * watchers of all the others on the same file without waiting for inotify. */
static pthread_mutex_t local_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sq_store *local_stores;

/*
 * The one translation of sqlite result codes into errnos.  Busy is absent on
 * purpose: it is waited out, and only a lock held past LOCK_WAIT_MS ends up
 * here, as the generic -EIO.
 */
static const struct {
	int rc;
	int code;
	const char *what;
} sql_errors[] = {
    {SQLITE_FULL, ENOSPC, "the disk is full"},
    {SQLITE_NOMEM, ENOMEM, "out of memory"},
    {SQLITE_TOOBIG, EFBIG, "value too big for the store"},
    {SQLITE_CORRUPT, EIO, "the file is corrupt"},
    {SQLITE_NOTADB, EIO, "the file is not an sqlite database"},
    {SQLITE_IOERR, EIO, "I/O error"},
    {SQLITE_CANTOPEN, EIO, "cannot open the file"},
    {SQLITE_READONLY, EIO, "the file is read-only"},
    {SQLITE_PERM, EIO, "permission denied"},
    {SQLITE_PROTOCOL, EIO, "file locking failed"},
    {SQLITE_BUSY, EIO, "locked by another process for too long"},
};

static int sql_fail(struct sq_store *s, sqlite3 *db, int rc, const char *doing, struct pf_err *err)
{
	const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	const char *what = "internal sqlite error";
	int code = EIO;

	for (size_t i = 0; i < PF_ARRAY_SIZE(sql_errors); i++) {
		if (sql_errors[i].rc == (rc & 0xff)) {
			code = sql_errors[i].code;
			what = sql_errors[i].what;
			break;
		}
	}
	return pf_err_set(err, code, "store file %s: %s: %s (sqlite: %s)", s->path, doing, what,
			  detail);
}

static int busy_wait(void *arg, int count)
{
	struct conn *c = arg;
	int64_t now = pf_now_ns();
	unsigned us;

	if (!c->busy_since_ns)
		c->busy_since_ns = now;
	if (now - c->busy_since_ns > (int64_t)LOCK_WAIT_MS * 1000000)
		return 0;
	/* Another process holds the write lock for one txn, a fraction of a
	 * millisecond: sleep briefly and with jitter.  sqlite's own handler
	 * sleeps up to 100 ms a time and lets a busy writer starve the rest. */
	us = 20u << (count < 7 ? count : 7);
	us += (unsigned)(now >> 10) % us;
	usleep(us);
	return 1;
}

static void conn_close(struct conn *c)
{
	if (!c)
		return;
	tsan_use(c->db);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(c->st[i]);
	sqlite3_close(c->db);
	free(c);
}

static int exec_sql(struct sq_store *s, struct conn *c, const char *sql, const char *doing,
		    struct pf_err *err)
{
	int64_t deadline = pf_now_ns() + (int64_t)LOCK_WAIT_MS * 1000000;
	int rc;

	/* Busy here only while setting up (journal mode, schema) against
	 * another process doing the same. */
	tsan_use(c->db);
	c->busy_since_ns = 0;
	while ((rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL)) == SQLITE_BUSY &&
	       pf_now_ns() < deadline)
		usleep(1000);
	if (rc != SQLITE_OK)
		return sql_fail(s, c->db, rc, doing, err);
	return 0;
}

static int conn_open(struct sq_store *s, struct conn **out, struct pf_err *err)
{
	struct conn *c = pf_xcalloc(1, sizeof(*c));
	int rc, r;

	c->s = s;
	/* No per-connection mutex: a connection belongs to one thread at a
	 * time -- the writer to the holder of write_mu, a reader to the
	 * thread that took it from the pool until it puts it back, the
	 * monitor's to the monitor thread -- and every statement is reset
	 * before its connection changes hands (txn_locked).  sqlite's own
	 * mutex cost 7% more instructions per get and 6% per txn (callgrind)
	 * and only turned sharing, when it happened, into rarer wrong
	 * results; under make check-tsan, tsan_use() reports sharing instead. */
	rc = sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int sys = c->db ? sqlite3_system_errno(c->db) : 0;
		if (sys)
			r = pf_err_sys(err, sys, "cannot open store file %s", s->path);
		else
			r = sql_fail(s, c->db, rc, "open", err);
		conn_close(c);
		return r;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_handler(c->db, busy_wait, c);
	r = exec_sql(s, c, "PRAGMA synchronous = FULL; PRAGMA journal_size_limit = 67108864",
		     "configure", err);
	if (r < 0) {
		conn_close(c);
		return r;
	}
	*out = c;
	return 0;
}

static int stmt(struct conn *c, enum stmt_id id, sqlite3_stmt **out, struct pf_err *err)
{
	int rc;

	tsan_use(c->db);
	if (!c->st[id]) {
		rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					&c->st[id], NULL);
		if (rc != SQLITE_OK)
			return sql_fail(c->s, c->db, rc, "prepare a statement", err);
	}
	*out = c->st[id];
	return 0;
}

/* Statements are cached: put them back clean, never holding pointers into
 * the caller's buffers. */
static void stmt_resetp(sqlite3_stmt **st)
{
	if (*st) {
		tsan_use(sqlite3_db_handle(*st));
		tsan_use(*st);
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
	}
}
#define _cleanup_stmt_ __attribute__((cleanup(stmt_resetp)))

/* Step, waiting out a busy file.  The busy handler waits for another
 * process's txn; this loop covers the busy returns sqlite makes without
 * asking it.  Only the first step of a statement can be busy (it takes the
 * lock), and a busy COMMIT leaves the txn open, so a retry after reset
 * repeats nothing.  One clock (busy_since_ns) bounds both waits. */
static int step(struct conn *c, sqlite3_stmt *st)
{
	int rc;

	tsan_use(c->db);
	tsan_use(st);
	c->busy_since_ns = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_BUSY || rc == SQLITE_BUSY_RECOVERY ||
	       rc == SQLITE_BUSY_SNAPSHOT) {
		int64_t now = pf_now_ns();
		if (!c->busy_since_ns)
			c->busy_since_ns = now;
		if (now - c->busy_since_ns > (int64_t)LOCK_WAIT_MS * 1000000)
			break;
		sqlite3_reset(st);
		usleep(500);
	}
	return rc;
}

/* Run a statement that returns no rows. */
static int run(struct conn *c, sqlite3_stmt *st, const char *doing, struct pf_err *err)
{
	int rc = step(c, st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(c->s, c->db, rc, doing, err);
	return 0;
}

static int run_simple(struct conn *c, enum stmt_id id, const char *doing, struct pf_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r;

	if ((r = stmt(c, id, &st, err)) < 0)
		return r;
	return run(c, st, doing, err);
}

/* End whatever transaction c is in without a word: used on error paths,
 * where the first error is the one to report. */
static void rollback(struct conn *c)
{
	tsan_use(c->db);
	if (!sqlite3_get_autocommit(c->db))
		run_simple(c, ST_ROLLBACK, "roll back", NULL);
}

static int read_meta(struct conn *c, int64_t *rev, int64_t *compact_rev, struct pf_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r, rc;

	if ((r = stmt(c, ST_META, &st, err)) < 0)
		return r;
	rc = step(c, st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			return pf_err_set(err, EIO, "store file %s: the revision row is missing",
					  c->s->path);
		return sql_fail(c->s, c->db, rc, "read the revision", err);
	}
	*rev = sqlite3_column_int64(st, 0);
	if (compact_rev)
		*compact_rev = sqlite3_column_int64(st, 1);
	return 0;
}

static struct sq_store *store_of(struct pf_store *base)
{
	return (struct sq_store *)base;
}

static int reader_get(struct sq_store *s, struct conn **out, struct pf_err *err)
{
	pthread_mutex_lock(&s->pool_mu);
	*out = s->idle;
	if (*out) {
		s->idle = (*out)->next;
		s->n_idle--;
	}
	pthread_mutex_unlock(&s->pool_mu);
	if (*out)
		return 0;
	return conn_open(s, out, err);
}

static void reader_put(struct conn *c)
{
	struct sq_store *s;

	if (!c)
		return;
	s = c->s;
	rollback(c);
	pthread_mutex_lock(&s->pool_mu);
	if (s->n_idle < POOL_MAX) {
		c->next = s->idle;
		s->idle = c;
		s->n_idle++;
		c = NULL;
	}
	pthread_mutex_unlock(&s->pool_mu);
	conn_close(c);
}

static void reader_putp(struct conn **c)
{
	reader_put(*c);
}
#define _cleanup_reader_ __attribute__((cleanup(reader_putp)))

static void notify_local(struct sq_store *s, int64_t rev)
{
	pthread_mutex_lock(&local_mu);
	for (struct sq_store *t = local_stores; t; t = t->next_local) {
		if (t->dev != s->dev || t->ino != s->ino)
			continue;
		if (rev > __atomic_load_n(&t->local_rev, __ATOMIC_RELAXED))
			__atomic_store_n(&t->local_rev, rev, __ATOMIC_RELAXED);
		pf_watch_hub_bump(&t->hub);
	}
	pthread_mutex_unlock(&local_mu);
}

/* ---- open and close ---- */

static char *absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return pf_xstrdup(path);
	return pf_xasprintf("%s/%s", cwd, path);
}

/* Create the file ourselves, 0600 (sqlite would use 0644), and make its
 * directory entry durable: sqlite syncs the directory for its journals,
 * not for the database file. */
static int create_file(const char *path, struct pf_err *err)
{
	_cleanup_free_ char *dir_buf = pf_xstrdup(path);
	const char *dir = dirname(dir_buf);
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int dfd = -1;
	struct stat st;
	int r;

	if (stat(dir, &st) < 0) {
		if (errno != ENOENT)
			return pf_err_sys(err, errno, "store directory %s", dir);
		if ((r = pf_mkdir_p(dir, 0700)) < 0)
			return pf_err_sys(err, -r, "cannot create store directory %s", dir);
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return pf_err_sys(err, errno, "cannot create store file %s", path);
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		return pf_err_sys(err, errno, "cannot sync store directory %s", dir);
	return 0;
}

static int init_schema(struct sq_store *s, struct conn *c, struct pf_err *err)
{
	sqlite3_stmt *st = NULL;
	int version = -1, tables = -1, r = 0;

	/* Persistent in the file; a no-op once set.  Anything but "wal" means
	 * the file system cannot do WAL's shared memory. */
	if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) == SQLITE_OK &&
	    step(c, st) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		if (!mode || strcmp(mode, "wal")) {
			sqlite3_finalize(st);
			return pf_err_set(err, EIO, "store file %s: cannot use WAL mode (got %s)",
					  s->path, mode ? mode : "nothing");
		}
		sqlite3_finalize(st);
	} else {
		int rc = sqlite3_errcode(c->db);
		sqlite3_finalize(st);
		return sql_fail(s, c->db, rc, "switch to WAL mode", err);
	}

	if ((r = run_simple(c, ST_BEGIN_WRITE, "start the schema transaction", err)) < 0)
		return r;
	if (sqlite3_prepare_v2(c->db,
			       "SELECT (SELECT user_version FROM pragma_user_version),"
			       " (SELECT count(*) FROM sqlite_master)",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		version = sqlite3_column_int(st, 0);
		tables = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (version < 0) {
		r = sql_fail(s, c->db, sqlite3_errcode(c->db), "read the schema version", err);
	} else if (version == 0 && tables > 0) {
		r = pf_err_set(
		    err, EIO, "store file %s is an sqlite database but not a podfs store", s->path);
	} else if (version == 0) {
		r = exec_sql(s, c, schema_sql, "create the schema", err);
	} else if (version == 1) {
		r = exec_sql(s, c, migrate_1_2_sql, "upgrade the store's schema (1 to 2)", err);
	} else if (version != SCHEMA_VERSION) {
		r = pf_err_set(err, EIO,
			       "store file %s has schema version %d; this podfs knows version %d",
			       s->path, version, SCHEMA_VERSION);
	}
	if (r == 0)
		r = run_simple(c, ST_COMMIT, "commit the schema", err);
	if (r < 0)
		rollback(c);
	return r;
}

static void stop_monitor(struct sq_store *s)
{
	uint64_t one = 1;

	if (!s->monitor_running)
		return;
	while (write(s->stop_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	pthread_join(s->monitor, NULL);
	s->monitor_running = false;
}

static void sq_close(struct pf_store *base)
{
	struct sq_store *s = store_of(base);

	stop_monitor(s);
	pthread_mutex_lock(&local_mu);
	for (struct sq_store **p = &local_stores; *p; p = &(*p)->next_local) {
		if (*p == s) {
			*p = s->next_local;
			break;
		}
	}
	pthread_mutex_unlock(&local_mu);
	conn_close(s->monitor_conn);
	if (s->inotify_fd >= 0)
		close(s->inotify_fd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	while (s->idle) {
		struct conn *c = s->idle;
		s->idle = c->next;
		conn_close(c);
	}
	/* The writer last: the last connection checkpoints the WAL into the
	 * database file. */
	conn_close(s->writer);
	pf_watch_hub_destroy(&s->hub);
	pthread_mutex_destroy(&s->monitor_mu);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_mutex_destroy(&s->write_mu);
	free(s->path);
	free(s->wal_path);
	free(s);
}

static int sq_open(const char *rest, struct pf_store **out, struct pf_err *err)
{
	struct sq_store *s;
	struct stat st;
	int r;

	/* sqlite://PATH too, as kine spells it. */
	if (!strncmp(rest, "//", 2))
		rest += 2;
	if (!*rest)
		return pf_err_set(err, EINVAL, "sqlite store URI needs a path: sqlite:PATH");
	if (!sqlite3_threadsafe())
		return pf_err_set(err, EIO, "libsqlite3 is built without thread support");

	s = pf_xcalloc(1, sizeof(*s));
	s->base.ops = &pf_store_sqlite_ops;
	s->path = absolute(rest);
	s->history = PF_STORE_HISTORY;
	s->inotify_fd = s->stop_fd = s->db_wd = s->wal_wd = -1;
	pthread_mutex_init(&s->write_mu, NULL);
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_mutex_init(&s->monitor_mu, NULL);
	pf_watch_hub_init(&s->hub);

	if ((r = create_file(s->path, err)) < 0)
		goto fail;
	/* sqlite names the WAL after the file a symlink points to; inotify
	 * must watch that one. */
	char *real = realpath(s->path, NULL);
	if (real) {
		free(s->path);
		s->path = real;
	}
	s->wal_path = pf_xasprintf("%s-wal", s->path);
	if ((r = conn_open(s, &s->writer, err)) < 0 || (r = init_schema(s, s->writer, err)) < 0)
		goto fail;
	if (stat(s->path, &st) < 0) {
		r = pf_err_sys(err, errno, "store file %s", s->path);
		goto fail;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	pthread_mutex_lock(&local_mu);
	s->next_local = local_stores;
	local_stores = s;
	pthread_mutex_unlock(&local_mu);
	*out = &s->base;
	return 0;
fail:
	sq_close(&s->base);
	return r;
}

/* ---- reads ---- */

static int sq_rev(struct pf_store *base, int64_t *rev, struct pf_err *err)
{
	_cleanup_reader_ struct conn *c = NULL;
	int r;

	if ((r = reader_get(store_of(base), &c, err)) < 0)
		return r;
	return read_meta(c, rev, NULL, err);
}

static void kv_from_row(struct pf_kv *kv, sqlite3_stmt *st, const char *key, int col)
{
	const void *v = sqlite3_column_blob(st, col + 2);
	size_t len = (size_t)sqlite3_column_bytes(st, col + 2);

	pf_kv_set(kv, key, v ? v : "", len, sqlite3_column_int64(st, col),
		  sqlite3_column_int64(st, col + 1));
}

static int sq_get(struct pf_store *base, const char *key, struct pf_kv *out, struct pf_err *err)
{
	struct sq_store *s = store_of(base);
	_cleanup_reader_ struct conn *c = NULL;
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r, rc;

	if ((r = reader_get(s, &c, err)) < 0 || (r = stmt(c, ST_GET, &st, err)) < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = step(c, st);
	if (rc == SQLITE_DONE)
		return pf_store_err_absent(err, key);
	if (rc != SQLITE_ROW)
		return sql_fail(s, c->db, rc, "read a key", err);
	kv_from_row(out, st, key, 0);
	return 0;
}

static int list_rows(struct conn *c, const char *prefix, struct pf_kv_list *out, struct pf_err *err)
{
	_cleanup_free_ char *end = pf_store_prefix_end(prefix);
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r, rc;

	if ((r = stmt(c, end ? ST_LIST_RANGE : ST_LIST_FROM, &st, err)) < 0)
		return r;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	if (end)
		sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	while ((rc = step(c, st)) == SQLITE_ROW) {
		PF_GROW(out->items, cap, out->n + 1);
		kv_from_row(&out->items[out->n++], st, (const char *)sqlite3_column_text(st, 0), 1);
	}
	if (rc != SQLITE_DONE)
		return sql_fail(c->s, c->db, rc, "list keys", err);
	return 0;
}

static int sq_list(struct pf_store *base, const char *prefix, struct pf_kv_list *out, int64_t *rev,
		   struct pf_err *err)
{
	_cleanup_reader_ struct conn *c = NULL;
	int64_t at;
	int r;

	/* One read transaction: the rows and the revision are one snapshot. */
	if ((r = reader_get(store_of(base), &c, err)) < 0 ||
	    (r = run_simple(c, ST_BEGIN, "start a read", err)) < 0 ||
	    (r = read_meta(c, &at, NULL, err)) < 0 || (r = list_rows(c, prefix, out, err)) < 0 ||
	    (r = run_simple(c, ST_COMMIT, "end a read", err)) < 0) {
		pf_kv_list_free(out);
		return r;
	}
	if (rev)
		*rev = at;
	return (int)out->n;
}

/* ---- writes ---- */

static int log_event(struct conn *c, int64_t rev, size_t idx, enum pf_watch_type type,
		     const char *key, int64_t create_rev, const struct pf_op *op,
		     struct pf_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r;

	if ((r = stmt(c, ST_LOG, &st, err)) < 0)
		return r;
	sqlite3_bind_int64(st, 1, rev);
	sqlite3_bind_int(st, 2, (int)type);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, create_rev);
	sqlite3_bind_int64(st, 6, (rev << LOG_OP_BITS) | (int64_t)idx);
	if (type == PF_WATCH_PUT)
		sqlite3_bind_blob64(st, 5, op->value ? op->value : "", op->len, SQLITE_STATIC);
	return run(c, st, "record a change", err);
}

/* Apply one op inside the write txn.  *fault says whether a failure is the
 * op's (exists, absent, stale) rather than the file's. */
static int apply(struct conn *c, const struct pf_op *op, int64_t rev, size_t idx, bool *fault,
		 struct pf_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *get = NULL;
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int64_t create_rev = 0, mod_rev = 0;
	bool found;
	int r, rc;

	if ((r = stmt(c, ST_GET, &get, err)) < 0)
		return r;
	sqlite3_bind_text(get, 1, op->key, -1, SQLITE_STATIC);
	rc = step(c, get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(c->s, c->db, rc, "read a key", err);
	found = rc == SQLITE_ROW;
	if (found) {
		create_rev = sqlite3_column_int64(get, 0);
		mod_rev = sqlite3_column_int64(get, 1);
	}
	stmt_resetp(&get);

	*fault = true;
	if (op->kind == PF_OP_CREATE && found)
		return pf_store_err_exists(err, op->key);
	if ((op->kind == PF_OP_UPDATE || op->kind == PF_OP_DELETE) && !found)
		return pf_store_err_absent(err, op->key);
	if ((op->kind == PF_OP_UPDATE || op->kind == PF_OP_DELETE) && op->expect_rev &&
	    op->expect_rev != mod_rev)
		return pf_store_err_stale(err, op->key, mod_rev, op->expect_rev);
	*fault = false;

	if (op->kind == PF_OP_DELETE) {
		if ((r = stmt(c, ST_DELETE, &st, err)) < 0)
			return r;
		sqlite3_bind_text(st, 1, op->key, -1, SQLITE_STATIC);
		if ((r = run(c, st, "delete a key", err)) < 0)
			return r;
		return log_event(c, rev, idx, PF_WATCH_DELETE, op->key, create_rev, op, err);
	}
	if (found) {
		if ((r = stmt(c, ST_UPDATE, &st, err)) < 0)
			return r;
		sqlite3_bind_text(st, 1, op->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rev);
		sqlite3_bind_blob64(st, 3, op->value ? op->value : "", op->len, SQLITE_STATIC);
	} else {
		create_rev = rev;
		if ((r = stmt(c, ST_INSERT, &st, err)) < 0)
			return r;
		sqlite3_bind_text(st, 1, op->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rev);
		sqlite3_bind_int64(st, 3, rev);
		sqlite3_bind_blob64(st, 4, op->value ? op->value : "", op->len, SQLITE_STATIC);
	}
	if ((r = run(c, st, "write a key", err)) < 0)
		return r;
	return log_event(c, rev, idx, PF_WATCH_PUT, op->key, create_rev, op, err);
}

/* Forget the log up to upto.  Inside a write txn. */
static int trim(struct conn *c, int64_t upto, struct pf_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *del = NULL;
	_cleanup_stmt_ sqlite3_stmt *set = NULL;
	int r;

	if ((r = stmt(c, ST_TRIM, &del, err)) < 0 || (r = stmt(c, ST_SET_COMPACT, &set, err)) < 0)
		return r;
	sqlite3_bind_int64(del, 1, upto);
	sqlite3_bind_int64(set, 1, upto);
	if ((r = run(c, del, "trim the history", err)) < 0)
		return r;
	return run(c, set, "trim the history", err);
}

/*
 * The body of a txn, with write_mu held.  Its own function so that every
 * statement it uses is reset (cleanup attributes) before the caller lets
 * go of the writer: a statement of the writer touched after the unlock is
 * touched by two threads at once.  Until it was split out, the revision
 * statement's cleanup ran after the unlock, clearing the bindings of (or
 * resetting mid-step) the same statement in the next writer's txn: with
 * SQLITE_OPEN_NOMUTEX a SIGSEGV inside sqlite3_step, with FULLMUTEX a rare
 * "NOT NULL constraint failed: meta.rev".
 */
static int txn_locked(struct sq_store *s, struct conn *c, const struct pf_op *ops, size_t n,
		      int64_t *next, size_t *bad, struct pf_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *set = NULL;
	int64_t cur, compact_rev;
	bool fault = false;
	int r;

	if ((r = run_simple(c, ST_BEGIN_WRITE, "start a write", err)) < 0)
		return r;
	if ((r = read_meta(c, &cur, &compact_rev, err)) < 0)
		return r;
	*next = cur + 1;
	for (size_t i = 0; i < n; i++) {
		if ((r = apply(c, &ops[i], *next, i, &fault, err)) < 0) {
			if (fault)
				*bad = i;
			return r;
		}
	}
	if ((r = stmt(c, ST_SET_REV, &set, err)) < 0)
		return r;
	sqlite3_bind_int64(set, 1, *next);
	if ((r = run(c, set, "advance the revision", err)) < 0)
		return r;
	/* Trimming now and then keeps the cost off most writes; it rides in
	 * this txn so that it costs no fsync of its own. */
	if ((s->writes++ % TRIM_EVERY) == 0 && *next - compact_rev > s->history + s->history / 10 &&
	    (r = trim(c, *next - s->history, err)) < 0)
		return r;
	return run_simple(c, ST_COMMIT, "commit", err);
}

static int sq_txn(struct pf_store *base, const struct pf_op *ops, size_t n, int64_t *rev,
		  size_t *failed, struct pf_err *err)
{
	struct sq_store *s = store_of(base);
	int64_t next = 0;
	size_t bad = n;
	int r;

	if (n >= (size_t)1 << LOG_OP_BITS) {
		if (failed)
			*failed = n;
		return pf_err_set(err, EINVAL,
				  "a transaction holds at most %zu operations (got %zu)",
				  ((size_t)1 << LOG_OP_BITS) - 1, n);
	}
	pthread_mutex_lock(&s->write_mu);
	r = txn_locked(s, s->writer, ops, n, &next, &bad, err);
	if (r < 0)
		rollback(s->writer);
	pthread_mutex_unlock(&s->write_mu);
	if (r < 0) {
		if (failed)
			*failed = bad;
		return r;
	}
	notify_local(s, next);
	if (rev)
		*rev = next;
	return 0;
}

static int sq_compact(struct pf_store *base, int64_t rev, struct pf_err *err)
{
	struct sq_store *s = store_of(base);
	struct conn *c = s->writer;
	int64_t cur, compact_rev;
	int r;

	pthread_mutex_lock(&s->write_mu);
	if ((r = run_simple(c, ST_BEGIN_WRITE, "start a write", err)) < 0 ||
	    (r = read_meta(c, &cur, &compact_rev, err)) < 0)
		goto out;
	if (rev > cur) {
		r = pf_err_set(err, EINVAL, "cannot compact to revision %lld: the store is at %lld",
			       (long long)rev, (long long)cur);
		goto out;
	}
	if (rev > compact_rev && (r = trim(c, rev, err)) < 0)
		goto out;
	r = run_simple(c, ST_COMMIT, "commit", err);
out:
	if (r < 0)
		rollback(c);
	pthread_mutex_unlock(&s->write_mu);
	/* Lagging watchers must learn that their history is gone. */
	if (r == 0)
		notify_local(s, 0);
	return r;
}

/* ---- watch ---- */

static int data_version(struct conn *c, int64_t *v)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (stmt(c, ST_DATA_VERSION, &st, NULL) < 0 || step(c, st) != SQLITE_ROW)
		return -EIO;
	*v = sqlite3_column_int64(st, 0);
	return 0;
}

static void watch_files(struct sq_store *s)
{
	/* The WAL exists while any connection is open, ours included, but
	 * may be missing for a moment when another process is the last to
	 * close; IN_IGNORED tells us, and we add it again. */
	if (s->db_wd < 0)
		s->db_wd = inotify_add_watch(s->inotify_fd, s->path, IN_MODIFY);
	if (s->wal_wd < 0)
		s->wal_wd = inotify_add_watch(s->inotify_fd, s->wal_path, IN_MODIFY);
}

static void *monitor_main(void *arg)
{
	struct sq_store *s = arg;
	int64_t v, hot_until = 0;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct pollfd p[2] = {
		    {.fd = s->stop_fd, .events = POLLIN},
		    {.fd = s->inotify_fd, .events = POLLIN},
		};
		int64_t now = pf_now_ns();
		int timeout = MONITOR_IDLE_MS;

		if (s->inotify_fd >= 0)
			watch_files(s);
		if (s->inotify_fd < 0 || s->db_wd < 0 || s->wal_wd < 0)
			timeout = MONITOR_NOTIFY_MS;
		if (now < hot_until)
			timeout = MONITOR_HOT_TICK_MS;
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			ssize_t len;
			while ((len = read(s->inotify_fd, buf, sizeof(buf))) > 0) {
				for (char *q = buf; q < buf + len;) {
					struct inotify_event *ev = (struct inotify_event *)q;
					if (ev->mask & IN_IGNORED) {
						if (ev->wd == s->db_wd)
							s->db_wd = -1;
						if (ev->wd == s->wal_wd)
							s->wal_wd = -1;
					}
					q += sizeof(*ev) + ev->len;
				}
			}
			hot_until = pf_now_ns() + (int64_t)MONITOR_HOT_MS * 1000000;
		}
		if (data_version(s->monitor_conn, &v) == 0 && v != s->monitor_seen) {
			s->monitor_seen = v;
			/* The commit the WAL write announced is visible: stop
			 * the fast ticks, or a busy writer (this very process)
			 * keeps the monitor spinning every millisecond. */
			hot_until = 0;
			/* Commits of this process were announced by
			 * notify_local already; wake the watchers only for
			 * another process's. */
			int64_t cur, compact;
			struct pf_err e = PF_ERR_INIT;
			if (read_meta(s->monitor_conn, &cur, &compact, &e) < 0 ||
			    cur > __atomic_load_n(&s->local_rev, __ATOMIC_RELAXED))
				pf_watch_hub_bump(&s->hub);
		}
	}
	return NULL;
}

/* Started by the first watch: a handle that never watches costs no thread. */
static int start_monitor(struct sq_store *s, struct pf_err *err)
{
	int r = 0;

	/* Not the hub's mutex: this does I/O, and the hub's mutex is what
	 * every commit in the process takes to wake watchers. */
	pthread_mutex_lock(&s->monitor_mu);
	if (s->monitor_running)
		goto out;
	if (!s->monitor_conn && (r = conn_open(s, &s->monitor_conn, err)) < 0)
		goto out;
	if (s->stop_fd < 0 && (s->stop_fd = eventfd(0, EFD_CLOEXEC)) < 0) {
		r = pf_err_sys(err, errno, "store file %s: cannot watch", s->path);
		goto out;
	}
	if (data_version(s->monitor_conn, &s->monitor_seen) < 0) {
		r = pf_err_set(err, EIO, "store file %s: cannot read its data version", s->path);
		goto out;
	}
	/* Without inotify (limits reached) the monitor polls faster instead. */
	if (s->inotify_fd < 0)
		s->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (s->inotify_fd >= 0)
		watch_files(s);
	if ((r = -pthread_create(&s->monitor, NULL, monitor_main, s)) < 0) {
		r = pf_err_sys(err, -r, "store file %s: cannot start the watch thread", s->path);
		goto out;
	}
	s->monitor_running = true;
out:
	pthread_mutex_unlock(&s->monitor_mu);
	return r;
}

static int sq_watch_open(struct pf_store *base, const char *prefix, int64_t from_rev,
			 struct pf_watch **out, struct pf_err *err)
{
	struct sq_store *s = store_of(base);
	_cleanup_reader_ struct conn *c = NULL;
	struct sq_watch *w;
	int64_t cur, compact_rev;
	int r;

	if ((r = start_monitor(s, err)) < 0 || (r = reader_get(s, &c, err)) < 0 ||
	    (r = read_meta(c, &cur, &compact_rev, err)) < 0)
		return r;
	if (from_rev <= 0)
		from_rev = cur + 1;
	if (from_rev <= compact_rev)
		return pf_store_err_compacted(err, from_rev, compact_rev);
	w = pf_xcalloc(1, sizeof(*w));
	pf_watch_init(&w->base, &pf_store_sqlite_ops, &s->hub);
	w->s = s;
	w->prefix = pf_xstrdup(prefix);
	w->end = pf_store_prefix_end(prefix);
	w->next_rev = from_rev;
	*out = &w->base;
	return 0;
}

static int fetch_rows(struct conn *c, struct sq_watch *w, int64_t cur, struct pf_watch_batch *out,
		      struct pf_err *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int64_t next = cur + 1, last = 0;
	size_t cap = 0;
	int r, rc;

	if ((r = stmt(c, w->end ? ST_WATCH_RANGE : ST_WATCH_FROM, &st, err)) < 0)
		return r;
	sqlite3_bind_int64(st, 1, w->next_rev);
	sqlite3_bind_text(st, 2, w->prefix, -1, SQLITE_STATIC);
	if (w->end)
		sqlite3_bind_text(st, 3, w->end, -1, SQLITE_STATIC);
	while ((rc = step(c, st)) == SQLITE_ROW) {
		int64_t rev = sqlite3_column_int64(st, 0);
		int type = sqlite3_column_int(st, 1);
		struct pf_watch_event *e;
		const void *v;

		/* Stop only between revisions, so a txn is never split. */
		if (out->n >= PF_WATCH_BATCH && rev != last) {
			next = rev;
			break;
		}
		e = pf_watch_batch_add(out, &cap);
		e->type = type == PF_WATCH_DELETE ? PF_WATCH_DELETE : PF_WATCH_PUT;
		v = sqlite3_column_blob(st, 4);
		if (e->type == PF_WATCH_PUT && !v)
			v = "";
		pf_kv_set(&e->kv, (const char *)sqlite3_column_text(st, 2),
			  e->type == PF_WATCH_PUT ? v : NULL, (size_t)sqlite3_column_bytes(st, 4),
			  sqlite3_column_int64(st, 3), rev);
		last = rev;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(c->s, c->db, rc, "read the watch history", err);
	w->next_rev = next;
	return (int)out->n;
}

static int sq_watch_fetch(struct pf_watch *base, struct pf_watch_batch *out, struct pf_err *err)
{
	struct sq_watch *w = (struct sq_watch *)base;
	_cleanup_reader_ struct conn *c = NULL;
	int64_t cur, compact_rev;
	int r;

	if ((r = reader_get(w->s, &c, err)) < 0 ||
	    (r = run_simple(c, ST_BEGIN, "start a read", err)) < 0 ||
	    (r = read_meta(c, &cur, &compact_rev, err)) < 0)
		return r;
	if (w->next_rev <= compact_rev)
		return pf_store_err_compacted(err, w->next_rev, compact_rev);
	if (w->next_rev > cur)
		return 0;
	if ((r = fetch_rows(c, w, cur, out, err)) < 0)
		return r;
	return (int)out->n;
}

static void sq_watch_close(struct pf_watch *base)
{
	struct sq_watch *w = (struct sq_watch *)base;

	free(w->prefix);
	free(w->end);
	free(w);
}

void pf_store_sqlite_set_history(struct pf_store *base, int64_t keep)
{
	struct sq_store *s = store_of(base);

	pthread_mutex_lock(&s->write_mu);
	s->history = keep;
	pthread_mutex_unlock(&s->write_mu);
}

const struct pf_store_ops pf_store_sqlite_ops = {
    .scheme = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .rev = sq_rev,
    .get = sq_get,
    .list = sq_list,
    .txn = sq_txn,
    .watch_open = sq_watch_open,
    .watch_fetch = sq_watch_fetch,
    .watch_close = sq_watch_close,
    .compact = sq_compact,
};
