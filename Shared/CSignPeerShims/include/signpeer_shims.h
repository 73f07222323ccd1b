#ifndef SIGNPEER_SHIMS_H
#define SIGNPEER_SHIMS_H
/* Typed wrappers for what Swift cannot import: variadic libcurl functions and OpenSSL's
   function-like macros. One header per library. */
#include "signpeer_curl.h"
#include "signpeer_openssl.h"
#endif
