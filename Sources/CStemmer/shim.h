#ifndef FEEDWATCH_CSTEMMER_SHIM_H
#define FEEDWATCH_CSTEMMER_SHIM_H
/* Snowball stemmers (Debian: libstemmer-dev, which has no pkg-config file). */
#include <libstemmer.h>
#endif
