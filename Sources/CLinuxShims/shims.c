#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <time.h>
#include "CLinuxShims.h"

// initial-exec: the executable links this statically, so the fast TLS model applies (no __tls_get_addr).
static __thread void *current_reactor __attribute__((tls_model("initial-exec"))) = 0;

void *cshim_current_reactor(void) { return current_reactor; }
void cshim_set_current_reactor(void *reactor) { current_reactor = reactor; }

int cshim_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return accept4(fd, addr, len, flags); }
void cshim_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }

static int epoll_pwait2_missing = 0;  // set once, when the kernel answers ENOSYS

int cshim_epoll_wait_ns(int epfd, struct epoll_event *events, int max, long long timeout_ns) {
    if (timeout_ns <= 0) return epoll_wait(epfd, events, max, timeout_ns < 0 ? -1 : 0);
    if (!__atomic_load_n(&epoll_pwait2_missing, __ATOMIC_RELAXED)) {
        struct timespec timeout = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
        int count = epoll_pwait2(epfd, events, max, &timeout, NULL);
        if (count >= 0 || errno != ENOSYS) return count;
        __atomic_store_n(&epoll_pwait2_missing, 1, __ATOMIC_RELAXED);
    }
    long long milliseconds = (timeout_ns + 999999) / 1000000;
    return epoll_wait(epfd, events, max, milliseconds > INT_MAX ? INT_MAX : (int)milliseconds);
}
