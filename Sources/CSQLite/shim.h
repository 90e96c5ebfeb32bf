#ifndef FEEDWATCH_CSQLITE_SHIM_H
#define FEEDWATCH_CSQLITE_SHIM_H
/* SQLite (Debian: libsqlite3-dev). SQLITE_TRANSIENT is a cast macro Swift cannot import: these
   wrappers bind text and blobs that SQLite copies before the call returns. */
#include <sqlite3.h>

static inline int fw_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *text, int n) {
    return sqlite3_bind_text(s, i, text, n, SQLITE_TRANSIENT);
}

static inline int fw_sqlite3_bind_blob(sqlite3_stmt *s, int i, const void *data, int n) {
    return sqlite3_bind_blob(s, i, data, n, SQLITE_TRANSIENT);
}
#endif
