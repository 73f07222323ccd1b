#ifndef SIGNPEER_OPENSSL_H
#define SIGNPEER_OPENSSL_H
/* Typed wrappers for OpenSSL function-like macros that Swift cannot import. */
#include <openssl/crypto.h>
#include <openssl/x509.h>

/* sk_X509_new_null(): an empty stack that does not own its certificates. */
STACK_OF(X509) *signpeer_sk_X509_new_null(void);
/* sk_X509_push(): returns the new count, or 0 on failure; does not take a reference. */
int signpeer_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate);
/* sk_X509_free(): frees the stack only, not the certificates. */
void signpeer_sk_X509_free(STACK_OF(X509) *stack);
/* OPENSSL_free(), e.g. for the buffer of ASN1_STRING_to_UTF8. */
void signpeer_OPENSSL_free(void *pointer);

#endif
