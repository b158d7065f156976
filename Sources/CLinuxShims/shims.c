#define _GNU_SOURCE
#include <pthread.h>
#include "CLinuxShims.h"

// initial-exec: the executable links this statically, so the fast TLS model applies (no __tls_get_addr).
static __thread void *current_reactor __attribute__((tls_model("initial-exec"))) = 0;

void *cshim_current_reactor(void) { return current_reactor; }
void cshim_set_current_reactor(void *reactor) { current_reactor = reactor; }

int cshim_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return accept4(fd, addr, len, flags); }
void cshim_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }
