/*
 * registry.c — the public registry (migration 018): searching, counting and
 * verifying credentials, and a holder's own credentials. The registry table
 * and its index are kept in step by triggers; nothing here writes them.
 */
#include "store/store_impl.h"

#include <string.h>

#define REGISTRY_MATCH_MAX 1024 /* bytes of a built match text at most */
#define REGISTRY_FEW       1000 /* matches a search sorts itself; more walk the name index */

#define ROW_COLS "number,name,organization,state,status,issued_on,expires_on,demo#"
#define ROW_SELECT                                                                                 \
    "SELECT r.number, r.name, r.organization, r.state, r.status, r.issued_on, r.expires_on,"       \
    " r.demo FROM "

/*
 * The database's query for words: FTS5 ("w1"* AND "w2"*) on SQLite, a tsquery
 * ('w1':* & 'w2':*) on PostgreSQL. The words hold no quote (core/registry.c),
 * so each is one prefix term. CF_EINVAL when the text would not fit.
 */
static int match_text(const struct store *s, const char *const *words, int nwords, char *out,
                      size_t n, struct cf_error *err)
{
    int pg = db_kind(s->db) == DB_PG;
    size_t o = 0;

    out[0] = '\0';
    for (int i = 0; i < nwords; i++) {
        int w = snprintf(out + o, n - o, pg ? "%s'%s':*" : "%s\"%s\"*",
                         i == 0 ? ""
                         : pg   ? " & "
                                : " AND ",
                         words[i]);

        if (w < 0 || (size_t)w >= n - o)
            return cf_error_set(err, CF_EINVAL, "q", "Shorten the search.");
        o += (size_t)w;
    }
    return CF_OK;
}

int store_registry_search(struct store *s, const char *number, const char *const *words, int nwords,
                          const char *state, long limit, long offset, json_t **rows, long *total,
                          struct cf_error *err)
{
    char match[REGISTRY_MATCH_MAX];
    const char *st = state != NULL ? state : "";
    int pg = db_kind(s->db) == DB_PG;
    json_t *count = NULL;
    int rc;

    *rows = NULL;
    *total = 0;
    rc = match_text(s, words, nwords, match, sizeof match, err);
    if (rc != CF_OK)
        return rc;

    /* Five shapes (a number, words or not, a state or not), each a literal so its plan is
     * cached. CROSS JOIN keeps SQLite reading the FTS5 matches first: left to choose, it may
     * walk the whole registry and probe the index for each row (seconds at 100,000). */
    if (number != NULL && number[0] != '\0') {
        rc = store__query(s,
                          ROW_SELECT "registry r"
                                     " WHERE r.number = ? AND +r.visible = 1"
                                     " AND (? = '' OR r.state = ?) LIMIT ? OFFSET ?",
                          ROW_COLS, rows, err, "sssll", number, st, st, limit, offset);
        if (rc == CF_OK)
            rc = store__query_one(s,
                                  "SELECT COUNT(*) FROM registry WHERE number = ? AND +visible = 1"
                                  " AND (? = '' OR state = ?)",
                                  "n#", &count, err, "sss", number, st, st);
    } else if (nwords == 0 && st[0] == '\0') {
        rc = store__query(s,
                          ROW_SELECT "registry r"
                                     " WHERE r.visible = 1 ORDER BY r.sortkey, r.number"
                                     " LIMIT ? OFFSET ?",
                          ROW_COLS, rows, err, "ll", limit, offset);
        if (rc == CF_OK)
            rc = store__query_one(s, "SELECT COUNT(*) FROM registry WHERE visible = 1", "n#",
                                  &count, err, "");
    } else if (nwords == 0) {
        rc = store__query(s,
                          ROW_SELECT "registry r"
                                     " WHERE r.visible = 1 AND r.state = ?"
                                     " ORDER BY r.sortkey, r.number LIMIT ? OFFSET ?",
                          ROW_COLS, rows, err, "sll", st, limit, offset);
        if (rc == CF_OK)
            rc =
                store__query_one(s, "SELECT COUNT(*) FROM registry WHERE visible = 1 AND state = ?",
                                 "n#", &count, err, "s", st);
    } else if (pg) {
        rc = store__query(
            s,
            ROW_SELECT "registry r"
                       " WHERE to_tsvector('simple', cf_fold(r.doc))"
                       " @@ to_tsquery('simple', cf_fold(?)) AND r.visible = 1"
                       " AND (? = '' OR r.state = ?) ORDER BY r.sortkey, r.number LIMIT ? OFFSET ?",
            ROW_COLS, rows, err, "sssll", match, st, st, limit, offset);
        if (rc == CF_OK)
            rc = store__query_one(s,
                                  "SELECT COUNT(*) FROM registry r"
                                  " WHERE to_tsvector('simple', cf_fold(r.doc))"
                                  " @@ to_tsquery('simple', cf_fold(?)) AND r.visible = 1"
                                  " AND (? = '' OR r.state = ?)",
                                  "n#", &count, err, "sss", match, st, st);
    } else {
        /* The total first, in the index alone (it holds visible rows only) or, with a state,
         * by walking that state's rows against the set of matches. */
        if (st[0] == '\0')
            rc = store__query_one(s, "SELECT COUNT(*) FROM registry_fts WHERE registry_fts MATCH ?",
                                  "n#", &count, err, "s", match);
        else
            rc = store__query_one(s,
                                  "SELECT COUNT(*) FROM registry r INDEXED BY registry_state"
                                  " WHERE r.visible = 1 AND r.state = ? AND r.id IN"
                                  " (SELECT rowid FROM registry_fts WHERE registry_fts MATCH ?)",
                                  "n#", &count, err, "ss", st, match);
        if (rc != CF_OK)
            goto out;
        /* Few matches: read them and sort them. Many, or a state: walk the registry (or the
         * state's rows) in name order and keep the rows in the set of matches, so a word most
         * holders share does not sort thousands of rows for one page (8 ms -> 2 ms for 7 % of
         * 100,000). */
        if (st[0] == '\0' && json_integer_value(json_object_get(count, "n")) <= REGISTRY_FEW)
            rc = store__query(s,
                              ROW_SELECT "registry_fts f CROSS JOIN registry r ON r.id = f.rowid"
                                         " WHERE registry_fts MATCH ?"
                                         " ORDER BY r.sortkey, r.number LIMIT ? OFFSET ?",
                              ROW_COLS, rows, err, "sll", match, limit, offset);
        else if (st[0] == '\0')
            rc = store__query(s,
                              ROW_SELECT "registry r INDEXED BY registry_list WHERE r.visible = 1"
                                         " AND r.id IN (SELECT rowid FROM registry_fts"
                                         " WHERE registry_fts MATCH ?)"
                                         " ORDER BY r.sortkey, r.number LIMIT ? OFFSET ?",
                              ROW_COLS, rows, err, "sll", match, limit, offset);
        else
            rc = store__query(s,
                              ROW_SELECT "registry r INDEXED BY registry_state WHERE r.visible = 1"
                                         " AND r.state = ? AND r.id IN (SELECT rowid FROM"
                                         " registry_fts WHERE registry_fts MATCH ?)"
                                         " ORDER BY r.sortkey, r.number LIMIT ? OFFSET ?",
                              ROW_COLS, rows, err, "ssll", st, match, limit, offset);
    }

out:
    if (rc == CF_OK)
        *total = (long)json_integer_value(json_object_get(count, "n"));
    json_decref(count);
    if (rc != CF_OK) {
        json_decref(*rows);
        *rows = NULL;
    }
    return rc;
}

int store_registry_counts(struct store *s, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT state, status, n FROM registry_counts WHERE n > 0"
                        " ORDER BY state, status",
                        "state,status,count#", out, err, "");
}

int store_registry_verify(struct store *s, const char *number, json_t **out, struct cf_error *err)
{
    return store__query_one(s,
                            "SELECT c.number, p.name, g.name, c.status, c.issued_on, c.expires_on,"
                            " c.demo, c.listed FROM credentials c"
                            " JOIN people p ON p.id = c.person_id"
                            " JOIN programs g ON g.id = c.program_id"
                            " WHERE c.number = ? AND p.status <> 'erased'",
                            "number,name,program,status,issued_on,expires_on,demo#,listed#", out,
                            err, "s", number);
}

int store_registry_mine(struct store *s, const char *person, json_t **out, struct cf_error *err)
{
    return store__query(s,
                        "SELECT c.id, c.number, g.name, c.status, c.issued_on, c.expires_on,"
                        " c.listed, c.demo FROM credentials c"
                        " JOIN programs g ON g.id = c.program_id"
                        " WHERE c.person_id = ? ORDER BY c.issued_on DESC, c.number DESC",
                        "id,number,program,status,issued_on,expires_on,listed#,demo#", out, err,
                        "s", person);
}

int store_registry_set_listed(struct store *s, const char *id, const char *person, int listed,
                              const char *now, struct cf_error *err)
{
    int64_t n = 0;
    int rc = store__exec(s,
                         "UPDATE credentials SET listed = ?, updated_at = ?"
                         " WHERE id = ? AND person_id = ?",
                         &n, err, "isss", (int64_t)listed, now, id, person);

    if (rc == CF_OK && n == 0)
        rc = cf_error_set(err, CF_ENOTFOUND, NULL, "There is no such credential.");
    return rc;
}

int store_registry_generation(struct store *s, int64_t *gen, struct cf_error *err)
{
    return store_registry_stamp(s, gen, NULL, 0, err);
}

int store_registry_stamp(struct store *s, int64_t *gen, char *epoch, size_t n, struct cf_error *err)
{
    json_t *row = NULL;
    int rc = store__query_one(s, "SELECT gen, epoch FROM registry_generation WHERE id = 1",
                              "gen#,epoch", &row, err, "");

    *gen = rc == CF_OK ? (int64_t)json_integer_value(json_object_get(row, "gen")) : 0;
    if (epoch != NULL && n > 0)
        snprintf(epoch, n, "%s",
                 rc == CF_OK ? json_string_value(json_object_get(row, "epoch")) : "");
    json_decref(row);
    return rc;
}

int store_registry_each(struct store *s, int64_t *gen, char *epoch, size_t n,
                        int (*fn)(void *ctx, const struct store_registry_row *row), void *ctx,
                        struct cf_error *err)
{
    /* SQLite would rather sort the whole table than read the name index; PostgreSQL picks
     * the index by itself. */
#define EACH_COLS                                                                                  \
    "SELECT id, number, name, organization, state, status, issued_on, expires_on, demo, doc"       \
    " FROM registry "
    static const char sqlite_sql[] = EACH_COLS "INDEXED BY registry_list"
                                               " WHERE visible = 1 ORDER BY sortkey, number";
    static const char pg_sql[] = EACH_COLS "WHERE visible = 1 ORDER BY sortkey, number";
#undef EACH_COLS
    struct db_stmt *st;
    int64_t after = 0;
    int rc = store_registry_stamp(s, gen, epoch, n, err), step;

    if (rc != CF_OK)
        return rc;
    st = db_prepare(s->db, db_kind(s->db) == DB_PG ? pg_sql : sqlite_sql, err);
    if (st == NULL)
        return CF_EDB;
    while ((step = db_step(st, err)) == DB_ROW) {
        struct store_registry_row row;
        const char *t[7];

        for (int i = 0; i < 7; i++)
            t[i] = db_col_text(st, i + 1) != NULL ? db_col_text(st, i + 1) : "";
        row = (struct store_registry_row){
            .id = db_col_int64(st, 0),
            .number = t[0],
            .name = t[1],
            .organization = t[2],
            .state = t[3],
            .status = t[4],
            .issued_on = t[5],
            .expires_on = t[6],
            .demo = db_col_int64(st, 8) != 0,
            .doc = db_col_text(st, 9) != NULL ? db_col_text(st, 9) : "",
            .ndoc = db_col_text(st, 9) != NULL ? (size_t)db_col_len(st, 9) : 0,
        };
        rc = fn(ctx, &row);
        if (rc != CF_OK)
            break;
    }
    db_done(st);
    if (rc == CF_OK && step != DB_DONE)
        rc = step < 0 ? step : CF_EDB;
    if (rc == CF_OK)
        rc = store_registry_generation(s, &after, err);
    if (rc == CF_OK && after != *gen)
        rc = cf_error_set(err, CF_ECONFLICT, NULL, "The registry changed while it was read.");
    return rc;
}
