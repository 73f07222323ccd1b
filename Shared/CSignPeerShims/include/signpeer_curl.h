#ifndef SIGNPEER_CURL_H
#define SIGNPEER_CURL_H

/*
 * Typed, non-variadic wrappers for libcurl's variadic option and info functions, which Swift
 * cannot call. One wrapper per argument type; the caller picks the one matching the option.
 */

#include <curl/curl.h>

CURLcode signpeer_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode signpeer_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode signpeer_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode signpeer_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode signpeer_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
/* Sets CURLOPT_WRITEFUNCTION. */
CURLcode signpeer_curl_easy_setopt_write_callback(CURL *handle, curl_write_callback callback);
/* Sets CURLOPT_HEADERFUNCTION (same signature as the write callback). */
CURLcode signpeer_curl_easy_setopt_header_callback(CURL *handle, curl_write_callback callback);

CURLcode signpeer_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode signpeer_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
/* For CURLINFO_PRIVATE, which libcurl declares as a char pointer. */
CURLcode signpeer_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

CURLMcode signpeer_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/* curl_global_init(CURL_GLOBAL_DEFAULT) with OpenSSL initialised first without its exit handler
   (OPENSSL_INIT_NO_ATEXIT): by default OpenSSL frees its global state when the process exits,
   while a curl thread may still be closing TLS connections, and then the same memory is freed
   twice ("double free or corruption", seen in the CLI). Must be the process's first use of
   OpenSSL to take effect. */
CURLcode signpeer_curl_global_init(void);

#endif
