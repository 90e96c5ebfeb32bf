#ifndef FEEDWATCH_CRYPTO_LOADER_H
#define FEEDWATCH_CRYPTO_LOADER_H

#include <stddef.h>

/* HMAC-SHA256 from the system's OpenSSL libcrypto — the one libcurl already links — loaded with
   dlopen on first use, so commands that never sign a webhook do not map it. Returns NULL on
   success and writes 32 bytes to out; otherwise a static message saying why. */
const char *fw_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char out[32]);

#endif
