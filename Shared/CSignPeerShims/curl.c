#include "signpeer_curl.h"

#include <openssl/crypto.h>

/* The parenthesised names call the functions themselves, not libcurl's type-checking macros. */

CURLcode signpeer_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return (curl_easy_setopt)(handle, option, value);
}

CURLcode signpeer_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return (curl_easy_setopt)(handle, option, value);
}

CURLcode signpeer_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return (curl_easy_setopt)(handle, option, value);
}

CURLcode signpeer_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return (curl_easy_setopt)(handle, option, value);
}

CURLcode signpeer_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return (curl_easy_setopt)(handle, option, value);
}

CURLcode signpeer_curl_easy_setopt_write_callback(CURL *handle, curl_write_callback callback) {
    return (curl_easy_setopt)(handle, CURLOPT_WRITEFUNCTION, callback);
}

CURLcode signpeer_curl_easy_setopt_header_callback(CURL *handle, curl_write_callback callback) {
    return (curl_easy_setopt)(handle, CURLOPT_HEADERFUNCTION, callback);
}

CURLcode signpeer_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return (curl_easy_getinfo)(handle, info, value);
}

CURLcode signpeer_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return (curl_easy_getinfo)(handle, info, value);
}

CURLcode signpeer_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return (curl_easy_getinfo)(handle, info, value);
}

CURLMcode signpeer_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return (curl_multi_setopt)(multi, option, value);
}

CURLcode signpeer_curl_global_init(void) {
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}
