#include "crypto_loader.h"

#include <dlfcn.h>
#include <pthread.h>

/* The two libcrypto entry points used, declared by their documented prototypes (OpenSSL 3):
   no OpenSSL headers are needed to build. */
typedef const void *(*evp_sha256_fn)(void);
typedef unsigned char *(*hmac_fn)(const void *md, const void *key, int key_len, const unsigned char *data, size_t n,
                                  unsigned char *out, unsigned int *out_len);

static evp_sha256_fn evp_sha256;
static hmac_fn hmac;
static const char *problem;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *names[] = {"libcrypto.so.3", "libcrypto.so"};
    void *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !lib; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        problem = "cannot load libcrypto (OpenSSL 3, Debian package libssl3)";
        return;
    }
    evp_sha256 = (evp_sha256_fn)dlsym(lib, "EVP_sha256");
    hmac = (hmac_fn)dlsym(lib, "HMAC");
    if (!evp_sha256 || !hmac) problem = "libcrypto lacks EVP_sha256 or HMAC";
}

const char *fw_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char out[32]) {
    pthread_once(&once, load);
    if (problem) return problem;
    if (key_length > 0x7fffffff) return "key too long";
    unsigned int written = 0;
    if (!hmac(evp_sha256(), key, (int)key_length, data, length, out, &written) || written != 32) return "HMAC failed";
    return NULL;
}
