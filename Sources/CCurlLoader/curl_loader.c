#include "curl_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error = "libcurl was not loaded";
static char load_error_text[512];

#define RESOLVE(lib, field, name)                                                        \
    do {                                                                                 \
        *(void **)(&curl.field) = dlsym(lib, name);                                      \
        if (curl.field == NULL) {                                                        \
            snprintf(load_error_text, sizeof load_error_text, "libcurl lacks %s", name); \
            load_error = load_error_text;                                                \
            return;                                                                      \
        }                                                                                \
    } while (0)

static void load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(load_error_text, sizeof load_error_text, "cannot load libcurl: %s", dlerror());
        load_error = load_error_text;
        return;
    }
    RESOLVE(lib, global_init, "curl_global_init");
    RESOLVE(lib, easy_init, "curl_easy_init");
    RESOLVE(lib, easy_cleanup, "curl_easy_cleanup");
    RESOLVE(lib, easy_reset, "curl_easy_reset");
    RESOLVE(lib, easy_perform, "curl_easy_perform");
    RESOLVE(lib, easy_strerror, "curl_easy_strerror");
    RESOLVE(lib, slist_append, "curl_slist_append");
    RESOLVE(lib, slist_free_all, "curl_slist_free_all");
    RESOLVE(lib, easy_setopt, "curl_easy_setopt");
    RESOLVE(lib, easy_getinfo, "curl_easy_getinfo");
    RESOLVE(lib, multi_init, "curl_multi_init");
    RESOLVE(lib, multi_cleanup, "curl_multi_cleanup");
    RESOLVE(lib, multi_add_handle, "curl_multi_add_handle");
    RESOLVE(lib, multi_remove_handle, "curl_multi_remove_handle");
    RESOLVE(lib, multi_perform, "curl_multi_perform");
    RESOLVE(lib, multi_poll, "curl_multi_poll");
    RESOLVE(lib, multi_info_read, "curl_multi_info_read");
    RESOLVE(lib, multi_setopt, "curl_multi_setopt");
    if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        load_error = "curl_global_init failed";
        return;
    }
    load_error = NULL;
}

const char *fw_curl_load(void) {
    pthread_once(&once, load);
    return load_error;
}

CURL *fw_curl_easy_init(void) { return curl.easy_init(); }
void fw_curl_easy_cleanup(CURL *h) { curl.easy_cleanup(h); }
void fw_curl_easy_reset(CURL *h) { curl.easy_reset(h); }
CURLcode fw_curl_easy_perform(CURL *h) { return curl.easy_perform(h); }
const char *fw_curl_easy_strerror(CURLcode c) { return curl.easy_strerror(c); }
struct curl_slist *fw_curl_slist_append(struct curl_slist *l, const char *s) { return curl.slist_append(l, s); }
void fw_curl_slist_free_all(struct curl_slist *l) { curl.slist_free_all(l); }

CURLcode fw_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl.easy_setopt(h, o, v); }
CURLcode fw_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl.easy_setopt(h, o, v); }
CURLcode fw_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return curl.easy_setopt(h, o, v); }
CURLcode fw_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl.easy_setopt(h, o, v); }
CURLcode fw_curl_setopt_callback(CURL *h, CURLoption o, fw_curl_data_callback v) { return curl.easy_setopt(h, o, v); }
CURLcode fw_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl.easy_setopt(h, o, v); }
CURLcode fw_curl_setopt_progress(CURL *h, CURLoption o, fw_curl_progress_callback v) { return curl.easy_setopt(h, o, v); }
CURLcode fw_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl.easy_getinfo(h, i, v); }
CURLcode fw_curl_getinfo_str(CURL *h, CURLINFO i, char **v) { return curl.easy_getinfo(h, i, v); }

CURLM *fw_curl_multi_init(void) { return curl.multi_init(); }
CURLMcode fw_curl_multi_cleanup(CURLM *m) { return curl.multi_cleanup(m); }
CURLMcode fw_curl_multi_add_handle(CURLM *m, CURL *h) { return curl.multi_add_handle(m, h); }
CURLMcode fw_curl_multi_remove_handle(CURLM *m, CURL *h) { return curl.multi_remove_handle(m, h); }
CURLMcode fw_curl_multi_perform(CURLM *m, int *running) { return curl.multi_perform(m, running); }
CURLMcode fw_curl_multi_poll(CURLM *m, int timeout_ms, int *ready) { return curl.multi_poll(m, NULL, 0, timeout_ms, ready); }
CURLMsg *fw_curl_multi_info_read(CURLM *m, int *queued) { return curl.multi_info_read(m, queued); }
CURLMcode fw_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl.multi_setopt(m, o, v); }
