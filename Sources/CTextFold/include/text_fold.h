#ifndef FEEDWATCH_TEXT_FOLD_H
#define FEEDWATCH_TEXT_FOLD_H

#include <stdint.h>

/* Folds a UTF-8 word for matching: ICU's NFKC_Casefold (compatibility forms such as fullwidth
   letters and ligatures, full case folding such as ß → ss, and removal of default-ignorable
   characters such as soft hyphens and zero-width joiners), then canonical decomposition with
   non-spacing marks removed (é → e). Plain C types only, so ICU's headers never meet Swift's.

   Writes UTF-8 to `out` and returns its length; returns -needed when `capacity` is too small, and
   INT32_MIN if ICU reports an error. */
int32_t fw_fold_utf8(const uint8_t *in, int32_t length, uint8_t *out, int32_t capacity);

#endif
