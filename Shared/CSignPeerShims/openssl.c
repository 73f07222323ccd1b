#include "signpeer_openssl.h"

STACK_OF(X509) *signpeer_sk_X509_new_null(void) { return sk_X509_new_null(); }

int signpeer_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate) {
    return sk_X509_push(stack, certificate);
}

void signpeer_sk_X509_free(STACK_OF(X509) *stack) { sk_X509_free(stack); }

void signpeer_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
