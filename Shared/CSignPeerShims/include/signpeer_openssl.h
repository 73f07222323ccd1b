#ifndef SIGNPEER_OPENSSL_H
#define SIGNPEER_OPENSSL_H
/* Typed wrappers for OpenSSL function-like macros that Swift cannot import. */
#include <openssl/crypto.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

/* sk_X509_new_null(): an empty stack that does not own its certificates. */
STACK_OF(X509) *signpeer_sk_X509_new_null(void);
/* sk_X509_push(): returns the new count, or 0 on failure; does not take a reference. */
int signpeer_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate);
/* sk_X509_free(): frees the stack only, not the certificates. */
void signpeer_sk_X509_free(STACK_OF(X509) *stack);
/* sk_PKCS7_new_null(), sk_PKCS7_num(), sk_PKCS7_value(); pop_free frees the stack and every
   PKCS7 in it. */
STACK_OF(PKCS7) *signpeer_sk_PKCS7_new_null(void);
int signpeer_sk_PKCS7_num(const STACK_OF(PKCS7) *stack);
PKCS7 *signpeer_sk_PKCS7_value(const STACK_OF(PKCS7) *stack, int index);
void signpeer_sk_PKCS7_pop_free(STACK_OF(PKCS7) *stack);
/* The same for PKCS#12 safe bags. */
int signpeer_sk_PKCS12_SAFEBAG_num(const STACK_OF(PKCS12_SAFEBAG) *stack);
PKCS12_SAFEBAG *signpeer_sk_PKCS12_SAFEBAG_value(const STACK_OF(PKCS12_SAFEBAG) *stack, int index);
void signpeer_sk_PKCS12_SAFEBAG_pop_free(STACK_OF(PKCS12_SAFEBAG) *stack);
/* The content type NID of a PKCS#7 object (what PKCS7_type_is_data() and friends test). */
int signpeer_PKCS7_type_nid(const PKCS7 *p7);
/* OPENSSL_free(), e.g. for the buffer of ASN1_STRING_to_UTF8. */
void signpeer_OPENSSL_free(void *pointer);

#endif
