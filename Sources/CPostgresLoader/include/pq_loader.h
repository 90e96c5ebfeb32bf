#ifndef FEEDWATCH_PQ_LOADER_H
#define FEEDWATCH_PQ_LOADER_H

/* libpq (PostgreSQL's C client), loaded on first use, as libcurl is: linking it would map it and
   its TLS, Kerberos and LDAP libraries into every run of feedwatch, and only a store named by a
   postgresql:// URI needs it. Each wrapper calls one libpq function through a pointer resolved
   once with dlopen/dlsym, 1:1, no logic. The opaque types are libpq's own typedefs; the .c file
   includes <libpq-fe.h> and checks every pointer and constant against it at compile time. */

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

/* The values of libpq's ConnStatusType and ExecStatusType that callers test. */
#define FW_PQ_CONNECTION_OK 0
#define FW_PQ_COMMAND_OK 1
#define FW_PQ_TUPLES_OK 2
/* PG_DIAG_SQLSTATE ('C'): the five-character SQLSTATE of a failed command. */
#define FW_PQ_DIAG_SQLSTATE 67

/* Loads libpq.so.5, once (thread-safe). Returns NULL on success, else what failed. */
const char *fw_pq_load(void);

PGconn *fw_pq_connectdb(const char *conninfo);
int fw_pq_status(const PGconn *conn);
const char *fw_pq_error_message(const PGconn *conn);
void fw_pq_finish(PGconn *conn);
/* Sends the server's NOTICE and WARNING messages nowhere (libpq prints them on stderr). */
void fw_pq_silence_notices(PGconn *conn);
int fw_pq_backend_pid(const PGconn *conn);

PGresult *fw_pq_exec(PGconn *conn, const char *command);
PGresult *fw_pq_exec_params(PGconn *conn, const char *command, int count, const char *const *values);
PGresult *fw_pq_prepare(PGconn *conn, const char *name, const char *query, int count);
PGresult *fw_pq_exec_prepared(PGconn *conn, const char *name, int count, const char *const *values);

int fw_pq_result_status(const PGresult *result);
const char *fw_pq_result_error_message(const PGresult *result);
const char *fw_pq_result_error_field(const PGresult *result, int code);
int fw_pq_ntuples(const PGresult *result);
int fw_pq_nfields(const PGresult *result);
const char *fw_pq_getvalue(const PGresult *result, int row, int column);
int fw_pq_getisnull(const PGresult *result, int row, int column);
int fw_pq_getlength(const PGresult *result, int row, int column);
const char *fw_pq_cmd_tuples(PGresult *result);
void fw_pq_clear(PGresult *result);

#endif
