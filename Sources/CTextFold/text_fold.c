#include "text_fold.h"

#include <stdlib.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* Runs `norm` over `src`, into a buffer it allocates; NULL on error. */
static UChar *normalize(const UNormalizer2 *norm, const UChar *src, int32_t len, int32_t *outLen) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t needed = unorm2_normalize(norm, src, len, NULL, 0, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return NULL;
    UChar *dst = malloc(sizeof(UChar) * (size_t)(needed + 1));
    if (dst == NULL) return NULL;
    status = U_ZERO_ERROR;
    *outLen = unorm2_normalize(norm, src, len, dst, needed + 1, &status);
    if (U_FAILURE(status)) { free(dst); return NULL; }
    return dst;
}

int32_t fw_fold_utf8(const uint8_t *in, int32_t length, uint8_t *out, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *casefold = unorm2_getNFKCCasefoldInstance(&status);
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&status);
    if (U_FAILURE(status)) return INT32_MIN;

    int32_t u16len = 0;
    u_strFromUTF8WithSub(NULL, 0, &u16len, (const char *)in, length, 0xFFFD, NULL, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return INT32_MIN;
    UChar *u16 = malloc(sizeof(UChar) * (size_t)(u16len + 1));
    if (u16 == NULL) return INT32_MIN;
    status = U_ZERO_ERROR;
    u_strFromUTF8WithSub(u16, u16len + 1, &u16len, (const char *)in, length, 0xFFFD, NULL, &status);

    int32_t foldedLen = 0, decomposedLen = 0;
    UChar *folded = U_SUCCESS(status) ? normalize(casefold, u16, u16len, &foldedLen) : NULL;
    UChar *decomposed = folded ? normalize(nfd, folded, foldedLen, &decomposedLen) : NULL;
    free(u16);
    free(folded);
    if (decomposed == NULL) return INT32_MIN;

    /* Drop non-spacing marks (accents), in place. */
    int32_t kept = 0;
    for (int32_t i = 0; i < decomposedLen;) {
        UChar32 c;
        int32_t start = i;
        U16_NEXT(decomposed, i, decomposedLen, c);
        if (u_charType(c) == U_NON_SPACING_MARK) continue;
        for (int32_t k = start; k < i; k++) decomposed[kept++] = decomposed[k];
    }

    int32_t written = 0;
    status = U_ZERO_ERROR;
    u_strToUTF8((char *)out, capacity, &written, decomposed, kept, &status);
    free(decomposed);
    if (status == U_BUFFER_OVERFLOW_ERROR) return -written;
    if (U_FAILURE(status)) return INT32_MIN;
    return written;
}
