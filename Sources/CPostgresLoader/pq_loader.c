#include "pq_loader.h"

#include <dlfcn.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>

_Static_assert(FW_PQ_CONNECTION_OK == CONNECTION_OK, "ConnStatusType");
_Static_assert(FW_PQ_COMMAND_OK == PGRES_COMMAND_OK, "ExecStatusType");
_Static_assert(FW_PQ_TUPLES_OK == PGRES_TUPLES_OK, "ExecStatusType");
_Static_assert(FW_PQ_DIAG_SQLSTATE == PG_DIAG_SQLSTATE, "PG_DIAG_SQLSTATE");

/* Each pointer has the type of the function <libpq-fe.h> declares: a mismatch does not compile. */
static struct {
    __typeof__(&PQconnectdb) connectdb;
    __typeof__(&PQstatus) status;
    __typeof__(&PQerrorMessage) error_message;
    __typeof__(&PQfinish) finish;
    __typeof__(&PQsetNoticeProcessor) set_notice_processor;
    __typeof__(&PQbackendPID) backend_pid;
    __typeof__(&PQexec) exec;
    __typeof__(&PQexecParams) exec_params;
    __typeof__(&PQprepare) prepare;
    __typeof__(&PQexecPrepared) exec_prepared;
    __typeof__(&PQresultStatus) result_status;
    __typeof__(&PQresultErrorMessage) result_error_message;
    __typeof__(&PQresultErrorField) result_error_field;
    __typeof__(&PQntuples) ntuples;
    __typeof__(&PQnfields) nfields;
    __typeof__(&PQgetvalue) getvalue;
    __typeof__(&PQgetisnull) getisnull;
    __typeof__(&PQgetlength) getlength;
    __typeof__(&PQcmdTuples) cmd_tuples;
    __typeof__(&PQclear) clear;
} pq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error = "libpq was not loaded";
static char load_error_text[512];

#define RESOLVE(lib, field, name)                                                      \
    do {                                                                               \
        *(void **)(&pq.field) = dlsym(lib, name);                                      \
        if (pq.field == NULL) {                                                        \
            snprintf(load_error_text, sizeof load_error_text, "libpq lacks %s", name); \
            load_error = load_error_text;                                              \
            return;                                                                    \
        }                                                                              \
    } while (0)

static void load(void) {
    void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(load_error_text, sizeof load_error_text, "cannot load libpq (Debian: libpq5): %s", dlerror());
        load_error = load_error_text;
        return;
    }
    RESOLVE(lib, connectdb, "PQconnectdb");
    RESOLVE(lib, status, "PQstatus");
    RESOLVE(lib, error_message, "PQerrorMessage");
    RESOLVE(lib, finish, "PQfinish");
    RESOLVE(lib, set_notice_processor, "PQsetNoticeProcessor");
    RESOLVE(lib, backend_pid, "PQbackendPID");
    RESOLVE(lib, exec, "PQexec");
    RESOLVE(lib, exec_params, "PQexecParams");
    RESOLVE(lib, prepare, "PQprepare");
    RESOLVE(lib, exec_prepared, "PQexecPrepared");
    RESOLVE(lib, result_status, "PQresultStatus");
    RESOLVE(lib, result_error_message, "PQresultErrorMessage");
    RESOLVE(lib, result_error_field, "PQresultErrorField");
    RESOLVE(lib, ntuples, "PQntuples");
    RESOLVE(lib, nfields, "PQnfields");
    RESOLVE(lib, getvalue, "PQgetvalue");
    RESOLVE(lib, getisnull, "PQgetisnull");
    RESOLVE(lib, getlength, "PQgetlength");
    RESOLVE(lib, cmd_tuples, "PQcmdTuples");
    RESOLVE(lib, clear, "PQclear");
    load_error = NULL;
}

const char *fw_pq_load(void) {
    pthread_once(&once, load);
    return load_error;
}

static void ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

PGconn *fw_pq_connectdb(const char *conninfo) { return pq.connectdb(conninfo); }
int fw_pq_status(const PGconn *conn) { return (int)pq.status(conn); }
const char *fw_pq_error_message(const PGconn *conn) { return pq.error_message(conn); }
void fw_pq_finish(PGconn *conn) { pq.finish(conn); }
void fw_pq_silence_notices(PGconn *conn) { pq.set_notice_processor(conn, ignore_notice, NULL); }
int fw_pq_backend_pid(const PGconn *conn) { return pq.backend_pid(conn); }

/* Text parameters, text results: the server parses and prints every value, and callers never
   see a binary format. */
PGresult *fw_pq_exec(PGconn *conn, const char *command) { return pq.exec(conn, command); }
PGresult *fw_pq_exec_params(PGconn *conn, const char *command, int count, const char *const *values) {
    return pq.exec_params(conn, command, count, NULL, values, NULL, NULL, 0);
}
PGresult *fw_pq_prepare(PGconn *conn, const char *name, const char *query, int count) {
    return pq.prepare(conn, name, query, count, NULL);
}
PGresult *fw_pq_exec_prepared(PGconn *conn, const char *name, int count, const char *const *values) {
    return pq.exec_prepared(conn, name, count, values, NULL, NULL, 0);
}

int fw_pq_result_status(const PGresult *result) { return (int)pq.result_status(result); }
const char *fw_pq_result_error_message(const PGresult *result) { return pq.result_error_message(result); }
const char *fw_pq_result_error_field(const PGresult *result, int code) { return pq.result_error_field(result, code); }
int fw_pq_ntuples(const PGresult *result) { return pq.ntuples(result); }
int fw_pq_nfields(const PGresult *result) { return pq.nfields(result); }
const char *fw_pq_getvalue(const PGresult *result, int row, int column) { return pq.getvalue(result, row, column); }
int fw_pq_getisnull(const PGresult *result, int row, int column) { return pq.getisnull(result, row, column); }
int fw_pq_getlength(const PGresult *result, int row, int column) { return pq.getlength(result, row, column); }
const char *fw_pq_cmd_tuples(PGresult *result) { return pq.cmd_tuples(result); }
void fw_pq_clear(PGresult *result) { pq.clear(result); }
