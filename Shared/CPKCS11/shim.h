/* PKCS#11 2.40 types, constants and the function list from p11-kit's header (libp11-kit-dev).
   Nothing is linked: modules are dlopen'ed and called through their CK_FUNCTION_LIST. */
#include <p11-kit/pkcs11.h>
#include <dlfcn.h>
