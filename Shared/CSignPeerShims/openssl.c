#include "signpeer_openssl.h"

STACK_OF(X509) *signpeer_sk_X509_new_null(void) { return sk_X509_new_null(); }

int signpeer_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate) {
    return sk_X509_push(stack, certificate);
}

void signpeer_sk_X509_free(STACK_OF(X509) *stack) { sk_X509_free(stack); }

STACK_OF(PKCS7) *signpeer_sk_PKCS7_new_null(void) { return sk_PKCS7_new_null(); }

int signpeer_sk_PKCS7_num(const STACK_OF(PKCS7) *stack) { return sk_PKCS7_num(stack); }

PKCS7 *signpeer_sk_PKCS7_value(const STACK_OF(PKCS7) *stack, int index) { return sk_PKCS7_value(stack, index); }

void signpeer_sk_PKCS7_pop_free(STACK_OF(PKCS7) *stack) { sk_PKCS7_pop_free(stack, PKCS7_free); }

int signpeer_sk_PKCS12_SAFEBAG_num(const STACK_OF(PKCS12_SAFEBAG) *stack) { return sk_PKCS12_SAFEBAG_num(stack); }

PKCS12_SAFEBAG *signpeer_sk_PKCS12_SAFEBAG_value(const STACK_OF(PKCS12_SAFEBAG) *stack, int index) {
    return sk_PKCS12_SAFEBAG_value(stack, index);
}

void signpeer_sk_PKCS12_SAFEBAG_pop_free(STACK_OF(PKCS12_SAFEBAG) *stack) {
    sk_PKCS12_SAFEBAG_pop_free(stack, PKCS12_SAFEBAG_free);
}

int signpeer_PKCS7_type_nid(const PKCS7 *p7) { return OBJ_obj2nid(p7->type); }

void signpeer_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
