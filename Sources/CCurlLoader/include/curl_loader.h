#ifndef FEEDWATCH_CURL_LOADER_H
#define FEEDWATCH_CURL_LOADER_H

/* libcurl, loaded on first use. Linking it would map ~30 shared libraries (TLS, Kerberos, LDAP,
   SSH, …) into every run of feedwatch, costing ~6 MB and ~4 ms even when a command reads a local
   file. These wrappers call through pointers resolved once with dlopen/dlsym; the variadic
   curl_easy_setopt/getinfo are called through their real variadic prototypes, one typed wrapper
   per argument type, 1:1, no logic. */

#include <curl/curl.h>

/* Loads libcurl and runs curl_global_init, once (thread-safe). Returns NULL on success, else a
   description of what failed. */
const char *fw_curl_load(void);

CURL *fw_curl_easy_init(void);
void fw_curl_easy_cleanup(CURL *handle);
/* Back to the state curl_easy_init gives, keeping the allocation (and its caches) for reuse. */
void fw_curl_easy_reset(CURL *handle);
CURLcode fw_curl_easy_perform(CURL *handle);
const char *fw_curl_easy_strerror(CURLcode code);
struct curl_slist *fw_curl_slist_append(struct curl_slist *list, const char *string);
void fw_curl_slist_free_all(struct curl_slist *list);

typedef size_t (*fw_curl_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode fw_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode fw_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode fw_curl_setopt_str(CURL *handle, CURLoption option, const char *value);
CURLcode fw_curl_setopt_ptr(CURL *handle, CURLoption option, void *value);
CURLcode fw_curl_setopt_callback(CURL *handle, CURLoption option, fw_curl_data_callback value);
/* A string list option (CURLOPT_MAIL_RCPT, CURLOPT_HTTPHEADER): the list must outlive the transfer. */
CURLcode fw_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
/* CURLOPT_XFERINFOFUNCTION's prototype: a non-zero return aborts the transfer. */
typedef int (*fw_curl_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
CURLcode fw_curl_setopt_progress(CURL *handle, CURLoption option, fw_curl_progress_callback value);
CURLcode fw_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode fw_curl_getinfo_str(CURL *handle, CURLINFO info, char **value);

/* The multi interface: many transfers driven from one thread. */
CURLM *fw_curl_multi_init(void);
CURLMcode fw_curl_multi_cleanup(CURLM *multi);
CURLMcode fw_curl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode fw_curl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode fw_curl_multi_perform(CURLM *multi, int *running);
CURLMcode fw_curl_multi_poll(CURLM *multi, int timeout_ms, int *ready);
CURLMsg *fw_curl_multi_info_read(CURLM *multi, int *queued);
CURLMcode fw_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

#endif
