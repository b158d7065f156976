// The Linux calls Glibc's module map leaves out (epoll, eventfd, timerfd), plus a
// thread-local slot so the reactor can answer "am I on my own thread?" in one load.
#ifndef C_LINUX_SHIMS_H
#define C_LINUX_SHIMS_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <malloc.h>
#include <sys/prctl.h>

/// mallopt(3) with the glibc parameter names (the Glibc module does not export malloc.h).
static inline void cshim_tune_allocator(int mmap_threshold, int trim_threshold, int top_pad) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
    mallopt(M_TOP_PAD, top_pad);
}

/// malloc_trim(3): gives the free memory of every arena back to the kernel.
static inline int cshim_malloc_trim(void) {
    return malloc_trim(0);
}

/// The reactor running on the calling thread, or NULL.
void *_Nullable cshim_current_reactor(void);
/// Marks the calling thread as the loop thread of `reactor` (NULL clears it).
void cshim_set_current_reactor(void *_Nullable reactor);

/// epoll_wait with a timeout in nanoseconds (-1: forever): epoll_pwait2(2), so timers fire at
/// their deadline rather than at the next whole millisecond; plain epoll_wait, rounded up to
/// milliseconds, on kernels older than 5.11.
int cshim_epoll_wait_ns(int epfd, struct epoll_event *_Nonnull events, int max, long long timeout_ns);

/// accept4(2) and pthread_setname_np(3) are GNU extensions the Glibc module does not export.
int cshim_accept4(int fd, struct sockaddr *_Nullable addr, socklen_t *_Nullable len, int flags);
void cshim_set_thread_name(const char *_Nonnull name);

/// epoll_event is packed on x86_64, which Swift imports awkwardly; these accessors hide it.
static inline uint32_t cshim_epoll_event_events(const struct epoll_event *_Nonnull e) { return e->events; }
static inline uint64_t cshim_epoll_event_data(const struct epoll_event *_Nonnull e) { return e->data.u64; }
static inline int cshim_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

/// prctl(PR_SET_PDEATHSIG): the signal this process gets when its parent thread exits
/// (`meshnode testnet`'s children; prctl is variadic, which Swift cannot call).
static inline int cshim_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); }

#endif
